"""SPARQL over HTTP: aikg beside the Oxigraph server and rdflib-endpoint, on the same data and
queries, in one run. Prints req/s, p50 and p99 per cell, and aikg's ratios to the others.

    python -m bench.sparql_http                     # 100k triples, 10 s per cell
    python -m bench.sparql_http --triples 20000 --seconds 3 --aikg 1x4,1x8,1x16,2x8
    python -m bench.sparql_http --aikg 1x8d,2x8d --only-aikg    # aikg over an on-disk store

Each server runs on 127.0.0.1 with the data in memory (aikg: or on disk, with ``d``); wrk
(Debian package ``wrk``) drives it
with 16 connections. Cells: a 1-hop query (one pattern), a 1-hop query with labels (two) and
an aggregate, each *distinct* (every request another entity and another text, so no cache can
answer) and *repeated* (one text). Before the HTTP runs, it measures in process what aikg's
killable query workers cost a cheap query. A bare Flask app over pyoxigraph under gunicorn
(``bench/bare_flask.py``) shows the limit of the Python stack.
Needs ``pip install '.[bench]'`` (rdflib-endpoint, oxigraph).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from graph import open_graph
from graph.store.executor import Executor
from ontology import AIKG, KG

QUERIES = {
    # One triple pattern: aikg evaluates it in the request thread (graph.sparql.guard.is_bounded).
    "1-hop": f"SELECT ?p ?o WHERE {{ <{KG}company-%d> ?p ?o }}",
    # Two patterns: aikg evaluates it in a worker process that the budget can kill.
    "1-hop+labels": f"SELECT ?o ?label WHERE {{ <{KG}company-%d> ?p ?o . ?o "
                    f"<http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
    "aggregate": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
}
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
# Distinct requests put another company number and a comment nonce into the text.
_WRK_SCRIPT = """
local path, distinct, n = "PATH", DISTINCT, COMPANIES
local counter = 0
function setup(thread) thread:set("id", math.random(0, 1000000)) end
function init(args) counter = id * 7919 end
function request()
  counter = counter + 1
  local p = path
  if distinct then
    p = path:gsub("%%25d", tostring(counter % n)) .. "%23r" .. counter .. "t" .. id
  end
  return wrk.format("GET", p, {Accept = "application/sparql-results+json"})
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="duration of each cell")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--aikg", default="1x8,2x8,1x8w0",
                        help="aikg configurations, comma-separated: PROCESSESxTHREADS, then wN for "
                             "N query workers per process (default 4; w0: in the request thread), "
                             "g to serve with granian instead of gunicorn (2x8g) and d for an "
                             "on-disk store (default: in memory)")
    parser.add_argument("--only-aikg", action="store_true",
                        help="run the aikg configurations only, not the other servers")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.nt"
        companies = _write_data(data, args.triples)
        print(f"data: {args.triples:,} triples, {companies:,} companies; "
              f"{args.connections} connections, {args.seconds} s per cell; cpus: {os.cpu_count()}")
        _worker_cost(data, companies)
        results: dict[str, dict[str, tuple[float, float, float]]] = {}
        for config in args.aikg.split(","):
            shape, _, query_workers = config.rstrip("dg").partition("w")
            workers, threads = (int(n) for n in shape.split("x"))
            server = "granian" if "g" in config else "gunicorn"
            store = Path(folder) / "store" if "d" in config else None
            with _aikg(data, workers, threads, int(query_workers or 4), server, store) as url:
                # a configuration given again (alternated with another) gets a row of its own
                name = f"aikg {config}"
                runs = sum(key.split(" #")[0] == name for key in results)
                results[f"{name} #{runs + 1}" if runs else name] = _cells(url, companies, args)
        if args.only_aikg:
            _report(results)
            return
        with _oxigraph(data) as url:
            results["oxigraph serve"] = _cells(url, companies, args)
        with _bare_flask(data) as url:
            results["bare Flask, 2 proc"] = _cells(url, companies, args)
        if _binary("granian"):
            for app in ("aikg", "bare"):
                with _granian(data, app) as url:
                    results[f"{app}, granian 2 proc"] = _cells(url, companies, args)
        if _binary("rdflib-endpoint"):
            with _rdflib_endpoint(data) as url:
                results["rdflib-endpoint"] = _cells(url, companies, args)
    _report(results)


