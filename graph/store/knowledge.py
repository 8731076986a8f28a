"""The knowledge graph over a pyoxigraph store: open a backend, load files, query, update.

Every SPARQL query and update of aikg goes through :meth:`KnowledgeGraph.query` and
:meth:`KnowledgeGraph.update`: they bind values, apply the time budget and the row cap, and turn
engine errors into :mod:`graph.errors`. The default graph of a query is the union of the named
graphs, a set: each triple once (DESIGN decision 2; :mod:`graph.unionset` makes it so).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    Store,
    Variable,
    parse,
)

import ontology

from ..errors import AikgError, BadInput, ReadOnly, Refused, StoreUnavailable
from ..rdf.formats import RdfSyntax, open_rdf_input, rdf_parse_error, rdf_syntax, syntax_for_path
from ..sparql import guard
from ..sparql.nesting import check_sparql
from ..sparql.written import written_graphs
from . import budget
from .engine import (
    DEFAULT_GRAPH,
    CountingReader,
    collect,
    named_node,
    sparql_error,
    write_error,
)
from .queries import QueryRequest
from .results import QueryResult
from .unionset import SetUnionStore

__all__ = ["DEFAULT_GRAPH", "KnowledgeGraph", "LoadReport", "is_remote", "open_graph"]

ProgressCallback = Callable[[int, int], None]
_NO_NETWORK = "this service reaches no other server: SERVICE and LOAD from the network are refused"


@dataclass(frozen=True)
class LoadReport:
    """What a load did: the triples added, the target graph (None: the file's own) and the time."""

    source: str
    triples: int
    graph: str | None
    seconds: float

    @property
    def rate(self) -> float:
        """Triples per second."""
        return self.triples / self.seconds if self.seconds else float(self.triples)


class KnowledgeGraph:
    """An RDF dataset in a pyoxigraph :class:`~pyoxigraph.Store`, with a version per write.

    Writes are serialized by a lock; each committed write bumps :attr:`version` and then calls
    the commit listeners (the relationship projection, caches) before returning, so a caller
    never sees a version whose listeners have not run. :attr:`changed_graphs` tells them which
    graphs the write may have changed, so they can skip work for the others.

    >>> kg = KnowledgeGraph(Store(), location="memory")
    >>> kg.load(b"<https://w3id.org/aikg/id/a> <https://w3id.org/aikg/ontology#partnerOf> "
    ...         b"<https://w3id.org/aikg/id/b> .", format="nt", graph="https://example.org/g").triples
    1
    >>> kg.query("SELECT ?o WHERE { ?s ?p ?o }").rows[0][0].value
    'https://w3id.org/aikg/id/b'
    >>> kg.version
    1
    """

    def __init__(self, store: Store, *, location: str, read_only: bool = False) -> None:
        #: The store, wrapped so that its union default graph is a set (:mod:`graph.unionset`).
        self.store = None if store is None else SetUnionStore(store)
        self.location = location
        self.read_only = read_only
        self.version = 0
        #: The graphs (IRIs, or DEFAULT_GRAPH) the last commit may have changed; None: any.
        self.changed_graphs: frozenset[str] | None = None
        #: Why writes fail since the store's own I/O failed (a full disk); None while they work.
        self.write_failure: str | None = None
        self._write_lock = threading.RLock()
        self._listeners: list[Callable[[KnowledgeGraph], None]] = []
        self._before: list[Callable[[KnowledgeGraph, frozenset[str] | None], None]] = []
        #: Called as ``recorder(method, args, kwargs)`` after each committed public write, so
        #: that another copy can repeat it (:class:`graph.sharedlog.SharedLog`); None: no one.
        self.recorder: Callable[[str, tuple[object, ...], dict[str, object]], None] | None = None
        self._count_cache: tuple[int, int] | None = None
        #: The policy its queries run under (:class:`graph.store.executor.Executor` sets itself
        #: here); None: evaluated in place.
        self.executor: Any = None

    # -- reading -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, object] | None = None,
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
        refused (:class:`Refused`).

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
        return self.executor.run(request, timeout=timeout)

    def evaluate(self, request: QueryRequest, timeout: float | None = None) -> QueryResult:
        """Evaluate ``request`` on the engine, in this thread: ``timeout`` is checked between
        rows only (the :class:`graph.store.executor.Executor` stops an evaluation itself)."""
        sparql = request.sparql
        if request.outline.may_reach_network:
            guard.check_query(sparql)
        # before the engine's parser, which would overflow its stack; one pass reads FROM too
        names_dataset = check_sparql(sparql)
        deadline = None if timeout is None else time.monotonic() + timeout
        options: dict[str, object] = {"base_iri": request.base_iri}
        if request.default_graphs is not None or request.named_graphs is not None:
            options["default_graph"] = [named_node(g) for g in request.default_graphs or ()]
            if request.named_graphs is not None:
                options["named_graphs"] = [named_node(g) for g in request.named_graphs]
        elif not names_dataset:
            options["use_default_graph_as_union"] = True
        if request.substitutions:
            options["substitutions"] = {Variable(k): v for k, v in request.substitutions}
        try:
            raw = self.store.query(sparql, **options)
            return collect(raw, deadline, request.max_rows)
        except SyntaxError as error:
            raise sparql_error(error, sparql) from None
        except PermissionError:  # the engine opened a socket where graph.sandbox forbids it
            raise Refused(_NO_NETWORK) from None
        except (OSError, RuntimeError, ValueError) as error:
            raise BadInput(f"query failed: {error}") from None

    def ask(self, sparql: str, **kwargs: object) -> bool:
        """Run an ASK query and return its boolean."""
        return bool(self.query(sparql, **kwargs).boolean)

    def __len__(self) -> int:
        """The number of quads in the store, cached per version."""
        if self._count_cache is None or self._count_cache[0] != self.version:
            self._count_cache = (self.version, len(self.store))
        return self._count_cache[1]

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each named graph, largest first."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
            "GROUP BY ?g ORDER BY DESC(?n)"
        )
        return {g.value: int(n.value) for g, n in result.rows}

    def _sizes_now(self) -> dict[str, int]:
        """The size of each named graph and of the default graph (:data:`DEFAULT_GRAPH`), counted
        now (not cached: it is read in the middle of a write, as the graph's own work)."""
        with budget.upkeep():
            sizes = self.graph_sizes()
        sizes[DEFAULT_GRAPH] = len(self.store) - sum(sizes.values())
        return sizes

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, NamedNode))

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
        :meth:`graph.executor.Executor.check_update`).
        """
        self._check_writable()
        if not checked:
            guard.check_update(sparql)
        check_sparql(sparql)
        using_graphs, using_named_graphs = tuple(using_graphs), tuple(using_named_graphs)
        text = guard.with_using(sparql, using_graphs, using_named_graphs)
        graphs = written_graphs(text)
        with self._write_lock:
            self._writing(graphs)
            try:
                self.store.update(text, base_iri=base_iri)
            except SyntaxError as error:
                raise sparql_error(error, sparql) from None
            except PermissionError:
                raise Refused(_NO_NETWORK) from None
            except (OSError, RuntimeError, ValueError) as error:
                raise self._write_failed(error, "update failed") from None
            self._committed(graphs)
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
            sizes = self._sizes_now() if syntax.has_graphs and self.store is not None else None
            self._writing(None if syntax.has_graphs else frozenset([graph]))
            started = time.perf_counter()
            self._load_stream(source, syntax, graph, base_iri, name, progress, bulk)
            if not syntax.has_graphs:
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
        changed = None if graphs is None else frozenset(graphs) | _graphs_of(quads)
        with self._write_lock:
            self._writing(changed)
            self._apply(text)
            self._committed(changed)
            self._record("replace", quads, graphs)

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction (all of them or none)."""
        self._check_writable()
        quads = list(quads)
        with self._write_lock:
            self._writing(_graphs_of(quads))
            self._extend(quads)
            self._committed(_graphs_of(quads))
            self._record("add", quads)

    def validate(self, graphs: Iterable[str] | None = None) -> None:
        """Check named graphs against the SHACL shapes; raise :class:`ValidationFailed` if broken.

        The shapes describe aikg's own knowledge, so only graphs under ``ontology.GRAPH`` (the
        source graphs and the sources graph, not the ontology or shapes themselves) are checked;
        a graph elsewhere holds a user's own data in whatever vocabulary it likes. ``graphs``
        narrows the check to the graphs a write touched (default: every aikg graph). Every write
        of the service runs first in a forked copy, then this on the copy, and reaches the real
        store only if it passes (:meth:`graph.executor.Executor.write`).
        """
        from ..rdf.shapes import require_valid  # shapes builds on this module

        chosen = self.named_graphs() if graphs is None else graphs
        checked = sorted(g for g in chosen if g.startswith(ontology.GRAPH)
                         and g not in (ontology.ONTOLOGY_GRAPH, ontology.SHAPES_GRAPH))
        if checked:
            require_valid(self, graphs=checked)

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
    def exclusive(self) -> Iterator[KnowledgeGraph]:
        """Hold the write lock: no write starts or is half done until the block ends. A process
        forked inside sees a consistent snapshot of the graph."""
        with self._write_lock:
            yield self

    def _load_stream(self, source, syntax: RdfSyntax, graph, base_iri, name, progress, bulk
                     ) -> None:
        to_graph = None
        if graph is not None:
            to_graph = DefaultGraph() if graph == DEFAULT_GRAPH else named_node(graph)
        loader = self.store.bulk_load if bulk else self.store.load
        stream = open_rdf_input(source)
        try:
            reader = CountingReader(stream, progress) if progress else stream
            loader(reader, format=syntax.oxigraph, base_iri=base_iri, to_graph=to_graph)
        except SyntaxError as error:
            raise rdf_parse_error(error, name) from None
        except (OSError, ValueError) as error:
            raise self._write_failed(error, name) from None
        finally:
            if stream is not source:
                stream.close()

    def _apply(self, sparql: str) -> None:
        """Run an update of aikg's own (no user text) on the backend, without committing."""
        try:
            self.store.update(sparql)
        except (OSError, SyntaxError, ValueError) as error:
            raise self._write_failed(error, "write failed") from None

    def _extend(self, quads: list[Quad]) -> None:
        try:
            self.store.extend(quads)
        except (OSError, ValueError) as error:
            raise self._write_failed(error, "write failed") from None

    def _write_failed(self, error: Exception, what: str) -> AikgError:
        """The error of a failed write. The store's own I/O failure (a full disk) is also kept
        in :attr:`write_failure`: RocksDB then refuses every write until it is opened again."""
        failure = write_error(error, what)
        if isinstance(failure, StoreUnavailable):
            self.write_failure = str(failure)
        return failure

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
        if self.read_only:
            raise ReadOnly("this graph is open read-only")


