"""Epoch AI's notable models in the served graph: bundled, credited, joined to the curated graph.

The table ships in ``ontology/tables/`` and ``make data`` imports it into
``ontology/data/epoch-notable-ai-models.trig``; a server loads that file like every bundled file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, parse

import ontology
from graph import BadInput, KnowledgeGraph, open_graph
from graph.importing.bundled import curated_graph, import_bundled, report_json
from graph.importing.importer import import_table
from graph.importing.mappings import bundled_mapping
from graph.importing.resolve import name_key as normalise
from tests.conftest import SMALL, SMALL_SOURCE

EPOCH = next(t for t in ontology.BUNDLED_TABLES if t.name == "epoch-notable-ai-models")
GRAPH = ontology.GRAPH + "epoch-notable-ai-models"
PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in ontology.PREFIXES.items())


@pytest.fixture(scope="module")
def fresh() -> tuple[list, object]:
    """What ``make data`` makes now: the quads and the import report."""
    return import_bundled(EPOCH)


def ids(kg: KnowledgeGraph, body: str) -> set[tuple[str, ...]]:
    """The rows of ``SELECT *`` (variables in alphabetical order), entities as their ids."""
    rows = kg.query(f"{PREFIXES} SELECT * WHERE {{ {body} }}").rows
    return {tuple(t.value.removeprefix(ontology.KG) for t in row) for row in rows}


# -- bundled: the committed file is what the table and the mapping make ------------------------


@pytest.mark.slow
def test_a_fresh_import_equals_the_committed_data_file(fresh) -> None:
    quads, _ = fresh
    committed = set(parse(path=EPOCH.data_file, format=None))
    assert set(quads) == committed, "run `make data` after changing the table or the mapping"


def test_the_committed_resolution_report_is_the_fresh_one(fresh) -> None:
    _, report = fresh
    committed = EPOCH.table.with_name(f"{EPOCH.name}.resolution.json")
    assert json.loads(report_json(report)) == json.loads(committed.read_text(encoding="utf-8"))


def test_the_served_graph_holds_a_thousand_models_and_epochs_graph(bundled) -> None:
    ((count,),) = ids(bundled, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE "
                               "{ ?m a/rdfs:subClassOf* aikg:AIModel }")
    assert int(count) >= 1000
    assert bundled.graph_sizes()[GRAPH] > 10_000


def test_epochs_graph_is_described_like_every_source(bundled) -> None:
    described = {(p.value, o.value) for _, p, o in bundled.query(
        "SELECT ?g ?p ?o WHERE { ?g ?p ?o }", substitutions={"g": NamedNode(GRAPH)},
        default_graphs=[ontology.SOURCES_GRAPH]).rows}
    P = ontology.PREFIXES
    assert {
        (P["rdf"] + "type", ontology.AIKG + "SourceGraph"),
        (P["dcterms"] + "publisher", "Epoch AI"),
        (ontology.AIKG + "accessedOn", "2026-01-26"),
        (P["dcterms"] + "license", "https://creativecommons.org/licenses/by/4.0/"),
        (P["schema"] + "url", "https://epoch.ai/data/notable-ai-models"),
        (ontology.AIKG + "evidenceKind", ontology.AIKG + "PublicEvidence"),
        (ontology.AIKG + "sourceGrade", ontology.AIKG + "SecondarySource"),
        ("http://creativecommons.org/ns#attributionName", "Data: Epoch AI (epoch.ai)"),
    } <= described


def test_a_new_disk_store_holds_epochs_graph(tmp_path: Path, bundled) -> None:
    kg = open_graph(str(tmp_path / "store"))
    assert kg.graph_sizes()[GRAPH] == bundled.graph_sizes()[GRAPH]


# -- more of the table: lineage, chips, countries, links ---------------------------------------


def test_chips_are_entities_owned_by_their_makers(bundled) -> None:
    assert ids(bundled, "kg:nvidia-h100-sxm5-80gb a ?c ; aikg:ownedBy ?maker") == {
        (ontology.AIKG + "AIChip", "nvidia")}
    assert ids(bundled, "kg:google-tpu-v4 aikg:ownedBy ?maker") == {("google",)}
    assert ids(bundled, "kg:huawei-ascend-910b aikg:ownedBy ?maker") == {("huawei",)}
    # the curated chip is Epoch's "Huawei Ascend 910", not a twin
    assert ids(bundled, "kg:ernie-3-0-titan aikg:runsOn ?chip") == {
        ("ascend",), ("nvidia-tesla-v100-dgxs-32-gb",)}


def test_nvidias_circle_lists_the_models_trained_on_its_chips(cli) -> None:
    result = cli("circle", "nvidia", "--depth", "2", "--role", "owned", "--role",
                 "runs-on-it", "--format", "json")
    assert result.exit_code == 0, result.output
    circle = json.loads(result.output)
    trained = {m["id"] for g in circle["groups"] if g["key"] == "runs-on-it"
               for m in g["members"]}
    assert {"llama-3-1-405b", "nvlm-d-72b"} <= trained and len(trained) > 200


#: A chip maker, models trained on its hardware (Epoch's and curated), and a chip of each.
ON_ITS_HARDWARE = [
    ("nvidia", {"llama-3-1-405b": "nvidia-h100-sxm5-80gb", "kimi-k2": "nvidia-h800-sxm5"}),
    ("google", {"afm-server": "google-tpu-v4", "alphafold-2": "google-tpu-v3"}),
    ("huawei", {"pangu-ultra": "huawei-ascend-910b", "deepseek-v3": "ascend"}),
]
ROLE = "runs-on-its-hardware"


@pytest.mark.parametrize("maker, trained", ON_ITS_HARDWARE)
def test_aikg_circle_of_a_chip_maker_lists_the_models_trained_on_its_hardware(
        cli, maker: str, trained: dict[str, str]) -> None:
    """At the default depth, one derived hop (aikg:runsOn then aikg:ownedBy) that names the
    chip it goes through."""
    circle = json.loads(cli("circle", maker, "--format", "json").output)
    assert circle["depth"] == 1
    (group,) = [g for g in circle["groups"] if g["key"] == ROLE]
    assert group["label_en"] == "model trained or running on its hardware"
    assert group["label_zh"] == "在其硬件上训练或运行的模型"
    members = {m["id"]: m for m in group["members"]}
    for model, chip in trained.items():
        (hop,) = members[model]["path"]
        (edge,) = [e for e in hop["edges"] if e["relation"] == "runsOnHardwareOf"]
        assert edge["direction"] == "in" and chip in {n["id"] for n in edge["via"]}
        assert edge["sources"]  # the sources of the statements it rests on
    table = cli("circle", maker, "--role", ROLE).output
    model, chip = next(iter(trained.items()))
    assert f"{maker} <-runsOnHardwareOf- {model} (via " in table and chip in table


def test_nvidias_circle_over_http_counts_the_models_on_its_hardware_by_role(client) -> None:
    circle = client.get("/api/entities/nvidia/circle").get_json()["data"]
    roles = {r["key"]: r for r in circle["composition"]["roles"]}
    assert roles[ROLE]["count"] > 200 and roles[ROLE]["label_en"].startswith("model trained")
    assert roles["owned"]["count"] > 40  # its chips, beside them
    model = client.get("/api/entities/llama-3-1-405b/circle?role=hardware-maker").get_json()["data"]
    (group,) = model["groups"]
    assert [m["id"] for m in group["members"]] == ["nvidia"]
    assert group["label_en"] == "maker of the chips it runs on"
    page = client.get("/id/nvidia").get_data(as_text=True)
    assert "model trained or running on its hardware" in page
    assert 'runs on hardware of NVIDIA, via <a href="/id/nvidia-h100-sxm5-80gb">' in page


def test_a_derived_edge_holds_while_its_chain_of_statements_holds(client) -> None:
    """From the later start of its two statements: Epoch's training hardware is dated by the
    table (2026-01-26), the curated "DeepSeek-V3 runs on Ascend" by its own source."""
    def on_huaweis_hardware(at: str) -> dict[str, str]:
        circle = client.get(f"/api/entities/huawei/circle?role={ROLE}&at={at}").get_json()
        return {m["id"]: m["path"][-1]["edges"][0]["since"] for g in circle["data"]["groups"]
                for m in g["members"]}

    before, now = on_huaweis_hardware("2025-06-01"), on_huaweis_hardware("2026-02-01")
    assert "deepseek-v3" in before and "pangu-ultra" not in before
    assert now["pangu-ultra"] == "2026-01-26" and now["deepseek-v3"] == before["deepseek-v3"]


def test_rankings_count_a_model_on_a_makers_chip_once(bundled) -> None:
    """Centralities leave out derived edges: NVIDIA is not raised twice by each model."""
    from graph.network import Network, ranking

    projection = Network(bundled).current
    degree = dict(ranking(projection, "degree"))
    G = projection.graph
    stated = sum(1 for _, _, k in G.edges(ontology.KG + "nvidia", keys=True)) + sum(
        1 for _, _, k in G.in_edges(ontology.KG + "nvidia", keys=True)
        if k != ontology.AIKG + "runsOnHardwareOf")
    assert degree[ontology.KG + "nvidia"] == stated


def test_a_base_models_circle_lists_the_models_built_on_it(cli) -> None:
    result = cli("circle", "qwen2-72b", "--role", "derived-model", "--format", "json")
    circle = json.loads(result.output)
    assert {m["id"] for g in circle["groups"] for m in g["members"]} >= {
        "nvlm-d-72b", "nvlm-x-72b", "nvlm-h-72b", "llava-ov-72b"}


def test_path_walks_a_fine_tuned_model_to_its_base_models_developer(cli) -> None:
    result = cli("path", "nvlm-d-72b", "alibaba")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "   nvlm-d-72b -> basedOnModel -> qwen2-72b   [epoch-notable-ai-models]",
        "   qwen2-72b -> developedBy -> alibaba   [epoch-notable-ai-models]"]


def test_models_join_the_curated_family_of_their_developer(bundled) -> None:
    assert ids(bundled, f"GRAPH <{GRAPH}> {{ ?m aikg:versionOf kg:qwen }} "
                        "FILTER (?m IN (kg:qwen3-max, kg:qwen2-72b))") == {
        ("qwen3-max",), ("qwen2-72b",)}  # Alibaba's, in the family of its unit Alibaba Cloud
    assert ids(bundled, "kg:glm-4-6 aikg:versionOf ?f") == {("glm",)}
    assert ids(bundled, "kg:chatglm3-6b aikg:versionOf ?f") == {("glm",)}
    # not Meta's: LLaVA is no Llama, and a name must begin with the family's
    assert ids(bundled, "kg:llava-1-5 aikg:versionOf ?f") == set()
    assert ids(bundled, "kg:llama-3-1-nemotron-70b-instruct aikg:versionOf ?f") == {
        ("llama",)}  # Epoch lists Meta AI among its developers


def test_every_country_of_a_multi_country_row_is_kept(bundled) -> None:
    # "Facebook AI Research,INRIA" in "United States of America,France,France": FAIR (Meta)
    # has two countries where it stands alone, so INRIA's is the last.
    assert ids(bundled, f"GRAPH <{GRAPH}> {{ kg:inria aikg:locatedInCountry ?c }}") == {
        ("france",)}


def test_accessibility_hardware_and_links_are_read(bundled) -> None:
    assert ids(bundled, "kg:kimi-k2 aikg:modelAccessibility ?a ; aikg:openWeights ?open ; "
                        "aikg:runsOn ?chip ; rdfs:seeAlso ?link") == {
        ("Open weights (restricted use)", "nvidia-h800-sxm5",
         "https://moonshotai.github.io/Kimi-K2/", "true")}  # (?a ?chip ?link ?open)
    # the licence Epoch's notes name first, for open weights only (else it is the code's)
    assert ids(bundled, f"GRAPH <{GRAPH}> {{ kg:deepseek-r1 schema:license ?l }}") == {
        ("https://spdx.org/licenses/MIT",)}
    assert ids(bundled, "kg:roformer aikg:modelAccessibility ?a FILTER NOT EXISTS { "
                        "kg:roformer schema:license ?l }") == {("Unreleased",)}
    # a cell of several addresses and words gives the addresses only
    links = ids(bundled, f"GRAPH <{GRAPH}> {{ ?m rdfs:seeAlso ?link }}")
    assert len(links) > 950 and all(link.startswith("http") for link, _ in links)


# -- no twins ------------------------------------------------------------------------------------

#: Epoch's names of entities the curated graph holds, and the curated entity each must be.
SAME = {
    "organization": {
        "Z.ai (Zhipu AI)": "zhipu", "Moonshot": "moonshot", "Alibaba": "alibaba",
        "Alibaba DAMO Academy": "alibaba", "Baidu": "baidu", "Tencent": "tencent",
        "ByteDance": "bytedance", "Huawei": "huawei", "01.AI": "01ai", "MiniMax": "minimax",
        "Google": "google", "Google DeepMind": "google", "DeepMind": "google",
        "Google Brain": "google", "Google Research": "google", "Meta AI": "meta",
        "Facebook AI Research": "meta", "Microsoft Research": "microsoft",
    },
    "model": {
        "Ernie 4.0 Turbo": "ernie-4-0-turbo", "ERNIE 4.0": "ernie-4-0",
        "GLM-4-Plus": "glm-4-plus", "GLM-4 (0116)": "glm-4", "Hunyuan-Large": "hunyuan-large",
        "k0-math": "k0-math", "Doubao-pro": "doubao-pro", "Yi-34B": "yi-34b",
        "Llama 3.3 70B": "llama-3-3", "GPT-4o (May 2024)": "gpt-4o", "PanGu-Σ": "pangu-sigma",
    },
    "chip": {"Huawei Ascend 910": "ascend"},
}


@pytest.mark.parametrize("kind", sorted(SAME))
def test_epochs_names_resolve_to_the_curated_entities(fresh, kind: str) -> None:
    _, report = fresh
    assert {name: report.merged[kind].get(name) for name in SAME[kind]} == {
        name: f"kg:{id_}" for name, id_ in SAME[kind].items()}


@pytest.mark.slow
def test_no_curated_model_or_organization_has_a_twin_from_the_table(bundled) -> None:
    """No entity the table created is called by a name of a curated entity of its kind."""
    for klass in ("Organization", "AIModel", "AIChip"):
        rows = bundled.query(f"""{PREFIXES} SELECT ?e ?label ?g WHERE {{
            GRAPH ?g {{ ?e rdfs:label|skos:prefLabel|skos:altLabel|skos:hiddenLabel ?label }}
            ?e a/rdfs:subClassOf* aikg:{klass} }}""").rows
        curated = {e.value for e, _, g in rows if g.value != GRAPH}
        names = {normalise(label.value) for e, label, _ in rows if e.value in curated}
        twins = {(e.value, label.value) for e, label, g in rows
                 if e.value not in curated and normalise(label.value) in names}
        assert twins == set(), klass


# -- bad input as before -------------------------------------------------------------------------


def test_an_unknown_chip_maker_names_its_row_and_column_and_writes_nothing() -> None:
    kg = curated_graph()
    state = (kg.version, len(kg))
    text = EPOCH.table.read_text(encoding="utf-8").replace(
        "NVIDIA H100 SXM5 80GB", "Graphcore IPU", 1)
    with pytest.raises(BadInput, match=r"^row \d+, column Training hardware: 'Graphcore IPU'"):
        import_table(kg, text.encode(), bundled_mapping(EPOCH.name))
    assert (kg.version, len(kg)) == state


# -- credited where its facts are shown -----------------------------------------------------------

CREDIT = "Data: Epoch AI (epoch.ai)"
LICENCE = ('<a href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener">'
           'CC BY 4.0</a>')


def test_the_home_page_says_where_the_data_comes_from_and_its_licence(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert CREDIT in page and LICENCE in page
    assert 'href="https://epoch.ai/data/notable-ai-models"' in page


def test_the_import_docs_say_where_the_data_comes_from_and_its_licence(bundled) -> None:
    """docs/import.md names what the graph's own description says: address, credit, licence."""
    described = {p.value: o.value for _, p, o in bundled.query(
        "SELECT ?g ?p ?o WHERE { ?g ?p ?o }", substitutions={"g": NamedNode(GRAPH)},
        default_graphs=[ontology.SOURCES_GRAPH]).rows}
    P = ontology.PREFIXES
    docs = (ontology.ONTOLOGY_DIR.parent / "docs" / "import.md").read_text(encoding="utf-8")
    for term in (P["schema"] + "url", P["dcterms"] + "license",
                 "http://creativecommons.org/ns#attributionName"):
        assert described[term] in docs, term
    assert "CC BY 4.0" in docs


@pytest.mark.parametrize("entity_id, credited", [
    ("kimi-k2", True),  # Epoch's alone
    ("moonshot", True),  # curated, with Epoch's country and models
    ("capital-today", False),  # curated only
])
def test_an_entity_page_credits_epoch_where_it_shows_its_facts(client, entity_id: str,
                                                              credited: bool) -> None:
    page = client.get(f"/id/{entity_id}").get_data(as_text=True)
    assert (CREDIT in page and LICENCE in page) is credited
    api = client.get(f"/api/entities/{entity_id}").get_json()["data"]
    credits = {s["credit"] for s in api["sources"]} - {None}
    assert credits == ({CREDIT} if credited else set())


def test_a_quads_upload_names_only_the_graphs_it_changed() -> None:
    """So that a write validates those, not the bundled graphs it leaves alone (validating
    Epoch's 12,000 statements takes seconds)."""
    kg = open_graph("memory")
    kg.load(SMALL)
    assert kg.changed_graphs == {SMALL_SOURCE, ontology.SOURCES_GRAPH}
    kg.load(SMALL)  # nothing new
    assert kg.changed_graphs == frozenset()
