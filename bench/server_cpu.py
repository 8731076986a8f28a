"""CPU per request of ``aikg serve`` under gunicorn and under granian, alternated in one run.

    python -m bench.server_cpu --seconds 5 --rounds 2

Requests per second move with whatever else the machine runs; the CPU time the server's
processes spend per request moves far less. Each round starts ``aikg serve --workers 1
--threads 8`` over the bundled graph with each server, drives a cheap 1-hop query with wrk (16
connections; *distinct*: another query text each time, so no cache answers; *repeated*: one
text), and prints requests, CPU seconds of the server's process tree (user + system, from
/proc) and microseconds of CPU per request. Linux only (reads /proc); needs wrk.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from bench.server import AikgServer

QUERY = "SELECT ?p ?o WHERE { <https://w3id.org/aikg/id/baidu> ?p ?o }"
# Distinct requests append a comment nonce: another text, the same work.
_DISTINCT = """
local counter = 0
function setup(thread) thread:set("id", math.random(0, 1000000)) end
function request()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "%23r" .. counter .. "t" .. tostring(id),
                    {Accept = "application/sparql-results+json"})
end
"""
_REPEATED = """
function request()
  return wrk.format("GET", wrk.path, {Accept = "application/sparql-results+json"})
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each cell")
    parser.add_argument("--rounds", type=int, default=2, help="gunicorn, granian, ... rounds")
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    print(f"{'server':<10}{'query':<10}{'requests':>10}{'CPU s':>8}{'us CPU/request':>16}")
    for _ in range(args.rounds):
        for server in ("gunicorn", "granian"):
            for mode, script in (("distinct", _DISTINCT), ("repeated", _REPEATED)):
                requests, cpu = _cell(server, script, args.seconds)
                print(f"{server:<10}{mode:<10}{requests:>10,}{cpu:>8.2f}"
                      f"{1e6 * cpu / requests:>16,.0f}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


def _cell(server: str, script: str, seconds: int) -> tuple[int, float]:
    """Requests answered and CPU seconds spent by a fresh server in ``seconds`` of wrk."""
    aikg = AikgServer(Path("memory"), "--workers", "1", "--threads", "8", "--server", server)
    with aikg as base, tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        url = f"{base}/sparql?query={quote(QUERY, safe='')}"
        subprocess.run(["wrk", "-t2", "-c16", "-d2s", "-s", lua.name, url],
                       capture_output=True, check=True)  # warm up
        before = _session_cpu(aikg.process.pid)
        run = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", lua.name, url],
                             capture_output=True, text=True, check=True)
        cpu = _session_cpu(aikg.process.pid) - before
    return int(re.search(r"(\d+) requests in", run.stdout).group(1)), cpu


def _session_cpu(session: int) -> float:
    """User + system CPU seconds of every live process of ``session`` and its reaped children
    (query workers that ended count through their parent)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[3]) == session:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
