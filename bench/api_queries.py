"""What the query executor costs the API's cheap templated queries.

Serves the bundled graph with ``aikg serve`` on 127.0.0.1 (one process) and sends each kind of
request from one client, one after another: an entity's details, its page, a search, a
reconciliation query and a cheap ``/sparql`` query, each time about another entity. Prints
p50 and p99 per kind and the SPARQL queries each request ran (from its ``Server-Timing``
header); with ``--compare``, the same with ``--query-workers 0`` (every query in the request
thread, no memory budget) and the ratio. It asserts nothing.

    python -m bench.api_queries --requests 200 --compare

Run it on a branch before and after a change to the query path: the figures of one run move
with the machine's load, the ratio less.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

import requests

from bench.server import AikgServer

#: (name, method, path, form body or None); ENTITYID and ENTITYNAME take another entity's each
#: time, so that no answer comes from a cache.
REQUESTS = [
    ("entity details", "GET", "/api/entities/ENTITYID", None),
    ("entity page", "GET", "/id/ENTITYID", None),
    ("search", "GET", "/api/entities?q=ENTITYNAME", None),
    ("reconcile, 1 query", "POST", "/reconcile", {"queries": '{"q0": {"query": "ENTITYNAME"}}'}),
    ("sparql, cheap", "GET", "/sparql?query=" + requests.utils.quote(
        "SELECT ?l WHERE { <https://w3id.org/aikg/id/ENTITYID> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l ; a ?t }"), None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind")
    parser.add_argument("--compare", action="store_true",
                        help="also serve with --query-workers 0 and print the ratio")
    args = parser.parse_args()
    runs = {"workers": _run(args.requests, ())}
    if args.compare:
        runs["in thread"] = _run(args.requests, ("--query-workers", "0"))
    print(f"{'request':24} " + " ".join(f"{name + ' p50/p99 ms':>26}" for name in runs)
          + "  queries" + ("  p50 ratio" if args.compare else ""))
    for name, *_ in REQUESTS:
        cells = [f"{runs[r][name][0]:12.1f} {runs[r][name][1]:12.1f} " for r in runs]
        line = f"{name:24} " + " ".join(cells) + f"  {runs['workers'][name][2]:7}"
        if args.compare:
            line += f"  {runs['workers'][name][0] / runs['in thread'][name][0]:9.2f}x"
        print(line)


def _run(count: int, options: tuple[str, ...]) -> dict[str, tuple[float, float, int]]:
    figures = {}
    with tempfile.TemporaryDirectory() as scratch, \
            AikgServer("memory", "--workers", "1", *options,
                       log=Path(scratch) / "log") as base:
        session = requests.Session()
        entities = [(e["id"], e["label_en"]) for offset in range(0, count + 10, 100)
                    for e in session.get(f"{base}/api/entities?limit=100&offset={offset}"
                                         ).json()["data"]]
        for name, method, path, form in REQUESTS:
            times, queries = [], 0
            for i, (entity, label) in enumerate(entities[:count + 10]):  # ten to warm up
                url = path.replace("ENTITYID", entity).replace(
                    "ENTITYNAME", requests.utils.quote(label))
                data = None if form is None else {k: v.replace("ENTITYNAME", json.dumps(
                    label)[1:-1]) for k, v in form.items()}
                started = time.perf_counter()
                response = session.request(
                    method, base + url, data=data,
                    headers={"Accept": "text/html"} if path.startswith("/id/") else None)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                if i >= 10:
                    times.append(elapsed * 1000)
                found = re.search(r'desc="(\d+) quer', response.headers.get("Server-Timing", ""))
                queries = int(found.group(1)) if found else 0
            times.sort()
            figures[name] = (statistics.median(times), times[int(len(times) * 0.99) - 1],
                             queries)
    return figures


if __name__ == "__main__":
    main()
