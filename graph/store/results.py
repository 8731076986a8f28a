"""Query results held in memory up to the row cap, and their serializations: SPARQL results
JSON, XML, CSV and TSV for solutions and booleans, every RDF syntax for triples."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from typing import Literal as Kind
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
)

from ..rdf.formats import RESULTS_FORMATS, rdf_syntax, serialized

__all__ = ["RESULTS_FORMATS", "QueryResult", "Solution", "term_to_json", "term_to_text"]


#: One row of a SELECT: its terms in the order of the variables, None where unbound. Which
#: kind of term stands where depends on the query, so the row is typed as loosely as a DB-API row.
Solution = tuple[Any, ...]

#: A term in the SPARQL JSON results shape: ``type``, ``value`` and a literal's ``xml:lang`` or
#: ``datatype``; the value of an RDF-star triple term holds its three terms.
TermJson = dict[str, "str | TermJson"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class QueryResult:
    """What a query returned: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE).

    ``truncated`` is True when the row cap cut the result.
    """

    kind: Kind["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[Solution] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.triples) if self.kind == "graph" else len(self.rows)

    def bindings(self) -> Iterator[dict[str, object]]:
        """Each row as a mapping from variable name to term, unbound variables left out."""
        for row in self.rows:
            yield {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}

    def serialize(self, fmt: str) -> bytes:
        """The result in ``fmt``: a name of :data:`RESULTS_FORMATS` for solutions and booleans,
        of an RDF syntax (:func:`graph.rdf.formats.rdf_syntax`) for triples."""
        if self.kind == "graph":
            return self.to_rdf(rdf_syntax(fmt).oxigraph)
        if self.kind == "ask" and fmt not in ("json", "xml"):
            raise ValueError(f"a boolean result has no {fmt} form")
        text: str = getattr(self, f"to_{fmt}")()
        return text.encode()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON; a truncated result says so in ``aikg:truncated``.

        Written piece by piece, the same text as ``json.dumps`` of the nested dicts, in a
        third of its time (no dict per term and row).

        >>> result = QueryResult("select", variables=["s", "n"],
        ...                      rows=[(NamedNode("http://e/a"), Literal("1")), (None, None)])
        >>> json.loads(result.to_json())["results"]["bindings"]
        [{'s': {'type': 'uri', 'value': 'http://e/a'}, 'n': {'type': 'literal', 'value': '1'}}, {}]
        """
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": self.boolean})
        variables = self.variables
        keys = [_quoted(v) + ": " for v in variables]
        rows = ", ".join(
            "{" + ", ".join(key + _term_json(t) for key, t in zip(keys, row, strict=True)
                            if t is not None) + "}"
            for row in self.rows)
        names = ", ".join(_quoted(v) for v in variables)
        tail = ', "aikg:truncated": true' if self.truncated else ""
        return f'{{"head": {{"vars": [{names}]}}, "results": {{"bindings": [{rows}]}}{tail}}}'

    def to_xml(self) -> str:
        """SPARQL Query Results XML."""
        return "".join(self._xml_chunks())

    def _xml_chunks(self) -> Iterator[str]:
        yield '<?xml version="1.0" encoding="utf-8"?>\n'
        yield '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
        yield "".join(f"<variable name={quoteattr(v)}/>" for v in self.variables)
        yield "</head>\n"
        if self.kind == "ask":
            yield f"<boolean>{'true' if self.boolean else 'false'}</boolean>\n</sparql>\n"
            return
        yield "<results>\n"
        for binding in self.bindings():
            yield "<result>" + "".join(
                f"<binding name={quoteattr(v)}>{term_to_xml(t)}</binding>"
                for v, t in binding.items()
            ) + "</result>\n"
        yield "</results>\n</sparql>\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV: plain values, no types."""
        return self._delimited(csv.excel, lambda t: term_to_text(t))

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV: terms in Turtle syntax."""
        out = io.StringIO()
        out.write("\t".join("?" + v for v in self.variables) + "\n")
        for row in self.rows:
            out.write("\t".join("" if t is None else str(t) for t in row) + "\n")
        return out.getvalue()

    def to_rdf(self, fmt: RdfFormat = RdfFormat.TURTLE, prefixes: dict[str, str] | None = None
               ) -> bytes:
        """The triples of a CONSTRUCT or DESCRIBE result in an RDF syntax."""
        prefixes = prefixes if prefixes and fmt in _PREFIXED else None
        if fmt.supports_datasets:  # TriG, N-Quads: the triples sit in the default graph
            return serialized([Quad(t.subject, t.predicate, t.object, DefaultGraph())
                               for t in self.triples], fmt, prefixes=prefixes)
        return serialized(self.triples, fmt, prefixes=prefixes)

    def _delimited(self, dialect: type[csv.Dialect], render: Callable[[object], str]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, dialect=dialect, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if t is None else render(t) for t in row])
        return out.getvalue()


_PREFIXED = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML)


def term_to_json(term: object) -> TermJson:
    """One RDF term in the SPARQL JSON results shape.

    >>> term_to_json(Literal("百度", language="zh"))
    {'type': 'literal', 'value': '百度', 'xml:lang': 'zh'}
    """
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, Literal):
        out: TermJson = {"type": "literal", "value": term.value}
        if language := term.language:
            out["xml:lang"] = language
        elif (datatype := term.datatype.value) != XSD_STRING:
            out["datatype"] = datatype
        return out
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_to_json(term.subject),
                "predicate": term_to_json(term.predicate),
                "object": term_to_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


#: A string as a JSON literal, as ``json.dumps(ensure_ascii=False)`` writes it (in C).
_quoted: Callable[[str], str] = json.encoder.encode_basestring


def _term_json(term: object) -> str:
    """:func:`term_to_json` as JSON text, as ``json.dumps(ensure_ascii=False)`` writes it."""
    if isinstance(term, NamedNode):
        return f'{{"type": "uri", "value": {_quoted(term.value)}}}'
    if isinstance(term, Literal):
        value = _quoted(term.value)
        if language := term.language:
            return f'{{"type": "literal", "value": {value}, "xml:lang": {_quoted(language)}}}'
        if (datatype := term.datatype.value) != XSD_STRING:
            return f'{{"type": "literal", "value": {value}, "datatype": {_quoted(datatype)}}}'
        return f'{{"type": "literal", "value": {value}}}'
    return json.dumps(term_to_json(term), ensure_ascii=False)  # blank nodes, triple terms


def term_to_xml(term: object) -> str:
    """One RDF term as a SPARQL XML results element.

    >>> term_to_xml(Literal("a<b", language="en"))
    '<literal xml:lang="en">a&lt;b</literal>'
    """
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attribute = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        parts = zip(("subject", "predicate", "object"), (term.subject, term.predicate, term.object),
                    strict=True)
        return "<triple>" + "".join(f"<{k}>{term_to_xml(t)}</{k}>" for k, t in parts) + "</triple>"
    raise TypeError(f"not an RDF term: {term!r}")


def term_to_text(term: object) -> str:
    """The plain text of a term: an IRI, a literal's lexical form, ``_:id`` for a blank node."""
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)
