"""One in-memory graph served by several processes: every committed write, in one shared log.

Each server process holds its own copy of an in-memory graph (forked from one loaded copy, so
they share the pages until they write). A write runs in one process, under an exclusive lock on
the log; that process first replays what the others wrote, applies the write, then appends the
calls it made (``update``, ``load``, ``replace``, ``add``) to the log before it answers. Every
process replays the log before it answers any request (one ``stat`` when nothing changed), so a
client that got a 2xx for a write sees it in its next request, whichever process answers, and
every process goes through the same versions (the same ETags, the same projection).

A process killed in the middle of a write never appended it: its client got no answer, and the
next writer cuts what a killed writer left half-written at the end of the log. A process that
replaces a dead one is forked from the loaded graph and replays the whole log.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, TypeVar, cast

from . import journal
from .knowledge import KnowledgeGraph

if TYPE_CHECKING:
    from .executor import Executor

T = TypeVar("T")
#: A write of the graph as recorded: its method's name, arguments and keyword arguments.
Call = tuple[str, tuple[object, ...], dict[str, object]]
#: Seconds a reader waits on a replay under way before it looks at the graph's lock again.
_RECHECK_SECONDS = 0.05


class SharedLog:
    """The log of committed writes to ``kg`` in ``directory``, shared by the server processes."""

    def __init__(self, kg: KnowledgeGraph, directory: str | Path) -> None:
        self.kg = kg
        self.directory = Path(directory)
        self.path = self.directory / "writes.log"
        self.path.touch()
        self._offset = 0  # the end of the last entry this process applied
        self._local = threading.Lock()
        self._writer_pid: int | None = None  # the process whose calls are recorded
        self._pending: list[Call] = []
        #: Notified whenever :attr:`_offset` moves: readers wait on it for a replay under way.
        self._applied = threading.Condition()
        kg.recorder = self._record

    def catch_up(self) -> None:
        """Apply what other processes wrote before this call.

        A write under way here replays the log first: what it replayed is all a reader needs,
        so the reader waits for that replay, never for the write (issue 17: readers queued
        behind every write).
        """
        size = os.stat(self.path).st_size
        if size <= self._offset:
            return
        with self._applied:
            while self._offset < size:
                with self.kg.exclusive(wait=False) as held:
                    if held:
                        self._replay()
                        return  # what is left past the offset is an entry cut or being written
                self._applied.wait(_RECHECK_SECONDS)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the log for one write: what the block committed to the graph is appended to
        the log when it ends, with or without an error."""
        with self._local, open(self.directory / "lock", "a+b") as lock:
            # POSIX record locks, not flock: a process forked meanwhile (a query worker, the
            # dry run of a write) does not inherit them.
            fcntl.lockf(lock, fcntl.LOCK_EX)
            try:
                # The graph's own lock only for the replay: the write takes it itself where
                # it changes the graph, and no other process appends while the file is held.
                with self.kg.exclusive():
                    self._replay()
                self._pending, self._writer_pid = [], os.getpid()
                try:
                    yield
                finally:  # what was committed here before an error is logged too
                    self._writer_pid = None
                    # Appended and the offset moved in one step under the readers' condition:
                    # a reader here that saw the log grow then finds it applied, and never
                    # replays this process's own write. Not under the graph's lock, which the
                    # query workers forked after this write queue for (issue 17: a write
                    # waited behind them for a third time there).
                    with self._applied:
                        self._append(self._pending)
            finally:
                self._pending = []
                fcntl.lockf(lock, fcntl.LOCK_UN)

    def _record(self, method: str, args: tuple[object, ...], kwargs: dict[str, object]) -> None:
        if self._writer_pid != os.getpid():  # a replay, or a dry run in a forked copy
            return
        if method == "load":
            args = (self._keep(args[0]),)
            kwargs = {k: v for k, v in kwargs.items() if k != "progress"}
        self._pending.append((method, args, kwargs))

    def _keep(self, source: object) -> object:
        """A copy of a loaded stream or bytes the other processes can read after the caller
        has thrown it away; a path is kept as it is (a file given at start)."""
        if isinstance(source, str | Path):
            return source
        blob = self.directory / f"blob-{os.getpid()}-{len(os.listdir(self.directory))}"
        with open(blob, "wb") as out:
            if isinstance(source, bytes | bytearray | memoryview):
                out.write(source)
            else:
                stream: IO[bytes] = source  # type: ignore[assignment]
                stream.seek(0)
                shutil.copyfileobj(stream, out, 1024 * 1024)
        return blob

    def _append(self, entries: list[Call]) -> None:
        if entries:
            self._advance(journal.append(self.path, self._offset, entries))

    def _replay(self) -> None:
        records, offset = journal.read(self.path, self._offset)
        for entries in cast(list[list[Call]], records):
            for method, args, kwargs in entries:
                getattr(self.kg, method)(*args, **kwargs)
        self._advance(offset)

    def _advance(self, offset: int) -> None:
        with self._applied:
            self._offset = offset
            self._applied.notify_all()


class Shared(Protocol):
    """How the server processes share one graph: a :class:`SharedLog` (in memory), or
    :class:`graph.store.snapshots.Snapshots` (on disk)."""

    def catch_up(self) -> None:
        """Take in what other processes wrote; one ``stat`` when nothing changed."""

    def writing(self) -> AbstractContextManager[None]:
        """Hold the graph for one write, which the other processes see once the block ends."""


class SharedWrites:
    """An executor whose writes go through a :class:`Shared` graph; everything else is the
    executor's own."""

    def __init__(self, executor: Executor, log: Shared) -> None:
        self._executor = executor
        self._log = log

    def write(self, action: Callable[[KnowledgeGraph], T], *, timeout: float,
              update: str | None = None) -> T:
        with self._log.writing():
            return self._executor.write(action, timeout=timeout, update=update)

    def __getattr__(self, name: str) -> object:
        return getattr(self._executor, name)
