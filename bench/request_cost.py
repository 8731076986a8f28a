"""What one request costs the app itself, in CPU time: aikg beside the bare Flask app
(``bench/bare_flask.py``) and, with ``--before``, beside another checkout of aikg, on the cheap
1-hop query of :mod:`bench.sparql_http`, distinct (no cache can answer) and repeated.

    python -m bench.request_cost [--before /path/to/checkout] [--rounds 3] [--requests 2000]

A WSGI call loop in a process of its own per measurement, taking turns: no server, no socket,
no wrk. CPU time (``time.process_time``) is what a busy machine disturbs least, so the ratios
hold where req/s over HTTP swings by half. aikg runs as ``aikg serve`` sets it up (JSON logs
to a null stream, metrics, ETag, CORS, the guard and the budget) with a rate limit too high to
refuse anything, so that every hook runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parents[1]
MODES = ("distinct", "repeated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout of aikg to set beside")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000, help="per measurement")
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--one", nargs=3, metavar=("APP", "MODE", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        app, mode, data = args.one
        print(json.dumps(_measure(app, mode, Path(data), args.requests)))
        return
    from bench import sparql_http

    apps = {"after": Path.cwd().resolve(), "bare": HERE}
    if args.before:
        apps = {"before": args.before.resolve(), **apps}
    costs: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.nt"
        sparql_http._write_data(data, args.triples)
        for round_ in range(args.rounds):
            for mode in MODES:
                for name, checkout in apps.items():
                    cost = _run(name, checkout, mode, data, args.requests)
                    costs.setdefault((name, mode), []).append(cost)
                    print(f"round {round_ + 1} {name} {mode}: {cost:.0f} us", flush=True)
    _report(costs, list(apps))


def _run(name: str, checkout: Path, mode: str, data: Path, requests: int) -> float:
    """One measurement in a fresh process whose imports come from ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    found = subprocess.run(
        [sys.executable, __file__, "--requests", str(requests), "--one",
         "bare" if name == "bare" else "aikg", mode, str(data)],
        cwd=checkout, env=env, capture_output=True, text=True, check=True)
    return float(json.loads(found.stdout.splitlines()[-1]))


def _report(costs: dict[tuple[str, str], list[float]], names: list[str]) -> None:
    print(f"\nCPU us per request, median of rounds; load average {os.getloadavg()[0]:.1f}")
    print("| query | " + " | ".join(names) + " | after/bare | " +
          ("after/before |" if "before" in names else ""))
    print("|---" * (len(names) + 2 + ("before" in names)) + "|")
    for mode in MODES:
        median = {n: statistics.median(costs[(n, mode)]) for n in names}
        # speed ratios: the other's cost over ours, as req/s would compare
        row = [f"{median[n]:.0f}" for n in names] + [f"{median['bare'] / median['after']:.2f}x"]
        if "before" in names:
            row.append(f"{median['before'] / median['after']:.2f}x")
        print(f"| 1-hop {mode} | " + " | ".join(row) + " |")


def _measure(app_kind: str, mode: str, data: Path, requests: int) -> float:
    """CPU microseconds per request: the median of five loops of ``requests`` requests."""
    app = _app(app_kind, data)
    companies = sum(1 for _ in _companies(data))
    text = _one_hop()
    rng, nonce = random.Random(7), itertools.count()

    def environs() -> list[dict[str, object]]:
        if mode == "repeated":
            return _environs([text % (companies // 2)] * requests)
        return _environs([text % rng.randrange(companies) + f"#r{next(nonce)}"
                          for _ in range(requests)])

    _loop(app, environs()[:200])  # warm up
    costs = []
    for _ in range(5):
        batch = environs()
        started = time.process_time()
        _loop(app, batch)
        costs.append((time.process_time() - started) / requests * 1e6)
    return statistics.median(costs)


def _app(kind: str, data: Path) -> Callable[..., Iterable[bytes]]:
    if kind == "bare":
        from bench.bare_flask import create

        return create(str(data))
    from service import create_app
    from service.observe import configure_logging

    configure_logging(open(os.devnull, "w"))  # noqa: SIM115  # for the life of the process
    app = create_app({"BUNDLED": False, "BASE_URL": "http://127.0.0.1:8000/",
                      "RATE_LIMIT": 1e9, "RATE_BURST": 10 ** 9})
    app.extensions["aikg"].load(data)
    return app


def _one_hop() -> str:
    from ontology import KG

    return f"SELECT ?p ?o WHERE {{ <{KG}company-%d> ?p ?o }}"


def _companies(data: Path) -> Iterable[str]:
    with data.open(encoding="utf-8") as lines:
        yield from (line for line in lines if "rdf-syntax-ns#type" in line and "Company>" in line)


def _environs(texts: list[str]) -> list[dict[str, object]]:
    from werkzeug.test import EnvironBuilder

    return [EnvironBuilder(path="/sparql", query_string="query=" + quote(text, safe=""),
                           headers={"Accept": "application/sparql-results+json",
                                    "Host": "127.0.0.1:8000"}).get_environ()
            for text in texts]


def _loop(app: Callable[..., Iterable[bytes]], environs: list[dict[str, object]]) -> None:
    def start_response(*_args: object) -> None:
        return None

    for environ in environs:
        body = app(dict(environ), start_response)
        b"".join(body)
        close = getattr(body, "close", None)
        if close is not None:
            close()


if __name__ == "__main__":
    main()
