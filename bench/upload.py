"""Memory of a big Graph Store upload through a real server: is the body held in memory?

Writes N triples as N-Triples (plain example.org statements: the relationship projection, rebuilt
after each write, has its own figures in bench.load), starts ``aikg serve --store memory --token``
on 127.0.0.1 and POSTs the file to ``/store?graph=...`` with a
Content-Length, streamed from disk. It reads the peak RSS (VmHWM) of the gunicorn worker before
and after, and compares the growth with what the same file costs loaded straight into an
in-memory graph in a process of its own (the store's own share, which an upload cannot avoid):
the difference is what handling the upload costs. Asserts nothing.

    python -m bench.upload --triples 800000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.server import AikgServer

TOKEN = "upload-bench-token"
GRAPH = "https://example.org/bench/upload"
MB = 1024 * 1024

# The same file loaded straight into an in-memory graph: VmHWM growth in bytes.
DIRECT = """
import sys
from graph import open_graph
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
kg = open_graph("memory")
before = hwm()
kg.load(sys.argv[1], graph=sys.argv[2])
print(hwm() - before)
"""


def generate(count: int, path: Path) -> Path:
    """``count`` N-Triples lines, about 60 bytes each."""
    with path.open("w") as out:
        for i in range(count):
            out.write(f'<http://example.org/s{i}> <http://example.org/p{i % 10}> "value {i}" .\n')
    return path


def vm(pid: int, field: str) -> int:
    """A memory figure of /proc/PID/status, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def worker_of(pid: int) -> int:
    """The gunicorn worker: the one child of the arbiter."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=800_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        body = generate(args.triples, Path(folder) / "upload.nt")
        size = body.stat().st_size
        direct = int(subprocess.run([sys.executable, "-c", DIRECT, str(body), GRAPH],
                                    check=True, capture_output=True, text=True).stdout)
        server = AikgServer(Path("memory"), "--token", TOKEN, "--max-upload", str(2 * size))
        with server as base:
            worker = worker_of(server.process.pid)
            before = vm(worker, "VmHWM")
            started = time.perf_counter()
            with body.open("rb") as stream:
                response = requests.post(
                    f"{base}/store", params={"graph": GRAPH}, data=stream, timeout=3600,
                    headers={"Authorization": f"Bearer {TOKEN}",
                             "Content-Type": "application/n-triples"})
            seconds = time.perf_counter() - started
            response.raise_for_status()
            grown = vm(worker, "VmHWM") - before
    print(f"body: {args.triples:,} triples, {size / MB:.1f} MB of N-Triples")
    print(f"upload over HTTP: {seconds:.1f} s, worker peak RSS grew {grown / MB:.1f} MB")
    print(f"same file loaded straight into memory: peak RSS grew {direct / MB:.1f} MB")
    print(f"handling the upload: {(grown - direct) / MB:+.1f} MB "
          f"({(grown - direct) / size:+.2f} x the body)")


if __name__ == "__main__":
    main()
