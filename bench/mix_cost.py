"""CPU per request of each kind of read in the mix of :mod:`bench.load_http`, in one process,
with the bench's update (a block of statements moved between two graphs) every ``--every``
reads.

    python -m bench.mix_cost --triples 250000 --reads 1200 --every 100

No server, no socket: the app's WSGI callable over the synthetic graph in memory, the kinds in
turn, each request to the next of its 200 paths. CPU is that of the process and of its query
workers (from /proc), which a busy machine disturbs far less than latency over HTTP. Prints
per kind the requests and the CPU milliseconds per request (mean and median), and the CPU per
write. Linux only.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlencode

from bench.generate import generate
from bench.load_http import LEFT, MOVE, RIGHT, TOKEN, _companies, workload

_TICKS = os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=250_000)
    parser.add_argument("--reads", type=int, default=1200, help="reads measured, all kinds")
    parser.add_argument("--every", type=int, default=100, help="reads per write (0: none)")
    parser.add_argument("--block", type=int, default=1000)
    args = parser.parse_args()
    app = mix_app(args.triples, args.block)
    kinds = workload(_companies(args.triples))
    environs = {name: itertools.cycle([_get(path) for path in paths])
                for name, paths in kinds.items()}
    for name in kinds:  # warm: the projection's arrays, the search index
        _call(app, next(environs[name]))
    costs: dict[str, list[float]] = {name: [] for name in kinds}
    writes: list[float] = []
    turn = itertools.cycle(kinds)
    for k in range(1, args.reads + 1):
        name = next(turn)
        costs[name].append(_cpu(app, next(environs[name])))
        if args.every and k % args.every == 0:
            source, target = (LEFT, RIGHT) if len(writes) % 2 == 0 else (RIGHT, LEFT)
            writes.append(_cpu(app, _move(source, target)))
    _report(costs, writes, args)


def mix_app(triples: int, block: int) -> Callable[..., Iterable[bytes]]:
    """The app over the synthetic graph of ``triples`` and a block of ``block`` statements in
    graph L, which the bench's update moves (the data files go once loaded)."""
    with tempfile.TemporaryDirectory(prefix="aikg-mix-") as tmp:
        data = generate(triples, Path(tmp) / "industry.nt")
        statements = Path(tmp) / "block.nq"
        statements.write_text("".join(f'<urn:bench:item-{i}> <urn:bench:p> "{i}" <{LEFT}> .\n'
                                      for i in range(block)))
        return _app(data, statements)


def _app(data: Path, block: Path) -> Callable[..., Iterable[bytes]]:
    from service import create_app
    from service.observe import configure_logging

    configure_logging(open(os.devnull, "w"))  # noqa: SIM115  # for the life of the process
    app = create_app({"BUNDLED": True, "TOKEN": TOKEN, "BASE_URL": "http://127.0.0.1:8000/"})
    kg = app.extensions["aikg"]
    kg.load(data)
    kg.load(block, format="nquads")
    return app


def _get(path: str) -> dict[str, object]:
    from werkzeug.test import EnvironBuilder

    route, _, query = path.partition("?")
    return EnvironBuilder(path=route, query_string=query,
                          headers={"Accept": "application/json",
                                   "Host": "127.0.0.1:8000"}).get_environ()


def _move(source: str, target: str) -> dict[str, object]:
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(path="/sparql", method="POST",
                          data=urlencode({"update": MOVE.format(a=source, b=target)}),
                          content_type="application/x-www-form-urlencoded",
                          headers={"Authorization": f"Bearer {TOKEN}",
                                   "Host": "127.0.0.1:8000"}).get_environ()


def _call(app: Callable[..., Iterable[bytes]], environ: dict[str, object]) -> None:
    status = []

    def start_response(code: str, *_args: object) -> None:
        status.append(code)

    body = app(dict(environ), start_response)
    b"".join(body)
    getattr(body, "close", lambda: None)()
    if not status[0].startswith(("200", "204")):
        raise RuntimeError(f"{environ['PATH_INFO']}: {status[0]}")


def _cpu(app: Callable[..., Iterable[bytes]], environ: dict[str, object]) -> float:
    """CPU milliseconds the request took in this process and its children."""
    before = _tree_cpu(os.getpid())
    _call(app, environ)
    return (_tree_cpu(os.getpid()) - before) * 1000


def _tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` (with its reaped children) and of its live descendants."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # ended meanwhile
        return 0.0
    if pid == os.getpid():  # finer than clock ticks: this thread's time, then the children's
        own = time.process_time() + sum(int(x) for x in fields[13:15]) / _TICKS
    else:
        own = sum(int(x) for x in fields[11:15]) / _TICKS  # utime stime cutime cstime
    children: set[str] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children.update(task.read_text().split())
        except OSError:
            continue
    return own + sum(_tree_cpu(int(child)) for child in children)


def _report(costs: dict[str, list[float]], writes: list[float], args: argparse.Namespace
            ) -> None:
    print(f"{args.triples:,} triples, a write every {args.every} reads; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'kind':20} {'requests':>8} {'mean ms':>8} {'p50 ms':>8}")
    for name, found in costs.items():
        print(f"{name:20} {len(found):8} {statistics.fmean(found):8.1f} "
              f"{statistics.median(found):8.1f}")
    every = [x for found in costs.values() for x in found]
    print(f"{'all reads':20} {len(every):8} {statistics.fmean(every):8.1f} "
          f"{statistics.median(every):8.1f}")
    if writes:
        print(f"{'writes':20} {len(writes):8} {statistics.fmean(writes):8.1f} "
              f"{statistics.median(writes):8.1f}")


if __name__ == "__main__":
    main()
