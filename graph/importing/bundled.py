"""The bundled tables as data files: each table of ``ontology/tables/`` imported over the curated
graph and written to ``ontology/data/`` (``make data``), so that a server loads the result as it
loads every bundled file, without importing or validating anything at start.

``python -m graph.importing.bundled`` remakes the files; ``tests/test_bundled_tables.py`` checks
that a fresh import equals what is committed.
"""

from __future__ import annotations

import datetime
import sys

from pyoxigraph import NamedNode, Quad, RdfFormat

import ontology

from ..rdf.formats import serialized
from ..store import KnowledgeGraph, open_graph
from .importer import ImportReport, import_table
from .mappings import bundled_mapping

__all__ = ["curated_graph", "import_bundled", "main", "write_data_file"]

HEADER = """\
# Made by `make data` from ontology/tables/{table} with the mapping
# ontology/mappings/{name}.csv-metadata.json: do not edit by hand.
# {credit}; licence {licence}. ontology/tables/README.md says more.

"""


def curated_graph() -> KnowledgeGraph:
    """A memory graph of the bundled files, leaving out the data files made from tables."""
    made = {t.data_file for t in ontology.BUNDLED_TABLES}
    kg = open_graph("memory", bundled=False)
    for path in ontology.bundled_files():
        if path not in made:
            kg.load(path)
    return kg


def import_bundled(table: ontology.BundledTable, kg: KnowledgeGraph | None = None
                   ) -> tuple[list[Quad], ImportReport]:
    """Import ``table`` into ``kg`` (default: the curated graph) and return what the import
    wrote, its graph and its description in the sources graph, sorted; and the report."""
    kg = kg or curated_graph()
    report = import_table(kg, table.table, bundled_mapping(table.name),
                          accessed=datetime.date.fromisoformat(table.accessed))
    graph = NamedNode(report.graph)
    quads = list(kg.quads(graph=graph))
    quads += kg.quads(graph, graph=NamedNode(ontology.SOURCES_GRAPH))
    return sorted(quads, key=str), report


def write_data_file(table: ontology.BundledTable) -> ImportReport:
    """Remake ``table``'s data file and its resolution report (``<name>.resolution.json``
    beside the table)."""
    quads, report = import_bundled(table)
    mapping = bundled_mapping(table.name)
    header = HEADER.format(table=table.table.name, name=table.name,
                           credit=mapping.source.get("cc:attributionName", ""),
                           licence=mapping.source.get("dc:license", {}).get("@id", ""))
    body = serialized(quads, RdfFormat.TRIG, prefixes=_prefixes())
    table.data_file.write_bytes(header.encode() + body)
    resolution = table.table.with_name(f"{table.name}.resolution.json")
    resolution.write_text(report_json(report), encoding="utf-8")
    return report


def report_json(report: ImportReport) -> str:
    """The parts of an import report that the data depend on, as stable JSON for review."""
    import json

    data = report.to_dict()
    kept = {k: data[k] for k in ("graph", "mapping", "rows", "triples", "merged", "created",
                                 "unresolved", "skipped_rows", "unpaired", "years")}
    return json.dumps(kept, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _prefixes() -> dict[str, str]:
    return {**{p: ns for p, ns in ontology.PREFIXES.items() if p not in ("sh", "owl", "airo")},
            "cc": "http://creativecommons.org/ns#", "g": ontology.GRAPH}


def main() -> None:
    for table in ontology.BUNDLED_TABLES:
        report = write_data_file(table)
        print(f"{table.data_file.relative_to(ontology.ONTOLOGY_DIR.parent)}: "
              f"{report.summary(examples=0)}", file=sys.stderr)


if __name__ == "__main__":
    main()
