"""Run user SPARQL where a time budget really stops it: in worker processes that can be killed.

pyoxigraph cannot cancel a query, and a single step of its result iterator can run for minutes
(ORDER BY or GROUP BY over a cartesian product). So the :class:`Executor` keeps a small pool of
processes forked from the server: an in-memory store's pages are shared copy-on-write, so a
fork costs a few milliseconds and no copy. A worker evaluates a query through
:meth:`KnowledgeGraph.query` on its snapshot, serializes the result and sends the bytes back over
a socket pair. When the budget runs out the worker is killed; another is forked when needed.
A committed write retires the workers forked before it, so the next query sees the write.

Writes (:meth:`Executor.write`) run first in a forked copy of an in-memory graph, within the
budget and followed by :meth:`KnowledgeGraph.validate`; only if that passes do they run on the
real store. Answers are cached by graph version: a write empties the cache.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import socket
import stat
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from . import guard
from .cache import BytesCache
from .checkpoint import validated_on_checkpoint
from .errors import AikgError, BadInput, QueryTimeout, StoreUnavailable
from .lanes import QUICK_SECONDS, Lanes
from .store import KnowledgeGraph

__all__ = ["Answer", "Executor"]

T = TypeVar("T")
_HEADER = struct.Struct("!Q")
#: Seconds a worker may sleep without using the processor while it owes an answer: a working
#: one is running, or reading the disk (another state), so this can be short.
STALL_SECONDS = 0.5
log = logging.getLogger(__name__)


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
    a budget that only cuts the result between rows. ``cache_bytes=0`` turns the cache off.
    """

    def __init__(self, kg: KnowledgeGraph, *, workers: int = 4,
                 cache_bytes: int = 64 * 1024 * 1024) -> None:
        self.kg = kg
        # A remote store evaluates on its own machine, within the HTTP client's timeout:
        # a local worker would only add a process and break the inherited connections.
        self.max_workers = 0 if kg.store is None else workers
        # Beside them, half as many for queries in their first moments (graph.lanes).
        self._lanes = Lanes(general=self.max_workers, quick=(self.max_workers + 1) // 2)
        self._idle: list[_Worker] = []
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
        guard.check_query(sparql)  # refused in the parent: no worker needed
        if self.max_workers == 0 or guard.is_bounded(sparql):
            answer = Answer(*_evaluate(self.kg, request, timeout), version=version)
        else:
            answer = self._in_worker(request, timeout)
        self._cache.put((answer.version, key), answer, size=len(answer.body))
        return answer

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
                worker = _fork(self.kg, lambda sock: _dry_run(self.kg, action, sock))
                try:
                    return worker.receive(deadline)
                except TimeoutError:
                    raise QueryTimeout(f"the write ran past its time budget of {timeout:g} s "
                                       "and was stopped; nothing was changed") from None
                finally:
                    worker.kill()

            _unwrap(_twice(attempt, "the write"))
            return action(self.kg)

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when their query returns."""
        with self._lock:
            for worker in self._idle:
                worker.kill()
            self._count -= len(self._idle)
            self._idle.clear()

    # -- the pool ----------------------------------------------------------------------------

    def _in_worker(self, request: dict, timeout: float) -> Answer:
        deadline = time.monotonic() + timeout
        quick = True  # may it take a place kept for quick queries (graph.lanes)?

        def attempt() -> Answer:
            kind = self._take_lane(deadline, timeout, quick)
            stop = deadline if kind == "general" else min(deadline,
                                                          time.monotonic() + QUICK_SECONDS)
            try:
                worker = self._acquire(deadline, timeout)
                try:
                    worker.send(request, stop)
                    reply = worker.receive(stop)
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
            return Answer(*_unwrap(reply), version=worker.version)

        while True:
            try:
                return _twice(attempt, "the query")
            except _NotQuick:
                quick = False

    def _take_lane(self, deadline: float, timeout: float, quick: bool) -> str:
        try:
            return self._lanes.take(deadline, quick=quick)
        except TimeoutError:
            raise QueryTimeout(f"all {self.max_workers} query workers stayed busy for the "
                               f"whole time budget of {timeout:g} s") from None

    def _acquire(self, deadline: float, timeout: float) -> _Worker:
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
            return _fork(self.kg, lambda sock: _serve(self.kg, sock))
        except BaseException:
            self._discard(None)
            raise

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if worker.version == self.kg.version:
                self._idle.append(worker)
            else:
                worker.kill()
                self._count -= 1
            self._lock.notify()

    def _discard(self, worker: _Worker | None) -> None:
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


class _Stalled(Exception):
    """A worker sleeps without using the processor while it should be working: it is stuck."""


def _twice(attempt: Callable[[], T], what: str) -> T:
    """``attempt()``, and once more if its worker process hung or died.

    The workers are forked from a server whose other threads may be inside the store (a
    RocksDB cache's lock held at that instant stays held in the child for ever), so a worker
    can hang on its first touch of the store, or crash. A fresh worker does the work; a second
    failure is the work's own: pyoxigraph overflows its stack on queries nested a few thousand
    deep, and the kernel ends a worker whose query eats the memory.
    """
    try:
        return attempt()
    except (_Stalled, EOFError, OSError) as error:
        log.warning("replaced a query worker that %s; %s runs again",
                    "hung" if isinstance(error, _Stalled) else "died", what)
    try:
        return attempt()
    except _Stalled:
        raise StoreUnavailable(f"{what} hung its worker process twice; nothing else is "
                               "affected, try again") from None
    except (EOFError, OSError):
        raise BadInput(f"{what} crashed the process that evaluated it (nesting too deep, or "
                       "too much memory); it was stopped and nothing else is affected") from None


class _Worker:
    """A forked process and the parent's end of its socket pair."""

    def __init__(self, pid: int, sock: socket.socket, version: int) -> None:
        self.pid, self.sock, self.version = pid, sock, version
        self._ticks: int | None = None  # processor time, while waiting for its answer
        self._still_since = 0.0

    def send(self, message: object, deadline: float) -> None:
        self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        _send(self.sock, message)

    def receive(self, deadline: float) -> object:
        """The worker's answer; :class:`_Stalled` when it sleeps without progress (see
        :func:`_twice`), ``TimeoutError`` at the deadline."""
        self._ticks, self._still_since = None, time.monotonic()
        return _receive(self.sock, deadline, self._stuck)

    def _stuck(self) -> bool:
        """True once the worker has slept on a lock, its processor time unchanged, for
        :data:`STALL_SECONDS`. A worker reading the disk waits in another state ("D")."""
        try:
            with open(f"/proc/{self.pid}/stat") as status:
                fields = status.read().rsplit(")", 1)[1].split()
        except OSError:
            return False  # no /proc here, or already gone (the read then sees the end)
        state, ticks = fields[0], int(fields[11]) + int(fields[12])
        now = time.monotonic()
        if state != "S" or ticks != self._ticks:
            self._ticks, self._still_since = ticks, now
            return False
        return now - self._still_since >= STALL_SECONDS

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self.sock.close()


def _fork(kg: KnowledgeGraph, child: Callable[[socket.socket], None]) -> _Worker:
    """Fork a process running ``child(sock)`` on a snapshot of ``kg``; it never returns."""
    parent_end, child_end = socket.socketpair()
    with kg.exclusive():
        version = kg.version
        try:
            pid = os.fork()
        except OSError as error:  # out of processes or memory: the server's state, not the query's
            parent_end.close()
            child_end.close()
            raise StoreUnavailable(f"could not start a worker process ({error})") from None
    if pid == 0:  # pragma: no cover - runs in the child, which leaves through os._exit
        try:
            parent_end.close()
            _become_worker(child_end)
            child(child_end)
        finally:
            os._exit(0)
    child_end.close()
    return _Worker(pid, parent_end, version)


def _become_worker(sock: socket.socket) -> None:
    """Drop what the child inherited from the server: its signal handlers and listening
    sockets; and exit when the server process goes away."""
    for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
                 "SIGCHLD", "SIGTTIN", "SIGTTOU"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    keep = sock.fileno()
    for fd in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        fd = int(fd)
        try:
            if fd != keep and stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _serve(kg: KnowledgeGraph, sock: socket.socket) -> None:
    """The worker's loop: evaluate each request and send the reply, until the socket closes."""
    sock.settimeout(None)
    while True:
        try:
            request = _receive(sock, None)
        except (EOFError, OSError):
            return
        _send(sock, _reply(lambda r=request: _evaluate(kg, r, None)))


def _dry_run(kg: KnowledgeGraph, action: Callable[[KnowledgeGraph], object],
             sock: socket.socket) -> None:
    # The listeners belong to the parent (caches, projections, this pool): not to the copy.
    kg._listeners = []

    def run() -> None:
        action(kg)
        kg.validate(kg.changed_graphs)  # None (the write does not say): every graph

    _send(sock, _reply(run))


def _evaluate(kg: KnowledgeGraph, request: dict, timeout: float | None
              ) -> tuple[str, bytes, bool, int]:
    result = kg.query(
        request["sparql"], default_graphs=request["default_graphs"],
        named_graphs=request["named_graphs"], max_rows=request["max_rows"],
        base_iri=request["base_iri"], timeout=timeout,
    )
    try:
        body = result.serialize(request["fmt"])
    except ValueError as error:
        raise BadInput(str(error)) from None
    return result.kind, body, result.truncated, len(result)


def _reply(work: Callable[[], object]) -> tuple[str, object]:
    try:
        return ("ok", work())
    except AikgError as error:
        return ("error", error)
    except Exception as error:  # a bug: the parent logs it as a 500
        return ("crash", f"{type(error).__name__}: {error}")


def _unwrap(reply: object) -> object:
    status, payload = reply
    if status == "error":
        raise payload
    if status == "crash":
        raise RuntimeError(f"query worker failed: {payload}")
    return payload


def _send(sock: socket.socket, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _receive(sock: socket.socket, deadline: float | None,
             stuck: Callable[[], bool] | None = None) -> object:
    (size,) = _HEADER.unpack(_read(sock, _HEADER.size, deadline, stuck))
    return pickle.loads(_read(sock, size, deadline, stuck))


def _read(sock: socket.socket, size: int, deadline: float | None,
          stuck: Callable[[], bool] | None = None) -> bytes:
    """``size`` bytes; ``stuck()`` is asked each time half of STALL_SECONDS passes without
    any."""
    buffer = bytearray()
    while len(buffer) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining if stuck is None else min(remaining, STALL_SECONDS / 2))
        try:
            chunk = sock.recv(min(size - len(buffer), 1 << 20))
        except TimeoutError:
            if stuck is not None and stuck():
                raise _Stalled from None
            continue
        if not chunk:
            raise EOFError
        buffer += chunk
    return bytes(buffer)
