"""Network exports read back, with networkx, csv and pydot, to the graph they were written from."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import networkx as nx
import pydot
import pytest
from pyoxigraph import parse

import ontology
from graph import open_graph
from graph.export import dataset_export, export_format, network_export
from graph.export.convert import rdf_network
from graph.export.rdf import dataset_quads

KG, AIKG, SRC = ontology.KG, ontology.AIKG, ontology.GRAPH
BIG = 2**70  # fits no GraphML, GEXF or JavaScript number type
ODD = 'Alpha & "Beta" <Labs>\nsecond line\ttab \\ back'


@pytest.fixture
def circle() -> nx.MultiDiGraph:
    """A hand-made circle in the projection's shape, with values that strain every format."""
    G = nx.MultiDiGraph(version=7)
    for slug, en, zh, types, extra in [
        ("vc", "Venture Capital", "风险投资", [AIKG + "Company", AIKG + "Investor"],
         {"valuation": 1_300_000_000_000, "huge": BIG, "share": 0.125, "public": True}),
        ("alpha", ODD, "阿尔法", [AIKG + "Company"], {"valuation": 7, "role": "investee"}),
        ("alpha-1", "Alpha-1", "", [AIKG + "FoundationModel"], {}),
        ("cloud", "", "云公司", [], {}),
    ]:
        G.add_node(KG + slug, iri=KG + slug, id=slug, label_en=en, label_zh=zh, types=types,
                   **extra)
    for u, p, v, en, sources in [
        ("vc", "investsIn", "alpha", "invests in", [SRC + "news", SRC + "filing"]),
        ("vc", "partnerOf", "alpha", "partner of", [SRC + "news"]),
        ("alpha-1", "developedBy", "alpha", "developed by", [SRC + "filing"]),
        ("cloud", "suppliesCloudTo", "alpha", "", []),
        ("alpha", "partnerOf", "alpha", "partner of", [SRC + "news"]),
    ]:
        G.add_edge(KG + u, KG + v, key=AIKG + p, predicate=AIKG + p, label_en=en,
                   label_zh="" if not en else en.upper(), sources=sources)
    return G


def content(export) -> bytes:
    out = io.BytesIO()
    export.write(out)
    return out.getvalue()


def written(G: nx.Graph, fmt: str) -> bytes:
    return content(network_export(G, fmt, "aikg-circle"))


def decoded(value: object) -> object:
    """A list cell back as a list: JSON when it starts with ``[``, else space-separated."""
    if not isinstance(value, str):
        return value
    return json.loads(value) if value.startswith("[") else value.split()


def as_scalar_formats_hold(value: object) -> object:
    """What GraphML and GEXF give back: a too-big integer as its digits, lists decoded later."""
    return str(value) if isinstance(value, int) and abs(value) >= 2**63 else value


def assert_attributes_kept(back: dict, original: dict, lists=("types", "sources")) -> None:
    for name, value in original.items():
        got = back.get(name, "")
        if name in lists:
            assert decoded(got) == value, name
        else:
            assert got == as_scalar_formats_hold(value), name


def edge_set(G: nx.Graph) -> set[tuple[str, str, str]]:
    return {(u, v, d["predicate"]) for u, v, d in G.edges(data=True)}


def test_graphml_reads_back_with_the_same_nodes_edges_and_attributes(circle):
    back = nx.read_graphml(io.BytesIO(written(circle, "graphml")), force_multigraph=True)
    assert set(back) == set(circle)
    assert edge_set(back) == set(circle.edges(keys=True))
    for node, data in circle.nodes(data=True):
        assert_attributes_kept(back.nodes[node], data)
    for u, v, key, data in circle.edges(keys=True, data=True):
        (found,) = [d for d in back[u][v].values() if d["predicate"] == key]
        assert_attributes_kept(found, data)
    assert back.graph["version"] == 7