def _write_data(path: Path, n_triples: int) -> int:
    """A deterministic synthetic industry: companies with labels, investors, partners,
    models and products. Returns the number of companies."""
    rng = random.Random(42)
    lines, company = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while lines < n_triples:
            me = f"<{KG}company-{company}>"
            block = [f"{me} {_TYPE} <{AIKG}Company> .", f'{me} {_LABEL} "Company {company}"@en .',
                     f'{me} {_LABEL} "公司{company}"@zh .']
            for other in {rng.randrange(company) for _ in range(3)} if company else ():
                block.append(f"{me} <{AIKG}partnerOf> <{KG}company-{other}> .")
                block.append(f"<{KG}company-{int(rng.paretovariate(1.2)) % company}> "
                             f"<{AIKG}investsIn> {me} .")
            for m in range(rng.randint(1, 3)):
                model = f"<{KG}model-{company}-{m}>"
                block += [f"{model} {_TYPE} <{AIKG}FoundationModel> .",
                          f"{model} <{AIKG}developedBy> {me} .", f'{model} {_LABEL} "M{m}"@en .']
            block = block[:n_triples - lines]
            out.write("\n".join(block) + "\n")
            lines += len(block)
            company += 1
    return company


def _worker_cost(data: Path, companies: int, n: int = 2000) -> None:
    """Microseconds per cheap query in process: in the request thread vs. in a worker."""
    kg = open_graph("memory", bundled=False)
    kg.load(data, graph=KG + "bench")
    for workers in (0, 4):
        executor = Executor(kg, workers=workers, cache_bytes=0)
        executor.query(QUERIES["1-hop+labels"] % 1, fmt="json", timeout=10)
        started = time.perf_counter()
        for i in range(n):
            executor.query(QUERIES["1-hop+labels"] % (i % companies), fmt="json", timeout=10)
        cost = (time.perf_counter() - started) / n * 1e6
        executor.close()
        where = "in the request thread" if workers == 0 else "in a worker process"
        print(f"1-hop+labels query {where}: {cost:.0f} us (evaluate + serialize JSON)")


def _cells(endpoint: str, companies: int, args) -> dict[str, tuple[float, float, float]]:
    out = {}
    for query_name, text in QUERIES.items():
        for mode in ("distinct", "repeated"):
            out[f"{query_name} {mode}"] = _wrk(endpoint, text, mode == "distinct", companies, args)
            print(f"  {endpoint} {query_name} {mode}: {out[f'{query_name} {mode}'][0]:,.0f} req/s",
                  flush=True)
    return out


def _wrk(endpoint: str, text: str, distinct: bool, companies: int, args
         ) -> tuple[float, float, float]:
    """(req/s, p50 ms, p99 ms) of wrk against the SPARQL ``endpoint`` for ``text``."""
    url, _, path = endpoint.partition("//")[2].partition("/")
    url = "http://" + url
    one = text.replace("%d", str(companies // 2))  # an entity of ordinary degree
    encoded = f"/{path}?query=" + quote(text if distinct else one, safe="")
    script = (_WRK_SCRIPT.replace("DISTINCT", str(distinct).lower())
              .replace("COMPANIES", str(companies)).replace("PATH", encoded))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        subprocess.run(["wrk", "-t2", f"-c{args.connections}", "-d2s", "-s", lua.name, url],
                       capture_output=True, check=True)  # warm up
        run = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s",
                              "--timeout", "30s", "--latency", "-s", lua.name, url],
                             capture_output=True, text=True, check=True)
    finally:
        os.unlink(lua.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    if errors:
        print(f"  warning: {errors.group(1)} error responses from {url}", file=sys.stderr)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))
    return rate, _percentile(run.stdout, "50"), _percentile(run.stdout, "99")


def _percentile(output: str, which: str) -> float:
    value, unit = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


@contextmanager
def _process(command: list[str], endpoint: str, env: dict | None = None) -> Iterator[str]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(endpoint + "?query=ASK%7B%7D", timeout=5)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()


