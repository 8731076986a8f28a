"""SPARQL over HTTP, two checkouts of aikg side by side: the same data, the same server shape,
taking turns, so that a change's cost shows beside the code before it on one busy machine.

    python -m bench.checkouts_http --before /path/to/old/checkout [--after .] [--rounds 2]

Each round serves each checkout in turn (``aikg serve --workers 2 --threads 8``, data in
memory) and drives the cheap cells of :mod:`bench.sparql_http` with wrk; prints req/s per
round and the ratio of the medians. Needs wrk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import sparql_http

CELLS = [(query, distinct) for query in ("1-hop", "1-hop+labels") for distinct in (True, False)]


@contextmanager
def served(checkout: Path, data: Path) -> Iterator[str]:
    """``aikg serve`` of ``checkout``'s code over ``data``."""
    port = sparql_http._free_port()
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--data",
               str(data), "--workers", "2", "--threads", "8"]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    here = Path.cwd()
    os.chdir(checkout)  # `python -m` puts the working directory before PYTHONPATH
    try:
        with sparql_http._process(command, f"http://127.0.0.1:{port}/sparql", env) as endpoint:
            yield endpoint
    finally:
        os.chdir(here)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=Path("."))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--triples", type=int, default=100_000)
    args = parser.parse_args()
    checkouts = {"before": args.before.resolve(), "after": args.after.resolve()}
    rates: dict[tuple[str, str, bool], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.nt"
        companies = sparql_http._write_data(data, args.triples)
        for round_ in range(args.rounds):
            for name, checkout in checkouts.items():
                with served(checkout, data) as endpoint:
                    for query, distinct in CELLS:
                        rate = sparql_http._wrk(endpoint, sparql_http.QUERIES[query], distinct,
                                                companies, args)[0]
                        rates.setdefault((name, query, distinct), []).append(rate)
                        print(f"round {round_ + 1} {name} {query} "
                              f"{'distinct' if distinct else 'repeated'}: {rate:,.0f} req/s",
                              flush=True)
    print("\n| cell | before req/s | after req/s | after/before (medians) |\n|---|---|---|---|")
    for query, distinct in CELLS:
        before, after = rates[("before", query, distinct)], rates[("after", query, distinct)]
        print(f"| {query} {'distinct' if distinct else 'repeated'} | "
              f"{', '.join(f'{r:,.0f}' for r in before)} | {', '.join(f'{r:,.0f}' for r in after)}"
              f" | {statistics.median(after) / statistics.median(before):.2f}x |")


if __name__ == "__main__":
    main()
