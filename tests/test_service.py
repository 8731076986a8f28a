"""The service's base: health, a first SPARQL answer, and one error shape for every failure."""

from __future__ import annotations

import pytest

from tests.checks import assert_error
from tests.conftest import SMALL


@pytest.fixture
def client(app):
    """A client over the bundled graph plus the small test graph."""
    app.extensions["aikg"].load(SMALL)
    return app.test_client()


def test_healthz_reports_triples_and_version(client) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["triples"] > 0
    assert isinstance(body["version"], int)


def test_sparql_get_answers_sparql_json(client) -> None:
    response = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    body = response.get_json()
    assert body["head"]["vars"] == ["n"]
    assert int(body["results"]["bindings"][0]["n"]["value"]) > 0


@pytest.mark.parametrize(("path", "status"), [
    ("/sparql?query=SELECT+WHERE", 400),
    ("/no/such/page", 404),
])
def test_errors_share_one_json_shape(client, path: str, status: int) -> None:
    assert_error(client.get(path, headers={"Accept": "application/json"}), status)


def test_wrong_method_is_405_with_allow(client) -> None:
    response = client.delete("/healthz")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