def _post(url: str, data: Path, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, data=data.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/n-triples", **headers})
    urllib.request.urlopen(request, timeout=300).read()


@contextmanager
def _aikg(data: Path, workers: int, threads: int, query_workers: int,
          server: str, store: Path | None = None) -> Iterator[str]:
    """``aikg serve`` read-only with the data in memory, or in the on-disk ``store`` (loaded
    with ``aikg load`` the first time): ``workers`` processes of ``threads`` request threads
    and ``query_workers`` query processes, on ``server`` (gunicorn, granian)."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    if store is not None and not store.exists():
        subprocess.run([sys.executable, "-m", "service.cli", "load", str(data), "--store",
                        str(store)], check=True, env=env, stdout=subprocess.DEVNULL)
    source = ["--data", str(data)] if store is None else ["--store", str(store)]
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *source,
               "--workers", str(workers), "--threads", str(threads),
               "--query-workers", str(query_workers), "--server", server]
    with _process(command, f"http://127.0.0.1:{port}/sparql", env) as endpoint:
        yield endpoint


@contextmanager
def _oxigraph(data: Path) -> Iterator[str]:
    port = _free_port()
    binary = _binary("oxigraph") or "oxigraph"
    with _process([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                  f"http://127.0.0.1:{port}/query") as endpoint:
        _post(f"http://127.0.0.1:{port}/store?default", data, {})
        yield endpoint


@contextmanager
def _bare_flask(data: Path) -> Iterator[str]:
    """The stack's limit: bench/bare_flask.py under gunicorn with 2 (sync) workers."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
               f"bench.bare_flask:create({str(data)!r})"]
    with _process(command, f"http://127.0.0.1:{port}/sparql", env) as endpoint:
        yield endpoint


@contextmanager
def _granian(data: Path, app: str) -> Iterator[str]:
    """aikg or the bare app under granian with 2 processes (bench/granian_apps.py)."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           "BENCH_DATA": str(data)}
    binary = _binary("granian") or "granian"
    command = [binary, "--interface", "wsgi", "--factory", "--workers", "2", "--host",
               "127.0.0.1", "--port", str(port), "--blocking-threads", "8",
               f"bench.granian_apps:{app}"]
    with _process(command, f"http://127.0.0.1:{port}/sparql", env) as endpoint:
        yield endpoint


@contextmanager
def _rdflib_endpoint(data: Path) -> Iterator[str]:
    port = _free_port()
    binary = _binary("rdflib-endpoint") or "rdflib-endpoint"
    with _process([binary, "serve", str(data), "--host", "127.0.0.1", "--port", str(port)],
                  f"http://127.0.0.1:{port}/") as endpoint:
        yield endpoint


def _binary(name: str) -> str | None:
    """The installed command ``name`` (on PATH or beside this Python), None if missing."""
    beside = Path(sys.executable).with_name(name)
    return shutil.which(name) or (str(beside) if beside.exists() else None)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _report(results: dict[str, dict[str, tuple[float, float, float]]]) -> None:
    cells = list(next(iter(results.values())))
    print(f"\n{'server':<22}" + "".join(f"{c:>28}" for c in cells))
    print(" " * 22 + "".join(f"{'req/s  p50  p99 ms':>28}" for _ in cells))
    for name, row in results.items():
        print(f"{name:<22}" + "".join(
            f"{row[c][0]:>12,.0f} {row[c][1]:>6.1f} {row[c][2]:>7.1f}" for c in cells))
    aikg = [name for name in results if name.startswith("aikg ")]
    for name in aikg:
        row = results[name]
        # each to the other servers, and to the first aikg configuration (1 process to 2...)
        for other in ("bare Flask, 2 proc", "oxigraph serve", "rdflib-endpoint", *aikg[:1]):
            if other == name or other not in results:  # not installed
                continue
            ratios = ", ".join(f"{c} {_ratio(row[c][0], results[other][c][0])}" for c in cells)
            print(f"{name} / {other}: {ratios}")


def _ratio(mine: float, theirs: float) -> str:
    """How many times ``theirs`` ``mine`` is; n/a when they answered nothing in the time."""
    return f"{mine / theirs:.2f}x" if theirs else "n/a"


if __name__ == "__main__":
    main()
