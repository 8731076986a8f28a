"""Start-up benchmark: how long a checkout takes to serve its bundled graph.

For each checkout (this one, and ``--baseline DIR``, e.g. a worktree of main before a change),
in alternation so that a busy machine weighs on both alike:

- *load*: a fresh process's ``open_graph("memory")`` (the bundled files into memory) and the
  relationship projection built on it, timed in the process;
- *first answer*: ``python -m service.cli serve`` started, then ``/api/stats`` polled every
  20 ms until it answers 200: what ``make run`` costs on a warm virtual environment.

Prints the median of each and the ratio to the baseline. Asserts nothing.

    python -m bench.startup --baseline /work/main --repeat 7
    python -m bench.startup --before-epoch --repeat 9

``--before-epoch`` compares with the commit before Epoch AI's table was bundled (the parent of
the first commit of ``ontology/data/epoch-notable-ai-models.trig``), checked out for the run
in a temporary git worktree; ``--baseline-rev`` with any revision.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPOCH_DATA = "ontology/data/epoch-notable-ai-models.trig"

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


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def before_epoch() -> str:
    """The commit before Epoch AI's table was bundled."""
    return _git("rev-parse", _git("log", "--format=%H", "--", EPOCH_DATA).split()[-1] + "^")


@contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """``revision`` checked out in a temporary worktree, removed afterwards."""
    place = Path(tempfile.mkdtemp(prefix="aikg-baseline-")) / "checkout"
    _git("worktree", "add", "--detach", str(place), revision)
    try:
        yield place
    finally:
        _git("worktree", "remove", "--force", str(place))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--baseline-rev", help="a revision to compare with, checked out for "
                        "the run")
    parser.add_argument("--before-epoch", action="store_true", help="compare with the commit "
                        "before Epoch AI's table was bundled")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    revision = before_epoch() if args.before_epoch else args.baseline_rev
    with checkout(revision) if revision else nullcontext(args.baseline) as baseline:
        if revision:
            print(f"baseline: {revision[:12]} {_git('log', '-1', '--format=%s', revision)}")
        run(baseline.resolve() if baseline else None, args.repeat)


def run(baseline: Path | None, repeat: int) -> None:
    """Measure this checkout and ``baseline`` in alternation, ``repeat`` times; print."""
    roots = {"this": ROOT}
    if baseline:
        roots["baseline"] = baseline
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in roots}
    for _ in range(repeat):
        for name, root in roots.items():
            for key, value in {**measure_load(root),
                               "first answer": measure_first_answer(root)}.items():
                figures[name].setdefault(key, []).append(value)
    print(f"{'checkout':<10} {'quads':>7} {'load s':>8} {'projection s':>13} "
          f"{'first answer s':>15}  {'(min-max)':>11}")
    medians = {name: {k: statistics.median(v) for k, v in f.items()}
               for name, f in figures.items()}
    for name, m in medians.items():
        spread = figures[name]["first answer"]
        print(f"{name:<10} {m['quads']:>7.0f} {m['load']:>8.3f} {m['projection']:>13.3f} "
              f"{m['first answer']:>15.3f}  ({min(spread):.2f}-{max(spread):.2f})")
    if "baseline" in medians:
        ratio = medians["this"]["first answer"] / medians["baseline"]["first answer"]
        print(f"first answer, this / baseline: {ratio:.2f}x (median of {repeat})")
        # The fastest start of each is the one a busy machine disturbed least.
        fastest = (min(figures["this"]["first answer"])
                   / min(figures["baseline"]["first answer"]))
        print(f"first answer, this / baseline: {fastest:.2f}x (fastest of {repeat})")


if __name__ == "__main__":
    main()
