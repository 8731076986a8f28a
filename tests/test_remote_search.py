"""Search by name over a remote store: the same hits, in the same order, as over a local one.

Both clients serve the small ecosystem, its ontology and a few more names (an alternative label,
a name wholly in full-width letters, one full of SPARQL's special characters): one from an
on-disk store, one from the Oxigraph server of the ``endpoint`` fixture.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

import graph.network.remote_search
from graph import KnowledgeGraph, open_graph
from tests.checks import assert_error, get_ok
from tests.conftest import SMALL, SMALL_ONTOLOGY

MORE_NAMES = rb"""
@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix kg:   <https://w3id.org/aikg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/aikg/graph/more-names> {
    kg:beta skos:altLabel "Alpha's rival"@en .
    kg:odd a aikg:Company ; rdfs:label "Odd \"Quote\" \\ Back}slash"@en ;
        skos:altLabel "\uFF26\uFF35\uFF2C\uFF2C\uFF37\uFF29\uFF24\uFF34\uFF28"@en .
    aikg:Company skos:altLabel "Alpha class, not an entity"@en .
}
"""
FILES = (SMALL, SMALL_ONTOLOGY)


def fill(kg: KnowledgeGraph) -> None:
    for path in FILES:
        kg.load(path)
    kg.load(MORE_NAMES, format="trig")


@pytest.fixture
def local_client(make_client, tmp_path: Path) -> FlaskClient:
    location = str(tmp_path / "store")
    kg = open_graph(location, bundled=False)
    fill(kg)
    del kg  # release the store's lock for the app
    return make_client(store=location)


@pytest.fixture
def remote_client(remote: KnowledgeGraph, endpoint: str, make_client) -> FlaskClient:
    fill(remote)
    return make_client(store=endpoint + "/query")


QUERIES = [
    {"q": "alpha"},  # exact, prefix, substring; a hidden label; an alternative label
    {"q": "阿尔法"},  # Chinese
    {"q": "dark side"},  # only a hidden label: found, never shown
    {"q": "alpha", "type": "Company"},
    {"q": "a", "type": "Organization"},  # a class and its subclasses
    {"q": "ＡＬＰＨＡ-1"},  # full-width query
    {"q": "fullwidth"},  # a name in full-width letters
    {"q": "  Beta   LABS "},  # case and spaces
    {"q": '"quote" \\ back}'},  # SPARQL's special characters, matched as text
    {"q": "alpha", "limit": "2", "offset": "1"},
]


@pytest.mark.parametrize("args", QUERIES, ids=lambda a: urlencode(a))
def test_search_over_a_remote_store_equals_the_local_one(
        args: dict, local_client: FlaskClient, remote_client: FlaskClient) -> None:
    url = "/api/entities?" + urlencode(args)
    local, remote = get_ok(local_client, url), get_ok(remote_client, url)
    del local["version"], remote["version"]
    assert remote == local
    assert local["data"]  # every case finds something


def test_remote_search_ranks_and_hides_as_the_local_one_does(remote_client) -> None:
    hits = get_ok(remote_client, "/api/entities?q=alpha")["data"]
    assert [(h["id"], h["match"], h["matched_label"]) for h in hits] == [
        ("alpha", "prefix", "Alpha AI"), ("alpha-1", "prefix", "Alpha-1"),
        ("beta", "prefix", "Alpha's rival"), ("app", "prefix", "Alpha App")]  # by degree
    assert [h["degree"] for h in hits] == [3, 2, 2, 1]
    dark = get_ok(remote_client, "/api/entities?q=dark+side")["data"]
    assert [(h["id"], h["matched_label"]) for h in dark] == [("alpha", None)]
    odd = get_ok(remote_client, "/api/entities?" + urlencode({"q": '"Quote" \\ Back}'}))
    assert [h["id"] for h in odd["data"]] == ["odd"]


@pytest.mark.parametrize(("q", "found"), [
    ('"} } UNION { ?x ?p ?o } #', []), ('"""', []), ("\\u0022", []),
    ("\\", ["odd"]), ("}", ["odd"]), ("'", ["beta"])])
def test_remote_search_text_cannot_break_or_rewrite_the_query(q, found, local_client,
                                                             remote_client) -> None:
    url = "/api/entities?" + urlencode({"q": q})
    hits = get_ok(remote_client, url)["data"]
    assert hits == get_ok(local_client, url)["data"]
    assert [h["id"] for h in hits] == found


def test_remote_search_past_its_candidates_says_truncated(remote_client, monkeypatch) -> None:
    monkeypatch.setattr(graph.network.remote_search, "MAX_CANDIDATES", 2)
    body = get_ok(remote_client, "/api/entities?q=a")
    assert body["page"]["truncated"] is True and body["page"]["total"] == 2
    assert [h["match"] for h in body["data"]] == ["prefix", "prefix"]  # the best kept first


def test_listing_every_entity_over_a_remote_store_is_501_saying_why(remote_client,
                                                                    endpoint) -> None:
    assert_error(remote_client.get("/api/entities?type=Company"), 501,
                 "whole relationship graph", endpoint, "search by name")


def test_search_page_over_a_remote_store_lists_the_hits(remote_client) -> None:
    response = remote_client.get("/search?q=%E9%98%BF%E5%B0%94%E6%B3%95")  # 阿尔法
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 found" in page and "/id/alpha-1" in page and "/id/app" in page
