"""The query processes of an :class:`graph.store.executor.Executor`: forked, reused, killed at the
deadline, shared in lanes.

A worker is forked from the server (:func:`graph.store.workers.fork`): an in-memory store's
pages are shared copy-on-write, so a fork costs a few milliseconds and no copy. It serves
requests (:class:`graph.store.queries.QueryRequest`) one after another on its snapshot and
sends back each reply pickled; when a query's time runs out it is killed, and another is forked
when needed. A committed write retires the workers forked before it, so the next query sees the
write. The places are shared as :mod:`graph.store.lanes` says, so that a few long queries
cannot make every short one wait.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import cast

from ..errors import QueryTimeout
from .knowledge import KnowledgeGraph
from .lanes import QUICK_SECONDS, Lanes
from .queries import QueryRequest, run
from .workers import Worker, fork, receive, reply, send, twice

__all__ = ["Pool"]


class Pool:
    """Up to ``workers`` general query processes over ``kg``, and half as many quick ones
    (:mod:`graph.store.lanes`), each allowed ``memory_bytes`` beyond what it shares with the
    server."""

    def __init__(self, kg: KnowledgeGraph, *, workers: int, memory_bytes: int) -> None:
        self.kg = kg
        self.size = workers
        self.memory_bytes = memory_bytes
        self._lanes = Lanes(general=workers, quick=(workers + 1) // 2)
        self._idle: list[Worker] = []
        self._count = 0
        self._pid = os.getpid()
        self._lock = threading.Condition()

    def run(self, request: QueryRequest, timeout: float) -> tuple[bytes, int]:
        """The pickled reply (:func:`graph.store.workers.reply`) of a worker that evaluated
        ``request`` within ``timeout`` seconds, and the graph version it saw. Raises
        :class:`QueryTimeout` when the time runs out (the worker is killed)."""
        deadline = time.monotonic() + timeout
        quick = True  # may it take a place kept for quick queries?
        while True:
            try:
                return twice(partial(self._attempt, request, deadline, timeout, quick),
                             "the query")
            except _NotQuick:
                quick = False

    def fork(self, child: Callable[[socket.socket], None], *, memory: bool = True) -> Worker:
        """A process running ``child(sock)`` on a snapshot, with the memory budget or none."""
        return fork(self.kg, child, self.memory_bytes if memory else None)

    def retire(self, worker: Worker) -> None:
        """Stop a worker that is done, without waiting for it to go (:func:`_retire`)."""
        _retire([worker])

    def retire_stale(self) -> None:
        """Kill the idle workers forked before the last commit."""
        version = self.kg.version
        with self._lock:
            stale = [w for w in self._idle if w.version != version]
            self._idle = [w for w in self._idle if w.version == version]
            self._count -= len(stale)
        _retire(stale)

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when their query returns."""
        with self._lock:
            for worker in self._idle:
                worker.kill()
            self._count -= len(self._idle)
            self._idle.clear()

    def _attempt(self, request: QueryRequest, deadline: float, timeout: float,
                 quick: bool) -> tuple[bytes, int]:
        kind = self._take_lane(deadline, timeout, quick)
        stop = deadline if kind == "general" else min(deadline, time.monotonic() + QUICK_SECONDS)
        try:
            worker = self._acquire(deadline, timeout)
            try:
                worker.send(request, stop)
                answer = cast(bytes, worker.receive(stop, raw=True))  # raw: pickled bytes
            except TimeoutError:
                self._discard(worker)
                if stop < deadline:
                    raise _NotQuick from None
                raise QueryTimeout(f"the query ran past its time budget of {timeout:.3g} s "
                                   "and was stopped") from None
            except BaseException:
                self._discard(worker)
                raise
            self._release(worker)
        finally:
            self._lanes.give_back(kind)
        return answer, worker.version

    def _take_lane(self, deadline: float, timeout: float, quick: bool) -> str:
        try:
            return self._lanes.take(deadline, quick=quick)
        except TimeoutError:
            raise QueryTimeout(f"all {self.size} query workers stayed busy for the whole time "
                               f"budget of {timeout:.3g} s") from None

    def _acquire(self, deadline: float, timeout: float) -> Worker:
        with self._lock:
            if os.getpid() != self._pid:  # forked by gunicorn: these workers are not ours
                self._idle, self._count, self._pid = [], 0, os.getpid()
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.version == self.kg.version:
                        return worker
                    _retire([worker])
                    self._count -= 1
                if self._count < self._lanes.total:
                    self._count += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._lock.wait(remaining):
                    raise QueryTimeout(f"all {self.size} query workers stayed busy for the "
                                       f"whole time budget of {timeout:.3g} s")
        try:
            return self.fork(lambda sock: _serve(self.kg, sock))
        except BaseException:
            self._discard(None)
            raise

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if worker.version == self.kg.version:
                self._idle.append(worker)
            else:
                _retire([worker])
                self._count -= 1
            self._lock.notify()

    def _discard(self, worker: Worker | None) -> None:
        if worker is not None:
            worker.kill()
        with self._lock:
            self._count -= 1
            self._lock.notify()


def _retire(stale: list[Worker]) -> None:
    """Kill workers of an older graph in the background: a process sharing the pages of a big
    graph takes tens of milliseconds to go (40 at a million triples), and the callers hold the
    pool's lock or commit a write under the graph's (issue 17). One thread per process does it,
    fed by a queue: starting a thread waits until it runs, which under load meant waiting for
    the GIL behind every request thread, with those locks held."""
    if stale:
        _retirements().put(stale)


_retiring: tuple[int, queue.SimpleQueue[list[Worker]]] | None = None  # (pid, its queue)
_retiring_lock = threading.Lock()


def _new_retiring_lock() -> None:
    """A process forked while another thread held the lock would find it held for ever."""
    global _retiring_lock
    _retiring_lock = threading.Lock()


os.register_at_fork(after_in_child=_new_retiring_lock)


def _retirements() -> queue.SimpleQueue[list[Worker]]:
    """This process's queue of workers to kill, and its thread, made on first use (a process
    forked from another makes its own: the thread does not survive the fork)."""
    global _retiring
    with _retiring_lock:
        if _retiring is None or _retiring[0] != os.getpid():
            doomed: queue.SimpleQueue[list[Worker]] = queue.SimpleQueue()
            threading.Thread(target=_kill_all, args=(doomed,), name="retire query workers",
                             daemon=True).start()
            _retiring = (os.getpid(), doomed)
        return _retiring[1]


def _kill_all(doomed: queue.SimpleQueue[list[Worker]]) -> None:
    while True:
        for worker in doomed.get():
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
        send(sock, reply(partial(run, kg, cast(QueryRequest, request), None)))
