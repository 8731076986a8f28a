"""The cost of a set-valued union default graph (graph/store/unionset.py) beside aikg without it.

One N-Quads file of the synthetic industry graph (``bench/generate.py``) spread over 20 source
graphs, with one triple in ten held by a second source as well, goes into a fresh store by the
code of two checkouts, each in its own process: this one (the fix) and another (``--today``,
by default /work/main, or a checkout of the commit before the fix). Each process prints, for a
memory and an on-disk store: load seconds, peak RSS, the store's size on disk, the median
latency of small writes (``INSERT DATA``, ``DELETE DATA``, a ``DELETE/INSERT WHERE`` on one
entity of a source graph) and of queries through ``KnowledgeGraph.query``, and how many rows a
query over shared triples returns (the fix's answer is the right one).

    python -m bench.union_set --triples 1000000 --today /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import triples

GRAPH = "https://w3id.org/aikg/graph/bench-"
SOURCES = 20
PREFIXES = ("PREFIX aikg: <https://w3id.org/aikg/ontology#> PREFIX kg: <https://w3id.org/aikg/id/> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
#: (name, query, runs): lookups, a join, a scan and GRAPH ?g.
QUERIES = [
    ("labels of one entity", "SELECT ?l WHERE { kg:company-321 rdfs:label ?l }", 200),
    ("one hop: investors", "SELECT ?x WHERE { ?x aikg:investsIn kg:company-321 }", 200),
    ("two hops", "SELECT ?p WHERE { ?p aikg:poweredBy ?m . ?m aikg:developedBy kg:company-123 }",
     200),
    ("entity in its graphs", "SELECT ?g ?p ?o WHERE { GRAPH ?g { kg:company-321 ?p ?o } }", 200),
    ("count by class", "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t", 3),
    ("count of labels", "SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l }", 3),
]
WRITES = 20


def write_nquads(count: int, path: Path) -> int:
    """``count`` triples spread over the source graphs, one in ten in a second graph too."""
    quads = 0
    with path.open("w", encoding="utf-8") as out:
        for i, line in enumerate(triples()):
            if i == count:
                break
            body = line[:-1].rstrip()
            out.write(f"{body} <{GRAPH}{i % SOURCES}> .\n")
            quads += 1
            if i % 10 == 0:
                out.write(f"{body} <{GRAPH}{(i + 7) % SOURCES}> .\n")
                quads += 1
    return quads


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(data: Path, kind: str, workdir: Path) -> dict:
    """In this process: load ``data`` into a ``kind`` store (memory or disk) and time it all."""
    from graph import open_graph

    location = "memory" if kind == "memory" else str(workdir / "store")
    kg = open_graph(location, bundled=False)
    started = time.perf_counter()
    kg.load(data, format="nquads", bulk=kind == "disk")
    figures: dict[str, object] = {"load s": time.perf_counter() - started,
                                  "peak RSS MB": resource.getrusage(
                                      resource.RUSAGE_SELF).ru_maxrss / 1024}
    if kind == "disk":
        figures["disk MB"] = sum(f.stat().st_size for f in Path(location).rglob("*")
                                 if f.is_file()) / 1e6
    counter = iter(range(10**9))

    def insert() -> None:
        kg.update(f'{PREFIXES} INSERT DATA {{ GRAPH <{GRAPH}3> {{ kg:company-7 rdfs:comment '
                  f'"note {next(counter)}" }} }}')

    def delete() -> None:
        kg.update(f'{PREFIXES} DELETE DATA {{ GRAPH <{GRAPH}3> {{ kg:company-7 rdfs:comment '
                  f'"note {next(counter) - WRITES}" }} }}')

    def rename() -> None:
        kg.update(f"{PREFIXES} DELETE {{ GRAPH <{GRAPH}1> {{ kg:company-1 rdfs:label ?l }} }} "
                  f"INSERT {{ GRAPH <{GRAPH}1> {{ kg:company-1 rdfs:label ?l }} }} "
                  f"WHERE {{ GRAPH <{GRAPH}1> {{ kg:company-1 rdfs:label ?l }} }}")

    figures["INSERT DATA ms"] = median_ms(insert, WRITES)
    figures["DELETE DATA ms"] = median_ms(delete, WRITES)
    figures["DELETE/INSERT WHERE ms"] = median_ms(rename, 3)
    for name, sparql, runs in QUERIES:
        figures[f"{name} ms"] = median_ms(lambda q=PREFIXES + sparql: kg.query(q), runs)
    figures["rows: labels counted"] = int(kg.query(PREFIXES + QUERIES[-1][1]).rows[0][0].value)
    return figures


def run(code: Path, data: Path, kind: str) -> dict:
    """:func:`measure` in a child process running the checkout ``code``."""
    with tempfile.TemporaryDirectory(prefix="aikg-union-") as workdir:
        result = subprocess.run(  # this file, with the graph package of ``code``
            [sys.executable, __file__, "--measure", str(data), "--kind", kind,
             "--workdir", workdir], cwd=code, capture_output=True, text=True, check=False,
            env={**os.environ, "PYTHONPATH": str(code)})
    if result.returncode:
        raise SystemExit(f"{code} {kind}: {result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--today", type=Path, default=Path("/work/main"),
                        help="a checkout of aikg without the fix")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="memory", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.kind, args.workdir)))
        return
    fix = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="aikg-union-data-") as folder:
        data = Path(folder) / "industry.nq"
        quads = write_nquads(args.triples, data)
        print(f"{args.triples:,} triples as {quads:,} quads in {SOURCES} graphs; "
              f"today: {args.today}, fix: {fix}")
        for kind in ("memory", "disk"):
            today, fixed = run(args.today, data, kind), run(fix, data, kind)
            print(f"\n{kind} store\n| figure | today | fix | fix/today |\n|---|---|---|---|")
            for name, value in today.items():
                ratio = fixed[name] / value if value else float("nan")
                print(f"| {name} | {value:,.2f} | {fixed[name]:,.2f} | {ratio:.2f}x |")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
