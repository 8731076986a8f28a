"""Load benchmark: aikg's load beside raw pyoxigraph bulk loading and rdflib's parser.

Each contender runs in its own process so that its peak RSS is its own. Prints seconds, triples
per second, peak RSS and the ratio to raw pyoxigraph, for an in-memory and an on-disk store.

    python -m bench.load --triples 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import generate

GRAPH = "https://w3id.org/aikg/graph/bench"

# Each snippet loads ``path`` (and ``store_dir`` for on-disk runs) and leaves ``count`` set.
CONTENDERS = {
    "aikg memory": """
from graph import open_graph
kg = open_graph("memory", bundled=False)
count = kg.load(path, graph=GRAPH).triples
""",
    "pyoxigraph bulk_load memory": """
from pyoxigraph import NamedNode, RdfFormat, Store
store = Store()
store.bulk_load(path=path, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(GRAPH))
count = len(store)
""",
    "aikg disk": """
from graph import open_graph
kg = open_graph(store_dir, bundled=False)
count = kg.load(path, graph=GRAPH, bulk=True).triples
""",
    "pyoxigraph bulk_load disk": """
from pyoxigraph import NamedNode, RdfFormat, Store
store = Store(store_dir)
store.bulk_load(path=path, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(GRAPH))
store.flush()
count = len(store)
""",
    "rdflib parse": """
import rdflib
g = rdflib.Graph()
g.parse(path, format="nt")
count = len(g)
""",
}

RUNNER = """
import json, resource, sys, time
path, store_dir, GRAPH = sys.argv[1], sys.argv[2], sys.argv[3]
started = time.perf_counter()
exec(sys.stdin.read())
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "count": count, "peak": peak}))
"""


def run_one(snippet: str, path: Path, workdir: Path) -> dict:
    store_dir = tempfile.mkdtemp(dir=workdir)
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, str(path), store_dir, GRAPH],
        input=snippet, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender (median)")
    parser.add_argument("--skip-rdflib", action="store_true", help="rdflib takes ~25 s per 1M")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = generate(args.triples, workdir / "industry.nt")
        print(f"{args.triples:,} triples of N-Triples ({path.stat().st_size / 1e6:.0f} MB), "
              f"median of {args.repeat} runs\n")
        results = {}
        for name, snippet in CONTENDERS.items():
            if name == "rdflib parse" and args.skip_rdflib:
                continue
            runs = [run_one(snippet, path, workdir)
                    for _ in range(1 if name.startswith("rdflib") else args.repeat)]
            assert all(r["count"] == args.triples for r in runs), (name, runs)
            results[name] = {
                "seconds": statistics.median(r["seconds"] for r in runs),
                "peak": max(r["peak"] for r in runs),
            }
    print(f"{'contender':30} {'seconds':>8} {'triples/s':>12} {'peak RSS':>10}  ratio")
    for name, r in results.items():
        base = results["pyoxigraph bulk_load " + ("disk" if "disk" in name else "memory")]
        print(f"{name:30} {r['seconds']:8.2f} {args.triples / r['seconds']:12,.0f} "
              f"{r['peak'] / 2**20:8.0f} MB  {r['seconds'] / base['seconds']:5.2f}x")


if __name__ == "__main__":
    main()
