"""Relationship questions past one machine: aikg over an Oxigraph server, beside that server
asked directly and beside aikg on a local store, on the same data.

``bench.generate`` makes N triples; they go into an on-disk aikg store (with the bundled
ontology), whose ``aikg dump`` goes into an Oxigraph store served by ``oxigraph serve
--union-default-graph``. Then, one request at a time (idle), for random companies:

- aikg serving ``--store http://127.0.0.1:PORT/query`` (every question SPARQL on the server):
  circles of depth 1 and 2, paths between two companies, degree rankings (the first page, a
  page of foundation models further down);
- the Oxigraph server asked the same question in one SPARQL query where one query expresses it:
  the distinct members within one or two hops (a property path over the ecosystem relations
  both ways) and the 50 entities with most ecosystem statements (an aggregate); no single query
  gives the shortest paths;
- aikg serving the on-disk store (the whole projection in memory).

Prints p50 and p99 in ms per question and server, and how many answers were refused (400: a
walk step past its cap); asserts nothing. ``--work DIR`` keeps the stores for the next run.

    python -m bench.remote_http --triples 1000000 --requests 20 --work /tmp/remote-bench
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import requests

from bench.circles_http import _members_query
from bench.generate import generate
from bench.load_http import _pct
from bench.server import AikgServer
from bench.sparql_http import _free_port, _process
from graph import open_graph
from graph.network.remote_walks import RemoteNetwork
from ontology import AIKG, GRAPH, KG

#: Requests per question whose answer a local store caches per version (the same each time).
RANKING_REQUESTS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="companies asked about")
    parser.add_argument("--work", type=Path, help="keep the stores here between runs")
    args = parser.parse_args()
    if args.work:
        _run(args, args.work / str(args.triples))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _run(args, Path(tmp))


def _run(args: argparse.Namespace, work: Path) -> None:
    local, remote = _stores(args.triples, work)
    port = _free_port()
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    results: dict[str, dict[str, list[float] | None]] = {}
    refused: dict[str, int] = {}
    with _process([binary, "serve", "--location", str(remote), "--bind", f"127.0.0.1:{port}",
                   "--union-default-graph"], f"http://127.0.0.1:{port}/query") as endpoint:
        relations = sorted(RemoteNetwork(open_graph(endpoint)).terms.relations)
        ids = _companies(endpoint, args.requests)
        questions = _questions(ids)
        print(f"== {args.triples:,} triples, {len(relations)} ecosystem relations, "
              f"{len(ids)} companies asked about")
        with AikgServer(endpoint, "--timeout", "300") as base:
            results["aikg, remote store"] = _ask(base, questions, refused, "remote")
        results["oxigraph, one query"] = _ask(endpoint, _direct(ids, relations), refused,
                                              "oxigraph")
    with AikgServer(local, "--timeout", "300") as base:
        results["aikg, local store"] = _ask(base, questions, refused, "local")
    _report(results, refused)


def _stores(size: int, work: Path) -> tuple[Path, Path]:
    """An on-disk aikg store of ``size`` generated triples and the bundled graph, and an
    Oxigraph store holding its dump: made once per ``work`` directory."""
    local, remote = work / "aikg-store", work / "oxigraph-store"
    if not local.exists():
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        kg = open_graph(str(local))
        kg.load(generate(size, work / "industry.nt"), graph=GRAPH + "bench", bulk=True)
        del kg  # release the store's lock
        print(f"aikg store: {time.perf_counter() - started:.0f} s")
    if not remote.exists():
        started = time.perf_counter()
        dump = work / "dump.nq"
        subprocess.run([sys.executable, "-m", "service.cli", "dump", "--store", str(local),
                        "-o", str(dump)], check=True, capture_output=True)
        binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        subprocess.run([binary, "load", "--location", str(remote), "--file", str(dump)],
                       check=True, capture_output=True)
        dump.unlink()
        print(f"oxigraph store from aikg dump: {time.perf_counter() - started:.0f} s")
    return local, remote


def _companies(endpoint: str, count: int) -> list[str]:
    """The ids of ``count`` random generated companies other than the first, the largest
    hub."""
    answer = requests.get(endpoint, params={"query": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{AIKG}Company> "
        f'FILTER(STRSTARTS(STR(?c), "{KG}company-")) }}')}, timeout=600,
                          headers={"Accept": "application/sparql-results+json"})
    total = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    return [f"company-{i}" for i in random.Random(23).sample(range(1, total), count + 1)]


def _questions(ids: list[str]) -> dict[str, list[str]]:
    """The aikg requests of each question."""
    return {
        "circle depth 1": [f"/api/entities/{i}/circle" for i in ids],
        "circle depth 2": [f"/api/entities/{i}/circle?depth=2" for i in ids],
        "path (k=1, up to 4 hops)": [f"/api/paths?from={a}&to={b}"
                                     for a, b in zip(ids, ids[1:], strict=False)],
        "degree ranking, first page": ["/api/rankings?limit=50"] * RANKING_REQUESTS,
        "degree ranking, models 1001-1050": [
            "/api/rankings?type=FoundationModel&offset=1000&limit=50"] * RANKING_REQUESTS,
    }


def _direct(ids: list[str], relations: list[str]) -> dict[str, list[dict[str, str]]]:
    """The same questions as one SPARQL query each, where one query expresses them."""
    one_hop = "|".join(f"<{p}>|^<{p}>" for p in relations)
    top = (f"SELECT ?x (COUNT(*) AS ?degree) WHERE {{ VALUES ?p {{ "
           f"{' '.join(f'<{p}>' for p in relations)} }} {{ ?x ?p ?y }} UNION {{ ?y ?p ?x }} "
           "FILTER(isIRI(?y)) } GROUP BY ?x ORDER BY DESC(?degree) ?x LIMIT 50")
    return {  # posted: a query over every relation both ways is too long for a URL
        "circle depth 1": [{"query": _one_hop_query(i, one_hop)} for i in ids],
        "circle depth 2": [{"query": _members_query(i, relations)} for i in ids],
        "degree ranking, first page": [{"query": top}] * RANKING_REQUESTS,
    }


def _one_hop_query(entity: str, one_hop: str) -> str:
    return f"SELECT DISTINCT ?m WHERE {{ <{KG}{entity}> ({one_hop}) ?m }}"


def _ask(base: str, questions: Mapping[str, list[str] | list[dict[str, str]]],
         refused: dict[str, int], label: str) -> dict[str, list[float] | None]:
    """Milliseconds per answer of each question, asked one at a time after one warm-up: a
    path is got from ``base``, a form posted to it."""
    session = requests.Session()
    session.headers["Accept"] = "application/json, application/sparql-results+json"
    found: dict[str, list[float] | None] = {}
    for name, urls in questions.items():
        _timed(session, base, urls[0], lambda: None)
        times: list[float] = []
        for url in urls:
            def count(name: str = name) -> None:
                refused[f"{label} {name}"] = refused.get(f"{label} {name}", 0) + 1

            times.append(_timed(session, base, url, count))
        found[name] = times
        print(f"  {label}, {name}: p50 {statistics.median(times):.1f} ms",
              flush=True)
    return found


def _timed(session: requests.Session, base: str, asked: str | dict[str, str],
           refused: Callable[[], None]) -> float:
    started = time.perf_counter()
    response = (session.get(base + asked, timeout=600) if isinstance(asked, str)
                else session.post(base, data=asked, timeout=600))
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code == 400:  # a walk step past its cap (a hub): counted, not timed out
        refused()
    elif response.status_code not in (200, 404):  # 404: no path within the length
        raise SystemExit(f"{asked}: {response.status_code} {response.text[:300]}")
    return elapsed


def _report(results: dict[str, dict[str, list[float] | None]], refused: dict[str, int]) -> None:
    servers = list(results)
    names = list(next(iter(results.values())))
    print(f"{'question (ms)':34}" + "".join(f"{s:>26}" for s in servers))
    print(" " * 34 + "".join(f"{'p50':>13}{'p99':>13}" for _ in servers))
    for name in names:
        cells = ""
        for server in servers:
            times = results[server].get(name)
            cells += (f"{statistics.median(times):13.1f}{_pct(times, 0.99):13.1f}" if times
                      else f"{'-':>13}{'-':>13}")
        print(f"{name:34}{cells}")
    for name, count in refused.items():
        print(f"refused (400) {name}: {count}")


if __name__ == "__main__":
    main()
