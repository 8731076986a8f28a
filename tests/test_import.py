"""Importing a table: a hand-made list of models, mapped by CSVW metadata (tests/data/models.*).

What a user relies on: names the graph knows become those entities, new ones are created with
labels, each cell becomes a typed value, the statements sit in one described source graph, a bad
cell stops everything with its row and column, and the same import twice changes nothing.
"""

from __future__ import annotations

import datetime
import json
import re
import socket
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

import ontology
from graph import BadInput, KnowledgeGraph, NotFound, ValidationFailed
from graph.importing.bundled import curated_graph
from graph.importing.importer import ImportReport, import_table
from graph.importing.mappings import bundled_mapping, load_mapping
from tests.conftest import DATA

pytestmark = pytest.mark.slow  # every test imports a table over the bundled graph

TABLE = DATA / "models.csv"
MAPPING = DATA / "models.csv-metadata.json"
GRAPH = ontology.GRAPH + "test-models"
PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in ontology.PREFIXES.items())
TURTLE_PREFIXES = "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in ontology.PREFIXES.items())


@pytest.fixture
def kg() -> KnowledgeGraph:
    """A fresh curated graph per test (the bundled files but the data made from bundled
    tables, whose names would otherwise be found first): imports write into it."""
    return curated_graph()


def run(kg: KnowledgeGraph, table: bytes | Path = TABLE, **options: object) -> ImportReport:
    return import_table(kg, table, load_mapping(MAPPING), **options)


def values(kg: KnowledgeGraph, subject: str, prop: str) -> set[str]:
    query = f"{PREFIXES} SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ kg:{subject} {prop} ?o }} }}"
    return {row[0].value.removeprefix(ontology.KG) for row in kg.query(query).rows}


def table_with(row: str) -> bytes:
    """The hand-made table with one more row."""
    return TABLE.read_bytes() + row.encode() + b"\n"


# -- resolution ---------------------------------------------------------------------------------


def test_known_names_become_the_graphs_entities_not_twins(kg: KnowledgeGraph) -> None:
    report = run(kg)
    assert report.merged["organization"] == {
        "Baidu": "kg:baidu", "Alibaba": "kg:alibaba", "Z.ai (Zhipu AI)": "kg:zhipu",
        "Tsinghua University": "kg:tsinghua", "Moonshot": "kg:moonshot"}
    assert report.merged["model"]["Ernie 4.0 Turbo"] == "kg:ernie-4-0-turbo"
    assert values(kg, "ernie-4-0-turbo", "schema:datePublished") == {"2024-06-28"}
    assert values(kg, "kimi-k1-5", "aikg:developedBy") == {"moonshot"}


def test_a_cell_naming_several_organizations_gives_several_developers(kg) -> None:
    run(kg)
    assert values(kg, "glm-4-voice", "aikg:developedBy") == {"zhipu", "tsinghua"}


def test_unknown_names_become_new_labelled_entities(kg: KnowledgeGraph) -> None:
    report = run(kg)
    assert report.created["organization"] == {"Aurora Labs": "kg:aurora-labs",
                                              "Cirrus University": "kg:cirrus-university"}
    assert values(kg, "aurora-labs", "rdfs:label") == {"Aurora Labs"}
    assert values(kg, "aurora-labs", "aikg:zhLabelStatus") == {
        ontology.AIKG + "NoKnownChineseName"}
    assert values(kg, "cirrus-university", "a") == {ontology.AIKG + "University"}
    assert values(kg, "aurora-7b", "rdfs:label") == {"Aurora 7B", "极光7B"}
    assert values(kg, "aurora-7b", "aikg:zhLabelStatus") == set()


def test_a_name_the_graph_gives_two_entities_is_reported_not_merged(kg) -> None:
    twins = "".join(f"""
        kg:twin-{n} a aikg:Company ; rdfs:label "Twin Labs"@en ;
            aikg:zhLabelStatus aikg:NoKnownChineseName .""" for n in (1, 2))
    kg.load(f"""{TURTLE_PREFIXES}
        <{ontology.GRAPH}twins> {{ {twins} }}
        <{ontology.SOURCES_GRAPH}> {{ <{ontology.GRAPH}twins> a aikg:SourceGraph ;
            rdfs:label "Twins"@en ; aikg:site "example.org" ; dcterms:publisher "Example" ;
            dcterms:issued "2024"^^xsd:gYear ; aikg:sourceGrade aikg:SecondarySource ;
            aikg:evidenceKind aikg:PublicEvidence . }}""".encode(), format="trig")
    report = run(kg, table_with("Gemini Twin,Twin Labs,2024-02-02,,,,,,"))
    assert report.unresolved["organization"] == {
        "Twin Labs": "ambiguous: kg:twin-1, kg:twin-2"}
    assert (9, "kg:gemini-twin would be new and has no Developer that resolves") in \
        report.skipped_rows
    assert values(kg, "gemini-twin", "rdfs:label") == set()


