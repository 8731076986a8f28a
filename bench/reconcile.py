"""Reconciliation benchmark: a batch of 50 queries (the hand-made names of
``tests/data/reconcile-names.csv``: Chinese, garbled and English, with and without a type) sent
to ``/reconcile`` of a real ``aikg serve`` on 127.0.0.1, as OpenRefine sends them. Prints the
first batch (which builds the name index of the graph's version), then p50, p90 and the slowest
of the next ones beside the goal of 1 s, and the same batch in process; it asserts nothing.

    python -m bench.reconcile --batches 30 [--triples 1000000]

With ``--triples``, a synthetic industry graph (bench.generate) is loaded beside the bundled
one into an on-disk store first, to see how the batch grows with the graph.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from pathlib import Path

import requests

from bench.generate import generate
from bench.server import AikgServer
from graph import open_graph
from graph.network import build
from graph.reconcile import parse_batch, reconcile
from ontology import GRAPH

NAMES = Path(__file__).resolve().parent.parent / "tests" / "data" / "reconcile-names.csv"
GOAL = 1.0  # seconds per batch of 50


def batch(size: int = 50) -> dict[str, dict[str, object]]:
    rows = list(csv.DictReader(NAMES.open(encoding="utf-8")))[:size]
    return {f"q{i}": {"query": r["name"], **({"type": r["type"]} if r["type"] else {})}
            for i, r in enumerate(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=30, help="timed batches after the first")
    parser.add_argument("--triples", type=int, default=0, help="synthetic triples to add")
    args = parser.parse_args()
    queries = {"queries": json.dumps(batch())}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path("memory")
        if args.triples:
            store = Path(tmp) / "store"
            kg = open_graph(str(store))
            kg.load(generate(args.triples, Path(tmp) / "industry.nt"), graph=GRAPH + "bench",
                    bulk=True)
            del kg  # the server opens the store next
        in_process(store)
        with AikgServer(store, "--threads", "4") as base:
            seconds = []
            for _ in range(args.batches + 1):
                started = time.perf_counter()
                response = requests.post(base + "/reconcile", data=queries, timeout=120)
                seconds.append(time.perf_counter() - started)
                response.raise_for_status()
    first, rest = seconds[0], sorted(seconds[1:])
    p50, p90 = statistics.median(rest), rest[int(0.9 * (len(rest) - 1))]
    print(f"graph: bundled{f' + {args.triples:,} synthetic triples' if args.triples else ''}")
    print(f"50 queries over HTTP, first batch: {first * 1000:.0f} ms (builds the name index)")
    print(f"50 queries over HTTP, {len(rest)} batches: p50 {p50 * 1000:.0f} ms, p90 "
          f"{p90 * 1000:.0f} ms, slowest {rest[-1] * 1000:.0f} ms; goal {GOAL * 1000:.0f} ms "
          f"(p50 is {p50 / GOAL:.2f} of it)")


def in_process(store: Path) -> None:
    """The same batch through graph.reconcile, without HTTP."""
    kg = open_graph(str(store))
    P = build(kg)
    text = json.dumps(batch())
    reconcile(kg, P, parse_batch(kg, P, text, 100))  # builds the caches
    started = time.perf_counter()
    for _ in range(10):
        reconcile(kg, P, parse_batch(kg, P, text, 100))
    each = (time.perf_counter() - started) / 10
    print(f"50 queries in process: {each * 1000:.1f} ms per batch")
    del kg, P


if __name__ == "__main__":
    main()
