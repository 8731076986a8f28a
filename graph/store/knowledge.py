"""The knowledge graph over a store backend: load files, query, update, read quads.

Every SPARQL query and update of aikg goes through :meth:`KnowledgeGraph.query` and
:meth:`KnowledgeGraph.update`: they bind values, apply the time budget and the row cap, and turn
engine errors into :mod:`graph.errors`. The default graph of a query is the union of the named
graphs, a set: each triple once (DESIGN decision 2; :mod:`graph.store.unionset` makes it so).
:mod:`graph.store.opening` opens one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat

import ontology

from ..errors import BadInput, ReadOnly, Refused, Unsupported
from ..rdf.formats import rdf_syntax, syntax_for_path
from ..rdf.quadsource import Subject, Term
from ..sparql import guard
from ..sparql.written import written_graphs
from . import budget
from .backend import Backend, Capabilities, GraphName, LoadReport, MaybeApplied, ProgressCallback
from .engine import DEFAULT_GRAPH, graphs_of, insert_data, named_node, sparql_error
from .local import target_graph
from .queries import QueryRequest
from .results import QueryResult

__all__ = ["DEFAULT_GRAPH", "KnowledgeGraph", "LoadReport"]

_NO_NETWORK = "this service reaches no other server: SERVICE and LOAD from the network are refused"


class KnowledgeGraph:
    """An RDF dataset in a store backend (:mod:`graph.store.backend`), with a version per write.

    Every backend gets the same guard on SPARQL text, the same versions and the same commit
    listeners, so a graph over a remote endpoint stands in for one in memory. Writes are
    serialized by a lock; each committed write bumps :attr:`version` and then calls the commit
    listeners (the relationship projection, caches) before returning, so a caller never sees a
    version whose listeners have not run. :attr:`changed_graphs` tells them which graphs the
    write may have changed, so they can skip work for the others.

    >>> from graph.store.local import open_local
    >>> kg = KnowledgeGraph(open_local("memory"))
    >>> kg.load(b"<https://w3id.org/aikg/id/a> <https://w3id.org/aikg/ontology#partnerOf> "
    ...         b"<https://w3id.org/aikg/id/b> .", format="nt", graph="https://example.org/g").triples
    1
    >>> kg.query("SELECT ?o WHERE { ?s ?p ?o }").rows[0][0].value
    'https://w3id.org/aikg/id/b'
    >>> kg.version
    1
    """

    def __init__(self, backend: Backend, *, read_only: bool = False) -> None:
        self.backend = backend
        self.read_only = read_only
        self.version = 0
        #: The graphs (IRIs, or DEFAULT_GRAPH) the last commit may have changed; None: any.
        self.changed_graphs: frozenset[str] | None = None
        self._write_lock = threading.RLock()
        self._listeners: list[Callable[[KnowledgeGraph], None]] = []
        self._before: list[Callable[[KnowledgeGraph, frozenset[str] | None], None]] = []
        #: Called as ``recorder(method, args, kwargs)`` after each committed public write, so
        #: that another copy can repeat it (:class:`graph.store.sharedlog.SharedLog`); None: no
        #: one.
        self.recorder: Callable[[str, tuple[object, ...], dict[str, object]], None] | None = None
        #: The policy its queries run under (:class:`graph.store.executor.Executor` sets itself
        #: here); None: evaluated in place.
        self.executor: Any = None

    @property
    def location(self) -> str:
        """``memory``, the store's directory or the endpoint's URL."""
        return self.backend.location

    @property
    def capabilities(self) -> Capabilities:
        """What the backend can do (:class:`~graph.store.backend.Capabilities`)."""
        return self.backend.capabilities

    @property
    def write_failure(self) -> str | None:
        """Why writes fail since the store's own I/O failed (a full disk); None while they
        work."""
        return self.backend.write_failure

    # -- reading -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query and hold its result in memory, up to ``max_rows`` rows.

        ``substitutions`` binds variables to RDF terms (never pasted into the text); the
        variables must be projected. ``default_graphs`` and ``named_graphs`` restrict the dataset
        (the protocol's ``default-graph-uri`` and ``named-graph-uri``); without them, and without
        ``FROM`` in the query, the default graph is the union of all graphs. ``SERVICE`` is
        refused (:class:`Refused`): the engine, local or remote, would fetch on our behalf.

        Every query of aikg passes here. Once an :class:`graph.store.executor.Executor` is attached
        (:attr:`executor`), it runs the query under its policy: the time budget (``timeout``,
        or the executor's, never more than the request has left), a worker process with a
        memory budget, the cache and the query log. Without one, or in the graph's own upkeep
        (:func:`graph.store.budget.upkeep`), the query is evaluated here (:meth:`evaluate`).
        """
        request = QueryRequest.of(sparql, substitutions=substitutions,
                                  default_graphs=default_graphs, named_graphs=named_graphs,
                                  max_rows=max_rows, base_iri=base_iri)
        if self.executor is None or budget.in_upkeep():
            return self.evaluate(request, timeout)
        answer: QueryResult = self.executor.run(request, timeout=timeout)
        return answer

    def evaluate(self, request: QueryRequest, timeout: float | None = None) -> QueryResult:
        """Evaluate ``request`` on the backend, in this thread: ``timeout`` is checked between
        rows only (the :class:`graph.store.executor.Executor` stops an evaluation itself)."""
        if request.outline.may_reach_network:
            guard.check_query(request.sparql)
        try:
            return self.backend.query(
                request.sparql, substitutions=dict(request.substitutions),
                default_graphs=request.default_graphs, named_graphs=request.named_graphs,
                timeout=timeout, max_rows=request.max_rows, base_iri=request.base_iri)
        except PermissionError:  # the engine opened a socket where graph.sandbox forbids it
            raise Refused(_NO_NETWORK) from None

    def ask(self, sparql: str, **kwargs: object) -> bool:
        """Run an ASK query and return its boolean."""
        return bool(self.query(sparql, **kwargs).boolean)  # type: ignore[arg-type]

    def quads(self, subject: Subject | None = None, predicate: NamedNode | None = None,
              object: Term | None = None,
              graph: GraphName | BlankNode | None = None) -> Iterator[Quad]:
        """The quads matching a pattern of terms (None: any); ``graph`` None: every graph,
        ``DefaultGraph()``: the store's own default graph."""
        return self.backend.quads(subject, predicate, object, graph)

    def __len__(self) -> int:
        """The number of quads in the store (counted once per write; cached a while on a
        remote store, which other clients may write)."""
        return self.backend.size()

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each named graph, largest first."""
        return self.backend.graph_sizes()

    def _sizes_now(self) -> dict[str, int]:
        """The size of each named graph and of the default graph (:data:`DEFAULT_GRAPH`), counted
        now (not cached: it is read in the middle of a write, as the graph's own work)."""
        with budget.upkeep():
            sizes = self.graph_sizes()
        sizes[DEFAULT_GRAPH] = len(self) - sum(sizes.values())
        return sizes

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return self.backend.named_graphs()

    def contains_named_graph(self, graph: str | NamedNode) -> bool:
        """Whether the named graph is in the store (on a remote store, which may not keep
        empty graphs: whether it holds statements)."""
        return self.backend.contains_named_graph(
            graph if isinstance(graph, NamedNode) else named_node(graph))

    def graph_terms(self) -> list[NamedNode | BlankNode]:
        """The named graphs as terms (blank nodes included), in the store's order."""
        return self.backend.graph_terms()

    @property
    def merged_graph(self) -> NamedNode:
        """The graph to :meth:`dump` the merge of the dataset's graphs from, each triple once
        (a local store only)."""
        return self.backend.merged_graph

    def dump(self, out: IO[bytes], format: RdfFormat, *,
             from_graph: NamedNode | BlankNode | DefaultGraph | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        """Serialize the dataset or one graph as pyoxigraph's ``Store.dump`` does, streamed.

        Raises :class:`~graph.errors.Unsupported` on a remote store."""
        self.backend.dump(out, format, from_graph=from_graph, prefixes=prefixes)

    def checkpoint(self, folder: str) -> KnowledgeGraph:
        """A consistent copy of an on-disk store in ``folder``, opened (no listeners)."""
        if not self.capabilities.checkpoints:
            raise Unsupported(f"{self.location} makes no checkpoints")
        return KnowledgeGraph(self.backend.checkpoint(folder))

    # -- writing -----------------------------------------------------------------------------

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: Iterable[str] = (),
        using_named_graphs: Iterable[str] = (),
        checked: bool = False,
    ) -> None:
        """Apply a SPARQL update atomically, then bump the version and notify listeners.

        ``using_graphs`` and ``using_named_graphs`` are the protocol's ``using-graph-uri`` and
        ``using-named-graph-uri``: the dataset of its ``WHERE`` clauses. ``SERVICE`` and
        ``LOAD`` are refused (:class:`Refused`): they would reach the network. ``checked``
        says the caller has refused them already (the service does, within the budget:
        :meth:`graph.store.executor.Executor.check_update`). On a remote store whose answer
        does not come, the update may have been applied: the version is bumped anyway, so
        caches are refreshed, and the error says so.
        """
        self._check_writable()
        if not checked:
            guard.check_update(sparql)
        using_graphs, using_named_graphs = tuple(using_graphs), tuple(using_named_graphs)
        text = guard.with_using(sparql, using_graphs, using_named_graphs)
        graphs = written_graphs(text)
        with self._write_lock:
            self._writing(graphs)
            try:
                self.backend.update(text, base_iri=base_iri)
            except SyntaxError as error:
                raise sparql_error(error, sparql) from None
            except PermissionError:
                raise Refused(_NO_NETWORK) from None
            except MaybeApplied as uncertain:
                self._committed()
                raise uncertain.error from None
            self._committed(graphs if self.capabilities.local else None)
            self._record("update", sparql, base_iri=base_iri, using_graphs=using_graphs,
                         using_named_graphs=using_named_graphs)

    def load(
        self,
        source: str | Path | bytes | IO[bytes],
        *,
        format: str | None = None,
        graph: str | None = None,
        base_iri: str | None = None,
        progress: ProgressCallback | None = None,
        bulk: bool = False,
        name: str | None = None,
    ) -> LoadReport:
        """Load RDF into the store in one transaction: all of it, or nothing and an error.

        ``source`` is a file path (``.gz`` is read through gzip), bytes or a binary stream.
        ``format`` is a name or media type; for a path it defaults to the suffix's syntax.
        A triples syntax goes into ``graph`` (an IRI, or :data:`DEFAULT_GRAPH`); for a path it
        defaults to the named graph of the file (:func:`ontology.graph_for_file`). A quads syntax
        keeps the graphs its file names; with ``graph``, the statements of its default graph go
        there. ``progress(bytes_read, lines_read)`` is called as the
        input is read (bytes of the file as stored: compressed ones for gzip).

        ``bulk=True`` is for big files into an on-disk store, where a transaction would hold the
        whole file in memory: pyoxigraph's bulk loader sorts the file into new table files in
        batches of a million quads and adds them all at the end in one atomic step, so a syntax
        error, or a crash in the middle, changes nothing and readers never see part of it
        (``tests/test_disk.py`` kills a loading process to check it).

        ``name`` is what errors call the input (default: the path, or ``<input>``).
        """
        self._check_writable()
        if name is None:
            name = str(source) if isinstance(source, str | Path) else "<input>"
        if isinstance(source, str | Path):
            path = Path(source)
            syntax = rdf_syntax(format) if format else syntax_for_path(path)
            if graph is None and not syntax.has_graphs:
                graph = ontology.graph_for_file(path)
            if base_iri is None:
                base_iri = path.resolve().as_uri()
        elif format:
            syntax = rdf_syntax(format)
        else:
            raise BadInput("name the RDF format of the input")
        if graph is None and not syntax.has_graphs:
            raise BadInput(f"{name}: give a target graph for {syntax.name} input")
        with self._write_lock:
            before = len(self)
            # A quads syntax may name graphs of its own, even with a target: as a load only
            # adds, the graphs it changed are those that grew (a write then validates those
            # alone, not the bundled graphs it did not touch). Counted on a local store only:
            # a remote one caches its sizes until the commit.
            local = self.capabilities.local
            sizes = self._sizes_now() if syntax.has_graphs and local else None
            self._writing(None if syntax.has_graphs or graph is None else frozenset([graph]))
            started = time.perf_counter()
            self.backend.load(source, syntax, to_graph=target_graph(graph), base_iri=base_iri,
                              name=name, progress=progress, bulk=bulk)
            if graph is not None and not syntax.has_graphs:  # triples: all into ``graph``
                self._committed(frozenset([graph]))
            else:
                self._committed(None if sizes is None else frozenset(
                    g for g, n in self._sizes_now().items() if n != sizes.get(g, 0)))
            self._record("load", source, format=syntax.name, graph=graph, base_iri=base_iri,
                         bulk=bulk, name=name)
            return LoadReport(name, len(self) - before, graph, time.perf_counter() - started)

    def replace(self, quads: Iterable[Quad], graphs: Iterable[str] | None) -> None:
        """Replace ``graphs`` (IRIs or :data:`DEFAULT_GRAPH`; None: the whole dataset) by
        ``quads`` in one transaction: readers see the old graphs or the new, never a mix.

        A replaced graph stays in the store, empty if no quad goes into it.
        """
        self._check_writable()
        quads = list(quads)
        if graphs is None:
            text = "DROP ALL ;\n"
        else:
            text = "".join(
                "DROP SILENT DEFAULT ;\n" if g == DEFAULT_GRAPH
                else "DROP SILENT GRAPH {0} ;\nCREATE SILENT GRAPH {0} ;\n".format(named_node(g))
                for g in graphs
            )
        text += insert_data(quads)
        changed = None if graphs is None else frozenset(graphs) | graphs_of(quads)
        with self._write_lock:
            self._writing(changed)
            self.backend.apply(text)
            self._committed(changed)
            self._record("replace", quads, graphs)

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction (all of them or none)."""
        self._check_writable()
        quads = list(quads)
        changed = graphs_of(quads)
        with self._write_lock:
            self._writing(changed)
            self.backend.extend(quads)
            self._committed(changed)
            self._record("add", quads)

    def on_commit(self, listener: Callable[[KnowledgeGraph], None]) -> None:
        """Call ``listener(kg)`` after every committed write, before the write returns; it may
        read :attr:`changed_graphs`."""
        self._listeners.append(listener)

    def before_write(self, listener: Callable[[KnowledgeGraph, frozenset[str] | None], None]
                     ) -> None:
        """Call ``listener(kg, graphs)`` before every write, holding the write lock, with the
        graphs it may change (None: any): a listener may read them as they were, so as to tell
        after the commit what the write changed in them."""
        self._before.append(listener)

    @contextmanager
    def exclusive(self, *, wait: bool = True) -> Iterator[bool]:
        """Hold the write lock: no write starts or is half done until the block ends. A process
        forked inside sees a consistent snapshot of the graph. With ``wait=False`` the lock is
        held only if it is free now; the block gets whether it is held."""
        held = self._write_lock.acquire(blocking=wait)
        try:
            yield held
        finally:
            if held:
                self._write_lock.release()

    def follow(self, switch: Callable[[], None], graphs: frozenset[str] | None,
               version: int) -> None:
        """Take in a write another process committed, as if it were made here: the
        before-write listeners read ``graphs`` as they were, ``switch()`` puts the written
        store in place, and the commit listeners run at ``version`` (the writer's)."""
        with self._write_lock:
            self._writing(graphs)
            switch()
            self.version = version - 1
            self._committed(graphs)

    def _writing(self, graphs: frozenset[str] | None) -> None:
        for listener in self._before:
            listener(self, graphs)

    def _committed(self, graphs: frozenset[str] | None = None) -> None:
        self.version += 1
        self.changed_graphs = graphs
        with budget.upkeep():  # bringing the listeners up to date is the graph's own work
            for listener in self._listeners:
                listener(self)

    def _record(self, method: str, *args: object, **kwargs: object) -> None:
        if self.recorder is not None:
            self.recorder(method, args, kwargs)

    def _check_writable(self) -> None:
        self.backend.check_writable()
        if self.read_only:
            raise ReadOnly("this graph is open read-only")
