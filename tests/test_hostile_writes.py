"""Writes of issue 22 against real servers of both local store kinds: each is validated by the
SHACL shapes (an on-disk store too), and input built to crash the parser is refused with a 4xx
while the server lives on."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from tests.servers import aikg_server

TOKEN = "writes-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: A company in a graph under aikg's namespace that no source describes: the shapes refuse it.
UNSOURCED = """INSERT DATA { GRAPH <https://w3id.org/aikg/graph/unsourced> {
    <https://w3id.org/aikg/id/evil-corp> a <https://w3id.org/aikg/ontology#Company> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "Evil Corp"@en } }"""


@pytest.fixture(scope="module", params=["memory", "disk"])
def server(request, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp(request.param)
    store = "memory" if request.param == "memory" else str(folder / "store")
    with aikg_server("--store", store, "--token", TOKEN, "--timeout", "20",
                     log=folder / "server.log") as (url, _):
        yield url


def alive(url: str) -> bool:
    return requests.get(f"{url}/healthz", timeout=30).status_code == 200


def test_a_write_that_breaks_the_shapes_is_422_and_never_served(server: str) -> None:
    response = requests.post(f"{server}/sparql", data={"update": UNSOURCED}, headers=AUTH,
                             timeout=60)
    assert response.status_code == 422, response.text
    assert requests.get(f"{server}/api/entities/evil-corp", timeout=30).status_code == 404


def test_a_valid_write_goes_in(server: str) -> None:
    notes = "INSERT DATA { GRAPH <http://example.org/notes> { <http://e/a> <http://e/b> 1 } }"
    response = requests.post(f"{server}/sparql", data={"update": notes}, headers=AUTH,
                             timeout=60)
    assert response.status_code == 204
    ask = requests.get(f"{server}/sparql", timeout=30, headers={"Accept": "application/json"},
                       params={"query": "ASK { GRAPH <http://example.org/notes> { ?s ?p 1 } }"})
    assert ask.json()["boolean"] is True


@pytest.mark.parametrize("update", [
    "INSERT { <http://e/a> <http://e/b> ?x } WHERE " + "{" * 5000 + "}" * 5000,
    "INSERT { <http://e/a> <http://e/b> ?v0 } WHERE { "
    + " ".join(f"BIND({i} AS ?v{i})" for i in range(5000)) + " }",
    "PREFIX ex: <http://e/> INSERT { ex:a ex:b ?x } WHERE { BIND(ex:\\# AS ?y) "
    + "(" * 6000 + "1" + ")" * 6000 + " }",
], ids=["nested-groups", "bind-chain", "nested-after-escaped-hash"])
def test_an_update_built_to_overflow_the_parser_is_refused_and_the_server_lives(
        server: str, update: str) -> None:
    response = requests.post(f"{server}/sparql", data={"update": update}, headers=AUTH,
                             timeout=120)
    assert 400 <= response.status_code < 500
    assert "refused" in response.json()["error"]
    assert alive(server)


def test_a_long_json_ld_context_chain_is_refused_and_the_server_lives(server: str) -> None:
    terms: dict[str, object] = {f"t{i}": {"@id": f"t{i + 1}"} for i in range(10_000)}
    terms["t10000"] = "http://example.org/end"
    document = json.dumps({"@context": terms, "@id": "http://example.org/x", "t0": "v"})
    response = requests.put(f"{server}/store", params={"graph": "http://example.org/chain"},
                            data=document, timeout=120,
                            headers={**AUTH, "Content-Type": "application/ld+json"})
    assert response.status_code == 400
    assert "JSON-LD terms" in response.json()["error"]
    assert alive(server)