def test_base_model_becomes_lineage_within_the_table_and_against_the_graph(kg) -> None:
    report = run(kg)
    assert values(kg, "qwen2-5-72b-instruct", "aikg:basedOnModel") == {"qwen2-5-72b-base"}
    assert values(kg, "qwen2-5-72b-base", "aikg:basedOnModel") == {"qwen2-5"}
    assert values(kg, "aurora-7b", "aikg:basedOnModel") == {"llama-3-1"}
    assert report.unresolved["model"] == {"Mystery-9": "not in the graph"}


def test_countries_are_entities_linked_from_their_organizations(kg: KnowledgeGraph) -> None:
    report = run(kg)
    assert values(kg, "zhipu", "aikg:locatedInCountry") == {"china"}
    assert values(kg, "aurora-labs", "aikg:locatedInCountry") == {"singapore"}
    assert values(kg, "singapore", "a") == {ontology.AIKG + "Country"}
    # China is already a curated entity: the import links to it instead of minting it again.
    assert kg.ask(f"{PREFIXES} ASK {{ kg:china a aikg:Country }}")
    assert report.unpaired == {"Country": [8]}  # two organizations, three countries


# -- typed values -------------------------------------------------------------------------------


def test_cells_become_typed_values(kg: KnowledgeGraph) -> None:
    report = run(kg)
    row = kg.query(f"""{PREFIXES} SELECT ?params ?compute ?date ?open ?access WHERE {{
        GRAPH <{GRAPH}> {{ kg:aurora-7b aikg:parameterCount ?params ;
            aikg:trainingCompute ?compute ; schema:datePublished ?date ;
            aikg:openWeights ?open ; aikg:modelAccessibility ?access }} }}""").rows[0]
    params, compute, date, open_weights, access = row
    assert (params.value, params.datatype.value) == ("7000000000", ontology.PREFIXES["xsd"]
                                                     + "integer")
    assert float(compute.value) == 1.2e23 and compute.datatype.value.endswith("#double")
    assert (date.value, date.datatype.value) == ("2024", ontology.PREFIXES["xsd"] + "gYear")
    assert report.years == 1  # 2024-01-01 is a placeholder: a year
    assert open_weights.value == "true" and access.value == "Open weights (non-commercial)"
    assert values(kg, "nimbus", "aikg:openWeights") == {"false"}


@pytest.mark.parametrize(("row", "where"), [
    ("Bad 1,Baidu,2024-02-02,lots,,,,,", "row 9, column Parameters:"),
    ("Bad 2,Baidu,2024-02-30,,,,,,", "row 9, column Released:"),
    ("Bad 3,Baidu,2024-02-02,,,,Sort of open,,", "row 9, column Access:"),
    ("Bad 4,Baidu,2024-02-02,1.5,,,,,", "row 9, column Parameters: 1.5 is not a whole number"),
    (",Baidu,2024-02-02,,,,,,", "row 9, column Model: a value is required"),
])
def test_a_bad_cell_stops_the_import_with_its_row_and_column(kg, row: str, where: str) -> None:
    run(kg)
    before = (kg.version, len(kg))
    with pytest.raises(BadInput, match=where.replace("(", r"\(")):
        run(kg, table_with(row))
    assert (kg.version, len(kg)) == before


# -- provenance, safety ---------------------------------------------------------------------------


