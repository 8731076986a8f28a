"""Rankings, paths and circles past one machine: over a remote store (a real Oxigraph server)
they answer what a local store with the same data answers.

Both stores hold the small ecosystem, its ontology and ``small-extras.trig``: a statement two
sources give, an entity without relationships, an end outside ``kg:`` and a loop. Degrees are
SPARQL aggregates on the endpoint; PageRank and betweenness refuse, saying how to copy the
graph into a local store, and the tests follow those steps.
"""

from __future__ import annotations

from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from flask.testing import FlaskClient

import graph.network.remote_rankings
from tests.checks import assert_error, get_ok, same_answer
from tests.conftest import DATA, ecosystem_store

EXTRAS = DATA / "small-extras.trig"

#: Degrees counted by hand from the two files: ties by IRI (``https://example.org/...`` first).
DEGREES = [("alpha", 3.0), ("beta", 3.0), ("cloud", 3.0), ("alpha-1", 2.0), ("vc", 2.0),
           ("https://example.org/outside", 1.0), ("app", 1.0), ("beta-1", 1.0), ("loner", 0.0)]


@pytest.fixture
def local_store(tmp_path: Path) -> str:
    return ecosystem_store(tmp_path, EXTRAS)


@pytest.fixture
def local_client(local_store: str, make_client) -> FlaskClient:
    return make_client(store=local_store)


@pytest.fixture
def remote_client(serve_remote) -> FlaskClient:
    return serve_remote(EXTRAS)


SAME_ANSWERS = [
    "/api/rankings",
    "/api/rankings?metric=degree&limit=3&offset=2",
    "/api/rankings?limit=1&offset=8",
    "/api/rankings?type=Organization",
    "/api/rankings?type=FoundationModel,Product&limit=2",
    "/api/entities/cloud/circle?depth=2",
    "/api/entities/vc/circle?depth=3&relation=investsIn",
    "/api/entities/loner/circle",
    "/api/paths?from=app&to=https://example.org/outside&k=2&max_length=6",
    "/api/paths?from=beta-1&to=cloud&k=3",
]


@pytest.mark.parametrize("url", SAME_ANSWERS)
def test_rankings_paths_and_circles_over_a_remote_store_equal_the_local_ones(
        url: str, remote_client: FlaskClient, local_client: FlaskClient) -> None:
    same_answer(local_client, remote_client, url)


def test_degree_ranking_over_a_remote_store_is_the_hand_counted_one(remote_client) -> None:
    found = get_ok(remote_client, "/api/rankings?limit=20")
    assert [(e["id"], e["score"]) for e in found["data"]] == DEGREES
    assert [e["rank"] for e in found["data"]] == list(range(1, 10))
    assert found["page"] == {"limit": 20, "offset": 0, "total": 9, "next": None}
    first = get_ok(remote_client, "/api/rankings?limit=4&offset=4")
    assert [e["id"] for e in first["data"]] == [i for i, _ in DEGREES[4:8]]
    assert first["page"]["next"] == "/api/rankings?limit=4&offset=8"
    assert get_ok(remote_client, "/api/rankings?offset=9")["data"] == []
    typed = get_ok(remote_client, "/api/rankings?type=Company")["data"]
    assert [(e["id"], e["types"]) for e in typed][-1] == ("loner", ["Company"])


@pytest.mark.parametrize("url", ["/api/rankings", "/api/rankings?limit=3&offset=4"])
def test_a_tie_of_more_entities_than_one_answer_holds_is_ordered_by_the_store(
        url: str, remote_client, local_client, monkeypatch) -> None:
    monkeypatch.setattr(graph.network.remote_rankings, "MAX_ROWS", 2)
    local, remote = get_ok(local_client, url), get_ok(remote_client, url)
    assert remote["data"] == local["data"] and remote["page"] == local["page"]


@pytest.mark.parametrize("metric", ["pagerank", "betweenness"])
def test_whole_graph_rankings_over_a_remote_store_say_how_to_get_them(
        metric: str, remote_client, endpoint) -> None:
    assert_error(remote_client.get(f"/api/rankings?metric={metric}"), 501,
                 f"rankings by {metric}", "whole relationship graph", endpoint,
                 "GET /store with Accept: application/n-quads",
                 "aikg restore graph.nq --store DIR", "aikg serve --store DIR")


def test_rankings_as_of_a_day_over_a_remote_store_need_a_local_one(remote_client,
                                                                   local_client) -> None:
    assert get_ok(local_client, "/api/rankings?at=2025")["data"]
    assert_error(remote_client.get("/api/rankings?at=2025"), 501, "at:", "need a local store")


@pytest.mark.parametrize("args", [
    ["rank"],
    ["rank", "--type", "Company", "--limit", "3", "--format", "json"],
    ["path", "app", "vc"],
    ["path", "beta-1", "cloud", "-k", "3", "--format", "json"],
])
def test_cli_rank_and_path_over_a_remote_store_equal_the_local_ones(
        args, remote_client, local_store, endpoint, cli) -> None:
    local = cli(*args, "--store", local_store)
    remote = cli(*args, "--store", endpoint + "/query")
    assert remote.exit_code == 0, remote.output
    assert local.exit_code == 0 and local.output.strip()
    assert remote.output == local.output


def test_the_steps_the_refusal_names_give_pagerank_of_the_remote_graph(
        remote_client, local_store, endpoint, cli, tmp_path) -> None:
    refusal = cli("rank", "--metric", "pagerank", "--store", endpoint + "/query")
    assert refusal.exit_code == 1 and "aikg restore graph.nq --store DIR" in refusal.output
    dump, copy = tmp_path / "graph.nq", tmp_path / "copy"
    request = Request(endpoint + "/store", headers={"Accept": "application/n-quads"})
    with urlopen(request, timeout=60) as answer:
        dump.write_bytes(answer.read())
    restored = cli("restore", dump, "--store", copy)
    assert restored.exit_code == 0, restored.output
    ranked = [cli("rank", "--metric", "pagerank", "--format", "json", "--store", store)
              for store in (copy, local_store)]
    assert ranked[0].exit_code == 0, ranked[0].output
    assert ranked[0].output == ranked[1].output
