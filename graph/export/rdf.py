"""RDF exports streamed by pyoxigraph's serializers: the whole dataset, one graph, or statements.

A quads syntax (TriG, N-Quads, JSON-LD) keeps each statement's named graph. A triples syntax
(Turtle, N-Triples, RDF/XML) of several graphs merges them: a triple held by two graphs is
written once per graph, which every parser reads as the one triple it is (an RDF graph is a set);
removing the repeats would mean holding every triple seen in memory.

The store is written graph by graph, each graph by pyoxigraph's own ``Store.dump`` (TriG and
Turtle as Turtle dumps under one ``@prefix`` block; JSON-LD and RDF/XML as dumps inside one
frame, :class:`~graph.export.streams.Unframed`), so each graph comes out whole and statements
never pass through Python one by one. Turtle, TriG and
RDF/XML use the prefixes of :data:`ontology.PREFIXES`; JSON-LD gets them as an inline compact
``@context`` (:class:`~graph.export.streams.CompactJsonLd`) and never names a remote one.
RDF/XML goes through :class:`~graph.export.streams.XmlText`, which keeps a carriage return.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Triple, serialize

import ontology

from ..errors import BadInput
from ..rdf.formats import ExportFormat, serialized
from ..store import KnowledgeGraph
from .streams import AfterPrefixes, CompactJsonLd, Unframed, XmlText, as_output, prefix_lines

__all__ = ["dataset_quads", "write_store", "write_quads", "write_triples"]

Graph = NamedNode | BlankNode | DefaultGraph


def write_store(store: KnowledgeGraph, fmt: ExportFormat, out: IO[bytes],
                graph: NamedNode | None = None) -> None:
    """Write the whole dataset, or the named graph ``graph`` with its name, from the store.

    The whole dataset in a syntax without graphs is their merge, each triple once, read from
    the store's union graph (:mod:`graph.store.unionset`)."""
    syntax = _syntax(fmt)
    graphs: list[Graph] = [graph] if graph else [DefaultGraph(), *store.graph_terms()]
    if graph is None and syntax not in (RdfFormat.TRIG, RdfFormat.N_QUADS, RdfFormat.JSON_LD):
        graphs = [store.merged_graph]
    if syntax in (RdfFormat.TURTLE, RdfFormat.TRIG):
        out.write(prefix_lines(ontology.PREFIXES))
        for name in graphs:
            block = syntax == RdfFormat.TRIG and not isinstance(name, DefaultGraph)
            if block:
                out.write(f"{name} {{\n".encode())
            body = AfterPrefixes(out)
            store.dump(as_output(body), RdfFormat.TURTLE, from_graph=name,
                       prefixes=ontology.PREFIXES)
            body.close()
            if block:
                out.write(b"}\n")
    elif syntax == RdfFormat.N_TRIPLES:
        for name in graphs:
            store.dump(out, syntax, from_graph=name)
    elif syntax == RdfFormat.N_QUADS and graph is None:
        store.dump(out, syntax)
    elif syntax == RdfFormat.JSON_LD:
        _write_jsonld(store, graphs, out)
    elif syntax == RdfFormat.RDF_XML:
        _write_rdfxml(store, graphs, out)
    else:  # N-Quads of one graph: pyoxigraph dumps a graph without its name
        write_quads(dataset_quads(store, graph), fmt, out)


def dataset_quads(store: KnowledgeGraph, graph: NamedNode | None = None) -> Iterator[Quad]:
    """The quads of one named graph, or of the whole dataset one graph after another.

    Grouping by graph lets JSON-LD write each graph once (the store's own order may switch graph
    at every quad).
    """
    graphs: list[Graph] = [graph] if graph else [DefaultGraph(), *store.graph_terms()]
    for name in graphs:
        yield from store.quads(graph=name)


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


def _write_jsonld(store: KnowledgeGraph, graphs: list[Graph], out: IO[bytes]) -> None:
    """One array: the default graph's nodes, then ``{"@id": graph, "@graph": [nodes]}``."""
    writer = CompactJsonLd(out, ontology.PREFIXES)
    writer.write(b"[")
    empty = True
    for name in graphs:
        if isinstance(name, DefaultGraph):
            nodes = Unframed(writer, rb"\[", b"]")
            store.dump(as_output(nodes), RdfFormat.JSON_LD, from_graph=name)
            nodes.close()
            empty = nodes.empty
            continue
        label = name.value if isinstance(name, NamedNode) else f"_:{name.value}"
        writer.write(("" if empty else ",").encode() + b'{"@id":' + json.dumps(label).encode()
                     + b',"@graph":')
        store.dump(as_output(writer), RdfFormat.JSON_LD, from_graph=name)
        writer.write(b"}")
        empty = False
    writer.write(b"]")
    writer.close()


def _write_rdfxml(store: KnowledgeGraph, graphs: list[Graph], out: IO[bytes]) -> None:
    """One ``rdf:RDF`` element holding each graph's descriptions."""
    frame = serialized([], RdfFormat.RDF_XML, prefixes=ontology.PREFIXES)
    closing = b"</rdf:RDF>"
    text = XmlText(out)
    text.write(frame[:-len(closing)])
    for name in graphs:
        body = Unframed(text, rb"<rdf:RDF[^>]*>\n?", closing)
        store.dump(as_output(body), RdfFormat.RDF_XML, from_graph=name, prefixes=ontology.PREFIXES)
        body.close()
    text.write(closing + b"\n")


def _syntax(fmt: ExportFormat) -> RdfFormat:
    if fmt.syntax is None:
        raise BadInput(f"{fmt.name} is not an RDF format")
    return fmt.syntax.oxigraph


def _serialize(statements: Iterable[Triple] | Iterable[Quad], syntax: RdfFormat,
               out: IO[bytes]) -> None:
    if syntax == RdfFormat.JSON_LD:
        writer = CompactJsonLd(out, ontology.PREFIXES)
        serialize(statements, as_output(writer), syntax)
        writer.close()
    elif syntax == RdfFormat.RDF_XML:
        serialize(statements, as_output(XmlText(out)), syntax, prefixes=ontology.PREFIXES)
    elif syntax in (RdfFormat.TURTLE, RdfFormat.TRIG):
        serialize(statements, out, syntax, prefixes=ontology.PREFIXES)
    else:
        serialize(statements, out, syntax)
