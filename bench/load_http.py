"""Load test over HTTP: a mixed read workload on many connections while updates land every second.

Generates a synthetic industry graph (bench.generate), loads it with ``aikg load`` into an
on-disk store (or, with ``--store memory``, has ``aikg serve --data`` load it) with a block of
``--block`` statements in graph L, serves it with ``aikg serve --token`` on 127.0.0.1 and drives
six kinds of read at ``--connections`` connections for
``--duration`` seconds: one ``wrk`` per kind (or a Python thread per connection when wrk is not
installed). Meanwhile a writer moves the whole block between graphs L and R in one
DELETE/INSERT update sent every second on the clock, and a checker reads the count in both
graphs: any answer other than (block, 0) or (0, block) is a read that saw a half-applied
update. Prints per kind the requests, errors, p50 and p99; it asserts nothing.

    python -m bench.load_http --triples 1000000 --connections 64 --duration 60
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import requests

from bench.generate import generate
from bench.server import AikgServer
from ontology import GRAPH

TOKEN = "load-test-token"
LEFT, RIGHT = "urn:bench:left", "urn:bench:right"
COUNTS = ("SELECT (SUM(IF(?g = <urn:bench:left>, 1, 0)) AS ?l) "
          "(SUM(IF(?g = <urn:bench:right>, 1, 0)) AS ?r) "
          "WHERE { VALUES ?g { <urn:bench:left> <urn:bench:right> } GRAPH ?g { ?s ?p ?o } }")
MOVE = ("DELETE {{ GRAPH <{a}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{b}> {{ ?s ?p ?o }} }} "
        "WHERE {{ GRAPH <{a}> {{ ?s ?p ?o }} }}")
KG = "https://w3id.org/aikg/id/"
AIKG = "https://w3id.org/aikg/ontology#"


def workload(companies: int, n: int = 200) -> dict[str, list[str]]:
    """Each kind of read and ``n`` request paths for it, over the first ``companies``."""
    ids = [f"company-{(i * 7919) % companies}" for i in range(n)]
    sparql = lambda q: "/sparql?query=" + quote(q)  # noqa: E731
    return {
        "sparql cheap": [sparql(f"SELECT ?l WHERE {{ <{KG}{i}> "
                                "<http://www.w3.org/2000/01/rdf-schema#label> ?l }") for i in ids],
        "sparql aggregate": [sparql(f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ ?c <{AIKG}investsIn> "
                                    f"?x }} GROUP BY ?c ORDER BY DESC(?n) LIMIT {k % 10 + 5}")
                             for k in range(n)],
        "entity": [f"/api/entities/{i}" for i in ids],
        "circle depth 2": [f"/api/entities/{i}/circle?depth=2" for i in ids],
        "search": [f"/api/entities?q={quote(f'Company {k}')}" for k in range(n)],
        "export small graph": [f"/export?format={f}&graph={quote(GRAPH + 'sources')}"
                               for f in ("ntriples", "turtle")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--block", type=int, default=1000, help="statements moved per update")
    parser.add_argument("--threads", type=int, default=16,
                        help="server request threads (64, one per connection, was slower: "
                             "the threads then queue for the GIL instead)")
    parser.add_argument("--store", choices=["disk", "memory"], default="disk",
                        help="an on-disk store, or the graph in memory")
    parser.add_argument("--workers", type=int, default=None,
                        help="server processes [default: aikg serve's own]")
    parser.add_argument("--keep-log", type=Path, default=None,
                        help="copy the server's log (a JSON line per request) to this file")
    parser.add_argument("--client", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aikg-load-") as tmp:
        store = Path(tmp) / "store"
        data = generate(args.triples, Path(tmp) / "industry.nt")
        block = Path(tmp) / "block.nq"
        block.write_text("".join(f'<urn:bench:item-{i}> <urn:bench:p> "{i}" <{LEFT}> .\n'
                                 for i in range(args.block)))
        options = ["--threads", str(args.threads), "--token", TOKEN]
        if args.workers:
            options += ["--workers", str(args.workers)]
        if args.store == "memory":
            store, options = "memory", [*options, "--data", str(data), "--data", str(block)]
        else:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "service.cli", "load", str(data), str(block),
                            "--store", str(store)], check=True)
            print(f"loaded {args.triples:,} triples in {time.perf_counter() - started:.0f} s")
        log = Path(tmp) / "server.log"
        with (server := AikgServer(store, *options, log=log)) as base:
            kinds = workload(_companies(args.triples))
            for paths in kinds.values():  # warm: the projection, the search index
                requests.get(base + paths[0], timeout=600)
            print(f"{args.connections} connections for {args.duration} s with {args.client}; "
                  f"an update moving {args.block} statements every second\n")
            stop = threading.Event()
            writes, checks = _Writer(base, stop), _Checker(base, args.block, stop)
            for job in (writes, checks):
                job.start()
            run = _wrk if args.client == "wrk" else _python_client
            results = run(base, kinds, args.connections, args.duration, Path(tmp))
            stop.set()
            writes.join()
            checks.join()
            _print_memory(server.process.pid)
        failures = _failures(log)
        if args.keep_log:
            shutil.copyfile(log, args.keep_log)
    _report(results, writes, checks)
    for failure, times in failures.most_common(10):
        print(f"  server: {times} x {failure}")


def _failures(log: Path) -> Counter[str]:
    """What went wrong, from the server's log: requests answered 4xx or 5xx by route, queries
    that failed or ran out of time, and lines that are not JSON (a traceback's first line)."""
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            if line.strip() and not line.startswith((" ", "[", "aikg: ")):  # not start-up lines
                found[line.strip()[:160]] += 1
            continue
        if record.get("log") == "query" and (record.get("error") or record.get("timed_out")):
            found[f"query {record.get('route')}: {record.get('error') or 'timed out'}"] += 1
        elif isinstance(record.get("status"), int) and record["status"] >= 400:
            found[f"{record['status']} {record.get('route')}: {record.get('error', '')}"] += 1
    return found


def _companies(triples: int) -> int:
    return max(1, triples // 40)  # bench.generate writes about 30 statements per company


# -- the writer and the checker -----------------------------------------------------------------


class _Writer(threading.Thread):
    """Sends an update moving the block to the other graph every second, on the clock: a slow
    answer does not delay the next one (updates in flight at once are serialized by the
    server, and whatever their order the block is whole in one graph after each)."""

    def __init__(self, base: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.stop, self.done, self.failed, self.seconds = base, stop, 0, [], []
        self._sent: list[threading.Thread] = []

    def run(self) -> None:
        started = time.monotonic()
        for k in itertools.count(1):
            if self.stop.wait(max(0.0, started + k - time.monotonic())):
                break
            source, target = (LEFT, RIGHT) if k % 2 else (RIGHT, LEFT)
            sender = threading.Thread(target=self._move, args=(source, target))
            sender.start()
            self._sent.append(sender)
        for sender in self._sent:
            sender.join()

    def _move(self, source: str, target: str) -> None:
        started = time.perf_counter()
        response = requests.post(self.base + "/sparql", timeout=60,
                                 data={"update": MOVE.format(a=source, b=target)},
                                 headers={"Authorization": f"Bearer {TOKEN}"})
        self.seconds.append(time.perf_counter() - started)
        if response.status_code == 204:
            self.done += 1
        else:
            self.failed.append(f"{response.status_code} {response.text[:200]}")


class _Checker(threading.Thread):
    """Reads the block's count in both graphs; anything but all in one graph is a violation."""

    def __init__(self, base: str, block: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.block, self.stop = base, block, stop
        self.reads, self.errors, self.violations = 0, 0, []

    def run(self) -> None:
        session, expected = requests.Session(), {(self.block, 0), (0, self.block)}
        while not self.stop.is_set():
            response = session.get(self.base + "/sparql", params={"query": COUNTS},
                                   headers={"Accept": "text/csv"}, timeout=60)
            if response.status_code != 200:
                self.errors += 1
                continue
            self.reads += 1
            row = response.text.split()[1].split(",")
            counts = tuple(int(x or 0) for x in row)
            if counts not in expected:
                self.violations.append(counts)


# -- the clients --------------------------------------------------------------------------------

_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept"] = "application/json"})
end
"""


def _wrk(base: str, kinds: dict[str, list[str]], connections: int, duration: int,
         tmp: Path) -> dict[str, dict[str, float]]:
    """One wrk per kind, the connections shared among them; their reports parsed."""
    runs = {}
    for k, (name, paths) in enumerate(kinds.items()):
        share = connections // len(kinds) + (k < connections % len(kinds))
        script = tmp / f"kind-{k}.lua"
        script.write_text(_LUA % ", ".join(f'"{p}"' for p in paths))
        runs[name] = subprocess.Popen(
            ["wrk", "-t1", f"-c{share}", f"-d{duration}s", "--timeout", "30s", "--latency",
             "-s", str(script), base], stdout=subprocess.PIPE, text=True)
    return {name: _parse_wrk(run.communicate()[0]) for name, run in runs.items()}


def _parse_wrk(text: str) -> dict[str, float]:
    def number(pattern: str) -> float:
        found = re.search(pattern, text)
        return float(found.group(1)) if found else 0.0

    def ms(label: str) -> float:
        found = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", text)
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
        return float(found.group(1)) * scale[found.group(2)] if found else float("nan")

    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)",
                                                   text))
    return {"requests": number(r"(\d+) requests in"),
            "errors": number(r"Non-2xx or 3xx responses: (\d+)") + socket_errors,
            "p50": ms("50"), "p99": ms("99")}


def _python_client(base: str, kinds: dict[str, list[str]], connections: int, duration: int,
                   _tmp: Path) -> dict[str, dict[str, float]]:
    """A thread per connection, each sending one kind of request, kinds in turn."""
    names = list(kinds)
    times: dict[str, list[float]] = {name: [] for name in names}
    errors = dict.fromkeys(names, 0)
    deadline = time.monotonic() + duration

    def connection(k: int) -> None:
        name, session, i = names[k % len(names)], requests.Session(), 0
        while time.monotonic() < deadline:
            path = kinds[name][i % len(kinds[name])]
            i += 1
            started = time.perf_counter()
            try:
                ok = session.get(base + path, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            times[name].append((time.perf_counter() - started) * 1000)
            errors[name] += not ok

    threads = [threading.Thread(target=connection, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {name: {"requests": len(ts), "errors": errors[name], "p50": _pct(ts, 0.5),
                   "p99": _pct(ts, 0.99)} for name, ts in times.items()}


def _print_memory(pid: int, depth: int = 0) -> None:
    """Resident and proportional (shared pages split between sharers) memory of the server's
    processes: the master, its workers, their query workers."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return
    fields = dict(line.split(":", 1) for line in rollup.splitlines()[1:])
    mb = {k: int(fields[k].split()[0]) / 1024 for k in ("Rss", "Pss")}
    print(f"{'  ' * depth}process {pid}: RSS {mb['Rss']:.0f} MB, PSS {mb['Pss']:.0f} MB")
    children = set()  # listed by the thread that forked each
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children.update(task.read_text().split())
        except OSError:  # a thread that ended meanwhile
            continue
    for child in sorted(children, key=int):
        _print_memory(int(child), depth + 1)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def _report(results: dict[str, dict[str, float]], writes: _Writer, checks: _Checker) -> None:
    print(f"{'kind':20} {'requests':>9} {'errors':>7} {'p50 ms':>9} {'p99 ms':>9}")
    for name, r in results.items():
        print(f"{name:20} {r['requests']:9.0f} {r['errors']:7.0f} {r['p50']:9.1f} "
              f"{r['p99']:9.1f}")
    total = sum(r["requests"] for r in results.values())
    print(f"{'all reads':20} {total:9.0f} {sum(r['errors'] for r in results.values()):7.0f}")
    print(f"\nupdates: {writes.done} applied, {len(writes.failed)} failed, "
          f"p50 {_pct(writes.seconds, 0.5) * 1000:.0f} ms, "
          f"p99 {_pct(writes.seconds, 0.99) * 1000:.0f} ms")
    for failure in writes.failed[:5]:
        print(f"  update failed: {failure}")
    print(f"consistency reads: {checks.reads}, errors {checks.errors}, "
          f"half-applied updates seen: {len(checks.violations)} {checks.violations[:5]}")


if __name__ == "__main__":
    main()
