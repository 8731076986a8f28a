"""Which compiled core walks circles: numpy arrays (graph.network.arrays), igraph, rustworkx.

On the projection of ``bench.generate`` triples (in-memory store), times the conversion of the
networkx graph to each engine and the depth-2 circle (members within two hops, edges both
ways) of random companies. The array walk also keeps each member's parent and last-hop
statements, and filters by relation, role and day; the others give the members only, so their
figures are a lower bound of what they would cost here. Needs ``pip install igraph
rustworkx``; prints, asserts nothing.

    python -m bench.walk_engines --triples 1000000 --circles 200
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate
from graph import open_graph
from graph.network import build
from graph.network.arrays import adjacency, walk
from ontology import GRAPH


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--circles", type=int, default=200)
    args = parser.parse_args()
    import igraph
    import rustworkx

    with tempfile.TemporaryDirectory() as tmp:
        kg = open_graph("memory")
        kg.load(generate(args.triples, Path(tmp) / "industry.nt"), graph=GRAPH + "bench")
        G = build(kg).graph
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v in G.edges()]
    rng = random.Random(23)
    centers = rng.sample([n for n in nodes if "/company-" in n and G.degree(n)], args.circles)
    print(f"{args.triples:,} triples: {len(nodes):,} nodes, {len(pairs):,} edges\n")
    print(f"{'engine':24} {'build s':>8} {'depth-2 p50 ms':>15} {'p90 ms':>8} {'members':>8}")

    A = _timed_build(lambda: adjacency(G))
    _report("numpy arrays", A, lambda c: len(walk(A[0], c, 2).members), centers)
    ig = _timed_build(lambda: igraph.Graph(n=len(nodes), edges=pairs, directed=True))
    _report("igraph neighborhood", ig,
            lambda c: len(ig[0].neighborhood(index[c], order=2, mode="all")) - 1, centers)
    rx = _timed_build(lambda: _rustworkx(rustworkx, len(nodes), pairs))

    def two_levels(c: str) -> int:  # rustworkx has no k-hop call: two levels of neighbors()
        first = set(rx[0].neighbors(index[c]))
        found = set(first)
        for n in first:
            found.update(rx[0].neighbors(n))
        return len(found - {index[c]})

    _report("rustworkx neighbors()", rx, two_levels, centers)


def _rustworkx(rustworkx, n: int, pairs: list[tuple[int, int]]):
    graph = rustworkx.PyGraph(multigraph=True)
    graph.add_nodes_from(range(n))
    graph.add_edges_from_no_data(pairs)
    return graph


def _timed_build(make: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    made = make()
    return made, time.perf_counter() - started


def _report(name: str, built: tuple[object, float], circle: Callable[[str], int],
            centers: list[str]) -> None:
    times, sizes = [], []
    for c in centers:
        started = time.perf_counter()
        sizes.append(circle(c))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"{name:24} {built[1]:8.2f} {statistics.median(times):15.2f} "
          f"{times[int(len(times) * 0.9)]:8.2f} {statistics.median(sizes):8.0f}")


if __name__ == "__main__":
    main()
