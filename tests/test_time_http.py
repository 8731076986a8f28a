"""Time over HTTP and in the CLI: ``at`` on every relationship lookup, circle changes, the
timeline, dated exports and bad dates. Exact answers on tests/data/dated.trig (hand-checked in
its header); the acceptance checks on the bundled graph (ByteDance's circle)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest
from flask.testing import FlaskClient

from graph import open_graph
from service import create_app
from tests.checks import assert_error, get_ok
from tests.conftest import DATA, SMALL_ONTOLOGY

KG = "https://w3id.org/aikg/id/"
G_ = "https://w3id.org/aikg/graph/"


def dated_store(folder: Path) -> str:
    location = str(folder / "dated-store")
    kg = open_graph(location, bundled=False)
    for path in (DATA / "dated.trig", SMALL_ONTOLOGY):
        kg.load(path)
    del kg  # release the store's lock for the app that opens it next
    return location


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> FlaskClient:
    store = dated_store(tmp_path_factory.mktemp("dated"))
    return create_app({"TESTING": True, "STORE": store}).test_client()


@pytest.fixture(scope="module")
def bundled_client() -> FlaskClient:
    return create_app({"TESTING": True, "STORE": "memory"}).test_client()


def circle_ids(client: FlaskClient, url: str) -> list[str]:
    data = get_ok(client, url)["data"]
    return sorted({m["id"] for group in data["groups"] for m in group["members"]})


@pytest.mark.parametrize(("at", "expected"), [
    ("2023-01-01", ["angel"]),
    ("2024", ["vc"]),  # a year is its last day: the angel left in 2024-07
    ("2024-01", ["angel", "vc"]),
    ("2025-12-31", ["cloud", "vc"]),
    ("", ["angel", "cloud", "vc"]),  # empty as absent: today's circle
])
def test_the_circle_as_of_a_day_over_http(dated, at, expected):
    assert circle_ids(dated, f"/api/entities/alpha/circle?at={at}") == expected


def test_dated_members_carry_since_and_until(dated):
    data = get_ok(dated, "/api/entities/alpha/circle?at=2024-01-01")["data"]
    assert data["at"] == "2024-01-01"
    edges = {m["id"]: m["path"][-1]["edges"][0] for g in data["groups"] for m in g["members"]}
    assert (edges["angel"]["since"], edges["angel"]["until"]) == ("2022", "2024-07")
    assert edges["vc"]["since"] == "2023-05" and "until" not in edges["vc"]


def test_neighbours_paths_compare_rankings_and_relations_as_of_a_day(dated):
    found = get_ok(dated, "/api/entities/alpha/neighbors?at=2022-06-30")["data"]
    assert [e["node"]["id"] for e in found] == ["angel"]
    path = get_ok(dated, "/api/paths?from=alpha&to=beta&at=2024-01-01")["data"]["paths"][0]
    assert [n["id"] for n in path["nodes"]] == ["alpha", "vc", "beta"]
    assert_error(dated.get("/api/paths?from=alpha&to=beta&at=2022-12-31"), 404, "as of 2022")
    compared = get_ok(dated, "/api/compare?ids=alpha,beta&at=2022-06-30")["data"]
    assert compared["sizes"] == {"alpha": 1, "beta": 1} and compared["shared"] == []
    assert get_ok(dated, "/api/compare?ids=alpha,beta&at=2024-01-01")["data"]["shared"][0][
        "id"] == "vc"
    ranked = {r["id"]: r["score"] for r in get_ok(
        dated, "/api/rankings?metric=degree&at=2022-06-30")["data"]}
    assert ranked["alpha"] == 1 and ranked["vc"] == 1  # vc-beta is undated: always held
    relations = get_ok(dated, "/api/entities/alpha?at=2022-06-30")["data"]["relations"]["in"]
    assert {r["node"]["id"] for r in relations if r["ecosystem"]} == {"angel"}
    today = get_ok(dated, "/api/entities/alpha")["data"]["relations"]["in"]
    angel = next(r for r in today if r["node"]["id"] == "angel")
    assert (angel["since"], angel["until"]) == ("2022", "2024-07")


def test_changes_name_who_joined_and_left_by_role_with_date_and_source(dated):
    data = get_ok(dated, "/api/entities/alpha/circle/changes?from=2023&to=2025")["data"]
    assert (data["from"], data["to"]) == ("2022-12-31", "2025-12-31")
    joined = {m["id"]: (g["key"], m["date"], m["sources"]) for g in data["joined"]
              for m in g["members"]}
    assert joined == {"vc": ("investor", "2023-05", [G_ + "s2023"]),
                      "cloud": ("cloud-supplier", "2025-03-10", [G_ + "s2025"])}
    left = [(m["id"], m["date"]) for g in data["left"] for m in g["members"]]
    assert left == [("angel", "2024-07")]
    assert {s["iri"] for s in data["sources"]} == {G_ + "s2022", G_ + "s2023", G_ + "s2025"}


def test_the_timeline_is_newest_first_with_sources_and_paginated(dated):
    body = get_ok(dated, "/api/entities/alpha/timeline?limit=2")
    assert [(e["date"], e["kind"], e["subject"]["id"]) for e in body["data"]] == [
        ("2025-03-10", "reported", "cloud"), ("2024-07", "ended", "angel")]
    assert body["data"][0]["sources"] == [G_ + "s2025"]
    assert body["page"]["total"] == 6 and "offset=2" in body["page"]["next"]


@pytest.mark.parametrize(("url", "words"), [
    ("/api/entities/alpha/circle?at=soon", ["at:", "'soon' is not a date"]),
    ("/api/entities/alpha/circle?at=1999", ["at:", "before any dated relationship"]),
    ("/api/entities/alpha/neighbors?at=2025-02-30", ["at:"]),
    ("/api/rankings?at=2025-13", ["at:"]),
    ("/api/paths?from=alpha&to=beta&at=x", ["at:"]),
    ("/api/compare?ids=alpha,beta&at=x", ["at:"]),
    ("/api/entities/alpha?at=x", ["at:"]),
    ("/api/entities/alpha/circle/changes?to=2025", ["from:", "required"]),
    ("/api/entities/alpha/circle/changes?from=2025&to=2024", ["from: 2025 is after to: 2024"]),
    ("/api/entities/alpha/circle/changes?from=2024&to=later", ["to:"]),
    ("/api/entities/alpha/circle/changes?from=2024&to=1999", ["to:", "before any dated"]),
])
def test_bad_dates_are_a_400_naming_the_parameter(dated, url, words):
    assert_error(dated.get(url), 400, *words)


def test_a_dated_circle_over_http_is_a_dynamic_gexf_networkx_reads_back(dated):
    response = dated.get("/api/entities/alpha/circle?format=gexf")
    assert response.status_code == 200
    back = nx.read_gexf(io.BytesIO(response.data))
    assert back.graph["mode"] == "dynamic"
    angel = next(d for u, v, d in back.edges(data=True) if u == KG + "angel")
    assert (angel["start"], angel["end"]) == ("2022-01-01", "2024-07-01")
    as_of = nx.read_gexf(io.BytesIO(dated.get(
        "/api/entities/alpha/circle?format=gexf&at=2025-12-31").data))
    assert sorted(as_of) == [KG + "alpha", KG + "cloud", KG + "vc"]


def test_the_whole_network_exports_as_a_dynamic_gexf(dated):
    back = nx.read_gexf(io.BytesIO(dated.get("/export?format=gexf").data))
    assert back.graph["mode"] == "dynamic"
    dates = {(u.removeprefix(KG), v.removeprefix(KG)): (d.get("start"), d.get("end"))
             for u, v, d in back.edges(data=True)}
    assert dates["angel", "alpha"] == ("2022-01-01", "2024-07-01")
    assert dates["cloud", "alpha"] == ("2025-03-10", None)


def test_graphml_and_node_link_carry_since_and_until(dated):
    graphml = nx.read_graphml(io.BytesIO(dated.get("/api/entities/alpha/circle?format=graphml")
                                         .data))
    angel = next(d for u, v, d in graphml.edges(data=True) if u == KG + "angel")
    assert (angel["since"], angel["until"]) == ("2022", "2024-07")
    linked = json.loads(dated.get("/export?format=nodelink").data)
    links = linked.get("links") or linked["edges"]
    angel = next(e for e in links if e["source"] == KG + "angel")
    assert (angel["since"], angel["until"]) == ("2022", "2024-07")


def test_bytedance_circle_grows_between_2024_and_mid_2026(bundled_client):
    before = circle_ids(bundled_client, "/api/entities/bytedance/circle?at=2024-01-01")
    after = circle_ids(bundled_client, "/api/entities/bytedance/circle?at=2026-06-30")
    assert before != after
    data = get_ok(bundled_client, "/api/entities/bytedance/circle/changes"
                  "?from=2024-01-01&to=2026-06-30")["data"]
    joined = {m["id"]: m for g in data["joined"] for m in g["members"]}
    assert set(joined) == set(after) - set(before)
    described = {s["iri"] for s in data["sources"]}
    for member in joined.values():
        assert "2024-01-02" <= (member["date"] + "-01-01")[:10] <= "2026-06-30"
        assert member["sources"] and set(member["sources"]) <= described


@pytest.mark.parametrize(("args", "code", "words"), [
    (["circle", "alpha", "--at", "2023-01-01"], 0, ["Alpha: 1 members", "angel"]),
    (["changes", "alpha", "--from", "2023", "--to", "2025"], 0,
     ["2 joined, 1 left", "joined  cloud-supplier  2025-03-10  cloud", "s2025"]),
    (["timeline", "alpha", "--limit", "1"], 0, ["2025-03-10  reported  cloud"]),
    (["rank", "--at", "someday"], 1, ["--at: 'someday' is not a date"]),
    (["path", "alpha", "beta", "--at", "2022-12-31"], 1, ["as of 2022-12-31"]),
    (["changes", "alpha", "--from", "2025", "--to", "2024"], 1, ["--from: 2025 is after"]),
])
def test_the_cli_answers_as_of_a_day_and_lists_changes_and_events(cli, tmp_path, args, code,
                                                                   words):
    result = cli(*args, "--store", dated_store(tmp_path))
    assert result.exit_code == code, result.output
    for word in words:
        assert word in result.output
