"""Try a write on a checkpoint of an on-disk store, and validate it there, before the real one.

An in-memory graph is copied for a dry run by forking the process; an on-disk (RocksDB) store
cannot be: it is not fork-safe. RocksDB makes a checkpoint instead, a consistent copy made of
hard links to the store's immutable files (50 ms for the bundled graph here, and little more
for a big one). The write runs on the checkpoint, :func:`~graph.rdf.shapes.require_valid_graphs`
checks the graphs it changed, and the checkpoint is deleted; only then may the write reach the
store.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import StoreUnavailable
from .knowledge import KnowledgeGraph

__all__ = ["validated_on_checkpoint"]


def validated_on_checkpoint(kg: KnowledgeGraph, action: Callable[[KnowledgeGraph], object]
                            ) -> None:
    """Run ``action`` on a checkpoint of ``kg`` (on disk) and validate what it changed.

    Raises what ``action`` raises, :class:`~graph.errors.ValidationFailed` when the result
    breaks the shapes, and :class:`~graph.errors.StoreUnavailable` when no checkpoint can be
    made. ``kg`` itself is not changed; a remote store (no local store) is left to its server.
    Hold :meth:`KnowledgeGraph.exclusive` around this and the real write.
    """
    if not kg.capabilities.checkpoints:
        return
    # Beside the store: hard links need the same file system.
    folder = Path(tempfile.mkdtemp(prefix=".aikg-checkpoint-", dir=Path(kg.location).parent))
    copy: KnowledgeGraph | None = None
    try:
        try:
            copy = kg.checkpoint(str(folder / "store"))
        except OSError as error:
            raise StoreUnavailable(f"could not check the write on a copy of the store, so "
                                   f"nothing was changed ({error})") from None
        try:
            action(copy)
        except StoreUnavailable:  # the copy's disk is full; the store itself was not touched
            raise StoreUnavailable(f"the write could not be tried on a copy of the store, so "
                                   f"nothing was changed: {copy.write_failure}") from None
        # Imported here: the shapes bring rdflib (and pyshacl when they run), which only a write
        # needs; every server imports this module at start (issue 15: start-up time).
        from ..rdf.shapes import require_valid_graphs

        require_valid_graphs(copy, copy.changed_graphs)  # None: every graph
    finally:
        copy = None
        gc.collect()  # close the copy's RocksDB files before they are deleted
        shutil.rmtree(folder, ignore_errors=True)
