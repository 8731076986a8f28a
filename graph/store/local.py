"""A pyoxigraph store in this process, in memory or on disk, as a backend of the graph.

This module and :mod:`graph.store.unionset` are the only ones that touch pyoxigraph's
``Store``; everything else reads the graph through :class:`~graph.store.KnowledgeGraph`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Store, Variable

from ..errors import AikgError, BadInput, StoreUnavailable
from ..rdf.formats import RdfSyntax, open_rdf_input, rdf_parse_error
from ..rdf.quadsource import Subject, Term
from ..sparql.nesting import check_sparql
from .backend import DISK, MEMORY, Backend, GraphName, ProgressCallback
from .engine import DEFAULT_GRAPH, collect, counted, named_node, sparql_error, write_error
from .results import QueryResult
from .unionset import SetUnionStore

__all__ = ["LocalBackend", "open_local", "scratch_backend", "target_graph"]


class LocalBackend:
    """A pyoxigraph store, wrapped so that its union default graph is a set
    (:mod:`graph.store.unionset`); ``set_union=False`` leaves it bare, for scratch work that
    never queries the union.

    >>> backend = LocalBackend(Store(), "memory")
    >>> backend.capabilities.kind, backend.size()
    ('memory', 0)
    """

    def __init__(self, store: Store, location: str, *, set_union: bool = True) -> None:
        self.store = SetUnionStore(store) if set_union else store
        self.location = location
        self.capabilities = MEMORY if location == "memory" else DISK
        self.write_failure: str | None = None
        self._size: int | None = None  # the quad count, until the next write

    # -- reading -----------------------------------------------------------------------------

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graphs: Iterable[str] | None = None,
              named_graphs: Iterable[str] | None = None, timeout: float | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> QueryResult:
        """Evaluate here; ``timeout`` is checked between rows (the executor's workers stop the
        evaluation itself)."""
        # before the engine's parser, which would overflow its stack; one pass reads FROM too
        names_dataset = check_sparql(sparql)
        deadline = None if timeout is None else time.monotonic() + timeout
        default: list[NamedNode | BlankNode | DefaultGraph] | None = None
        named: list[NamedNode | BlankNode] | None = None
        if default_graphs is not None or named_graphs is not None:
            default = [named_node(g) for g in default_graphs or ()]
            if named_graphs is not None:
                named = [named_node(g) for g in named_graphs]
        union = default is None and not names_dataset
        bound = {Variable(k): v for k, v in substitutions.items()} if substitutions else None
        try:
            raw = self.store.query(sparql, base_iri=base_iri, default_graph=default,
                                   named_graphs=named, use_default_graph_as_union=union,
                                   substitutions=bound)
            return collect(raw, deadline, max_rows)
        except SyntaxError as error:
            raise sparql_error(error, sparql) from None
        except PermissionError:
            raise
        except (OSError, RuntimeError, ValueError) as error:
            raise BadInput(f"query failed: {error}") from None

    def quads(self, subject: Subject | None = None, predicate: NamedNode | None = None,
              object: Term | None = None,
              graph: GraphName | BlankNode | None = None) -> Iterator[Quad]:
        return iter(self.store.quads_for_pattern(subject, predicate, object, graph))

    def size(self) -> int:
        if self._size is None:
            self._size = len(self.store)
        return self._size

    def graph_sizes(self) -> dict[str, int]:
        result = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                            "GROUP BY ?g ORDER BY DESC(?n)")
        return {g.value: int(n.value) for g, n in result.rows}

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, NamedNode))

    def contains_named_graph(self, name: NamedNode) -> bool:
        return self.store.contains_named_graph(name)

    @property
    def merged_graph(self) -> NamedNode:
        """The graph holding the merge of the dataset's graphs, each triple once."""
        assert isinstance(self.store, SetUnionStore), "a scratch store has no merged graph"
        return self.store.merged_graph

    def graph_terms(self) -> list[NamedNode | BlankNode]:
        """The named graphs as terms (blank nodes included), in the store's order."""
        return list(self.store.named_graphs())

    def dump(self, out: IO[bytes], format: RdfFormat, *,
             from_graph: NamedNode | BlankNode | DefaultGraph | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        self.store.dump(out, format, from_graph=from_graph, prefixes=prefixes)

    def checkpoint(self, folder: str) -> Backend:
        """RocksDB's checkpoint of an on-disk store in ``folder`` (hard links), opened."""
        self.store.backup(folder)
        return LocalBackend(Store(folder), folder)

    # -- writing -----------------------------------------------------------------------------

    def check_writable(self) -> None:
        return None

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        check_sparql(sparql)
        self._size = None
        try:
            self.store.update(sparql, base_iri=base_iri)
        except (SyntaxError, PermissionError):
            raise
        except (OSError, RuntimeError, ValueError) as error:
            raise self._write_failed(error, "update failed") from None

    def apply(self, sparql: str) -> None:
        self._size = None
        try:
            self.store.update(sparql)
        except (OSError, SyntaxError, ValueError) as error:
            raise self._write_failed(error, "write failed") from None

    def extend(self, quads: list[Quad]) -> None:
        self._size = None
        try:
            self.store.extend(quads)
        except (OSError, ValueError) as error:
            raise self._write_failed(error, "write failed") from None

    def load(self, source: str | Path | bytes | IO[bytes], syntax: RdfSyntax, *,
             to_graph: GraphName | None, base_iri: str | None, name: str,
             progress: ProgressCallback | None, bulk: bool) -> None:
        self._size = None
        loader = self.store.bulk_load if bulk else self.store.load
        stream = open_rdf_input(source)
        try:
            reader = counted(stream, progress)
            loader(reader, format=syntax.oxigraph, base_iri=base_iri, to_graph=to_graph)
        except SyntaxError as error:
            raise rdf_parse_error(error, name) from None
        except (OSError, ValueError) as error:
            raise self._write_failed(error, name) from None
        finally:
            if stream is not source:
                stream.close()

    def _write_failed(self, error: Exception, what: str) -> AikgError:
        """The error of a failed write. The store's own I/O failure (a full disk) is also kept
        in :attr:`write_failure`: RocksDB then refuses every write until it is opened again."""
        failure = write_error(error, what)
        if isinstance(failure, StoreUnavailable):
            self.write_failure = str(failure)
        return failure


def open_local(location: str, lock_wait: float = 0.0, *, retry_every: float = 0.2
               ) -> LocalBackend:
    """``memory``, or the on-disk store in the directory ``location``; one that another
    process holds (its ``LOCK``) is tried again every ``retry_every`` seconds for up to
    ``lock_wait`` seconds."""
    if location == "memory":
        return LocalBackend(Store(), "memory")
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            return LocalBackend(Store(location), location)
        except OSError as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                raise BadInput(f"cannot open the store at {location}: {error}") from None
        time.sleep(retry_every)


def scratch_backend() -> LocalBackend:
    """An empty in-memory store for work in progress (an import's new statements): no union
    graph to keep, since it is read by pattern, never queried over the union."""
    return LocalBackend(Store(), "memory", set_union=False)


def target_graph(graph: str | None) -> GraphName | None:
    """The term of a load's target graph (an IRI or DEFAULT_GRAPH; None: the file's own)."""
    if graph is None:
        return None
    return DefaultGraph() if graph == DEFAULT_GRAPH else named_node(graph)