def is_remote(location: str) -> bool:
    """True for the URL of a SPARQL endpoint, False for ``memory`` and a directory."""
    return location.startswith(("http://", "https://"))


def open_graph(
    location: str = "memory", *, bundled: bool = True, lock_wait: float = 0.0, **remote: object
) -> KnowledgeGraph:
    """Open a backend and, when asked, load the files bundled in :mod:`ontology`.

    ``location`` is ``memory`` (the default: rebuilt at each start), a directory (an on-disk
    store that keeps what is written; the bundled files go into it in one transaction when it
    is empty, so a crash on first open leaves it empty, never half-filled) or the ``http(s)``
    URL of a SPARQL endpoint, opened as a :class:`~graph.remote.RemoteGraph` with the keyword
    options in ``remote`` that are not None (``update_url``, ``credentials``, ``timeout``). It is
    never written to unasked: the bundled files are not loaded into it.

    An on-disk store that another process holds (its ``LOCK``) is tried again for up to
    ``lock_wait`` seconds: a server restarted right after a crash waits for the dying process
    to let go.
    """
    remote = {name: value for name, value in remote.items() if value is not None}
    if is_remote(location):
        from .remote import RemoteGraph  # imported here: remote.py builds on this module

        return RemoteGraph(location, **remote)
    if remote:
        raise BadInput(f"{', '.join(remote)}: only for a remote store, not {location}")
    if location == "memory":
        kg = KnowledgeGraph(Store(), location="memory")
    else:
        kg = KnowledgeGraph(_open_store(location, lock_wait), location=location)
    if bundled and len(kg.store) == 0 and (seed := _bundled_quads()):
        kg.add(seed)
    return kg


