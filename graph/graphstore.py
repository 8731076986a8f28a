"""The Graph Store Protocol's operations on the graph: read a graph or the whole dataset as a
stream of bytes, write documents spooled to disk into it statement by statement, and tell
whether a graph exists."""

from __future__ import annotations

import io
import mmap
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO

from pyoxigraph import DefaultGraph, NamedNode, Quad, Triple, parse, serialize

import ontology

from .errors import BadInput, Refused
from .formats import RdfSyntax, check_untrusted, rdf_parse_error
from .store import DEFAULT_GRAPH, KnowledgeGraph

__all__ = ["Upload", "add_uploads", "delete_graph", "export", "graph_exists", "replace_graphs",
           "upload_quads"]

_BATCH = 10_000
# Syntaxes whose documents can be cut into parts that, put end to end, are one document.
_CONCATENABLE = ("ntriples", "nquads", "turtle", "trig")


def graph_exists(kg: KnowledgeGraph, graph: str) -> bool:
    """True for the default graph and for a named graph in the store (even empty)."""
    return graph == DEFAULT_GRAPH or kg.store.contains_named_graph(_node(graph))


def delete_graph(kg: KnowledgeGraph, graph: str) -> None:
    """Remove a named graph from the store, or empty the default graph, in one transaction."""
    kg.update("DROP DEFAULT" if graph == DEFAULT_GRAPH else f"DROP GRAPH {_node(graph)}")


def export(kg: KnowledgeGraph, graph: str | None, syntax: RdfSyntax) -> Iterator[bytes]:
    """A graph (an IRI or :data:`DEFAULT_GRAPH`), or the whole dataset (None, quad syntaxes
    only), serialized in parts of at most 10,000 statements where the syntax allows it."""
    if graph is None and not syntax.has_graphs:
        raise BadInput(f"{syntax.name} cannot hold several graphs: ask for TriG or N-Quads")
    name = None if graph is None else DefaultGraph() if graph == DEFAULT_GRAPH else _node(graph)
    quads = kg.store.quads_for_pattern(None, None, None, name)
    statements = quads if syntax.has_graphs else (
        Triple(q.subject, q.predicate, q.object) for q in quads)
    prefixes = {"prefixes": ontology.PREFIXES} if syntax.name in ("turtle", "trig") else {}
    if syntax.name not in _CONCATENABLE:
        yield serialize(list(statements), format=syntax.oxigraph, **prefixes)
        return
    first = True
    while True:
        batch = list(islice(statements, _BATCH))
        if batch or first:
            yield serialize(batch, format=syntax.oxigraph, **prefixes)
        if len(batch) < _BATCH:
            return
        first = False


@dataclass(frozen=True)
class Upload:
    """An RDF document waiting on disk to go into the store: a file (a path, or a binary file
    object that can seek), its syntax, and the name errors give it (``request body``, a file
    name). Kept out of memory: its statements are read one by one as they are written."""

    body: Path | IO[bytes]
    syntax: RdfSyntax
    source: str = "request body"


def upload_quads(uploads: Iterable[Upload], *, graph: str | None, base_iri: str
                 ) -> Iterator[Quad]:
    """The statements of the documents, parsed as they are read. With ``graph`` (an IRI or
    :data:`DEFAULT_GRAPH`) they all go into it, and a document that names its own graphs is
    refused. Raises :class:`ParseError` with the line and column of the first error,
    :class:`Refused` for a document built to blow up the parser or a remote JSON-LD context."""
    target = None
    if graph is not None:
        target = DefaultGraph() if graph == DEFAULT_GRAPH else _node(graph)
    for upload in uploads:
        syntax = upload.syntax
        if graph is None and not syntax.has_graphs:
            raise BadInput(f"{syntax.name} has no graph names: name the target graph "
                           "(?graph=IRI or ?default)")
        with _opened(upload.body) as stream:
            with _mapped(stream) as contents:
                check_untrusted(contents, syntax)
            stream.seek(0)
            for quad in _parsed(stream, syntax, base_iri, upload.source):
                if target is None:
                    yield quad
                elif isinstance(quad.graph_name, DefaultGraph):
                    yield Quad(quad.subject, quad.predicate, quad.object, target)
                else:
                    raise BadInput(f"{upload.source} names its own graphs: send it without "
                                   "?graph or ?default")


def add_uploads(kg: KnowledgeGraph, uploads: list[Upload], *, graph: str | None,
                base_iri: str) -> None:
    """Add the documents' statements in one transaction, streamed from their files: all of
    them, or none and the first error."""
    kg.add(upload_quads(uploads, graph=graph, base_iri=base_iri))


def replace_graphs(kg: KnowledgeGraph, uploads: list[Upload], *, graph: str | None,
                   base_iri: str) -> None:
    """Replace ``graph`` (None: the whole dataset) by the documents' statements, streamed from
    their files. They are parsed once before anything changes, so a bad document changes
    nothing even on a store where the write was not tried first in a copy."""
    for _ in upload_quads(uploads, graph=graph, base_iri=base_iri):
        pass
    kg.replace(upload_quads(uploads, graph=graph, base_iri=base_iri),
               None if graph is None else [graph])


def _parsed(stream: IO[bytes], syntax: RdfSyntax, base_iri: str, source: str
            ) -> Iterator[Quad]:
    try:
        yield from parse(stream, format=syntax.oxigraph, base_iri=base_iri)
    except SyntaxError as error:
        if "remote context" in (error.msg or ""):
            raise Refused("remote JSON-LD contexts are refused here: put the @context inline"
                          ) from None
        raise rdf_parse_error(error, source) from None
    except ValueError as error:
        raise BadInput(f"{source}: {error}") from None


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
