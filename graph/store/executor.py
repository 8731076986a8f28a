"""Run user SPARQL where a time budget really stops it: in worker processes that can be killed.

pyoxigraph cannot cancel a query, and a single step of its result iterator can run for minutes
(ORDER BY or GROUP BY over a cartesian product). So the :class:`Executor` keeps a small pool of
processes forked from the server: an in-memory store's pages are shared copy-on-write, so a
fork costs a few milliseconds and no copy. A worker evaluates a query through
:meth:`KnowledgeGraph.query` on its snapshot, serializes the result and sends the bytes back over
a socket pair. When the budget runs out the worker is killed; another is forked when needed.
A committed write retires the workers forked before it, so the next query sees the write.
The processes themselves, and the messages between them, are :mod:`graph.workers`.

Every worker is fenced in (:mod:`graph.sandbox`): it cannot open a network socket, so
``SERVICE`` and ``LOAD`` reach nothing whatever the text, and it may add at most ``memory_bytes``
to what it shares with the server, so a query that grows without end stops there
(:class:`QueryTooLarge`) instead of growing the server. (A write's dry run has no memory
budget: it is as big as the upload a token holder sends.) The complete check for ``SERVICE``
(:mod:`graph.outbound`) runs in the worker too, inside the query's budgets: before a query
reaches a worker the server reads no more than its head.

Writes (:meth:`Executor.write`) run first in a forked copy of an in-memory graph, within the
budget and followed by :meth:`KnowledgeGraph.validate`; only if that passes do they run on the
real store. Answers are cached by graph version: a write empties the cache.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import BadInput, QueryTimeout
from ..sparql import guard
from .cache import BytesCache
from .checkpoint import validated_on_checkpoint
from .knowledge import KnowledgeGraph
from .lanes import QUICK_SECONDS, Lanes
from .results import QueryResult
from .workers import Worker, fork, receive, reply, send, twice, unwrap

__all__ = ["Answer", "Executor"]

T = TypeVar("T")
#: Bytes of memory a worker may add to what it shares with the server, unless told otherwise.
MEMORY_BYTES = 1024 ** 3


@dataclass(frozen=True)
class Answer:
    """A serialized query result: its kind (select, ask, graph), the bytes in the format asked
    for, whether the row cap cut it, its rows (or triples), and the graph version it was computed
    at."""

    kind: str
    body: bytes
    truncated: bool
    rows: int
    version: int


class Executor:
    """A pool of up to ``workers`` query processes over ``kg`` and a result cache.

    A query that cannot run away (:func:`graph.guard.is_bounded`: one triple pattern, one index
    step per row) is evaluated in the calling thread, where the budget is checked between rows:
    it saves the round trip to a worker. ``workers=0`` evaluates every query so: no process, and
    a budget that only cuts the result between rows, no memory budget and no network fence.
    ``cache_bytes=0`` turns the cache off. ``memory_bytes`` is what each worker may allocate.
    """

    def __init__(self, kg: KnowledgeGraph, *, workers: int = 4,
                 cache_bytes: int = 64 * 1024 * 1024, memory_bytes: int = MEMORY_BYTES) -> None:
        self.kg = kg
        self.memory_bytes = memory_bytes
        # A remote store evaluates on its own machine, within the HTTP client's timeout:
        # a local worker would only add a process and break the inherited connections.
        self.max_workers = 0 if kg.store is None else workers
        # Beside them, half as many for queries in their first moments (graph.lanes).
        self._lanes = Lanes(general=self.max_workers, quick=(self.max_workers + 1) // 2)
        self._idle: list[Worker] = []
        self._count = 0
        self._pid = os.getpid()
        self._lock = threading.Condition()
        self._cache = BytesCache(cache_bytes)
        kg.on_commit(self._committed)

    def query(
        self,
        sparql: str,
        *,
        fmt: str,
        timeout: float,
        max_rows: int | None = None,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> Answer:
        """Evaluate a query within ``timeout`` seconds and serialize its result in ``fmt``.

        ``fmt`` is a results format name (json, xml, csv, tsv) for SELECT and ASK, an RDF
        syntax name for CONSTRUCT and DESCRIBE. The other arguments are those of
        :meth:`KnowledgeGraph.query`. Raises :class:`QueryTimeout` when the budget runs out
        (the evaluation is stopped), and the query's own errors.
        """
        request = {
            "sparql": sparql, "fmt": fmt, "max_rows": max_rows, "base_iri": base_iri,
            "default_graphs": None if default_graphs is None else tuple(default_graphs),
            "named_graphs": None if named_graphs is None else tuple(named_graphs),
        }
        key = tuple(request.values())
        version = self.kg.version
        cached = self._cache.get((version, key))
        if cached is not None:
            return cached
        kind, body, truncated, rows, version = self._run(request, timeout)
        answer = Answer(kind, body, truncated, rows, version)
        self._cache.put((answer.version, key), answer, size=len(answer.body))
        return answer

    def result(self, sparql: str, *, timeout: float, max_rows: int | None = None,
               base_iri: str | None = None) -> QueryResult:
        """Like :meth:`query`, within the same budgets, but the result's terms rather than
        bytes: for callers that reshape it (exports to other formats, the command line)."""
        request = {"sparql": sparql, "fmt": None, "max_rows": max_rows, "base_iri": base_iri,
                   "default_graphs": None, "named_graphs": None}
        return self._run(request, timeout)[0]

    def _run(self, request: dict, timeout: float) -> tuple:
        """The evaluation's reply and the graph version it saw: in this thread for a query
        that cannot run away or reach the network, else in a worker."""
        sparql = request["sparql"]
        if self.max_workers == 0 or (guard.is_bounded(sparql)
                                     and not guard.may_reach_network(sparql)):
            return *_evaluate(self.kg, request, timeout), self.kg.version
        return self._in_worker(request, timeout)

    def check_update(self, sparql: str, *, timeout: float) -> None:
        """Refuse an update that would reach the network (:func:`graph.guard.check_update`),
        checked in a worker within ``timeout`` when the text holds the keywords' letters: the
        complete parse is slow on a big update."""
        if not guard.may_reach_network(sparql):
            return
        deadline = time.monotonic() + timeout

        def attempt() -> object:
            worker = self._fork(lambda sock: send(sock, reply(
                lambda: guard.check_update(sparql))))
            try:
                return worker.receive(deadline)
            except TimeoutError:
                raise QueryTimeout(f"checking the update ran past its time budget of "
                                   f"{timeout:g} s") from None
            finally:
                worker.kill()

        unwrap(twice(attempt, "the update"))

    def write(self, action: Callable[[KnowledgeGraph], T], *, timeout: float) -> T:
        """Apply ``action(kg)`` (an update, a load...) if it succeeds and validates in a copy.

        For an in-memory graph, the action first runs in a forked copy, stopped when
        ``timeout`` runs out (:class:`QueryTimeout`), then :meth:`KnowledgeGraph.validate`
        checks the copy; the real graph changes only if both pass, and nothing else writes in
        between. An on-disk store cannot be copied by a fork: the action and the validation
        run first on a checkpoint of it (:func:`graph.checkpoint.validated_on_checkpoint`), in
        this process, without a hard stop.
        """
        if self.kg.location != "memory":
            with self.kg.exclusive():
                validated_on_checkpoint(self.kg, action)
                return action(self.kg)
        with self.kg.exclusive():
            deadline = time.monotonic() + timeout

            def attempt() -> object:
                # No memory budget: a write is as big as the upload a token holder sends.
                worker = fork(self.kg, lambda sock: _dry_run(self.kg, action, sock), None)
                try:
                    return worker.receive(deadline)
                except TimeoutError:
                    raise QueryTimeout(f"the write ran past its time budget of {timeout:g} s "
                                       "and was stopped; nothing was changed") from None
                finally:
                    worker.kill()

            unwrap(twice(attempt, "the write"))
            return action(self.kg)

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when their query returns."""
        with self._lock:
            for worker in self._idle:
                worker.kill()
            self._count -= len(self._idle)
            self._idle.clear()

    # -- the pool ----------------------------------------------------------------------------

    def _fork(self, child: Callable[[socket.socket], None]) -> Worker:
        return fork(self.kg, child, self.memory_bytes)

    def _in_worker(self, request: dict, timeout: float) -> tuple:
        deadline = time.monotonic() + timeout
        quick = True  # may it take a place kept for quick queries (graph.lanes)?

        def attempt() -> tuple:
            kind = self._take_lane(deadline, timeout, quick)
            stop = deadline if kind == "general" else min(deadline,
                                                          time.monotonic() + QUICK_SECONDS)
            try:
                worker = self._acquire(deadline, timeout)
                try:
                    worker.send(request, stop)
                    answer = worker.receive(stop)
                except TimeoutError:
                    self._discard(worker)
                    if stop < deadline:
                        raise _NotQuick from None
                    raise QueryTimeout(f"the query ran past its time budget of {timeout:g} s "
                                       "and was stopped") from None
                except BaseException:
                    self._discard(worker)
                    raise
                self._release(worker)
            finally:
                self._lanes.give_back(kind)
            return *unwrap(answer), worker.version

        while True:
            try:
                return twice(attempt, "the query")
            except _NotQuick:
                quick = False

    def _take_lane(self, deadline: float, timeout: float, quick: bool) -> str:
        try:
            return self._lanes.take(deadline, quick=quick)
        except TimeoutError:
            raise QueryTimeout(f"all {self.max_workers} query workers stayed busy for the "
                               f"whole time budget of {timeout:g} s") from None

    def _acquire(self, deadline: float, timeout: float) -> Worker:
        with self._lock:
            if os.getpid() != self._pid:  # forked by gunicorn: these workers are not ours
                self._idle, self._count, self._pid = [], 0, os.getpid()
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.version == self.kg.version:
                        return worker
                    worker.kill()
                    self._count -= 1
                if self._count < self._lanes.total:
                    self._count += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._lock.wait(remaining):
                    raise QueryTimeout(f"all {self.max_workers} query workers stayed busy for "
                                       f"the whole time budget of {timeout:g} s")
        try:
            return self._fork(lambda sock: _serve(self.kg, sock))
        except BaseException:
            self._discard(None)
            raise

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if worker.version == self.kg.version:
                self._idle.append(worker)
            else:
                worker.kill()
                self._count -= 1
            self._lock.notify()

    def _discard(self, worker: Worker | None) -> None:
        if worker is not None:
            worker.kill()
        with self._lock:
            self._count -= 1
            self._lock.notify()

    def _committed(self, kg: KnowledgeGraph) -> None:
        self._cache.clear()
        with self._lock:
            stale = [w for w in self._idle if w.version != kg.version]
            self._idle = [w for w in self._idle if w.version == kg.version]
            self._count -= len(stale)
        for worker in stale:
            worker.kill()


