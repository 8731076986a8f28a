"""The Graph Store Protocol's operations on the graph: read a graph or the whole dataset as a
stream of bytes, load documents spooled to disk into it, and tell whether a graph exists."""

from __future__ import annotations

import io
import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TypeVar

from pyoxigraph import DefaultGraph, NamedNode, Quad, Triple, parse

import ontology

from ..errors import BadInput, ParseError, Refused
from ..rdf.formats import RdfSyntax, check_untrusted, rdf_parse_error, serialized
from ..sparql.nesting import check_contexts
from .knowledge import DEFAULT_GRAPH, KnowledgeGraph

__all__ = ["Upload", "delete_graph", "export", "graph_exists", "write_uploads"]

_BATCH = 10_000
_Statement = TypeVar("_Statement", Triple, Quad)
# Syntaxes whose documents can be cut into parts that, put end to end, are one document.
_CONCATENABLE = ("ntriples", "nquads", "turtle", "trig")


def graph_exists(kg: KnowledgeGraph, graph: str) -> bool:
    """True for the default graph and for a named graph in the store (even empty; on a remote
    store, which may not keep empty graphs, one that holds statements)."""
    if graph == DEFAULT_GRAPH:
        return True
    return kg.contains_named_graph(_node(graph))


def delete_graph(kg: KnowledgeGraph, graph: str) -> None:
    """Remove a named graph from the store, or empty the default graph, in one transaction."""
    kg.update("DROP DEFAULT" if graph == DEFAULT_GRAPH else f"DROP GRAPH {_node(graph)}")


def export(kg: KnowledgeGraph, graph: str | None, syntax: RdfSyntax) -> Iterator[bytes]:
    """A graph (an IRI or :data:`DEFAULT_GRAPH`), or the whole dataset (None, quad syntaxes
    only), serialized in parts of at most 10,000 statements where the syntax allows it."""
    if graph is None and not syntax.has_graphs:
        raise BadInput(f"{syntax.name} cannot hold several graphs: ask for TriG or N-Quads")
    name = None if graph is None else DefaultGraph() if graph == DEFAULT_GRAPH else _node(graph)
    quads = kg.quads(graph=name)
    if syntax.has_graphs:
        yield from _parts(quads, syntax)
    else:
        yield from _parts((Triple(q.subject, q.predicate, q.object) for q in quads), syntax)


def _parts(statements: Iterator[_Statement], syntax: RdfSyntax) -> Iterator[bytes]:
    """The statements (all triples or all quads) in ``syntax``, in parts where it allows."""
    prefixes = ontology.PREFIXES if syntax.name in ("turtle", "trig") else None
    if syntax.name not in _CONCATENABLE:
        yield serialized(list(statements), syntax.oxigraph, prefixes=prefixes)
        return
    first = True
    while True:
        batch = list(islice(statements, _BATCH))
        if batch or first:
            yield serialized(batch, syntax.oxigraph, prefixes=prefixes)
        if len(batch) < _BATCH:
            return
        first = False


@dataclass(frozen=True)
class Upload:
    """An RDF document waiting on disk to go into the store: a file (a path, or a binary file
    object that can seek), its syntax, and the name errors give it (``request body``, a file
    name). It is never read into memory whole."""

    body: Path | IO[bytes]
    syntax: RdfSyntax
    source: str = "request body"


def write_uploads(kg: KnowledgeGraph, uploads: list[Upload], *, graph: str | None,
                  base_iri: str, replace: bool = False) -> None:
    """Write the documents into ``graph`` (an IRI or :data:`DEFAULT_GRAPH`), or, without one,
    into the graphs their quads name; with ``replace``, in place of what the graph (or the
    whole dataset) held. Readers see all of the write or none of it.

    One document added to the store streams from its file through the store's loader, in one
    transaction: its size is bounded by the disk, not by memory. A write that must change more
    at once (a replacement, or several documents) is one update of the parsed statements, held
    in memory: the caller bounds its size.

    A document for a graph may not name graphs of its own, and one without a graph must. Raises
    :class:`ParseError` with the line and column of the first error, :class:`Refused` for a
    document built to blow up the parser or with a remote JSON-LD context.
    """
    for upload in uploads:
        if graph is None and not upload.syntax.has_graphs:
            raise BadInput(f"{upload.syntax.name} has no graph names: name the target graph "
                           "(?graph=IRI or ?default)")
        with _opened(upload.body) as stream, _mapped(stream) as contents:
            check_untrusted(contents, upload.syntax)
            if upload.syntax.name == "jsonld":
                check_contexts(contents)
    if len(uploads) == 1 and not replace:
        upload = uploads[0]
        if graph is not None and upload.syntax.has_graphs:
            for _ in _quads(upload, graph, base_iri):  # a first pass: may it go in the graph?
                pass
        with _opened(upload.body) as stream:
            try:
                kg.load(stream, format=upload.syntax.name, graph=graph, base_iri=base_iri,
                        name=upload.source)
            except ParseError as error:
                if "remote context" in error.detail:
                    raise _remote_context() from None
                raise
        return
    quads = [quad for upload in uploads for quad in _quads(upload, graph, base_iri)]
    if replace:
        kg.replace(quads, None if graph is None else [graph])
    else:
        kg.add(quads)


def _quads(upload: Upload, graph: str | None, base_iri: str) -> Iterator[Quad]:
    """The document's statements, put in ``graph`` if given; one that names a graph of its
    own is then refused."""
    target = None if graph is None else DefaultGraph() if graph == DEFAULT_GRAPH else _node(graph)
    with _opened(upload.body) as stream:
        for quad in _parsed(stream, upload.syntax, base_iri, upload.source):
            if target is None:
                yield quad
            elif isinstance(quad.graph_name, DefaultGraph):
                yield Quad(quad.subject, quad.predicate, quad.object, target)
            else:
                raise BadInput(f"{upload.source} names its own graphs: send it without ?graph "
                               "or ?default")


def _parsed(stream: IO[bytes], syntax: RdfSyntax, base_iri: str, source: str
            ) -> Iterator[Quad]:
    try:
        yield from parse(stream, format=syntax.oxigraph, base_iri=base_iri)
    except SyntaxError as error:
        if "remote context" in (error.msg or ""):
            raise _remote_context() from None
        raise rdf_parse_error(error, source) from None
    except ValueError as error:
        raise BadInput(f"{source}: {error}") from None


def _remote_context() -> Refused:
    return Refused("remote JSON-LD contexts are refused here: put the @context inline")


@contextmanager
def _opened(body: Path | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(body, Path):
        with body.open("rb") as stream:
            yield stream
    else:
        body.seek(0)
        yield body


@contextmanager
def _mapped(stream: IO[bytes]) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes for the checks, mapped from disk rather than read into memory."""
    try:
        fileno = stream.fileno()
    except (OSError, io.UnsupportedOperation):  # a file object held in memory
        yield stream.read()
        return
    if os.fstat(fileno).st_size == 0:
        yield b""
        return
    with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as contents:
        yield contents


def _node(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError:
        raise BadInput(f"not an absolute IRI: {iri!r}") from None
