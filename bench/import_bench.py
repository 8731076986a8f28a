"""Import benchmark: Epoch AI's table (976 rows) and a synthetic table of 100k rows.

Each table is imported into a fresh in-memory curated graph (the bundled files but the data made
from bundled tables), in its own process so that its peak
RSS is its own, with the bundled mapping ``epoch-notable-ai-models``; then imported again, which
must change nothing. Prints rows, statements, seconds (and per phase: read, resolve, compare,
validate, write), rows per second and peak RSS.

    python -m bench.import_bench --rows 100000

The synthetic table has Epoch's columns and is generated here, deterministically: 1 row in 50
names a model or organization the bundled graph knows, 1 in 10 several developers, 1 in 8 a base
model from an earlier row. Epoch's table is the one bundled in ``ontology/tables/``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import ontology
from graph.importing.mappings import bundled_mapping

ROOT = Path(__file__).resolve().parent.parent
EPOCH = ontology.TABLES_DIR / "notable-ai-models.csv"

RUNNER = """
import json, resource, sys, time
from graph.importing.bundled import curated_graph
from graph.importing.importer import import_table
from graph.importing.mappings import bundled_mapping
kg = curated_graph()
mapping = bundled_mapping("epoch-notable-ai-models")
started = time.perf_counter()
first = import_table(kg, sys.argv[1], mapping)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
started = time.perf_counter()
again = import_table(kg, sys.argv[1], mapping)
print(json.dumps({"rows": first.rows, "statements": first.triples, "seconds": seconds,
                  "phases": first.seconds, "peak": peak, "again": time.perf_counter() - started,
                  "again_phases": again.seconds,
                  "unchanged": again.unchanged and again.version == first.version}))
"""

KNOWN_ORGS = ["Alibaba", "Baidu", "Moonshot", "Z.ai (Zhipu AI)", "ByteDance", "Tencent",
              "OpenAI", "Anthropic", "Google", "Microsoft"]
KNOWN_MODELS = ["Ernie 4.0 Turbo", "Yi-Large", "Claude 3 Opus", "GLM-4-Plus", "o1-mini"]
ACCESS = ["Open weights (unrestricted)", "Open weights (non-commercial)", "API access",
          "Unreleased", "Hosted access (no API)", ""]
COUNTRIES = ["United States of America", "China", "United Kingdom of Great Britain and "
             "Northern Ireland", "France", "Canada", "Korea (Republic of)", "Germany", "Japan"]
KINDS = ["Industry", "Academia", "Government", "Research collective"]


def synthetic(rows: int, path: Path, seed: int = 42) -> Path:
    """Write a table of ``rows`` rows with Epoch's header, deterministically."""
    rng = random.Random(seed)
    header = [c.title for c in bundled_mapping("epoch-notable-ai-models").columns]
    header = list(dict.fromkeys(header))
    orgs = [(f"Synthetic Lab {i}", rng.choice(COUNTRIES), rng.choice(KINDS))
            for i in range(max(rows // 25, 10))]
    orgs += [(name, "China" if i < 6 else "United States of America", "Industry")
             for i, name in enumerate(KNOWN_ORGS)]
    names: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=header)
        writer.writeheader()
        for i in range(rows):
            known = i % 50 == 0 and i // 50 < len(KNOWN_MODELS)
            name = KNOWN_MODELS[i // 50] if known else f"Synth-{i} {rng.choice('ABCDEFG')}"
            developers = rng.sample(orgs[-len(KNOWN_ORGS):] if i % 50 == 1 else orgs,
                                    2 if i % 10 == 0 else 1)
            writer.writerow({
                "Model": name,
                "Organization": ",".join(d[0] for d in developers),
                "Country (of organization)": ",".join(d[1] for d in developers),
                "Organization categorization": ",".join(d[2] for d in developers),
                "Publication date": f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}-"
                                    f"{rng.randint(1, 28):02d}",
                "Parameters": f"{rng.randint(1, 2000) * 1e8:.1f}" if rng.random() < .7 else "",
                "Training compute (FLOP)": f"{rng.uniform(1, 9):.2f}e+{rng.randint(15, 26)}"
                                           if rng.random() < .5 else "",
                "Base model": rng.choice(names) if names and i % 8 == 0 else "",
                # a model the graph knows keeps its own open-weights flag (one value allowed)
                "Model accessibility": "" if known else rng.choice(ACCESS),
            })
            names.append(name)
    return path


def run(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", RUNNER, str(path)], capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"the import of {path} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the synthetic table")
    args = parser.parse_args()
    results = {"Epoch AI notable models": run(EPOCH)}
    with tempfile.TemporaryDirectory() as tmp:
        results[f"synthetic {args.rows:,} rows"] = run(synthetic(args.rows, Path(tmp) / "s.csv"))
    print(f"{'table':28} {'rows':>8} {'statements':>11} {'seconds':>8} {'rows/s':>8} "
          f"{'peak RSS':>9} {'again':>7}  phases (s)")
    for name, r in results.items():
        assert r["unchanged"], f"{name}: the second import changed the graph"
        print(f"{name:28} {r['rows']:8,} {r['statements']:11,} {r['seconds']:8.1f} "
              f"{r['rows'] / r['seconds']:8,.0f} {r['peak'] / 2**20:6.0f} MB {r['again']:6.1f}s"
              f"  {_phases(r['phases'])}; again: {_phases(r['again_phases'])}")


def _phases(seconds: dict[str, float]) -> str:
    return " ".join(f"{name} {value:.1f}" for name, value in seconds.items())


if __name__ == "__main__":
    main()
