"""One on-disk store served by several processes: one writes at a time, and all of them read
checkpoints of it.

RocksDB lets one process open a store for writing, and one that opens it read-only while another
writes it reads undefined things. So only a writing process opens the store itself (the
*primary*). A write takes the writers' lock (a POSIX lock in the server's run directory,
:mod:`graph.store.runs`), opens the primary (35 ms at a million triples) unless this process
holds it since its own last write, applies the write in one transaction (tried and validated on
a copy first, as in one process), makes a RocksDB checkpoint of it (hard links: a few
milliseconds), appends the checkpoint's name, the graph version and the graphs the write changed
to the run's journal (:mod:`graph.store.journal`), and only then answers. It keeps the primary
open, so that RocksDB's compactions run on, until another process wants it: that one touches a
``wanted`` file while it waits, and a thread of the holder that looks for it every 20 ms closes
the primary.

Every process reads a read-only opening of the newest checkpoint it has taken in, and before it
answers any request looks whether a newer one was published (one ``stat``). If so it opens that
one and takes it in as if the write were its own (:meth:`KnowledgeGraph.follow`): the
relationship projection is patched for the graphs the write changed, the caches are dropped and
the version becomes the writer's. So a client that got a 2xx sees its write in its next request,
whichever process answers; a reader sees one checkpoint, from before a write or after it, never
one in between; and every process goes through the same versions and ETags.

A process holds a shared ``flock`` on the checkpoint it reads; after publishing, the writer
removes the older checkpoints it can lock exclusively. (An opened checkpoint has all its files
open, so even a removed one reads on until the last reader lets go.)

A writer killed in the middle leaves a marker, written with the graphs it is about to change
before it commits and removed once it has published: its transaction is either not committed, or
committed and not shown. The next writer then first publishes a checkpoint of the primary with
those graphs, so what the dead one committed is shown everywhere, projection included, and
nothing half-applied ever is. The server's first process fills an empty store with the bundled
files, loads the files given at start and publishes the first checkpoint; it waits for a dying
process of an earlier server that still holds the primary's ``LOCK``.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import Quad, Store

from ..errors import StoreUnavailable
from ..rdf.formats import RdfSyntax
from . import journal
from .backend import Backend, GraphName, ProgressCallback
from .knowledge import KnowledgeGraph
from .local import LocalBackend, open_local
from .opening import seeded
from .unionset import SetUnionStore

__all__ = ["Published", "SnapshotBackend", "Snapshots"]

_JOURNAL, _WRITERS, _MARKER = "published.log", "write.lock", "writing"
_CHECKPOINTS, _WANTED = "checkpoints", "wanted"
#: Seconds between two looks of a process that holds the primary for another that wants it.
_LOOK_EVERY = 0.02


@dataclass(frozen=True)
class Published:
    """A published checkpoint: its folder's name, the graph version it holds, and the graphs
    changed since the one before (None: any)."""

    name: str
    version: int
    graphs: frozenset[str] | None


class _Checkpoint:
    """A checkpoint opened read-only, kept from removal by a shared ``flock`` until
    :meth:`release` (query workers forked meanwhile inherit the lock)."""

    def __init__(self, folder: Path) -> None:
        self.name = folder.name
        self._lock = os.open(folder / "lock", os.O_RDONLY)  # FileNotFoundError: removed
        fcntl.flock(self._lock, fcntl.LOCK_SH)
        if not (folder / "store").is_dir():  # removed while this process waited for the lock
            os.close(self._lock)
            raise FileNotFoundError(folder)
        self.store = Store.read_only(str(folder / "store"))

    def release(self) -> None:
        os.close(self._lock)


def _make_checkpoint(primary: LocalBackend, checkpoints: Path) -> Path:
    """A new checkpoint of ``primary`` in ``checkpoints``; names sort by age."""
    folder = Path(tempfile.mkdtemp(prefix=f"{time.time_ns():020d}-", dir=checkpoints))
    (folder / "lock").touch()
    primary.store.backup(str(folder / "store"))
    return folder


class SnapshotBackend(LocalBackend):
    """A local backend that reads a read-only checkpoint and writes the primary store, which
    is open only while a write holds it (:meth:`Snapshots.writing`). Each write to the primary
    is followed by a fresh checkpoint, which is read from then on."""

    def __init__(self, location: str, reading: _Checkpoint, run_dir: Path,
                 lock_wait: float) -> None:
        super().__init__(reading.store, location)
        self.reading = reading
        #: True while the primary holds a commit that no checkpoint shows yet.
        self.unpublished = False
        self._checkpoints = run_dir / _CHECKPOINTS
        self._wanted = run_dir / _WANTED
        self._lock_wait = lock_wait
        self._primary: LocalBackend | None = None

    def show(self, checkpoint: _Checkpoint) -> None:
        """Read ``checkpoint`` from now on (readers under way finish on the one before)."""
        before, self.reading = self.reading, checkpoint
        self.store = SetUnionStore(checkpoint.store)
        self._size = None
        before.release()

    def open_primary(self) -> None:
        """Open the primary for a write, unless this process holds it since its last one. The
        process that holds it lets go once it sees the wish (:meth:`Snapshots._hold_primary`)."""
        if self._primary is not None:
            return
        self._wanted.touch()
        try:
            self._primary = open_local(self.location, self._lock_wait, retry_every=0.01)
        finally:
            self._wanted.unlink(missing_ok=True)

    def primary_wanted(self) -> bool:
        """Whether another process waits to open the primary."""
        return self._wanted.exists()

    def close_primary(self) -> None:
        """Let go of the primary, so that another process may open it."""
        primary, self._primary = self._primary, None
        if primary is None:
            return
        # RocksDB lets go of the store's LOCK only once its object is freed: at once, unless
        # something (an error's traceback) holds it in a cycle, which only a collection frees.
        still: list[weakref.ref[object]] = [weakref.ref(primary), weakref.ref(primary.store)]
        del primary
        if any(ref() is not None for ref in still):
            gc.collect()

    def refresh(self) -> None:
        """Make a checkpoint of the primary and read it from now on."""
        self.show(_Checkpoint(_make_checkpoint(self._writable(), self._checkpoints)))
        self.unpublished = False

    def checkpoint(self, folder: str) -> Backend:
        return self._writable().checkpoint(folder)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._write(lambda primary: primary.update(sparql, base_iri=base_iri))

    def apply(self, sparql: str) -> None:
        self._write(lambda primary: primary.apply(sparql))

    def extend(self, quads: list[Quad]) -> None:
        self._write(lambda primary: primary.extend(quads))

    def load(self, source: str | Path | bytes | IO[bytes], syntax: RdfSyntax, *,
             to_graph: GraphName | None, base_iri: str | None, name: str,
             progress: ProgressCallback | None, bulk: bool) -> None:
        self._write(lambda primary: primary.load(
            source, syntax, to_graph=to_graph, base_iri=base_iri, name=name, progress=progress,
            bulk=bulk))

    def _write(self, apply: Callable[[LocalBackend], None]) -> None:
        primary = self._writable()
        try:
            apply(primary)
        finally:
            self.write_failure = primary.write_failure
        self.unpublished = True
        self.refresh()

    def _writable(self) -> LocalBackend:
        if self._primary is None:
            raise RuntimeError("the store is written only within Snapshots.writing()")
        return self._primary


class Snapshots:
    """The checkpoints of the on-disk store at ``location`` published in the server's run
    directory ``run_dir``, as this process follows them (see the module notes)."""

    def __init__(self, location: str, run_dir: str | Path, *, lock_wait: float) -> None:
        self.location = location
        self.run_dir = Path(run_dir)
        self.journal = self.run_dir / _JOURNAL
        self.journal.touch()
        self.checkpoints = self.run_dir / _CHECKPOINTS
        self.checkpoints.mkdir(exist_ok=True)
        self._marker = self.run_dir / _MARKER
        self._lock_wait = lock_wait
        self._offset = 0  # the end of the last record this process took in
        self._local = threading.Lock()
        self._writer: int | None = None  # the process whose write is under way here
        self._changed: set[str] | None = set()  # the graphs that write changed (None: any)
        self._watching = False  # whether a thread looks for another process wanting the primary
        self._using = threading.Lock()  # held while a write here uses the primary
        self.kg: KnowledgeGraph | None = None
        self.backend: SnapshotBackend | None = None

    def open(self, *, bundled: bool = True, files: Sequence[str] = ()) -> KnowledgeGraph:
        """The graph of the newest checkpoint. The server's first process publishes one first:
        of the store filled with the bundled files if empty, and with ``files`` loaded."""
        if not journal.grown(self.journal, 0):
            with self._writers_lock():
                if not journal.grown(self.journal, 0):
                    self._publish_first(bundled, files)
        newest, _, checkpoint = self._newest()
        self.backend = SnapshotBackend(self.location, checkpoint, self.run_dir,
                                       self._lock_wait)
        kg = self.kg = KnowledgeGraph(self.backend)
        kg.version = newest.version
        kg.before_write(self._note_graphs)
        return kg

    def catch_up(self) -> None:
        """Take in the checkpoint other processes published since this one last looked."""
        if journal.grown(self.journal, self._offset):
            self._take_in()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the primary for one write: what the block commits is published when it ends,
        with or without an error."""
        kg, backend = self._opened()
        # The graph is held only once the lock is: readers here go on while a write elsewhere
        # holds it. (One thread at a time asks for it: a POSIX lock is the process's.)
        with self._local, self._writers_lock(), kg.exclusive(), self._using:
            self._take_in()
            backend.open_primary()
            try:
                self._recover()
                before, self._writer, self._changed = kg.version, os.getpid(), set()
                try:
                    yield
                finally:
                    self._writer = None
                    if kg.version != before:
                        self._publish(Published(backend.reading.name, kg.version,
                                                _frozen(self._changed)))
                    if not backend.unpublished:
                        self._marker.unlink(missing_ok=True)
            finally:
                if backend.write_failure:  # RocksDB writes again only once opened afresh
                    backend.close_primary()
                else:
                    self._hold_primary()

    def _hold_primary(self) -> None:
        """Keep the primary open after a write here, so that RocksDB's compactions run on
        (closed at once after each write, it piled up table files: 28 to 85 in 11 writes at
        1M), until another process wants it. Holding :attr:`_using`."""
        if not self._watching:
            self._watching = True
            threading.Thread(target=self._let_go_when_wanted, name="aikg-primary",
                             daemon=True).start()

    def _let_go_when_wanted(self) -> None:
        _, backend = self._opened()
        while not backend.primary_wanted():
            time.sleep(_LOOK_EVERY)
        with self._using:  # no write of this process is under way
            backend.close_primary()
            self._watching = False

    def _take_in(self) -> None:
        kg, backend = self._opened()
        with kg.exclusive():
            if journal.grown(self.journal, self._offset):
                newest, graphs, checkpoint = self._newest()
                kg.follow(lambda: backend.show(checkpoint), graphs, newest.version)

    def _newest(self) -> tuple[Published, frozenset[str] | None, _Checkpoint]:
        """The newest published checkpoint, opened, and the graphs changed since the one this
        process read (None: any)."""
        graphs: set[str] | None = set()
        newest: Published | None = None
        while True:
            records, self._offset = journal.read(self.journal, self._offset)
            for record in records:
                assert isinstance(record, Published)
                graphs = None if graphs is None or record.graphs is None else graphs | record.graphs
                newest = record
            if newest is None:
                raise StoreUnavailable(f"no checkpoint of {self.location} was published")
            try:
                return newest, _frozen(graphs), _Checkpoint(self.checkpoints / newest.name)
            except FileNotFoundError:  # removed meanwhile: a newer one is published
                if not records:
                    raise StoreUnavailable(f"the checkpoint {newest.name} of {self.location} "
                                           "is gone") from None

    def _publish_first(self, bundled: bool, files: Sequence[str]) -> None:
        primary = open_local(self.location, self._lock_wait)
        kg = seeded(KnowledgeGraph(primary), bundled)
        for name in files:
            kg.load(Path(name))
        folder = _make_checkpoint(primary, self.checkpoints)
        journal.append(self.journal, 0, Published(folder.name, kg.version, None))
        del kg, primary
        gc.collect()  # close the primary: the process that writes next opens it

    def _recover(self) -> None:
        """Publish what a writer killed between its commit and its publication committed."""
        if not self._marker.exists():
            return
        try:
            graphs = pickle.loads(self._marker.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError):  # cut by the kill: any graph
            graphs = None
        kg, backend = self._opened()
        kg.follow(backend.refresh, graphs, kg.version + 1)
        self._publish(Published(backend.reading.name, kg.version, graphs))
        self._marker.unlink()

    def _note_graphs(self, _kg: KnowledgeGraph, graphs: frozenset[str] | None) -> None:
        """Before a commit here: note the graphs it may change, in the marker too."""
        if self._writer != os.getpid():
            return
        self._changed = None if graphs is None or self._changed is None else (
            self._changed | graphs)
        self._marker.write_bytes(pickle.dumps(_frozen(self._changed)))

    def _publish(self, record: Published) -> None:
        self._offset = journal.append(self.journal, self._offset, record)
        for folder in sorted(self.checkpoints.iterdir()):
            if folder.name != record.name:
                _remove_unread(folder)

    @contextmanager
    def _writers_lock(self) -> Iterator[None]:
        with open(self.run_dir / _WRITERS, "a+b") as lock:
            # POSIX record locks, not flock: a process forked meanwhile does not inherit them.
            fcntl.lockf(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(lock, fcntl.LOCK_UN)

    def _opened(self) -> tuple[KnowledgeGraph, SnapshotBackend]:
        if self.kg is None or self.backend is None:
            raise RuntimeError("Snapshots.open() first")
        return self.kg, self.backend


def _remove_unread(folder: Path) -> None:
    """Remove a checkpoint no process reads (none holds its lock)."""
    try:
        lock = os.open(folder / "lock", os.O_RDONLY)
    except FileNotFoundError:
        shutil.rmtree(folder, ignore_errors=True)  # a checkpoint whose making was cut
        return
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        shutil.rmtree(folder, ignore_errors=True)
    except BlockingIOError:
        pass  # still read: removed after a later write
    finally:
        os.close(lock)


def _frozen(graphs: set[str] | frozenset[str] | None) -> frozenset[str] | None:
    return None if graphs is None else frozenset(graphs)
