"""The query policy: every SPARQL query of aikg runs under one time budget, row cap, memory
budget, cache and query log, whoever asks.

An :class:`Executor` attaches itself to its graph: from then on :meth:`KnowledgeGraph.query`
(the one call every reader of the graph uses: the SPARQL endpoint, exports, the API, the pages,
reconciliation, the command line) hands each query to :meth:`Executor.result`. The executor
decides where and how long it runs:

- its time: the caller's budget or the executor's, never more than what the request has left
  (:mod:`graph.store.budget`);
- where: a query that cannot run away (:func:`graph.sparql.guard.is_bounded`: one triple
  pattern, one index step per row) is evaluated in the calling thread, where the budget is
  checked between rows; any other in a worker process (:mod:`graph.store.pool`), which is
  killed when its time runs out, may allocate at most ``memory_bytes`` (:class:`QueryTooLarge`
  past it) and cannot open a network socket (:mod:`graph.store.sandbox`); the complete check
  for ``SERVICE`` (:mod:`graph.sparql.outbound`) runs there too, inside the budgets;
- whether at all: answers are cached (one cache, for the bytes of a serialized answer and for
  the terms of a result alike), each with the graph version it was computed at; a write removes
  only those whose query matches a statement it added or removed
  (:class:`graph.store.changes.ScopedCache`). A caller that can name an
  answer before it reads the request (the SPARQL endpoint, by the URL and Accept header as
  sent) keeps it under that name and finds it again with :meth:`Executor.kept`;
- what is told: each query goes through :attr:`Executor.observe`, which the service sets to its
  query log and metrics.

pyoxigraph cannot cancel a query, and a single step of its result iterator can run for minutes,
hence the processes. Writes (:meth:`Executor.write`) run first in a forked copy of an in-memory
graph, within the budget and followed by :func:`~graph.rdf.shapes.require_valid_graphs`; only if
that passes do they run on the real store.
"""

from __future__ import annotations

import pickle
import socket
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from itertools import islice
from types import SimpleNamespace
from typing import Any, TypeVar, cast

from pyoxigraph import NamedNode

from ..errors import QueryTimeout
from ..sparql import guard
from ..sparql.written import pattern_graphs, written_graphs
from . import budget
from .changes import ScopedCache
from .checkpoint import validated_on_checkpoint
from .engine import DEFAULT_GRAPH
from .knowledge import KnowledgeGraph
from .pool import Pool
from .queries import Evaluated, QueryRequest, run
from .results import QueryResult
from .workers import reply, send, twice, unwrap

__all__ = ["IN_PLACE_BYTES", "IN_PLACE_STATEMENTS", "MEMORY_BYTES", "Answer", "Executor",
           "Observer"]

T = TypeVar("T")
#: Bytes of memory a worker may add to what it shares with the server, unless told otherwise.
MEMORY_BYTES = 1024 ** 3
#: Characters of an update, and statements in the graphs its patterns match, up to which a
#: write that no shape checks is applied without being tried in a copy first.
IN_PLACE_BYTES = 64 * 1024
IN_PLACE_STATEMENTS = 10_000
#: ``observe(text, kind=...)``: a context around one query or update; the executor sets
#: ``rows`` and ``truncated`` on what it yields; an exception raised inside passes through it.
Observer = Callable[..., AbstractContextManager[Any]]


@dataclass(frozen=True)
class Answer:
    """A serialized query result: its kind (select, ask, graph), the bytes in the format asked
    for, whether the row cap cut it, its rows (or triples), the graph version it was computed
    at, and the request it answers (its text and format)."""

    kind: str
    body: bytes
    truncated: bool
    rows: int
    version: int
    request: QueryRequest


@contextmanager
def _unobserved(_text: str, *, kind: str) -> Iterator[SimpleNamespace]:
    yield SimpleNamespace(rows=None, truncated=False)


