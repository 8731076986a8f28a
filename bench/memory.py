"""Memory of each server process: ``aikg serve --workers N`` over a big in-memory graph.

Generates a synthetic industry graph (bench.generate) unless the file exists, serves it with
``aikg serve --workers N --data FILE`` on 127.0.0.1, and reads each process's memory from
``/proc/PID/smaps_rollup`` (RSS; PSS, its share of the pages it shares; and the pages it shares
or holds alone) twice: once started, and once every server process has answered circles, a
ranking and searches (each process in turn, the others stopped meanwhile), which make what a
process keeps beside the projection. The gunicorn parent holds the graph and the projection
built before the fork; the server processes share those pages until they write to them (a
reference count is a write). Asserts nothing.

    python -m bench.memory --triples 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path
from urllib.parse import quote

import requests

from bench.generate import generate
from bench.server import AikgServer

FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty")


def memory(pid: int) -> dict[str, int]:
    """The process's memory in MiB, by the fields of ``smaps_rollup``."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in FIELDS:
            found[name] = int(rest.split()[0]) // 1024
    return found


def children(pid: int) -> list[int]:
    """The direct children of ``pid``, in the order they started."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def report(label: str, master: int) -> None:
    """One row per process of the server: the gunicorn parent, each server process and the
    query workers each of them forked; and the sum of the PSS, the memory they use together."""
    print(f"\n{label}")
    print(f"  {'process':<24}" + "".join(f"{name:>15}" for name in FIELDS))
    total = 0
    rows = [("parent", master)]
    for n, worker in enumerate(children(master), 1):
        rows.append((f"server process {n}", worker))
        rows += [("  its query worker", q) for q in children(worker)]
    for name, pid in rows:
        try:
            found = memory(pid)
        except OSError:
            continue
        total += found["Pss"]
        print(f"  {name:<24}" + "".join(f"{found[f]:>11} MiB" for f in FIELDS))
    print(f"  {'all (sum of PSS)':<24}{total:>26} MiB")


def warm(base: str, workers: list[int], companies: int, rounds: int) -> None:
    """In each server process in turn, circles, a ranking and searches, ``rounds`` of each;
    the other processes are stopped meanwhile (SIGSTOP, a few seconds), so that this one
    answers."""
    kinds = {
        "circle depth 2": lambda k: f"/api/entities/company-{(k * 7919) % companies}/circle"
                                    "?depth=2",
        "ranking (degree)": lambda k: f"/api/rankings?metric=degree&offset={k * 20}",
        "search": lambda k: f"/api/entities?q={quote(f'Company {k}')}",
    }
    for n, answering in enumerate(workers, 1):
        others = [w for w in workers if w != answering]
        for kind, path in kinds.items():
            for pid in others:
                os.kill(pid, signal.SIGSTOP)
            try:
                started = time.perf_counter()
                for k in range(rounds):
                    requests.get(base + path(k), headers={"Connection": "close"},
                                 timeout=600).raise_for_status()
                print(f"  server process {n}: {kind:<18} {rounds} requests in "
                      f"{time.perf_counter() - started:5.1f} s")
            finally:
                for pid in others:
                    os.kill(pid, signal.SIGCONT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4,
                        help="requests of each kind per server process")
    parser.add_argument("--data", type=Path, default=None,
                        help="the N-Triples file [default: /tmp/aikg-bench-TRIPLES.nt, made "
                             "if missing]")
    args = parser.parse_args()
    data = args.data or Path(f"/tmp/aikg-bench-{args.triples}.nt")
    if not data.exists():
        generate(args.triples, data)
    companies = args.triples // 30  # about 30 statements per company and what it makes
    server = AikgServer(Path("memory"), "--workers", str(args.workers), "--threads", "4",
                        "--data", str(data))
    started = time.perf_counter()
    with server as base:
        master = server.process.pid
        deadline = time.monotonic() + 120
        while len(children(master)) < args.workers and time.monotonic() < deadline:
            time.sleep(0.5)
        workers = children(master)
        print(f"aikg serve --workers {args.workers} --data {data}: up in "
              f"{time.perf_counter() - started:.1f} s")
        report("started", master)
        print("\nwarming")
        warm(base, workers, companies, args.rounds)
        report("after circles, a ranking and searches in every server process", master)


if __name__ == "__main__":
    main()
