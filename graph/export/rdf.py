"""RDF exports streamed by pyoxigraph's serializers: the whole dataset, one graph, or statements.

A quads syntax (TriG, N-Quads, JSON-LD) keeps each statement's named graph. A triples syntax
(Turtle, N-Triples, RDF/XML) of several graphs merges them: a triple held by two graphs is
written once per graph, which every parser reads as the one triple it is (an RDF graph is a set);
removing the repeats would mean holding every triple seen in memory.

Turtle, TriG and RDF/XML use the prefixes of :data:`ontology.PREFIXES`. pyoxigraph's JSON-LD
writer knows no ``@context``, so its expanded output is rewritten on the fly into compact IRIs
under an inline context of the same prefixes (:class:`CompactJsonLd`); no remote context is
ever named. pyoxigraph's RDF/XML writer puts a carriage return in raw (an XML parser reads it
back as a line feed) and control characters that XML 1.0 cannot hold at all: :class:`XmlText`
writes the first as ``&#13;`` and refuses the second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import IO

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, serialize

import ontology

from ..errors import BadInput
from .formats import ExportFormat

__all__ = ["CompactJsonLd", "XmlText", "dataset_quads", "write_quads", "write_triples"]

_PREFIXED = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML)


def dataset_quads(store: Store, graph: NamedNode | None = None) -> Iterator[Quad]:
    """The quads of one named graph, or of the whole dataset one graph after another.

    Grouping by graph lets TriG and JSON-LD write each graph once (the store's own order may
    switch graph at every quad) and Turtle group a graph's statements by subject.
    """
    if graph is not None:
        yield from store.quads_for_pattern(None, None, None, graph)
        return
    yield from store.quads_for_pattern(None, None, None, DefaultGraph())
    for name in store.named_graphs():
        yield from store.quads_for_pattern(None, None, None, name)


def write_quads(quads: Iterable[Quad], fmt: ExportFormat, out: IO[bytes]) -> None:
    """Serialize quads; a triples syntax drops their graphs (merging them, as the module says)."""
    syntax = _syntax(fmt)
    statements = quads if syntax.supports_datasets else (q.triple for q in quads)
    _serialize(statements, syntax, out)


def write_triples(triples: Iterable[Triple], fmt: ExportFormat, out: IO[bytes]) -> None:
    """Serialize triples (a CONSTRUCT result); a quads syntax puts them in the default graph."""
    syntax = _syntax(fmt)
    statements = (
        (Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
        if syntax.supports_datasets else triples
    )
    _serialize(statements, syntax, out)


class CompactJsonLd:
    """A binary writer that turns pyoxigraph's expanded JSON-LD into compact JSON-LD.

    It opens ``{"@context": {prefixes}, "@graph": `` before the first byte, replaces each full
    IRI that starts with a namespace by ``prefix:rest`` where JSON-LD reads compact IRIs (keys,
    ``@id`` and ``@type`` values, never ``@value``), and closes the object on :meth:`close`.
    A ``"`` inside a JSON string is always escaped, so ``{"``, ``,"``, ``"@id":"`` and
    ``"@type":"`` only occur as JSON structure: a plain byte replacement is exact. Chunks are cut
    before a ``{`` or ``,`` so that no replacement straddles two writes.

    >>> import io
    >>> out = io.BytesIO()
    >>> writer = CompactJsonLd(out, {"kg": "https://w3id.org/aikg/id/"})
    >>> _ = writer.write(b'[{"@id":"https://w3id.org/aikg/id/a","https://w3id.org/aikg/id/p":'
    ...                  b'[{"@value":"https://w3id.org/aikg/id/b"}]}]')
    >>> writer.close(); out.getvalue().decode()
    '{"@context": {"kg": "https://w3id.org/aikg/id/"}, "@graph": [{"@id":"kg:a","kg:p":[{"@value":"https://w3id.org/aikg/id/b"}]}]}\\n'
    """

    _PLACES = (b'{"', b',"', b'"@id":"', b'"@type":"')

    def __init__(self, out: IO[bytes], prefixes: dict[str, str]) -> None:
        self._out = out
        self._pending = b""
        self._rules = sorted(
            ((ns.encode(), name.encode() + b":") for name, ns in prefixes.items()),
            key=lambda rule: -len(rule[0]),  # the longest namespace wins
        )
        head = json.dumps({"@context": prefixes}, ensure_ascii=False)[:-1]
        out.write(head.encode("utf-8") + b', "@graph": ')

    def write(self, data: bytes) -> int:
        buffer = self._pending + bytes(data)
        cut = max(buffer.rfind(b","), buffer.rfind(b"{"))
        if cut > 0:
            self._out.write(self._compact(buffer[:cut]))
            buffer = buffer[cut:]
        self._pending = buffer
        return len(data)

    def flush(self) -> None:
        """Nothing to do: pending bytes wait for the next cut point."""

    def close(self) -> None:
        """Write what is pending and close the JSON object."""
        self._out.write(self._compact(self._pending) + b"}\n")
        self._pending = b""

    def _compact(self, chunk: bytes) -> bytes:
        for namespace, prefix in self._rules:
            if prefix in chunk:
                self._refuse_ambiguous(chunk, prefix)
            if namespace not in chunk:
                continue
            # JSON-LD reads "kg://x" as an absolute IRI, so an IRI whose rest starts with "//"
            # stays expanded (rare: the slow path).
            keep_slashes = namespace + b"//" in chunk
            for place in self._PLACES:
                if keep_slashes:
                    pattern = re.escape(place + namespace) + rb"(?!//)"
                    chunk = re.sub(pattern, place + prefix, chunk)  # no backslash in either
                else:
                    chunk = chunk.replace(place + namespace, place + prefix)
        return chunk

    def _refuse_ambiguous(self, chunk: bytes, prefix: bytes) -> None:
        for place in self._PLACES:
            start = chunk.find(place + prefix)
            while start >= 0:
                after = start + len(place) + len(prefix)
                if chunk[after:after + 2] != b"//":
                    iri = chunk[start + len(place):chunk.find(b'"', after)].decode()
                    raise BadInput(f"the IRI {iri!r} would read as a compact IRI in JSON-LD; "
                                   "export this data in another RDF format")
                start = chunk.find(place + prefix, after)


class XmlText:
    """A binary writer that keeps XML text exact: ``\\r`` becomes ``&#13;``; a control character
    XML 1.0 cannot carry is refused (UTF-8 never hides these bytes inside another character).

    >>> import io
    >>> out = io.BytesIO(); _ = XmlText(out).write(b"<p>a\\r\\nb</p>"); out.getvalue()
    b'<p>a&#13;\\nb</p>'
    """

    _FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if self._FORBIDDEN.search(data):
            raise BadInput("a literal holds a control character that XML 1.0 cannot carry; "
                           "export this data in another RDF format")
        self._out.write(data.replace(b"\r", b"&#13;"))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here."""


def _syntax(fmt: ExportFormat) -> RdfFormat:
    if fmt.syntax is None:
        raise BadInput(f"{fmt.name} is not an RDF format")
    return fmt.syntax.oxigraph


def _serialize(statements: Iterable[Triple] | Iterable[Quad], syntax: RdfFormat,
               out: IO[bytes]) -> None:
    if syntax == RdfFormat.JSON_LD:
        writer = CompactJsonLd(out, ontology.PREFIXES)
        serialize(statements, writer, syntax)
        writer.close()
        return
    prefixes = ontology.PREFIXES if syntax in _PREFIXED else None
    serialize(statements, XmlText(out) if syntax == RdfFormat.RDF_XML else out, syntax,
              prefixes=prefixes)