class _NotQuick(Exception):
    """A query ran past its time in a place kept for quick ones: it needs a general place."""


def _serve(kg: KnowledgeGraph, sock: socket.socket) -> None:
    """The worker's loop: evaluate each request and send the reply, until the socket closes."""
    sock.settimeout(None)
    while True:
        try:
            request = receive(sock, None)
        except (EOFError, OSError):
            return
        send(sock, reply(lambda r=request: _evaluate(kg, r, None)))


def _dry_run(kg: KnowledgeGraph, action: Callable[[KnowledgeGraph], object],
             sock: socket.socket) -> None:
    # The listeners belong to the parent (caches, projections, this pool): not to the copy.
    kg._listeners = []

    def run() -> None:
        action(kg)
        kg.validate(kg.changed_graphs)  # None (the write does not say): every graph

    send(sock, reply(run))


def _evaluate(kg: KnowledgeGraph, request: dict, timeout: float | None) -> tuple:
    """``(kind, body, truncated, rows)``; ``(result,)`` for a request without a format."""
    result = kg.query(
        request["sparql"], default_graphs=request["default_graphs"],
        named_graphs=request["named_graphs"], max_rows=request["max_rows"],
        base_iri=request["base_iri"], timeout=timeout,
    )
    if request["fmt"] is None:
        return (result,)
    try:
        body = result.serialize(request["fmt"])
    except ValueError as error:
        raise BadInput(str(error)) from None
    return result.kind, body, result.truncated, len(result)
