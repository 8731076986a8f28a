"""The directory beside an on-disk store that a server of several processes keeps while it runs.

It holds the store's checkpoints (:mod:`graph.store.snapshots`), which must be on the store's
file system to be hard links. The server's first process takes an exclusive ``flock`` on its
``alive`` file and never lets go; the server processes it forks inherit the lock, so it is held
until the last of them ends, however they end. A directory whose lock is free belongs to a server
that is gone (killed with ``kill -9``): the next server removes it. A live one means the store is
being served: another server, or a command that would write the store behind the server's back,
is refused.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import BadInput

__all__ = ["claim_run_dir", "refuse_if_served"]

_ALIVE = "alive"


def claim_run_dir(location: str) -> Path:
    """A new run directory beside the store at ``location``, locked for this process and the
    ones it forks; those of dead servers are removed first. Raises :class:`BadInput` when
    another server runs on the store."""
    refuse_if_served(location)
    store = Path(location).resolve()
    store.parent.mkdir(parents=True, exist_ok=True)
    # Made under another name and renamed once locked, so that no one takes it for the
    # directory of a dead server in between.
    starting = Path(tempfile.mkdtemp(prefix=f".{store.name}.starting-", dir=store.parent))
    alive = os.open(starting / _ALIVE, os.O_RDWR | os.O_CREAT, 0o600)  # never closed
    fcntl.flock(alive, fcntl.LOCK_EX)
    run_dir = store.parent / (_prefix(store) + starting.name.rsplit("-", 1)[1])
    starting.rename(run_dir)
    return run_dir


def refuse_if_served(location: str) -> None:
    """Raise :class:`BadInput` when a server of several processes runs on the store at
    ``location``: whatever another process wrote there, they would not show. Removes the run
    directories of servers that are gone."""
    for run_dir in _run_dirs(Path(location).resolve()):
        try:
            alive = os.open(run_dir / _ALIVE, os.O_RDWR)
        except FileNotFoundError:  # being made, or being removed
            continue
        try:
            fcntl.flock(alive, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(alive)
            raise BadInput(f"{location} is being served by aikg serve (its processes keep "
                           f"{run_dir.name}); write to it through that server, or stop it "
                           "first") from None
        shutil.rmtree(run_dir, ignore_errors=True)  # its server is gone
        os.close(alive)


def _prefix(store: Path) -> str:
    return f".{store.name}.serving-"


def _run_dirs(store: Path) -> Iterator[Path]:
    if store.parent.is_dir():
        yield from (p for p in store.parent.iterdir() if p.name.startswith(_prefix(store)))
