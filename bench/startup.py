"""Start-up benchmark: how long a checkout takes to serve its bundled graph.

For each checkout (this one, and ``--baseline DIR``, e.g. a worktree of main before a change),
in alternation so that a busy machine weighs on both alike:

- *load*: a fresh process's ``open_graph("memory")`` (the bundled files into memory) and the
  relationship projection built on it, timed in the process;
- *first answer*: ``python -m service.cli serve`` started, then ``/api/stats`` polled every
  20 ms until it answers 200: what ``make run`` costs on a warm virtual environment.

Prints the median of each and the ratio to the baseline. Asserts nothing.

    python -m bench.startup --baseline /work/main --repeat 7
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

LOAD = """
import json, time
started = time.perf_counter()
from graph import open_graph
from graph.network import Network
imported = time.perf_counter()
kg = open_graph("memory")
loaded = time.perf_counter()
Network(kg).current
print(json.dumps({"load": loaded - imported, "projection": time.perf_counter() - loaded,
                  "quads": len(kg)}))
"""


def measure_load(root: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", LOAD], cwd=root, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def measure_first_answer(root: Path) -> float:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port)], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats", timeout=5):
                    return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    raise RuntimeError(f"the server of {root} stopped") from None
                time.sleep(0.02)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    roots = {"this": Path(__file__).resolve().parent.parent}
    if args.baseline:
        roots["baseline"] = args.baseline.resolve()
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in roots}
    for _ in range(args.repeat):
        for name, root in roots.items():
            for key, value in {**measure_load(root),
                               "first answer": measure_first_answer(root)}.items():
                figures[name].setdefault(key, []).append(value)
    print(f"{'checkout':<10} {'quads':>7} {'load s':>8} {'projection s':>13} "
          f"{'first answer s':>15}")
    medians = {name: {k: statistics.median(v) for k, v in f.items()}
               for name, f in figures.items()}
    for name, m in medians.items():
        print(f"{name:<10} {m['quads']:>7.0f} {m['load']:>8.3f} {m['projection']:>13.3f} "
              f"{m['first answer']:>15.3f}")
    if "baseline" in medians:
        ratio = medians["this"]["first answer"] / medians["baseline"]["first answer"]
        print(f"first answer, this / baseline: {ratio:.2f}x (median of {args.repeat})")


if __name__ == "__main__":
    main()