class Executor:
    """The policy for the queries of ``kg``, which it attaches itself to.

    ``timeout`` is the budget of a query whose caller names none; ``workers`` the general query
    processes (0: every query in the calling thread, with a budget that only cuts the result
    between rows, no memory budget and no network fence; a remote store always has 0: it
    evaluates on its own machine); ``memory_bytes`` what each may allocate; ``cache_bytes=0``
    turns the cache off.
    """

    def __init__(self, kg: KnowledgeGraph, *, workers: int = 4, timeout: float = 30.0,
                 cache_bytes: int = 64 * 1024 * 1024, memory_bytes: int = MEMORY_BYTES) -> None:
        self.kg = kg
        self.timeout = timeout
        self.pool = Pool(kg, workers=workers if kg.capabilities.local else 0,
                         memory_bytes=memory_bytes)
        self.observe: Observer = _unobserved
        self._cache = ScopedCache(kg, cache_bytes)
        self._writes = threading.Lock()  # one write at a time tried and applied
        kg.on_commit(self._committed)
        kg.executor = self

    def query(self, sparql: str, *, fmt: str, timeout: float | None = None,
              max_rows: int | None = None, default_graphs: Iterable[str] | None = None,
              named_graphs: Iterable[str] | None = None, base_iri: str | None = None,
              outline: guard.Outline | None = None, key: Hashable | None = None) -> Answer:
        """Evaluate a query and serialize its result in ``fmt``: a results format name (json,
        xml, csv, tsv) for SELECT and ASK, an RDF syntax name for CONSTRUCT and DESCRIBE.

        The other arguments are those of :meth:`KnowledgeGraph.query`; ``outline`` is the
        text's :func:`graph.sparql.guard.outline` when the caller read it already; ``key``
        names the answer in the cache instead of the request itself, for a caller that finds
        it again with :meth:`kept` (the key must hold everything that decides the answer).
        Raises :class:`QueryTimeout` when the budget runs out (the evaluation is stopped),
        :class:`QueryTooLarge` past the memory budget, and the query's own errors.
        """
        request = QueryRequest.of(sparql, outline=outline, default_graphs=default_graphs,
                                  named_graphs=named_graphs, max_rows=max_rows,
                                  base_iri=base_iri, fmt=fmt)
        return cast(Answer, self._answer(request, timeout, key))  # a request with a format

    def kept(self, key: Hashable) -> Answer | None:
        """The answer that :meth:`query` keeps under ``key`` at the graph's current version,
        observed (logged, counted) as any query answered; None if there is none."""
        kept = self._cache.get(key)
        if not isinstance(kept, Answer):
            return None
        with self.observe(kept.request.sparql, kind="query") as record:
            record.rows, record.truncated = kept.rows, kept.truncated
        return kept

    def result(self, sparql: str, *, timeout: float | None = None, max_rows: int | None = None,
               base_iri: str | None = None) -> QueryResult:
        """Like :meth:`query`, within the same budgets, but the result's terms rather than
        bytes: for callers that reshape it (exports to other formats, the command line)."""
        return self.run(QueryRequest.of(sparql, max_rows=max_rows, base_iri=base_iri),
                        timeout=timeout)

    def run(self, request: QueryRequest, *, timeout: float | None = None) -> QueryResult:
        """The terms of ``request``'s result: what :meth:`KnowledgeGraph.query` returns."""
        return cast(QueryResult, self._answer(replace(request, fmt=None), timeout))

    def _answer(self, request: QueryRequest, timeout: float | None,
                key: Hashable | None = None) -> Answer | QueryResult:
        """An :class:`Answer` for a request with a format, a :class:`QueryResult` without:
        from the cache (under ``key``, else the request's own), else evaluated; observed
        either way."""
        key = request.key if key is None else key
        with self.observe(request.sparql, kind="query") as record:
            kept = self._cache.get(key)
            answer = self._fresh(request, timeout, key) if kept is None else _kept(kept)
            record.rows = len(answer) if isinstance(answer, QueryResult) else answer.rows
            record.truncated = answer.truncated
            return answer

    def _fresh(self, request: QueryRequest, timeout: float | None,
               key: Hashable) -> Answer | QueryResult:
        """Evaluate ``request`` and keep its answer under ``key``; an error is raised, never
        kept."""
        found, version = self._evaluate(request, self._budget(timeout))
        reply = _unpickled(found) if isinstance(found, bytes) else found
        if len(reply) == 1:  # terms: a request without a format
            if isinstance(found, bytes):  # terms evaluated in place are cheap: not kept
                self._cache.put(key, found, version=version, request=request,
                                size=len(found))
            return reply[0]
        answer = Answer(*reply, version, request)
        self._cache.put(key, answer, version=version, request=request, size=len(answer.body))
        return answer

    def _evaluate(self, request: QueryRequest, seconds: float) -> tuple[Evaluated | bytes, int]:
        """The reply (:func:`graph.store.queries.run`) and the graph version it saw: in this thread
        for a query that cannot run away or reach the network, else in a worker (pickled)."""
        outline = request.outline
        if self.pool.size == 0 or (outline.bounded and not outline.may_reach_network):
            version = self.kg.version
            return run(self.kg, request, seconds), version
        return self.pool.run(request, seconds)

    def _budget(self, timeout: float | None) -> float:
        """The caller's budget, or this executor's, cut to what the request has left."""
        seconds = self.timeout if timeout is None else min(timeout, self.timeout)
        left = budget.remaining()
        if left is not None and left < seconds:
            if left <= 0:
                raise QueryTimeout("the request ran out of its time budget before this query "
                                   "could start")
            seconds = left
        return seconds

    def check_update(self, sparql: str, *, timeout: float) -> None:
        """Refuse an update that would reach the network (:func:`graph.sparql.guard.check_update`),
        checked in a worker within ``timeout`` when the text holds the keywords' letters: the
        complete parse is slow on a big update."""
        if not guard.may_reach_network(sparql):
            return
        deadline = time.monotonic() + timeout

        def attempt() -> object:
            worker = self.pool.fork(lambda sock: send(sock, reply(
                lambda: guard.check_update(sparql))))
            try:
                return worker.receive(deadline)
            except TimeoutError:
                raise QueryTimeout(f"checking the update ran past its time budget of "
                                   f"{timeout:g} s") from None
            finally:
                worker.kill()

        unwrap(twice(attempt, "the update"))

    def write(self, action: Callable[[KnowledgeGraph], T], *, timeout: float,
              update: str | None = None) -> T:
        """Apply ``action(kg)`` (an update, a load...) if it succeeds and validates in a copy.

        ``update``: the SPARQL update that ``action`` applies as it is (no protocol dataset),
        if it is one. When the shapes check none of the graphs it writes and its cost is
        bounded (:func:`_bounded`), a copy could neither refuse it nor stop it: it is applied
        without one (issue 17: the copy was most of a small write's time).

        For an in-memory graph, the action first runs in a forked copy, stopped when
        ``timeout`` runs out (:class:`QueryTimeout`), then
        :func:`~graph.rdf.shapes.require_valid_graphs` checks the copy; the real graph changes
        only if both pass, and nothing else writes in between. An on-disk store cannot be
        copied by a fork: the action and the validation run first on a checkpoint of it
        (:func:`graph.store.checkpoint.validated_on_checkpoint`), in this process, without a
        hard stop.
        """
        # Once here rather than in every copy: the copies inherit the module.
        from ..rdf.shapes import checked_graphs
        with self._writes:
            if update is not None and self.kg.capabilities.local and \
                    len(update) <= IN_PLACE_BYTES:
                written = written_graphs(update)
                if written is not None and not checked_graphs(written):
                    with self.kg.exclusive():
                        if _bounded(self.kg, update):
                            return action(self.kg)
            return self._tried_then_applied(action, timeout)

    def _tried_then_applied(self, action: Callable[[KnowledgeGraph], T], timeout: float) -> T:
        if not self.kg.capabilities.fork_copies:
            with self.kg.exclusive():
                validated_on_checkpoint(self.kg, action)
                return action(self.kg)
        deadline = time.monotonic() + timeout
        while True:
            # The graph's lock is held while the copy is forked and while the write applies,
            # not while the copy works: readers fork query workers meanwhile.
            tried = self._tried(action, deadline, timeout)
            with self.kg.exclusive():
                if self.kg.version == tried:
                    return action(self.kg)
            # A write that did not pass here (a caller of the graph itself) came in between:
            # the copy was of an older graph, so try again.

    def _tried(self, action: Callable[[KnowledgeGraph], object], deadline: float,
               timeout: float) -> int:
        """Run ``action`` and the validation in a forked copy (:func:`_dry_run`); the version
        of the graph it was tried on."""
        tried = self.kg.version

        def attempt() -> object:
            nonlocal tried
            # No memory budget: a write is as big as the upload a token holder sends.
            worker = self.pool.fork(lambda sock: _dry_run(self.kg, action, sock), memory=False)
            tried = worker.version
            try:
                answer = worker.receive(deadline)
            except TimeoutError:
                worker.kill()
                raise QueryTimeout(f"the write ran past its time budget of {timeout:g} s "
                                   "and was stopped; nothing was changed") from None
            except BaseException:
                worker.kill()
                raise
            self.pool.retire(worker)  # it has answered: the write need not wait for it to go
            return answer

        unwrap(twice(attempt, "the write"))
        return tried

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when their query returns."""
        self.pool.close()

    def _committed(self, _kg: KnowledgeGraph) -> None:
        self.pool.retire_stale()  # the cache keeps what the write did not change (.changes)


def _bounded(kg: KnowledgeGraph, update: str) -> bool:
    """Whether ``update`` is data, or matches one triple pattern in graphs holding at most
    :data:`IN_PLACE_STATEMENTS` statements (:func:`graph.sparql.written.pattern_graphs`): a
    few milliseconds of work, with no query that can run away."""
    graphs = pattern_graphs(update)
    if graphs is None:
        return False
    for name in set(graphs):
        try:
            scope = None if name == DEFAULT_GRAPH else NamedNode(name)  # default: the union
        except ValueError:  # not an IRI: the engine will say so, in the copy
            return False
        if next(islice(kg.quads(None, None, None, scope), IN_PLACE_STATEMENTS, None),
                None) is not None:
            return False
    return True


def _dry_run(kg: KnowledgeGraph, action: Callable[[KnowledgeGraph], object],
             sock: socket.socket) -> None:
    # The listeners belong to the parent (caches, projections, this pool): not to the copy.
    kg._listeners = []

    def run_and_validate() -> None:
        action(kg)
        # Imported here (by the parent, before the fork): the shapes bring rdflib (and pyshacl
        # when they run), which only a write needs; every server imports this module at start
        # (issue 15: start-up time).
        from ..rdf.shapes import require_valid_graphs

        require_valid_graphs(kg, kg.changed_graphs)  # None (the write does not say): every graph

    send(sock, reply(run_and_validate))


def _unpickled(reply: bytes) -> Evaluated:
    """A worker's reply to :func:`~graph.store.queries.run`, as it pickled it."""
    return cast(Evaluated, unwrap(pickle.loads(reply)))


def _kept(kept: object) -> Answer | QueryResult:
    """An answer from the cache: an :class:`Answer` as it is; a result's terms are kept
    pickled, so that each caller gets its own copy."""
    if isinstance(kept, bytes):
        reply = _unpickled(kept)
        if len(reply) == 1:
            return reply[0]
    return cast(Answer, kept)