def test_the_graph_is_described_as_a_source_with_licence_and_attribution(kg) -> None:
    run(kg, accessed=datetime.date(2026, 1, 26))
    rows = kg.query(f"""{PREFIXES} SELECT ?p ?o WHERE {{ GRAPH <{ontology.SOURCES_GRAPH}> {{
        <{GRAPH}> ?p ?o }} }}""").rows
    described = {p.value.rpartition("/")[2].rpartition("#")[2]: o.value for p, o in rows}
    assert described["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert described["attributionName"] == "Data: aikg tests"
    assert described["accessedOn"] == "2026-01-26"
    assert described["publisher"] == "aikg tests"
    assert described["evidenceKind"] == ontology.AIKG + "PublicEvidence"
    assert described["url"] == "https://example.org/models"


def test_importing_the_same_table_twice_changes_nothing(kg: KnowledgeGraph) -> None:
    first = run(kg)
    state = (kg.version, len(kg))
    second = run(kg)
    assert first.written and not first.unchanged
    assert second.unchanged and not second.written
    assert (kg.version, len(kg)) == state
    assert second.created == first.created and second.merged == first.merged


def test_a_changed_table_replaces_what_the_graph_held(kg: KnowledgeGraph) -> None:
    run(kg)
    shorter = b"\n".join(TABLE.read_bytes().splitlines()[:3]) + b"\n"
    report = run(kg, shorter)
    assert report.written and report.rows == 2
    assert values(kg, "nimbus", "rdfs:label") == set()
    assert values(kg, "qwen2-5-72b-instruct", "rdfs:label") == {"Qwen2.5-72B-Instruct"}


def test_a_dry_run_reports_and_writes_nothing(kg: KnowledgeGraph) -> None:
    before = (kg.version, len(kg))
    report = run(kg, dry_run=True)
    assert report.dry_run and not report.written and report.triples > 80
    assert (kg.version, len(kg)) == before


def test_a_write_that_breaks_the_shapes_is_refused_and_changes_nothing(kg) -> None:
    mapping = json.loads(MAPPING.read_text())
    for key in ("dc:title", "aikg:site"):  # a source graph needs a title or a site
        del mapping[key]
    before = (kg.version, len(kg))
    with pytest.raises(ValidationFailed, match="title"):
        import_table(kg, TABLE, load_mapping(json.dumps(mapping).encode()))
    assert (kg.version, len(kg)) == before


def test_a_mapping_that_points_at_another_document_is_refused_without_fetching(
        kg, monkeypatch) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("the import tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    for key in ("tableSchema", "dialect"):
        mapping = {**json.loads(MAPPING.read_text()), key: "http://127.0.0.1:9/x.json"}
        with pytest.raises(BadInput, match=f"{key} must be given inline"):
            load_mapping(json.dumps(mapping).encode())
    assert run(kg).written  # and a whole import runs with no network at all


def test_bundled_mappings_are_found_by_name_and_only_by_name() -> None:
    assert bundled_mapping("epoch-notable-ai-models").graph == (
        ontology.GRAPH + "epoch-notable-ai-models")
    for name in ("../data/sources", "nope", "/etc/passwd"):
        with pytest.raises(NotFound):
            bundled_mapping(name)


def test_the_graph_iri_can_be_chosen(kg: KnowledgeGraph) -> None:
    report = run(kg, graph=ontology.GRAPH + "my-list")
    assert report.graph == ontology.GRAPH + "my-list"
    assert ontology.GRAPH + "my-list" in kg.named_graphs()
    assert kg.ask(f"ASK {{ GRAPH <{ontology.SOURCES_GRAPH}> {{ <{ontology.GRAPH}my-list> "
                  f"a <{ontology.AIKG}SourceGraph> }} }}")
    assert NamedNode(GRAPH).value not in kg.named_graphs()


def with_column(name: str, **changes: object) -> bytes:
    """The hand-made mapping with one column changed."""
    mapping = json.loads(MAPPING.read_text())
    for column in mapping["tableSchema"]["columns"]:
        if column["name"] == name:
            column.update(changes)
    return json.dumps(mapping).encode()


@pytest.mark.parametrize(("mapping", "message"), [
    (with_column("model", datatype="nonsense"), "Invalid value for property: nonsense"),
    (with_column("released", propertyUrl="foo:bar"), "'foo:bar' is neither"),
    (with_column("developer", **{"aikg:split": "("}), "unterminated subpattern"),
    (with_column("model", **{"aikg:entity": {"match": "aikg:AIModel"}}), "'kind' is missing"),
    (with_column("kind", **{"aikg:values": [1]}), "aikg:values maps each text"),
    (with_column("country", aboutUrl="https://w3id.org/aikg/id/{released}"),
     "its aboutUrl names no entity column"),
    (json.dumps({"@context": "http://example.org/c", "tableSchema": {}}).encode(), "@context"),
    (b"{not json", "not JSON"),
])
def test_a_broken_mapping_is_refused_naming_the_problem(mapping: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=re.escape(message)):
        load_mapping(mapping)
