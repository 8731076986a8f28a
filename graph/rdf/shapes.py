"""SHACL validation of aikg data against ``ontology/shapes.ttl``, with pyshacl.

SHACL sees triples, while a fact's source is the named graph that holds it. So before validating,
every statement of a source graph adds ``subject aikg:assertedIn graph`` to the data SHACL sees,
and the shapes require each entity to be asserted in a graph described as an ``aikg:SourceGraph``
(in the graph ``ontology.SOURCES_GRAPH``). The ontology is added too, for the class hierarchy and
the declared terms.

Only the quads being validated, plus what they touch in the store, are converted to rdflib: the
rest of the description of each subject they write (from every graph), the descriptions of the
source graphs involved, and the types of the entities they point at. Results about nodes known
only from the store are dropped. (pyshacl's own ``focus_nodes`` option is not used: it also
skips the nested checks of literal values, so a bad date would pass.)

Two ways in, one report out:

- ``validate(kg)`` or ``validate(kg, graphs=[...])``: the store as it is now;
- ``validate(quads, context=kg, replacing=[...])``: quads about to be written into ``kg``
  (``replacing``: graphs the write empties first, as a Graph Store PUT does).

``require_valid(...)`` does the same and raises :class:`~graph.errors.ValidationFailed`.
The shapes and the ontology are read from the package files, never from the store, so a write
cannot weaken the rules it is checked against.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

import ontology

from ..errors import BadInput, ValidationFailed
from .quadsource import QuadSource

__all__ = ["QuadSource", "Violation", "ValidationReport", "checked_graphs", "require_valid",
           "require_valid_graphs", "validate"]

ASSERTED_IN = URIRef(ontology.AIKG + "assertedIn")
#: Where statements outside any named graph are said to be: never a described source graph.
DEFAULT_GRAPH_MARK = URIRef(ontology.GRAPH + "default")
_NOT_INSTANCE = {ontology.ONTOLOGY_GRAPH, ontology.SHAPES_GRAPH}
_RDF = ontology.PREFIXES["rdf"]
_SH = ontology.PREFIXES["sh"]
_XSD_STRING = ontology.PREFIXES["xsd"] + "string"
_RDF_TYPE = NamedNode(_RDF + "type")
#: A triple as rdflib terms, the form pyshacl reads.
_Term = URIRef | BNode | RdfLiteral
_Triple = tuple[_Term, _Term, _Term]


@dataclass(frozen=True)
class Violation:
    """One broken rule: the node, the property (if any), the offending value and the message."""

    focus: str
    path: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = " ".join(x for x in (self.focus, self.path) if x)
        value = f" (value {self.value})" if self.value and self.value != self.focus else ""
        return f"{where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: ``conforms`` and the readable ``violations``."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    text: str = ""

    def summary(self, limit: int = 5) -> str:
        """One line per violation, at most ``limit`` of them."""
        if self.conforms:
            return "the data conforms to the aikg shapes"
        lines = [str(v) for v in self.violations[:limit]]
        more = len(self.violations) - limit
        if more > 0:
            lines.append(f"... and {more} more")
        return "\n".join(lines)


def validate(
    data: QuadSource | Iterable[Quad],
    *,
    context: QuadSource | None = None,
    graphs: Iterable[str] | None = None,
    replacing: Iterable[str] = (),
) -> ValidationReport:
    """Validate RDF against the aikg shapes.

    Parameters
    ----------
    data : QuadSource (a KnowledgeGraph) or iterable of pyoxigraph.Quad
        A store validates its named graphs as they are (all of them but the ontology and shapes
        graphs, or only ``graphs``); quads are validated as if written into ``context``.
    context : QuadSource (a KnowledgeGraph), optional
        The store that quads are going into: it supplies the rest of the description of each
        subject, the types of referenced entities and the descriptions of source graphs.
    graphs : iterable of str, optional
        With a store: the named graphs to validate (default: every instance graph and the
        sources graph).
    replacing : iterable of str
        With quads: graphs of ``context`` whose current content the write replaces.

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> from pyoxigraph import Quad, NamedNode, Literal
    >>> kg_ = "https://w3id.org/aikg/id/"
    >>> q = Quad(NamedNode(kg_ + "x"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ...          Literal("X", language="en"), NamedNode("https://w3id.org/aikg/graph/nowhere"))
    >>> report = validate([q])
    >>> report.conforms
    False
    >>> sorted({v.message.split(" (")[0] for v in report.violations})[:2]
    ['an entity has a Chinese label', 'every entity has a type']
    """
    if isinstance(data, QuadSource):
        chosen = None if graphs is None else set(graphs)
        quads = _store_quads(data, chosen)
        around = None if chosen is None else data
        skip: set[str] = set()
    else:
        quads = list(data)
        around = context
        skip = set(replacing)
    triples, written = _flatten(quads)
    context_only: set[URIRef] = set()
    if around is not None:
        context_only = _add_surroundings(triples, around, quads, written, skip)
    return _run(triples, context_only)


def require_valid(
    data: QuadSource | Iterable[Quad], **options: object
) -> ValidationReport:
    """Like :func:`validate`, but raise :class:`~graph.errors.ValidationFailed` if it fails.

    The error's message lists the first violations; its ``report`` holds pyshacl's full text.
    """
    report = validate(data, **options)  # type: ignore[arg-type]
    if not report.conforms:
        count = len(report.violations)
        raise ValidationFailed(
            f"the data breaks {count} SHACL rule{'s' if count != 1 else ''}:\n{report.summary()}",
            report.text,
        )
    return report


def require_valid_graphs(data: QuadSource, graphs: Iterable[str] | None = None) -> None:
    """Check the aikg graphs among ``graphs`` (default: every named graph) against the shapes;
    raise :class:`~graph.errors.ValidationFailed` if one breaks them.

    The shapes describe aikg's own knowledge, so only graphs under ``ontology.GRAPH`` (the
    source graphs and the sources graph, not the ontology or shapes themselves) are checked;
    a graph elsewhere holds a user's own data in whatever vocabulary it likes. Every write of
    the service runs first in a copy, then this on the copy, and reaches the real store only if
    it passes (:meth:`graph.store.executor.Executor.write`).
    """
    checked = checked_graphs(data.named_graphs() if graphs is None else graphs)
    if checked:
        require_valid(data, graphs=checked)


def checked_graphs(graphs: Iterable[str]) -> list[str]:
    """Those of ``graphs`` that :func:`require_valid_graphs` checks against the shapes, sorted.

    >>> checked_graphs([ontology.GRAPH + "baidu", ontology.SHAPES_GRAPH, "urn:mine"])
    ['https://w3id.org/aikg/graph/baidu']
    """
    return sorted(g for g in graphs if g.startswith(ontology.GRAPH) and g not in _NOT_INSTANCE)


# -- building the data graph -----------------------------------------------------------------


def _store_quads(store: QuadSource, graphs: set[str] | None) -> list[Quad]:
    if graphs is None:
        graphs = set(store.named_graphs())
        graphs -= _NOT_INSTANCE
    return [q for name in sorted(graphs)
            for q in store.quads(None, None, None, NamedNode(name))]


def _flatten(quads: Iterable[Quad]) -> tuple[set[_Triple], set[URIRef]]:
    """The triples of the quads, each source graph's subjects marked ``aikg:assertedIn`` it,
    and the IRI subjects."""
    triples: set[_Triple] = set()
    subjects: set[URIRef] = set()
    for quad in quads:
        subject = _term(quad.subject)
        triples.add((subject, _term(quad.predicate), _term(quad.object)))
        if isinstance(subject, URIRef):
            subjects.add(subject)
            graph = quad.graph_name
            if isinstance(graph, DefaultGraph):
                triples.add((subject, ASSERTED_IN, DEFAULT_GRAPH_MARK))
            elif graph.value != ontology.SOURCES_GRAPH:
                triples.add((subject, ASSERTED_IN, URIRef(graph.value)))
    return triples, subjects


def _add_surroundings(
    triples: set[_Triple], store: QuadSource, quads: list[Quad], written: set[URIRef],
    skip: set[str],
) -> set[URIRef]:
    """Add what the store says around the quads to ``triples``; return the nodes known only
    from the store.

    The rest of each written subject's description (from every graph but ``skip``), the
    description of every source graph involved, and the types of every node referenced.
    """
    pulled = [q for s in written for q in _closure(store, NamedNode(str(s)))
              if not _in_graphs(q, skip | _NOT_INSTANCE)]
    triples |= _flatten(pulled)[0]
    graphs = {q.graph_name for q in [*quads, *pulled] if isinstance(q.graph_name, NamedNode)}
    sources = NamedNode(ontology.SOURCES_GRAPH)
    for graph in graphs - {sources}:
        described = list(store.quads(graph, None, None, sources))
        triples |= _flatten(described)[0]
    known = {s for s, _, _ in triples if isinstance(s, URIRef)}
    for node in {o for _, _, o in triples if isinstance(o, URIRef)} - known - written:
        for quad in store.quads(NamedNode(str(node)), _RDF_TYPE, None, None):
            triples.add((node, URIRef(quad.predicate.value), _term(quad.object)))
            known.add(node)  # typed in the store: a context node (an untyped one stays dangling)
    return known - written


def _in_graphs(quad: Quad, names: set[str]) -> bool:
    return isinstance(quad.graph_name, NamedNode) and quad.graph_name.value in names


def _closure(store: QuadSource, subject: NamedNode | BlankNode) -> Iterator[Quad]:
    """The quads about ``subject`` and, recursively, about the blank nodes they point at."""
    pending, seen = [subject], set()
    while pending:
        node = pending.pop()
        for quad in store.quads(node, None, None, None):
            yield quad
            if isinstance(quad.object, BlankNode) and quad.object not in seen:
                seen.add(quad.object)
                pending.append(quad.object)


def _term(term: object) -> _Term:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        return RdfLiteral(term.value, datatype=None if datatype == _XSD_STRING else datatype)
    raise BadInput(f"cannot validate the term {term!r}: RDF-star triple terms are not supported")


# -- running pyshacl -------------------------------------------------------------------------


@cache
def _shapes() -> Graph:
    return Graph().parse(ontology.SHAPES_FILE, format="turtle")


@cache
def _ontology() -> Graph:
    return Graph().parse(ontology.ONTOLOGY_FILE, format="turtle")


def _run(triples: set[_Triple], context_only: set[URIRef]) -> ValidationReport:
    # Imported here, not at the top: pyshacl (with owlrl) costs about 0.1 s, and every server
    # imports this module at start while only a write validates (issue 15: start-up time).
    import pyshacl

    data = Graph()
    for triple in _ontology():
        data.add(triple)
    for triple in triples:
        data.add(triple)
    # advanced: the reference checks use SHACL-AF SPARQL targets (one query per validation)
    _, results, text = pyshacl.validate(
        data, shacl_graph=_shapes(), inference="none", advanced=True, inplace=True,
    )
    violations = _violations(results, ignore=context_only)
    return ValidationReport(not violations, violations, text if violations else "")


def _violations(results: Graph, ignore: set[URIRef]) -> list[Violation]:
    """The results as violations, leaving out those about nodes known only from the context."""
    found = []
    sh = {name: URIRef(_SH + name) for name in ("result", "resultPath", "value", "resultMessage",
                                                 "focusNode")}
    for result in results.objects(None, sh["result"]):  # top-level results, not their details
        path = results.value(result, sh["resultPath"])
        value = results.value(result, sh["value"])
        message = results.value(result, sh["resultMessage"])
        if results.value(result, sh["focusNode"]) in ignore:
            continue
        found.append(Violation(
            focus=_short(results.value(result, sh["focusNode"])),
            path=_short(path) if isinstance(path, URIRef) else None,
            value=_short(value) if value is not None else None,
            message=str(message) if message else "breaks a shape",
        ))
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))


def _short(term: object) -> str:
    """An IRI in prefixed form when a known prefix fits, else the term's text."""
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, namespace in ontology.PREFIXES.items():
            if text.startswith(namespace):
                return f"{prefix}:{text[len(namespace):]}"
    return text
