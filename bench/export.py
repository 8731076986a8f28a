"""Export benchmark: aikg's exports beside pyoxigraph's own serializer, rdflib's and networkx's.

For each format: seconds, megabytes written and the memory the export took on top of the loaded
graph (the peak RSS during the export minus the RSS before it; Linux resets the peak through
/proc/self/clear_refs). Each contender runs in its own process over the same synthetic graph,
split into 20 named graphs of consecutive statements (one per source file, as files load).
RDF ratios are to pyoxigraph's ``Store.dump`` (the limit); network
ratios to networkx's writers on a network already built. Run at two sizes to see whether an
export's memory stays flat as the graph grows.

    python -m bench.export --triples 1000000 --triples 100000 --skip-rdflib
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import generate
from graph.export import EXPORT_FORMATS

RDF = [f.name for f in EXPORT_FORMATS if f.is_rdf]
NETWORK = [f.name for f in EXPORT_FORMATS if not f.is_rdf]

# Shared by every contender: load ``path`` into a pyoxigraph store over 20 named graphs, and
# ``measure(fmt, run)`` which times ``run(out)`` writing a file and prints one JSON line.
PRELUDE = """
import gc, json, os, sys, time
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse
path, workdir, formats = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
size, repeat = int(sys.argv[4]), int(sys.argv[5])

def memory(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024

def measure(fmt, run):
    # run(out) `repeat` times: the median seconds, the largest extra memory
    seconds, extra = [], []
    for _ in range(repeat):
        gc.collect()
        open("/proc/self/clear_refs", "w").write("5")  # reset the peak RSS
        before = memory("VmRSS")
        started = time.perf_counter()
        with open(f"{workdir}/{fmt}.out", "wb") as out:
            run(out)
        seconds.append(time.perf_counter() - started)
        extra.append(memory("VmHWM") - before)
    written = os.path.getsize(f"{workdir}/{fmt}.out")
    print(json.dumps({"format": fmt, "seconds": sorted(seconds)[len(seconds) // 2],
                      "bytes": written, "extra": max(extra)}), flush=True)

def oxigraph_store():
    store = Store()
    store.bulk_extend(
        Quad(t.subject, t.predicate, t.object,  # one graph per source, as files load
             NamedNode(f"https://w3id.org/aikg/graph/source-{i * 20 // size}"))
        for i, t in enumerate(parse(path=path, format=RdfFormat.N_TRIPLES)))
    return store
"""

CONTENDERS = {
    "aikg": """
from graph import KnowledgeGraph
from graph.export import dataset_export
from graph.store.local import LocalBackend
kg = KnowledgeGraph(LocalBackend(oxigraph_store(), "memory"))
for fmt in formats:
    measure(fmt, dataset_export(kg, fmt).write)
""",
    "aikg GET /export": """
from graph import KnowledgeGraph
from graph.store.local import LocalBackend
from service import create_app
app = create_app({"STORE": "memory", "TESTING": True})
app.extensions["aikg"] = KnowledgeGraph(LocalBackend(oxigraph_store(), "memory"))
client = app.test_client()
def fetch(fmt):
    def run(out):  # what a server does: send each chunk as the response yields it
        response = client.get(f"/export?format={fmt}", buffered=False)
        for chunk in response.response:
            out.write(chunk)
        response.close()
    return run
for fmt in formats:
    measure(fmt, fetch(fmt))
""",
    "pyoxigraph dump": """
from ontology import PREFIXES
store = oxigraph_store()
syntaxes = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES,
            "nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD,
            "rdfxml": RdfFormat.RDF_XML}
for fmt in formats:
    syntax = syntaxes[fmt]
    prefixes = PREFIXES if fmt in ("turtle", "trig", "rdfxml") else None
    if syntax.supports_datasets:
        measure(fmt, lambda out: store.dump(out, syntax, prefixes=prefixes))
    else:  # a triples syntax: one graph at a time, as pyoxigraph asks
        measure(fmt, lambda out: [store.dump(out, syntax, from_graph=g, prefixes=prefixes)
                                  for g in store.named_graphs()])
""",
    "rdflib serialize": """
import rdflib
dataset = rdflib.Dataset(default_union=True)  # triples syntaxes then get the union of graphs
dataset.parse(data=oxigraph_store().dump(format=RdfFormat.N_QUADS), format="nquads")
names = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
         "jsonld": "json-ld", "rdfxml": "xml"}
