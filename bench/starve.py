"""Cheap queries beside slow clients and heavy queries: can the greedy starve the rest?

Serves the bundled graph with ``aikg serve`` on 127.0.0.1 and measures the latency of a cheap
SPARQL query (two triple patterns: evaluated in a query worker process) sent one after another
by one client, first alone, then while ``--slow`` clients trickle half-sent requests (a byte
of head or body every second; reconnecting when cut off) and ``--heavy`` clients send queries
that run for the whole time budget (a three-way cartesian count), over and over. Prints the
cheap query's p50, p99 and worst in both phases, their ratio and what the attackers got; it
asserts nothing. The target of issue 22: the cheap p99 stays under 1 s.

    python -m bench.starve --slow 64 --heavy 8 --seconds 20
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from bench.server import AikgServer

CHEAP = ("SELECT ?label ?type WHERE { <https://w3id.org/aikg/id/baidu> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?label ; a ?type }")
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
HALF_HEAD = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
HALF_BODY = HALF_HEAD + b"Content-Length: 100000\r\n\r\nSELECT"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=64, help="slow clients")
    parser.add_argument("--heavy", type=int, default=8, help="clients sending heavy queries")
    parser.add_argument("--seconds", type=float, default=20, help="per phase")
    parser.add_argument("--budget", type=float, default=10, help="the server's --timeout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aikg-starve-") as tmp, \
            AikgServer(Path("memory"), "--timeout", str(args.budget),
                       log=Path(tmp) / "server.log") as base:
        port = int(base.rsplit(":", 1)[1])
        session = requests.Session()
        alone = _cheap(session, base, args.seconds)
        stop, outcomes = threading.Event(), Counter()
        attackers = [threading.Thread(target=_slow_client, daemon=True,
                                      args=(port, HALF_BODY if i % 2 else HALF_HEAD, stop,
                                            outcomes)) for i in range(args.slow)]
        attackers += [threading.Thread(target=_heavy_client, daemon=True,
                                       args=(base, stop, outcomes)) for _ in range(args.heavy)]
        for thread in attackers:
            thread.start()
        time.sleep(2)  # every attacker in place
        crowded = _cheap(session, base, args.seconds)
        stop.set()
    print(f"cheap query, one client; {args.slow} slow clients, {args.heavy} heavy queries, "
          f"budget {args.budget:g} s\n")
    print(f"{'phase':<24}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, (times, errors) in (("alone", alone), ("beside the attackers", crowded)):
        print(f"{name:<24}{len(times):>9}{errors:>8}{_ms(times, 50):>9.1f}{_ms(times, 99):>9.1f}"
              f"{max(times) * 1000:>9.1f}")
    print(f"\np99 beside the attackers / alone: {_ms(crowded[0], 99) / _ms(alone[0], 99):.1f}x; "
          f"target: p99 < 1000 ms")
    print("attackers got: " + ", ".join(f"{n} x {what}" for what, n in outcomes.most_common()))


def _cheap(session: requests.Session, base: str, seconds: float) -> tuple[list[float], int]:
    """Latencies of cheap queries sent one after another for ``seconds``; and the errors.
    Each query differs by a comment, so that no cached answer serves it."""
    times, errors = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        query = f"{CHEAP} # {started}"
        try:
            response = session.get(base + "/sparql", params={"query": query}, timeout=60,
                                   headers={"Accept": "application/sparql-results+json"})
            errors += response.status_code != 200
        except requests.RequestException:
            errors += 1
        times.append(time.perf_counter() - started)
    return times, errors


def _slow_client(port: int, start: bytes, stop: threading.Event, outcomes: Counter) -> None:
    """Send ``start``, then a byte a second, for ever; reconnect when cut off."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(start)
                while not stop.wait(1.0):
                    sock.sendall(b" ")
        except OSError as error:
            outcomes[f"slow client cut off ({type(error).__name__})"] += 1


def _heavy_client(base: str, stop: threading.Event, outcomes: Counter) -> None:
    while not stop.is_set():
        try:
            answer = requests.get(base + "/sparql", params={"query": HEAVY}, timeout=120)
            outcomes[f"heavy query {answer.status_code}"] += 1
        except requests.RequestException as error:
            outcomes[f"heavy query {type(error).__name__}"] += 1


def _ms(times: list[float], percent: int) -> float:
    return statistics.quantiles(times, n=100)[percent - 1] * 1000 if len(times) > 1 else 0.0


if __name__ == "__main__":
    main()
