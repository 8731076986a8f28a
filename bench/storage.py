"""Storage benchmark: `aikg load` beside `oxigraph load`, and query latency on disk beside memory.

Both loaders run as child processes on the same N-Triples file into fresh on-disk stores, in
turns; each one's wall time and peak RSS come from ``os.wait4``. Then the same queries run
through ``KnowledgeGraph.query`` on an on-disk and an in-memory store holding the same triples,
and the median latency of each is printed with the ratio.

    python -m bench.storage --triples 10000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from graph import open_graph
from ontology import AIKG, KG

GRAPH = "https://w3id.org/aikg/graph/bench"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"

LOADERS = {
    "oxigraph load": lambda f, d: [str(OXIGRAPH), "load", "--location", d, "--file", f,
                                   "--graph", GRAPH],
    "aikg load": lambda f, d: [sys.executable, "-m", "service.cli", "load", f, "--store", d,
                               "--graph", GRAPH],
}

PREFIXES = f"PREFIX aikg: <{AIKG}> PREFIX kg: <{KG}> " \
           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
#: Query shapes of the relationship API and the SPARQL page: (name, query, runs).
QUERIES = [
    ("labels of one entity", "SELECT ?l WHERE { kg:company-321 rdfs:label ?l }", 200),
    ("entity by exact label", 'SELECT ?s WHERE { ?s rdfs:label "Model 777"@en }', 200),
    ("one hop: investors", "SELECT ?x WHERE { ?x aikg:investsIn kg:company-321 }", 200),
    ("two hops: products on its models",
     "SELECT ?p WHERE { ?p aikg:poweredBy ?m . ?m aikg:developedBy kg:company-123 }", 200),
    ("hub: investees of company-0", "SELECT ?x WHERE { kg:company-0 aikg:investsIn ?x }", 20),
    ("count by class", "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t", 5),
]


def run_loader(command: list[str]) -> dict:
    """Run one loader to its end; its wall time and peak RSS (bytes), from ``os.wait4``."""
    with tempfile.TemporaryFile() as log:  # progress output: a pipe could fill and block
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=log,
                                   env={**os.environ, "PYTHONPATH": str(Path.cwd())})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            log.seek(0)
            sys.exit(f"{command[0]} failed: {log.read().decode()[-2000:]}")
    return {"seconds": seconds, "peak": usage.ru_maxrss * 1024}


def compare_loaders(path: Path, triples: int, workdir: Path, repeat: int) -> dict[str, dict]:
    runs: dict[str, list[dict]] = {name: [] for name in LOADERS}
    for _ in range(repeat):
        for name, command in LOADERS.items():  # in turns, so drift in load hits both
            store = workdir / name.replace(" ", "-")
            shutil.rmtree(store, ignore_errors=True)
            runs[name].append(run_loader(command(str(path), str(store))))
            kg = open_graph(str(store), bundled=False)
            loaded = kg.graph_sizes().get(GRAPH)
            del kg
            assert loaded == triples, (name, loaded)
    return {name: {"seconds": statistics.median(r["seconds"] for r in rs),
                   "peak": max(r["peak"] for r in rs)} for name, rs in runs.items()}


def query_latency(path: Path, store_dir: Path) -> dict[str, dict[str, float]]:
    """Median seconds of each query on the on-disk store and on an in-memory copy."""
    stores = {"disk": open_graph(str(store_dir), bundled=False),
              "memory": open_graph("memory", bundled=False)}
    stores["memory"].load(path, graph=GRAPH)
    medians: dict[str, dict[str, float]] = {}
    for name, sparql, runs in QUERIES:
        medians[name] = {}
        for backend, kg in stores.items():
            assert len(kg.query(PREFIXES + sparql)), (name, backend)  # warms the caches too
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                kg.query(PREFIXES + sparql)
                times.append(time.perf_counter() - started)
            medians[name][backend] = statistics.median(times)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per loader (median)")
    parser.add_argument("--query-triples", type=int, default=1_000_000,
                        help="size of the stores for query latency (memory holds them all)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where files and stores go (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        path = generate(args.triples, workdir / "industry.nt")
        print(f"{args.triples:,} triples of N-Triples ({path.stat().st_size / 1e6:,.0f} MB) "
              f"into an on-disk store, {os.cpu_count()} cores, median of {args.repeat}\n")
        results = compare_loaders(path, args.triples, workdir, args.repeat)
        base = results["oxigraph load"]
        print(f"{'loader':16} {'seconds':>8} {'triples/s':>12} {'peak RSS':>10}  time ratio")
        for name, r in results.items():
            print(f"{name:16} {r['seconds']:8.1f} {args.triples / r['seconds']:12,.0f} "
                  f"{r['peak'] / 2**20:7,.0f} MB  {r['seconds'] / base['seconds']:5.2f}x")

        small = generate(args.query_triples, workdir / "query.nt")
        store = workdir / "query-store"
        run_loader(LOADERS["aikg load"](str(small), str(store)))
        print(f"\nquery latency, median, {args.query_triples:,} triples "
              "(KnowledgeGraph.query, results held in memory)\n")
        print(f"{'query':34} {'disk ms':>9} {'memory ms':>10}  disk/memory")
        for name, m in query_latency(small, store).items():
            print(f"{name:34} {m['disk'] * 1e3:9.2f} {m['memory'] * 1e3:10.2f}  "
                  f"{m['disk'] / m['memory']:6.2f}x")


if __name__ == "__main__":
    main()