# -- helpers ---------------------------------------------------------------------------------


def _open_store(location: str, lock_wait: float) -> Store:
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            return Store(location)
        except OSError as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                raise BadInput(f"cannot open the store at {location}: {error}") from None
        time.sleep(0.2)


def _bundled_quads() -> list[Quad]:
    """The quads of the bundled files, each triples file in its own named graph. (Added as they
    are: writing them out as one document to load it would parse them twice.)"""
    quads = []
    for path in ontology.bundled_files():
        syntax = syntax_for_path(path)
        graph = None if syntax.has_graphs else NamedNode(ontology.graph_for_file(path))
        with open_rdf_input(path) as stream:
            try:
                parsed = parse(stream, format=syntax.oxigraph, base_iri=path.resolve().as_uri(),
                               rename_blank_nodes=True)
                quads.extend(q if graph is None else Quad(q.subject, q.predicate, q.object, graph)
                             for q in parsed)
            except SyntaxError as error:
                raise rdf_parse_error(error, str(path)) from None
    return quads


def insert_data(quads: Iterable[Quad]) -> str:
    """One ``INSERT DATA`` update for the quads, grouped by graph.

    >>> a, g = NamedNode("http://example.org/a"), NamedNode("http://example.org/g")
    >>> print(insert_data([Quad(a, a, a, g), Quad(a, a, a)]))
    INSERT DATA {
    GRAPH <http://example.org/g> {
    <http://example.org/a> <http://example.org/a> <http://example.org/a> .
    }
    <http://example.org/a> <http://example.org/a> <http://example.org/a> .
    }
    """
    by_graph: dict[object, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(f"{quad.triple} .")
    parts = ["INSERT DATA {"]
    for graph, lines in by_graph.items():
        named = not isinstance(graph, DefaultGraph)
        parts += [f"GRAPH {graph} {{", *lines, "}"] if named else lines
    return "\n".join([*parts, "}"])


def _graphs_of(quads: Iterable[Quad]) -> frozenset[str]:
    return frozenset(q.graph_name.value if isinstance(q.graph_name, NamedNode) else DEFAULT_GRAPH
                     for q in quads)
