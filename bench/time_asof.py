"""The cost of "as of" on circle lookups: the same walks with and without a day, in process.

Loads the bundled graph and a synthetic industry graph (bench.generate) into memory, then dates
half of the synthetic ecosystem edges (a reified statement with aikg:since, some with
aikg:until) so that a walk as of a day really tests and drops edges. Builds the projection and
times depth-1 and depth-2 circles of the same random companies without a day and as of a day.
Prints p50 per kind and the ratio; it asserts nothing.

    python -m bench.time_asof --triples 1000000 --lookups 200
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from graph import open_graph
from graph.network import build, circle
from ontology import AIKG, GRAPH, KG

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATED = ("investsIn", "partnerOf", "suppliesCloudTo")


def dated_statements(nt: Path, out: Path, seed: int = 7) -> int:
    """Write, for half of the dated relations' statements in ``nt``, a reified statement with a
    since (and for one in ten an until) to ``out``; return how many."""
    rng = random.Random(seed)
    count = 0
    with nt.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as dates:
        for line in lines:
            s, p, o = line.split(" ", 2)
            if p[len(AIKG) + 1:-1] not in DATED or rng.random() < 0.5:
                continue
            node = f"_:d{count}"
            year = rng.randint(2015, 2026)
            since = f'"{year}-{rng.randint(1, 12):02d}"^^<{XSD}gYearMonth>'
            dates.write(f"{node} <{RDF}type> <{RDF}Statement> .\n{node} <{RDF}subject> {s} .\n"
                        f"{node} <{RDF}predicate> {p} .\n{node} <{RDF}object> {o[:-3]} .\n"
                        f"{node} <{AIKG}since> {since} .\n")
            if rng.random() < 0.1:
                dates.write(f'{node} <{AIKG}until> "{year + 1}"^^<{XSD}gYear> .\n')
            count += 1
    return count


def p50_ms(lookup, centres) -> float:
    times = []
    for centre in centres:
        start = time.perf_counter()
        lookup(centre)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--at", nargs="+", default=["2022-06-30", "2100-12-31"],
                        help="days to walk as of; the last day keeps nearly every edge, so its "
                             "ratio is the cost of the date test itself")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aikg-asof-") as folder:
        nt = generate(args.triples, Path(folder) / "industry.nt")
        dates = Path(folder) / "dates.nt"
        n_dated = dated_statements(nt, dates)
        kg = open_graph("memory")
        kg.load(nt, graph=GRAPH + "synthetic")
        kg.load(dates, graph=GRAPH + "synthetic-dates")
    start = time.perf_counter()
    G = build(kg).graph
    built = time.perf_counter() - start
    companies = sorted(n for n in G if n.startswith(KG + "company-"))
    centres = random.Random(1).sample(companies, min(args.lookups, len(companies)))
    print(f"{args.triples:,} synthetic triples, {n_dated:,} dated edges; projection built in "
          f"{built:.1f} s; {len(centres)} lookups each")
    print(f"{'lookup':<16}{'as of':>12}{'p50 now (ms)':>14}{'p50 as of (ms)':>16}{'ratio':>8}")
    for depth in (1, 2):
        now = p50_ms(lambda c, d=depth: circle(G, c, depth=d, max_size=10_000), centres)
        for day in args.at:
            then = p50_ms(lambda c, d=depth, a=day: circle(G, c, depth=d, max_size=10_000, at=a),
                          centres)
            print(f"{'circle depth ' + str(depth):<16}{day:>12}{now:>14.2f}{then:>16.2f}"
                  f"{then / now:>8.2f}x")


if __name__ == "__main__":
    main()
