"""Forked worker processes, fenced in, and the messages between them and the server.

:func:`fork` starts a process on a snapshot of the graph that has dropped the server's signal
handlers and sockets, exits with the server, cannot open a network socket and may add at most
a given number of bytes (:mod:`graph.store.sandbox`). The two ends talk in length-prefixed pickles
(:func:`send`, :func:`receive`); a reply carries a value, a graph error or a crash
(:func:`reply`, :func:`unwrap`). :class:`Worker` is the server's end: it waits with a deadline,
sees a worker that hangs (:class:`Stalled`) or runs out of memory (:class:`OutOfMemory`), and
:func:`twice` tries work once more in a fresh worker when the first one hung or died.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import socket
import stat
import struct
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar, cast

from ..errors import AikgError, BadInput, QueryTooLarge, StoreUnavailable
from . import sandbox
from .knowledge import KnowledgeGraph

__all__ = ["STALL_SECONDS", "TOO_LARGE", "OutOfMemory", "Stalled", "Worker", "fork", "receive",
           "reply", "send", "twice", "unwrap"]

T = TypeVar("T")
#: A worker's answer: ("ok", the value), ("error", an AikgError) or ("crash", a message).
Reply = tuple[str, object]
_HEADER = struct.Struct("!Q")
#: Seconds a worker may sleep without using the processor while it owes an answer: a working
#: one is running, or reading the disk (another state), so this can be short.
STALL_SECONDS = 0.5
#: Python frames a worker may nest: the complete SPARQL parser recurses once per triple of a
#: block (its C stack, 8 MiB in a request thread, holds this many).
_WORKER_RECURSION = 100_000
log = logging.getLogger(__name__)


class Stalled(Exception):
    """A worker sleeps without using the processor while it should be working: it is stuck."""


class OutOfMemory(EOFError):
    """A worker ended on an allocation its memory budget refused (the engine aborts then)."""


TOO_LARGE = ("the work needed more memory than its budget allows and was stopped; nothing "
              "else is affected (ask for fewer rows, or join fewer patterns)")


def twice(attempt: Callable[[], T], what: str) -> T:
    """``attempt()``, and once more if its worker process hung or died.

    The workers are forked from a server whose other threads may be inside the store (a
    RocksDB cache's lock held at that instant stays held in the child for ever), so a worker
    can hang on its first touch of the store, or crash. A fresh worker does the work; a second
    failure is the work's own: pyoxigraph overflows its stack on queries nested a few thousand
    deep. A worker that ran out of its memory budget is not tried again: that is the work's.
    """
    try:
        return attempt()
    except OutOfMemory:
        raise QueryTooLarge(TOO_LARGE) from None
    except (Stalled, EOFError, OSError) as error:
        log.warning("replaced a query worker that %s; %s runs again",
                    "hung" if isinstance(error, Stalled) else "died", what)
    try:
        return attempt()
    except OutOfMemory:
        raise QueryTooLarge(TOO_LARGE) from None
    except Stalled:
        raise StoreUnavailable(f"{what} hung its worker process twice; nothing else is "
                               "affected, try again") from None
    except (EOFError, OSError):
        raise BadInput(f"{what} crashed the process that evaluated it (nesting too deep, or "
                       "too much memory); it was stopped and nothing else is affected") from None


class Worker:
    """A forked process and the parent's end of its socket pair."""

    def __init__(self, pid: int, sock: socket.socket, version: int) -> None:
        self.pid, self.sock, self.version = pid, sock, version
        self._ticks: int | None = None  # processor time, while waiting for its answer
        self._still_since = 0.0

    def send(self, message: object, deadline: float) -> None:
        self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        send(self.sock, message)

    def receive(self, deadline: float, *, raw: bool = False) -> object:
        """The worker's answer (its pickled bytes if ``raw``); :class:`Stalled` when it sleeps
        without progress (see :func:`twice`), ``TimeoutError`` at the deadline."""
        self._ticks, self._still_since = None, time.monotonic()
        try:
            return receive(self.sock, deadline, self._stuck, raw=raw)
        except EOFError:
            if self._aborted():
                raise OutOfMemory from None
            raise

    def _aborted(self) -> bool:
        """True when the process ended by SIGABRT: Rust's answer to a failed allocation."""
        try:
            pid, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return False
        self.pid = 0  # reaped: kill() has nothing left to do
        return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT

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
        if self.pid:  # 0 once reaped
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self.sock.close()


def fork(kg: KnowledgeGraph, child: Callable[[socket.socket], None], memory: int | None
          ) -> Worker:
    """Fork a process running ``child(sock)`` on a snapshot of ``kg``, fenced in with
    ``memory`` bytes to add (None: no budget); it never returns."""
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
            # The copy evaluates in place: its queries are the work it was forked for.
            kg.executor = None
            _become_worker(child_end, memory)
            child(child_end)
        finally:
            os._exit(0)
    child_end.close()
    return Worker(pid, parent_end, version)


def _become_worker(sock: socket.socket, memory: int | None) -> None:
    """Drop what the child inherited from the server: its signal handlers and listening
    sockets; exit when the server process goes away; then fence the child in: no network,
    ``memory`` bytes more at most (see :mod:`graph.store.sandbox`)."""
    for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
                 "SIGCHLD", "SIGTTIN", "SIGTTOU"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    keep = sock.fileno()
    for entry in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        fd = int(entry)
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
    sys.setrecursionlimit(_WORKER_RECURSION)
    if not sandbox.forbid_network():
        log.warning("no seccomp filter on this machine: query workers can reach the network; "
                    "only the SPARQL check refuses SERVICE and LOAD")
    if memory is not None:
        sandbox.limit_memory(memory)


def reply(work: Callable[[], object]) -> Reply:
    try:
        return ("ok", work())
    except AikgError as error:
        return ("error", error)
    except MemoryError:
        return ("error", QueryTooLarge(TOO_LARGE))
    except Exception as error:  # a bug: the parent logs it as a 500
        return ("crash", f"{type(error).__name__}: {error}")


def unwrap(reply: object) -> object:
    status, payload = cast(Reply, reply)  # as reply() made it, sent through the socket
    if status == "error":
        raise cast(AikgError, payload)
    if status == "crash":
        raise RuntimeError(f"query worker failed: {payload}")
    return payload


def send(sock: socket.socket, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def receive(sock: socket.socket, deadline: float | None,
            stuck: Callable[[], bool] | None = None, *, raw: bool = False) -> object:
    """The next message, or its pickled bytes if ``raw`` (to keep, as the cache does)."""
    (size,) = _HEADER.unpack(_read(sock, _HEADER.size, deadline, stuck))
    data = _read(sock, size, deadline, stuck)
    return data if raw else pickle.loads(data)


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
                raise Stalled from None
            continue
        if not chunk:
            raise EOFError
        buffer += chunk
    return bytes(buffer)
