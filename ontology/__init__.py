"""Names of the aikg vocabularies and of the RDF files bundled with the package.

This module loads nothing: it only says where things are and what they are called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "AIKG",
    "KG",
    "GRAPH",
    "ONTOLOGY_GRAPH",
    "SHAPES_GRAPH",
    "SOURCES_GRAPH",
    "PREFIXES",
    "ONTOLOGY_DIR",
    "DATA_DIR",
    "EXAMPLES_DIR",
    "ONTOLOGY_FILE",
    "SHAPES_FILE",
    "MAPPINGS_DIR",
    "MAPPING_SUFFIX",
    "RDF_SUFFIXES",
    "TABLES_DIR",
    "BundledTable",
    "BUNDLED_TABLES",
    "bundled_files",
    "graph_for_file",
]

AIKG = "https://w3id.org/aikg/ontology#"
KG = "https://w3id.org/aikg/id/"
GRAPH = "https://w3id.org/aikg/graph/"
ONTOLOGY_GRAPH = GRAPH + "aikg"  # ontology/aikg.ttl
SHAPES_GRAPH = GRAPH + "shapes"  # ontology/shapes.ttl
SOURCES_GRAPH = GRAPH + "sources"  # describes every source graph (title, site, date, URL, evidence)

PREFIXES: dict[str, str] = {
    "aikg": AIKG,
    "kg": KG,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
    "airo": "https://w3id.org/airo#",
}

ONTOLOGY_DIR = Path(__file__).resolve().parent
DATA_DIR = ONTOLOGY_DIR / "data"
EXAMPLES_DIR = ONTOLOGY_DIR / "examples"
ONTOLOGY_FILE = ONTOLOGY_DIR / "aikg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

RDF_SUFFIXES = (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl")
TABLES_DIR = ONTOLOGY_DIR / "tables"  # third-party tables, each with its licence (README.md)
MAPPINGS_DIR = ONTOLOGY_DIR / "mappings"  # CSVW mappings of tables, by name
MAPPING_SUFFIX = ".csv-metadata.json"


@dataclass(frozen=True)
class BundledTable:
    """A third-party table shipped in ``tables/``, imported with a bundled mapping of the same
    name into the data file ``data/<name>.trig`` (``make data``)."""

    name: str  # of the mapping in mappings/ and of the data file
    table: Path
    accessed: str  # the day the table was downloaded, YYYY-MM-DD

    @property
    def data_file(self) -> Path:
        return DATA_DIR / f"{self.name}.trig"


BUNDLED_TABLES = (
    BundledTable("epoch-notable-ai-models", TABLES_DIR / "notable-ai-models.csv", "2026-01-26"),
)


def bundled_files() -> list[Path]:
    """The RDF files loaded at start: the ontology and shapes first, then the data files."""
    found = [p for folder in (ONTOLOGY_DIR, DATA_DIR) for p in sorted(folder.glob("*"))]
    return [p for p in found if p.suffix in RDF_SUFFIXES]


def mapping_names() -> list[str]:
    """The names of the bundled mappings (``mappings/<name>.csv-metadata.json``)."""
    found = MAPPINGS_DIR.glob(f"*{MAPPING_SUFFIX}")
    return sorted(p.name.removesuffix(MAPPING_SUFFIX) for p in found)


def graph_for_file(path: Path) -> str:
    """The named graph a triples file is loaded into: ``GRAPH`` + the file's stem.

    >>> graph_for_file(Path("facts.ttl")) == graph_for_file(Path("facts.ttl.gz")) == GRAPH + "facts"
    True
    """
    name = path.name.removesuffix(".gz")
    return GRAPH + Path(name).stem
