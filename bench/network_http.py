"""Relationship API benchmark: latency over HTTP on a synthetic graph, and the projection build.

Loads the bundled ontology and a synthetic industry graph (bench.generate) into an on-disk
store, times the networkx projection in-process, then serves the store with ``aikg serve`` on
127.0.0.1 and sends each kind of request from one client, one at a time. Prints p50 and p99 per
kind beside the project's target; it asserts nothing.

    python -m bench.network_http --triples 1000000 --requests 200
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bench.generate import generate
from bench.server import AikgServer
from graph import open_graph
from graph.network import build
from ontology import GRAPH

#: The targets of the relationship API (issue 5), p50 in milliseconds; None: no target.
TARGETS = {
    "neighbours": 5.0,
    "circle depth 1": None,
    "circle depth 2": 25.0,
    "circle depth 2, partnerOf": 25.0,
    "path": None,
    "3 paths": None,
    "search": 5.0,
    "entity details": None,
    "rankings, cached": 5.0,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind")
    parser.add_argument("--ontology", type=Path, action="append", default=[],
                        help="extra RDF file declaring ecosystem relations (repeatable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        data = generate(args.triples, Path(tmp) / "industry.nt")
        kg = open_graph(str(store))
        for path in args.ontology:
            kg.load(path)
        started = time.perf_counter()
        kg.load(data, graph=GRAPH + "bench", bulk=True)
        print(f"{args.triples:,} synthetic triples loaded in {time.perf_counter() - started:.1f} s"
              f" ({len(kg):,} quads with the bundled files)")
        projection = _timed_build(kg, "on-disk store (the server's)")
        if not projection.relations:
            sys.exit("the ontology declares no ecosystem relations: pass --ontology FILE")
        memory = open_graph("memory")
        for path in (*args.ontology, data):
            memory.load(path, graph=GRAPH + "bench" if path == data else None)
        _timed_build(memory, "in-memory store")
        del memory
        G = projection.graph
        print(f"projection: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges\n")
        cases = _cases(projection, random.Random(42), args.requests)
        del kg, projection, G  # release the store for the server
        gc.collect()
        with AikgServer(store, "--threads", "4") as base:
            _report(base, cases)


def _timed_build(kg, where: str):
    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        projection = build(kg)  # as the service builds it
        seconds.append(time.perf_counter() - started)
    print(f"projection built from the {where} in {statistics.median(seconds):.2f} s "
          "(median of 3)")
    return projection


def _cases(projection, rng: random.Random, n: int) -> dict[str, list[str]]:
    G = projection.graph
    entities = sorted(node for node in G if G.degree(node) > 0)
    ids = [G.nodes[node]["id"] for node in rng.sample(entities, min(n, len(entities)))]
    pairs = list(zip(ids, ids[1:] + ids[:1], strict=True))
    partner = "partnerOf" if any(r.endswith("#partnerOf") for r in projection.relations) else ""
    names = [G.nodes[node]["label_zh" if i % 2 else "label_en"] or G.nodes[node]["id"]
             for i, node in enumerate(rng.sample(entities, min(n, len(entities))))]
    return {
        "neighbours": [f"/api/entities/{i}/neighbors" for i in ids],
        "circle depth 1": [f"/api/entities/{i}/circle" for i in ids],
        "circle depth 2": [f"/api/entities/{i}/circle?depth=2" for i in ids],
        "circle depth 2, partnerOf": [f"/api/entities/{i}/circle?depth=2&relation={partner}"
                                      for i in ids] if partner else [],
        "path": [f"/api/paths?from={a}&to={b}&max_length=6" for a, b in pairs],
        "3 paths": [f"/api/paths?from={a}&to={b}&max_length=6&k=3" for a, b in pairs],
        "search": [f"/api/entities?q={name}" for name in names],
        "entity details": [f"/api/entities/{i}" for i in ids],
        "rankings, cached": ["/api/rankings?metric=pagerank"] * len(ids),
    }


def _report(base: str, cases: dict[str, list[str]]) -> None:
    session = requests.Session()
    get: Callable[[str], float] = lambda url: _timed(session, base + url)  # noqa: E731
    for metric in ("pagerank", "betweenness"):
        print(f"rankings by {metric}, first call (computed): "
              f"{get(f'/api/rankings?metric={metric}') / 1000:.1f} s")
    get("/api/entities?q=warm")  # builds the search index
    print(f"\n{'request':28} {'p50 ms':>8} {'p99 ms':>8} {'target':>8}  p50/target")
    for name, urls in cases.items():
        if not urls:
            continue
        for url in urls[:5]:
            get(url)
        times = sorted(get(url) for url in urls)
        p50, p99 = statistics.median(times), times[min(len(times) - 1, int(len(times) * .99))]
        target = TARGETS[name]
        ratio = f"{p50 / target:5.2f}x" if target else ""
        shown = f"{target:8.0f}" if target else f"{'':8}"
        print(f"{name:28} {p50:8.2f} {p99:8.2f} {shown}  {ratio}")


def _timed(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=600)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in (200, 404):  # 404: no path within the length
        raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed


if __name__ == "__main__":
    main()