def test_graphml_types_each_column_so_nothing_is_lost(circle):
    text = written(circle, "graphml").decode()
    assert 'attr.name="valuation" attr.type="long"' in text  # 1.3 trillion is no 32-bit int
    assert 'attr.name="huge" attr.type="string"' in text  # 2**70 is no 64-bit long either
    assert 'attr.name="share" attr.type="double"' in text


def test_gexf_reads_back_with_the_same_nodes_edges_and_attributes(circle):
    back = nx.read_gexf(io.BytesIO(written(circle, "gexf")))
    assert set(back) == set(circle)
    assert edge_set(back) == set(circle.edges(keys=True))
    for node, data in circle.nodes(data=True):
        assert_attributes_kept(back.nodes[node], data)
    assert back.nodes[KG + "cloud"]["label"] == "云公司"  # no English label: the Chinese one
    assert back.nodes[KG + "alpha"]["label"] == ODD


def test_node_link_json_reads_back_with_the_same_nodes_edges_and_attributes(circle):
    data = json.loads(written(circle, "nodelink"))
    back = nx.node_link_graph(data, name="iri", edges="links")
    assert set(back) == set(circle)
    assert set(back.edges(keys=True)) == set(circle.edges(keys=True))
    for node, attributes in circle.nodes(data=True):
        expected = {k: v for k, v in attributes.items() if k != "iri"}
        expected["huge"] = str(BIG) if "huge" in expected else None
        assert back.nodes[node] == {k: v for k, v in expected.items() if v is not None}
    for u, v, key, attributes in circle.edges(keys=True, data=True):
        assert back.edges[u, v, key] == attributes
    assert back.graph == {"version": 7}


def test_cytoscape_json_reads_back_and_links_edges_to_node_ids(circle):
    data = json.loads(written(circle, "cytoscape"))
    node_ids = {n["data"]["id"] for n in data["elements"]["nodes"]}
    assert node_ids == set(circle)
    assert all(e["data"]["source"] in node_ids and e["data"]["target"] in node_ids
               for e in data["elements"]["edges"])
    assert len({e["data"]["id"] for e in data["elements"]["edges"]}) == 5
    back = nx.cytoscape_graph(data)
    assert set(back.edges(keys=True)) == set(circle.edges(keys=True))
    assert back.nodes[KG + "vc"]["entity_id"] == "vc"
    assert back.nodes[KG + "vc"]["types"] == circle.nodes[KG + "vc"]["types"]


def test_csv_zip_holds_nodes_and_edges_that_match_the_graph(circle):
    with zipfile.ZipFile(io.BytesIO(written(circle, "csv"))) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        assert archive.comment == b"aikg graph version 7"
        nodes = list(csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), "utf-8")))
        edges = list(csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), "utf-8")))
    assert len(nodes) == circle.number_of_nodes() and len(edges) == circle.number_of_edges()
    assert list(nodes[0])[:5] == ["iri", "id", "label_en", "label_zh", "types"]
    assert list(edges[0])[:6] == ["source", "target", "predicate", "label_en", "label_zh",
                                  "sources"]
    by_iri = {row["iri"]: row for row in nodes}
    assert by_iri[KG + "alpha"]["label_en"] == ODD
    assert by_iri[KG + "vc"]["huge"] == str(BIG)
    assert decoded(by_iri[KG + "vc"]["types"]) == circle.nodes[KG + "vc"]["types"]
    assert {(e["source"], e["target"], e["predicate"]) for e in edges} == set(
        circle.edges(keys=True))


