"""What an on-disk store served by several processes pays per write (graph.store.snapshots).

Loads a synthetic graph (bench.generate) into an on-disk store, then times the steps a write
takes there: opening and closing the store read-write, a RocksDB checkpoint (``Store.backup``)
and the read-only opening of one; then ``--writes`` writes that each move a block of statements
between two graphs (the update of bench/load_http.py) and make a checkpoint, once with the store
opened afresh for each write and once with it kept open. Prints medians and ranges, and the
table files left, which show whether compactions keep up; it asserts nothing.

    python -m bench.checkpoints --triples 1000000
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import Store

from bench.generate import generate
from graph import open_graph
from graph.store.unionset import SetUnionStore

MOVE = ("DELETE {{ GRAPH <{a}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{b}> {{ ?s ?p ?o }} }} "
        "WHERE {{ GRAPH <{a}> {{ ?s ?p ?o }} }}")
LEFT, RIGHT = "urn:bench:left", "urn:bench:right"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--block", type=int, default=1000, help="statements moved per write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aikg-checkpoints-") as tmp:
        store = str(Path(tmp) / "store")
        kg = open_graph(store, bundled=False)
        kg.load(generate(args.triples, Path(tmp) / "data.nt"), bulk=True)
        block = " ".join(f'<urn:bench:item-{i}> <urn:bench:p> "{i}" .' for i in range(args.block))
        kg.update(f"INSERT DATA {{ GRAPH <{LEFT}> {{ {block} }} }}")
        print(f"{len(kg):,} quads; {_tables(store)} table files; cpus {os.cpu_count()}, "
              f"load average {os.getloadavg()[0]:.1f}")
        del kg
        gc.collect()
        _steps(store, Path(tmp))
        gc.collect()  # the store opened by _steps lets go of its LOCK
        for kept in (False, True):
            _writes(store, Path(tmp), args.writes, kept)


def _steps(store: str, tmp: Path) -> None:
    def open_close() -> None:
        Store(store).query("ASK { ?s ?p ?o }")
        gc.collect()

    _report("open and close read-write", _timed(open_close, 5))
    primary = Store(store)
    folders = iter(range(1_000))

    def checkpoint() -> None:
        primary.backup(str(tmp / f"checkpoint-{next(folders)}"))

    _report("checkpoint (Store.backup)", _timed(checkpoint, 5))
    _report("read-only opening of a checkpoint",
            _timed(lambda: Store.read_only(str(tmp / "checkpoint-0")).query("ASK {}"), 5))


def _writes(store: str, tmp: Path, writes: int, kept: bool) -> None:
    """``writes`` moves of the block, each followed by a checkpoint."""
    primary: SetUnionStore | None = SetUnionStore(Store(store)) if kept else None
    seconds = []
    for n in range(writes):
        started = time.perf_counter()
        target = primary or SetUnionStore(Store(store))
        source, sink = (LEFT, RIGHT) if n % 2 == 0 else (RIGHT, LEFT)
        target.update(MOVE.format(a=source, b=sink))
        folder = tmp / f"write-{kept}-{n}"
        target.backup(str(folder))
        del target
        if not kept:
            gc.collect()  # the store lets go of its LOCK once freed
        seconds.append(time.perf_counter() - started)
        shutil.rmtree(folder)
    how = "the store kept open" if kept else "the store opened for each"
    _report(f"{writes} writes (move + checkpoint), {how}", seconds)
    del primary
    gc.collect()
    print(f"  table files after: {_tables(store)}")


def _timed(step: Callable[[], object], times: int) -> list[float]:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return seconds


def _report(what: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{what}: median {statistics.median(ms):.0f} ms ({min(ms):.0f}-{max(ms):.0f})")


def _tables(store: str) -> int:
    return sum(1 for name in os.listdir(store) if name.endswith(".sst"))


if __name__ == "__main__":
    main()