for fmt in formats:
    measure(fmt, lambda out: dataset.serialize(out, format=names[fmt]))
""",
    "networkx writer": """
import networkx as nx
from graph.export.convert import rdf_network
from graph.export.rdf import dataset_quads
G = rdf_network(dataset_quads(oxigraph_store()))
for node, data in G.nodes(data=True):  # networkx's writers want scalars
    data["types"] = " ".join(data["types"])
for *_, data in G.edges(keys=True, data=True):
    data["sources"] = " ".join(data["sources"])
writers = {
    "graphml": lambda out: nx.write_graphml(G, out),
    "gexf": lambda out: nx.write_gexf(G, out),
    "nodelink": lambda out: out.write(json.dumps(nx.node_link_data(G, edges="links")).encode()),
    "cytoscape": lambda out: out.write(json.dumps(nx.cytoscape_data(G)).encode()),
}  # no DOT: pydot's writer is quadratic (36 s at 50k triples, 427 s at 100k)
for fmt in formats:
    if fmt in writers:
        measure(fmt, writers[fmt])
""",
    "aikg writer": """
from graph.export import network_export
from graph.export.convert import rdf_network
from graph.export.rdf import dataset_quads
G = rdf_network(dataset_quads(oxigraph_store()))
for fmt in formats:
    measure(fmt, network_export(G, fmt, "bench").write)
""",
}

RUNNER = "import sys\nexec(sys.stdin.read())\n"


def run(contender: str, path: Path, size: int, formats: list[str], repeat: int
        ) -> dict[str, dict]:
    """Run one contender over ``formats`` in a fresh process; its figures by format."""
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, str(path), str(path.parent), ",".join(formats), str(size),
         str(repeat)],
        input=PRELUDE + CONTENDERS[contender], capture_output=True, text=True,
    )
    if out.returncode:
        raise SystemExit(f"{contender} failed:\n{out.stderr}")
    return {r["format"]: r for r in map(json.loads, out.stdout.splitlines())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, action="append",
                        help="graph size; repeat to compare sizes (default 1,000,000)")
    parser.add_argument("--formats", default=",".join(RDF + NETWORK),
                        help="comma-separated formats (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per format (median time)")
    parser.add_argument("--skip-rdflib", action="store_true",
                        help="rdflib needs minutes and GBs at 1M triples")
    parser.add_argument("--skip-networkx", action="store_true",
                        help="skip networkx's writers (they build the whole file in memory)")
    args = parser.parse_args()
    formats = args.formats.split(",")
    rdf, network = [f for f in formats if f in RDF], [f for f in formats if f in NETWORK]
    plan = [("aikg", formats), ("aikg GET /export", formats), ("pyoxigraph dump", rdf)]
    if not args.skip_rdflib:
        plan.append(("rdflib serialize", rdf))
    if network:
        plan.append(("aikg writer", network))
        if not args.skip_networkx:
            plan.append(("networkx writer", network))
    for size in args.triples or [1_000_000]:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            path = generate(size, workdir / "industry.nt")
            results = {name: run(name, path, size, wanted, args.repeat)
                       for name, wanted in plan if wanted}
        report(size, formats, results)


def report(size: int, formats: list[str], results: dict[str, dict[str, dict]]) -> None:
    print(f"\n{size:,} triples in 20 named graphs; median seconds; extra = peak RSS during the "
          "export minus RSS before it")
    print(f"{'format':10} {'contender':17} {'seconds':>8} {'MB out':>8} {'extra MB':>9}  ratio")
    for fmt in formats:
        base_name = "pyoxigraph dump" if fmt in RDF else "networkx writer"
        base = results.get(base_name, {}).get(fmt)
        for name, figures in results.items():
            if fmt not in figures:
                continue
            r = figures[fmt]
            ratio = f"{r['seconds'] / base['seconds']:5.2f}x" if base else "    -"
            print(f"{fmt:10} {name:17} {r['seconds']:8.2f} {r['bytes'] / 1e6:8.1f} "
                  f"{r['extra'] / 2**20:9.0f}  {ratio}")


if __name__ == "__main__":
    main()
