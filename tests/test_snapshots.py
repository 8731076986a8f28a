"""The checkpoints through which several processes serve one on-disk store
(graph.store.snapshots), with real processes and real stores."""

from __future__ import annotations

import signal

from graph.store.snapshots import Snapshots

from .servers import python

ASK_A = "ASK { GRAPH <urn:g> { <urn:a> <urn:p> 1 } }"
ASK_B = "ASK { GRAPH <urn:h> { <urn:b> <urn:p> 2 } }"
KILLED_WRITER = """
import os, signal, sys
from graph.store.snapshots import Snapshots
snapshots = Snapshots(sys.argv[1], sys.argv[2], lock_wait=30)
kg = snapshots.open(bundled=False)
with snapshots.writing():
    kg.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 1 } }")
    os.kill(os.getpid(), signal.SIGKILL)  # committed, not yet published
"""


def _opened(tmp_path) -> tuple[Snapshots, object]:
    snapshots = Snapshots(str(tmp_path / "db"), tmp_path / "run", lock_wait=30)
    return snapshots, snapshots.open(bundled=False)


def test_a_commit_whose_writer_was_killed_before_publishing_is_published_by_the_next(tmp_path):
    (tmp_path / "run").mkdir()
    reader, kg = _opened(tmp_path)
    changed = []
    kg.before_write(lambda _kg, graphs: changed.append(graphs))
    killed = python("-c", KILLED_WRITER, str(tmp_path / "db"), str(tmp_path / "run"))
    assert killed.wait(timeout=60) == -signal.SIGKILL
    reader.catch_up()
    assert not kg.ask(ASK_A)  # committed, and not shown: its client got no answer

    writer, other = _opened(tmp_path)
    with writer.writing():
        other.update("INSERT DATA { GRAPH <urn:h> { <urn:b> <urn:p> 2 } }")
    reader.catch_up()
    assert kg.ask(ASK_A) and kg.ask(ASK_B)
    assert kg.version == other.version
    # the projection is told both graphs, the dead writer's one included, so it is patched
    assert changed == [frozenset({"urn:g", "urn:h"})]


def test_a_checkpoint_is_removed_once_no_process_reads_it(tmp_path):
    (tmp_path / "run").mkdir()
    checkpoints = tmp_path / "run" / "checkpoints"
    reader, kg = _opened(tmp_path)
    held = {p.name for p in checkpoints.iterdir()}
    writer, other = _opened(tmp_path)
    for n in range(3):
        with writer.writing():
            other.update(f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:a> <urn:p> {n} }} }}")
    left = {p.name for p in checkpoints.iterdir()}
    assert held <= left and len(left) == 2  # the one the reader holds, and the newest
    reader.catch_up()
    assert kg.ask("ASK { GRAPH <urn:g> { <urn:a> <urn:p> 2 } }")
    with writer.writing():
        other.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 3 } }")
    assert not held & {p.name for p in checkpoints.iterdir()}
