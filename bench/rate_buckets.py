"""What taking a rate-limit token costs: ``TokenBuckets.take`` in this checkout and another.

For one client that keeps sending, and for 200,000 distinct clients (one call each, the table
full after 65,536): µs per call, best of 3, in this process's memory and, where the checkout
has it, in a table shared through a file (what ``aikg serve --workers N`` uses). Each checkout
runs in a process of its own. Asserts nothing.

    python -m bench.rate_buckets --baseline /work/main
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import sys, tempfile, timeit
from pathlib import Path
from service.limits import TokenBuckets

n = 200_000
keys = [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(n)]
kinds = [("in memory", {})]
try:
    TokenBuckets(1.0, 1, path=Path(tempfile.mkdtemp()) / "buckets")
    kinds.append(("in a shared file", {"path": Path(tempfile.mkdtemp()) / "buckets"}))
except TypeError:  # a checkout from before the shared table
    pass
for label, extra in kinds:
    buckets = TokenBuckets(1e9, 10**9, **extra)
    one = min(timeit.repeat(lambda: buckets.take("192.0.2.7"), number=n, repeat=3)) / n
    many = min(timeit.repeat(lambda: [buckets.take(k) for k in keys], number=1, repeat=3)) / n
    print(f"  {label:<17} one client {one * 1e6:5.2f} us   {n} clients {many * 1e6:5.2f} us")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout")
    args = parser.parse_args()
    for checkout in [ROOT] + ([args.baseline] if args.baseline else []):
        print(checkout)
        subprocess.run([sys.executable, "-c", MEASURE], cwd=checkout, check=True)


if __name__ == "__main__":
    main()
