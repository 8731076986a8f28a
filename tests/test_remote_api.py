"""The relationship API over a remote store: the same answers as over a local one, by SPARQL.

Both clients serve the small ecosystem and its ontology: one from an on-disk store, one from
the Oxigraph server of the ``endpoint`` fixture.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.checks import assert_error, get_ok, same_answer
from tests.conftest import ecosystem_store


@pytest.fixture
def remote_client(serve_remote) -> FlaskClient:
    return serve_remote()


SAME_ANSWERS = [
    "/api/entities/alpha/neighbors",
    "/api/entities/alpha/neighbors?direction=in&relation=investsIn",
    "/api/entities/alpha-1/neighbors?role=product",
    "/api/entities/alpha/neighbors?limit=2&offset=1",
    "/api/entities/alpha/circle",
    "/api/entities/alpha/circle?depth=2",
    "/api/entities/app/circle?depth=3",
    "/api/entities/alpha/circle?depth=2&relation=investsIn",
    "/api/entities/alpha/circle?depth=2&relation=supplierRelation",
    "/api/entities/vc/circle?depth=3&role=investee",
    "/api/entities/alpha/circle?depth=2&limit=2&offset=2",
    "/api/entities/app/neighbors",
    "/api/paths?from=app&to=vc",
    "/api/paths?from=app&to=vc&k=3&max_length=5",
    "/api/paths?from=app&to=beta&max_length=6&k=2",
    "/api/paths?from=vc&to=vc",
]


@pytest.mark.parametrize("url", SAME_ANSWERS)
def test_neighbors_circles_and_paths_over_a_remote_store_equal_the_local_ones(
        url: str, remote_client: FlaskClient, ecosystem_client: FlaskClient) -> None:
    local = same_answer(ecosystem_client, remote_client, url)
    assert local["data"]  # every case has something to compare


def test_circle_table_over_a_remote_store_equals_the_local_one(remote_client, ecosystem_client):
    url = "/api/entities/alpha/circle?depth=2&format=table"
    assert remote_client.get(url).get_data() == ecosystem_client.get(url).get_data()


def test_entity_details_over_a_remote_store_equal_the_local_ones(remote_client,
                                                                  ecosystem_client):
    local = get_ok(ecosystem_client, "/api/entities/alpha")["data"]
    assert get_ok(remote_client, "/api/entities/alpha")["data"] == local
    assert local["degree"] == 3  # vc, alpha-1 and cloud


def test_api_document_over_a_remote_store_equals_the_local_one(remote_client,
                                                                ecosystem_client):
    assert get_json(remote_client, "/openapi.json") == get_json(ecosystem_client,
                                                                "/openapi.json")


def get_json(client: FlaskClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("url", ["/api/entities/nobody", "/api/entities/nobody/circle",
                                 "/api/entities/Alpha/neighbors"])
def test_unknown_entity_over_a_remote_store_is_404(url: str, remote_client) -> None:
    assert_error(remote_client.get(url), 404, "no entity with id")


@pytest.mark.parametrize("url", [
    "/api/entities/alpha/circle?depth=4",
    "/api/entities/alpha/circle?relation=investIn",
    "/api/entities/alpha/circle?role=boss",
    "/api/entities/alpha/neighbors?direction=up",
])
def test_bad_arguments_over_a_remote_store_are_400(url: str, remote_client) -> None:
    assert_error(remote_client.get(url), 400)


@pytest.mark.parametrize("url", [
    "/api/compare?ids=alpha,beta",
    "/api/rankings?metric=pagerank",
    "/api/stats",
    "/api/entities",
])
def test_whole_graph_questions_over_a_remote_store_are_501_saying_why(
        url: str, remote_client: FlaskClient, endpoint: str) -> None:
    assert_error(remote_client.get(url), 501, "whole relationship graph", endpoint,
                 "neighbors and circles")


@pytest.mark.parametrize("args", [
    ["alpha"],
    ["alpha", "--depth", "2", "--format", "json"],
    ["vc", "--depth", "3", "--role", "investee"],
    ["alpha", "--depth", "2", "--relation", "investsIn", "--format", "json"],
])
def test_cli_circle_over_a_remote_store_equals_the_local_one(args, remote_client, endpoint, cli,
                                                            tmp_path) -> None:
    local = cli("circle", *args, "--store", ecosystem_store(tmp_path))
    remote = cli("circle", *args, "--store", endpoint + "/query")
    assert remote.exit_code == 0, remote.output
    assert local.exit_code == 0 and local.output.strip()
    assert remote.output == local.output


# ``aikg path`` now walks the store (tests/test_remote_rankings.py compares it with a local one)
@pytest.mark.parametrize("args", [["rank", "--metric", "betweenness"],
                                  ["rank", "--metric", "pagerank"]])
def test_cli_whole_graph_questions_over_a_remote_store_say_why(args, remote_client, endpoint,
                                                               cli) -> None:
    result = cli(*args, "--store", endpoint + "/query")
    assert result.exit_code == 1
    assert "whole relationship graph" in result.output and endpoint in result.output


def test_cli_circle_of_an_unknown_entity_over_a_remote_store_fails(remote_client, endpoint,
                                                                   cli) -> None:
    result = cli("circle", "nobody", "--store", endpoint + "/query")
    assert result.exit_code == 1 and "no entity with id 'nobody'" in result.output


@pytest.mark.parametrize("url", ["/api/entities/alpha/circle?at=2025",
                                 "/api/entities/alpha/neighbors?at=2025-01-01",
                                 "/api/entities/alpha?at=2025"])
def test_as_of_a_day_needs_a_local_store_and_says_so(remote_client, url):
    assert_error(remote_client.get(url), 501, "at:", "need a local store")
