"""Epoch AI's "Notable AI Models" (976 models, CC BY 4.0), imported with the bundled mapping.

The table is bundled in ``ontology/tables/`` (with its attribution); it is imported here into
the curated graph (the bundled files without the data file made from it), as ``make data`` does.
One import is shared by the module.
"""

from __future__ import annotations

import io

import pytest

import ontology
from graph import KnowledgeGraph
from graph.importing.bundled import curated_graph
from graph.importing.importer import ImportReport, import_table
from graph.importing.mappings import bundled_mapping

TABLE = ontology.TABLES_DIR / "notable-ai-models.csv"
GRAPH = ontology.GRAPH + "epoch-notable-ai-models"
PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in ontology.PREFIXES.items())


@pytest.fixture(scope="module")
def imported() -> tuple[KnowledgeGraph, ImportReport]:
    kg = curated_graph()
    return kg, import_table(kg, TABLE, bundled_mapping("epoch-notable-ai-models"))


def select(kg: KnowledgeGraph, body: str) -> set[tuple]:
    rows = kg.query(f"{PREFIXES} SELECT * WHERE {{ GRAPH <{GRAPH}> {{ {body} }} }}").rows
    return {tuple(t.value.removeprefix(ontology.KG) for t in row) for row in rows}


@pytest.mark.slow
def test_every_row_is_read_and_written(imported) -> None:
    kg, report = imported
    assert report.rows == 976 and report.written
    kept = 976 - len(report.skipped_rows)
    assert len(select(kg, "?m a aikg:AIModel")) + len(report.merged["model"]) >= kept - 2
    assert len(report.skipped_rows) < 25  # new models without a developer


def test_epochs_names_become_the_graphs_entities(imported) -> None:
    _, report = imported
    organizations, models = report.merged["organization"], report.merged["model"]
    assert organizations["Z.ai (Zhipu AI)"] == "kg:zhipu"
    assert organizations["Moonshot"] == "kg:moonshot"
    assert organizations["Alibaba"] == "kg:alibaba"
    assert models["Ernie 4.0 Turbo"] == "kg:ernie-4-0-turbo"
    # The qualified name goes to the curated Chinese university, never to a Northeastern
    # University elsewhere.
    assert organizations["Northeastern University (China)"] == "kg:northeastern-university-china"


def test_alibaba_develops_its_qwen_models(imported) -> None:
    kg, _ = imported
    qwen = select(kg, '?m aikg:developedBy kg:alibaba ; rdfs:label ?name '
                      'FILTER (STRSTARTS(?name, "Qwen"))')
    assert len(qwen) >= 10


def test_organizations_listed_together_all_develop_the_model(imported) -> None:
    kg, _ = imported
    assert select(kg, "kg:glm-4-6 aikg:developedBy ?o") == {("zhipu",), ("tsinghua",)}


def test_base_model_is_lineage(imported) -> None:
    kg, report = imported
    assert select(kg, "kg:kimi-k2-thinking aikg:basedOnModel ?b") == {("kimi-k2",)}
    assert select(kg, "kg:qwen2-5-instruct-72b aikg:basedOnModel ?b") == {("qwen2-5-72b",)}
    assert "Llama 3.1-8B" in report.unresolved["model"]


def test_values_are_typed_and_placeholder_dates_are_years(imported) -> None:
    kg, report = imported
    ((date,),) = select(kg, "kg:kimi-explorer schema:datePublished ?d")
    assert date == "2024" and report.years == 13
    ((count,),) = select(kg, "kg:kimi-k2 aikg:parameterCount ?p FILTER (DATATYPE(?p) = "
                             "xsd:integer)")
    assert int(count) == 10**12  # "1000000000000.0" in the table
    assert select(kg, "kg:kimi-k2 aikg:openWeights ?o") == {("true",)}


def test_countries_are_entities_and_a_chinese_name_is_a_label(imported) -> None:
    kg, _ = imported
    # "Google DeepMind" is Google (the mapping's aliases), listed in two countries
    assert select(kg, "kg:google aikg:locatedInCountry ?c") == {
        ("united-states-of-america",), ("united-kingdom-of-great-britain-and-northern-ireland",)}
    assert ("文心大模型4.5",) in select(
        kg, 'kg:ernie-4-5-vl-424b-a47b rdfs:label ?l FILTER (LANG(?l) = "zh")')


def test_the_source_carries_the_cc_by_attribution(imported) -> None:
    kg, _ = imported
    rows = kg.query(f"""{PREFIXES} SELECT ?licence ?credit WHERE {{
        GRAPH <{ontology.SOURCES_GRAPH}> {{ <{GRAPH}> dcterms:license ?licence ;
            <http://creativecommons.org/ns#attributionName> ?credit }} }}""").rows
    assert [(a.value, b.value) for a, b in rows] == [
        ("https://creativecommons.org/licenses/by/4.0/", "Data: Epoch AI (epoch.ai)")]


def test_importing_it_again_changes_nothing(imported) -> None:
    kg, first = imported
    state = (kg.version, len(kg))
    again = import_table(kg, TABLE, bundled_mapping("epoch-notable-ai-models"))
    assert again.unchanged and (kg.version, len(kg)) == state
    assert again.created == first.created


def test_the_relationship_features_see_the_imported_entities(imported) -> None:
    """Circle, search, paths, rankings and exports work on what the import created."""
    from graph.export import network_export
    from graph.network import Network, centrality, circle, paths
    from graph.network.search import search

    kg, _ = imported
    projection = Network(kg).current
    members = circle(projection.graph, ontology.KG + "alibaba", depth=1)
    names = {projection.graph.nodes[m["node"]]["label_en"] for m in members}
    assert sum(name.startswith(("Qwen", "QwQ")) for name in names) >= 10
    hits = search(projection, "Qwen2.5-72B")
    assert hits and projection.graph.nodes[hits[0].node]["label_en"] == "Qwen2.5-72B"
    found = paths(projection.graph, ontology.KG + "moonshot", ontology.KG + "zhipu", k=1)
    assert found
    assert ontology.KG + "alibaba" in centrality(projection.graph, "degree")
    export = network_export(projection.graph.subgraph(
        [ontology.KG + "alibaba", *(m["node"] for m in members)]), "graphml", "alibaba")
    out = io.BytesIO()
    export.write(out)
    assert b"Qwen2.5-72B" in out.getvalue()