def test_dot_parses_with_pydot_to_the_same_nodes_edges_and_labels(circle):
    (parsed,) = pydot.graph_from_dot_data(written(circle, "dot").decode())
    nodes = {n.get_name().strip('"'): n for n in parsed.get_nodes()}
    assert set(nodes) == set(circle)
    edges = parsed.get_edges()
    assert len(edges) == circle.number_of_edges()
    assert {(e.get_source().strip('"'), e.get_destination().strip('"'),
             e.get("predicate").strip('"')) for e in edges} == set(circle.edges(keys=True))
    label = nodes[KG + "alpha"].get("label")
    assert label.strip('"').replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\") == ODD


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld"])
def test_a_subgraph_exports_as_rdf_with_its_edges_in_their_sources(circle, fmt):
    syntax = export_format(fmt).syntax.oxigraph
    statements = list(parse(written(circle, fmt), format=syntax))
    edges = {(s.subject.value, s.object.value, s.predicate.value) for s in statements
             if s.predicate.value.startswith(AIKG)}
    assert edges == set(circle.edges(keys=True))
    if syntax.supports_datasets:
        sources = {(s.predicate.value, s.graph_name.value) for s in statements
                   if s.predicate.value == AIKG + "investsIn"}
        assert sources == {(AIKG + "investsIn", SRC + "news"), (AIKG + "investsIn",
                                                                SRC + "filing")}


def test_the_dataset_as_a_network_keeps_typed_values_and_sources():
    kg = open_graph("memory", bundled=False)
    kg.load(Path(__file__).parent / "data" / "export.trig")
    back = nx.read_graphml(io.BytesIO(content(dataset_export(kg, "graphml"))),
                           force_multigraph=True)
    alpha = back.nodes[KG + "alpha"]
    assert alpha["aikg:valuation"] == 1_300_000_000_000
    assert alpha["aikg:huge"] == "123456789012345678901234567890"
    assert alpha["aikg:public"] is True and alpha["label_zh"] == "阿尔法"
    (investment,) = [d for d in back[KG + "alpha"][KG + "beta"].values()
                     if d["predicate"] == AIKG + "investsIn"]
    assert investment["sources"].split() == [SRC + "one", SRC + "two"]


def test_a_named_graph_as_a_network_takes_labels_and_types_from_the_whole_store():
    kg = open_graph("memory", bundled=False)
    kg.load(Path(__file__).parent / "data" / "export.trig")
    export = dataset_export(kg, "nodelink", graph="two")
    back = nx.node_link_graph(json.loads(content(export)), name="iri", edges="links")
    assert back.nodes[KG + "alpha"]["label_en"] == "Alpha AI"  # stated in graph one only
    assert back.nodes[KG + "alpha"]["types"] == [AIKG + "Company", AIKG + "Developer"]
    assert export.filename == "aikg-two.json"



@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_the_bundled_graph_reads_back_whole(bundled, fmt):
    """The real data (blank nodes, typed literals, 100+ sources) as a network, read by networkx."""
    expected = rdf_network(dataset_quads(bundled))
    data = io.BytesIO(content(dataset_export(bundled, fmt)))
    back = nx.read_graphml(data, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(data)
    assert set(back) == set(expected)
    assert edge_set(back) == set(expected.edges(keys=True))


@pytest.mark.parametrize("fmt", ["graphml", "trig"])
def test_a_subgraph_view_exports_like_a_graph(circle, fmt):
    """A circle or a path is a view of the projection (``G.subgraph``, ``G.edge_subgraph``)."""
    view = circle.edge_subgraph([(KG + "vc", KG + "alpha", AIKG + "investsIn"),
                                 (KG + "alpha-1", KG + "alpha", AIKG + "developedBy")])
    export = network_export(view, fmt, "aikg-path-vc-alpha-1")
    assert export.filename == "aikg-path-vc-alpha-1" + export_format(fmt).suffix
    if fmt == "graphml":
        back = nx.read_graphml(io.BytesIO(content(export)), force_multigraph=True)
        assert edge_set(back) == set(view.edges(keys=True)) and back.graph["version"] == 7
    else:
        statements = parse(content(export), format=export_format(fmt).syntax.oxigraph)
        assert {(s.subject.value, s.object.value, s.predicate.value) for s in statements
                if s.predicate.value.startswith(AIKG)} == set(view.edges(keys=True))
