"""Time in the relationship graph over tests/data/dated.trig (hand-checked in its header):
edge periods, circles, neighbours and paths as of a day, what changed, an entity's timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import BadInput, NoPath
from graph.network import build, circle, neighbors, paths, ranking
from graph.network.history import circle_changes, timeline
from graph.network.periods import parse_day
from graph.store import KnowledgeGraph, open_graph

DATA = Path(__file__).parent / "data"
KG = "https://w3id.org/aikg/id/"
AIKG = "https://w3id.org/aikg/ontology#"
G_ = "https://w3id.org/aikg/graph/"


@pytest.fixture(scope="module")
def dated() -> KnowledgeGraph:
    kg = open_graph("memory", bundled=False)
    kg.load(DATA / "dated.trig")
    kg.load(DATA / "small-ontology.ttl")
    return kg


@pytest.fixture(scope="module")
def G(dated):
    return build(dated).graph


def members(found) -> list[str]:
    return sorted(m["node"].removeprefix(KG) for m in found)


def test_an_edge_holds_from_its_stated_since_or_else_its_source_date(G):
    assert G.edges[KG + "vc", KG + "alpha", AIKG + "investsIn"]["since"] == "2023-05"
    assert G.edges[KG + "vc", KG + "alpha", AIKG + "investsIn"]["since_stated"] is True
    cloud = G.edges[KG + "cloud", KG + "alpha", AIKG + "suppliesCloudTo"]
    assert cloud["since"] == "2025-03-10" and "since_stated" not in cloud
    angel = G.edges[KG + "angel", KG + "alpha", AIKG + "investsIn"]
    assert (angel["since"], angel["until"]) == ("2022", "2024-07")
    assert "since" not in G.edges[KG + "vc", KG + "beta", AIKG + "investsIn"]


@pytest.mark.parametrize(("day", "expected"), [
    ("2021-12-31", []),
    ("2023-01-01", ["angel"]),
    ("2024-01-01", ["angel", "vc"]),
    ("2024-07-01", ["vc"]),
    ("2025-12-31", ["cloud", "vc"]),
])
def test_the_circle_as_of_a_day_holds_exactly_the_edges_that_held_then(G, day, expected):
    assert members(circle(G, KG + "alpha", at=day)) == expected


def test_without_a_day_the_circle_is_todays_and_unchanged(G):
    assert members(circle(G, KG + "alpha")) == ["angel", "cloud", "vc"]
    assert members(circle(G, KG + "alpha", depth=2)) == ["angel", "beta", "cloud", "vc"]


def test_an_undated_edge_counts_as_always_held(G):
    assert members(circle(G, KG + "alpha", depth=2, at="2023-12-31")) == ["angel", "beta", "vc"]


def test_neighbours_and_paths_follow_only_edges_that_held(G):
    assert [e["node"] for e in neighbors(G, KG + "alpha", at="2022-06-30")] == [KG + "angel"]
    found = paths(G, KG + "alpha", KG + "beta", at="2024-01-01")
    assert found[0]["nodes"] == [KG + "alpha", KG + "vc", KG + "beta"]
    assert found[0]["hops"][0]["edges"][0]["since"] == "2023-05"
    with pytest.raises(NoPath, match="hops between alpha and beta as of 2022-12-31"):
        paths(G, KG + "alpha", KG + "beta", at="2022-12-31")


def test_changes_name_who_joined_and_left_with_the_date_and_source(G):
    found = circle_changes(G, KG + "alpha", "2023-01-01", "2025-12-31")
    assert [(m["node"].removeprefix(KG), m["date"]) for m in found["joined"]] == [
        ("vc", "2023-05"), ("cloud", "2025-03-10")]
    assert [(m["node"].removeprefix(KG), m["date"]) for m in found["left"]] == [
        ("angel", "2024-07")]
    assert found["joined"][1]["path"][0]["edges"][0]["sources"] == [G_ + "s2025"]


def test_changes_refuse_a_start_after_the_end(G):
    with pytest.raises(BadInput, match="from: 2025-01-01 is after to: 2024-01-01"):
        circle_changes(G, KG + "alpha", "2025-01-01", "2024-01-01")


def test_the_timeline_lists_dated_events_newest_first_with_sources(dated, G):
    events = [(e["date"], e["kind"], e["subject"].removeprefix(KG))
              for e in timeline(dated, G, KG + "alpha")]
    assert events == [
        ("2025-03-10", "reported", "cloud"),
        ("2024-07", "ended", "angel"),
        ("2023-05-20", "funding round", "round-a"),
        ("2023-05", "began", "vc"),
        ("2022", "began", "angel"),
        ("2021", "founded", "alpha"),
    ]
    beta = [(e["date"], e["kind"], e["subject"], e["sources"])
            for e in timeline(dated, G, KG + "beta")]
    assert ("2025-09-01", "released", KG + "beta-1", [G_ + "s2025b"]) in beta


def test_rankings_as_of_a_day_count_only_edges_that_held(dated):
    projection = build(dated)
    today = dict(ranking(projection, "degree"))
    before = dict(ranking(projection, "degree", at="2022-06-30"))
    assert today[KG + "alpha"] > before[KG + "alpha"]
    assert ranking(projection, "degree", at="2022-06-30") == ranking(
        projection, "degree", at="2022-12-31")  # no edge changed between the two days


@pytest.mark.parametrize("text", ["2025-13", "2025-02-30", "soon", "25", "2025-1-1"])
def test_an_unreadable_day_is_bad_input_naming_the_parameter(text):
    with pytest.raises(BadInput, match=f"^at: '{text}' is not a date"):
        parse_day(text)


def test_a_dated_circle_exports_as_a_dynamic_gexf_that_networkx_reads_back(G):
    import io

    import networkx as nx

    from graph.export.xmlgraphs import write_gexf
    from graph.network import circle_subgraph

    H = circle_subgraph(G, KG + "alpha", circle(G, KG + "alpha"))
    out = io.BytesIO()
    write_gexf(H, out)
    back = nx.read_gexf(io.BytesIO(out.getvalue()))
    assert back.graph["mode"] == "dynamic"
    edges = {(u.removeprefix(KG), v.removeprefix(KG)): d for u, v, d in back.edges(data=True)}
    assert (edges["angel", "alpha"]["start"], edges["angel", "alpha"]["end"]) == (
        "2022-01-01", "2024-07-01")
    assert edges["cloud", "alpha"]["start"] == "2025-03-10"
    assert back.nodes[KG + "cloud"]["start"] == "2025-03-10"
    assert back.nodes[KG + "alpha"]["start"] == "2022-01-01"
