"""How long a write waits while request threads read, in one process: the mix of
:mod:`bench.load_http` read by ``--threads`` threads through the WSGI app, the bench's update
(a block moved between two graphs) every second from one more thread.

    python -m bench.write_wait --triples 1000000 --threads 16 --seconds 30

No server, no socket, so what shows is the process's own queues: the GIL, the graph's lock,
a log handler's, the query workers forked after each write. Prints the reads done and the
writes' latency (p50, p99, max). Latency moves with the machine's load: compare runs taken in
turn (two checkouts: ``PYTHONPATH=/other/checkout python -m bench.write_wait``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import threading
import time

from bench.load_http import LEFT, RIGHT, _companies, workload
from bench.mix_cost import _call, _get, _move, mix_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=250_000)
    parser.add_argument("--threads", type=int, default=16, help="reading threads")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--block", type=int, default=1000)
    args = parser.parse_args()
    app = mix_app(args.triples, args.block)
    paths = [path for found in workload(_companies(args.triples)).values() for path in found]
    for path in paths[::200]:  # warm: the projection's arrays, the search index
        _call(app, _get(path))
    stop, reads = threading.Event(), itertools.count()
    waits: list[float] = []

    def read(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            _call(app, _get(rng.choice(paths)))
            next(reads)

    def write() -> None:
        started = time.monotonic()
        for k in itertools.count(1):
            if stop.wait(max(0.0, started + k - time.monotonic())):
                return
            source, target = (LEFT, RIGHT) if k % 2 else (RIGHT, LEFT)
            begun = time.perf_counter()
            _call(app, _move(source, target))
            waits.append(time.perf_counter() - begun)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(args.threads)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    done = next(reads)
    ms = sorted(w * 1000 for w in waits)
    print(f"{args.triples:,} triples, {args.threads} reading threads, {args.seconds} s; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"reads: {done} ({done / args.seconds:.0f}/s); writes: {len(ms)}, p50 "
          f"{statistics.median(ms):.0f} ms, p99 {ms[int(len(ms) * 0.99)]:.0f} ms, "
          f"max {ms[-1]:.0f} ms")


if __name__ == "__main__":
    main()
