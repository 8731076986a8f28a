"""The /sparql endpoint as clients use it: dataset, negotiation, updates, limits, description."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

from tests.conftest import SMALL

G1 = "http://example.org/g1"
G2 = "http://example.org/g2"
TOKEN = "s3cret"
SELECT_ALL = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(make_client):
    client = make_client(token=TOKEN, bundled=False)
    kg = client.application.extensions["aikg"]
    kg.load(b"<http://example.org/a> <http://example.org/p> 1 .", format="turtle", graph=G1)
    kg.load(b"<http://example.org/b> <http://example.org/p> 2 .", format="turtle", graph=G2)
    return client


def values(response) -> list[str]:
    body = json.loads(response.data)
    return [b["o"]["value"] for b in body["results"]["bindings"]]


def test_default_graph_is_the_union_of_the_named_graphs(client):
    assert values(client.get("/sparql", query_string={"query": SELECT_ALL})) == ["1", "2"]


def test_default_graph_uri_restricts_the_dataset(client):
    response = client.get("/sparql", query_string={"query": SELECT_ALL, "default-graph-uri": G1})
    assert values(response) == ["1"]


def test_default_graph_uri_of_a_post_form_restricts_the_dataset(client):
    response = client.post("/sparql", data={"query": SELECT_ALL, "default-graph-uri": G2})
    assert values(response) == ["2"]


def test_named_graph_uri_restricts_graph_patterns(client):
    query = "SELECT ?o WHERE { GRAPH ?g { ?s <http://example.org/p> ?o } }"
    response = client.get("/sparql", query_string={"query": query, "named-graph-uri": G2})
    assert values(response) == ["2"]


def test_from_in_the_query_restricts_the_dataset(client):
    query = f"SELECT ?o FROM <{G2}> WHERE {{ ?s <http://example.org/p> ?o }}"
    assert values(client.get("/sparql", query_string={"query": query})) == ["2"]


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/tab-separated-values, text/csv;q=0.9", "text/tab-separated-values"),
    ("text/html;q=0.9, text/*;q=0.8", "text/csv"),
])
def test_select_results_follow_accept_and_q_values(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": SELECT_ALL}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(("fmt", "results_format"), [
    ("json", QueryResultsFormat.JSON), ("xml", QueryResultsFormat.XML),
    ("tsv", QueryResultsFormat.TSV),
])
def test_every_results_format_parses_back_to_the_same_rows(client, fmt, results_format):
    response = client.get("/sparql", query_string={"query": SELECT_ALL, "format": fmt})
    rows = list(parse_query_results(response.data, format=results_format))
    assert [row["o"].value for row in rows] == ["1", "2"]


@pytest.mark.parametrize(("fmt", "rdf_format"), [
    ("turtle", RdfFormat.TURTLE), ("ntriples", RdfFormat.N_TRIPLES),
    ("jsonld", RdfFormat.JSON_LD), ("rdfxml", RdfFormat.RDF_XML), ("trig", RdfFormat.TRIG),
    ("nquads", RdfFormat.N_QUADS),
])
def test_construct_comes_in_every_rdf_syntax(client, fmt, rdf_format):
    query = "CONSTRUCT WHERE { ?s <http://example.org/p> ?o }"
    response = client.get("/sparql", query_string={"query": query, "format": fmt})
    assert response.status_code == 200
    assert len(list(parse(response.data, format=rdf_format))) == 2


def test_construct_is_turtle_by_default(client):
    response = client.get("/sparql", query_string={"query": "DESCRIBE <http://example.org/a>"})
    assert response.mimetype == "text/turtle"


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", query_string={"query": SELECT_ALL, "format": "csv"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows == [["s", "o"], ["http://example.org/a", "1"], ["http://example.org/b", "2"]]


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT_ALL, "image/png"),
    ("ASK {}", "text/csv"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json"),
])
def test_nothing_acceptable_is_406(client, query, accept):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406


def test_a_malformed_query_is_400_with_the_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p }"})
    assert response.status_code == 400
    assert response.json["error"].startswith("2:")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_service_is_refused_with_400(client, query):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json["error"]


def test_load_is_refused_with_400_and_changes_nothing(client):
    response = client.post("/sparql", data={"update": "LOAD <http://example.org/x.ttl>"},
                           headers=AUTH)
    assert response.status_code == 400
    assert "LOAD" in response.json["error"]


INSERT = "INSERT DATA { GRAPH <http://example.org/g3> { <http://example.org/c> " \
         "<http://example.org/p> 3 } }"


def test_update_with_the_token_is_applied_before_the_response(client):
    kg = client.application.extensions["aikg"]
    seen = []
    kg.on_commit(lambda graph: seen.append(graph.version))
    before = kg.version
    response = client.post("/sparql", data=INSERT, content_type="application/sparql-update",
                           headers=AUTH)
    assert response.status_code == 204
    assert seen == [before + 1] and kg.version == before + 1
    assert values(client.get("/sparql", query_string={"query": SELECT_ALL})) == ["1", "2", "3"]


def test_update_without_token_is_401_and_changes_nothing(client):
    response = client.post("/sparql", data={"update": INSERT})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert values(client.get("/sparql", query_string={"query": SELECT_ALL})) == ["1", "2"]


def test_update_with_a_wrong_token_is_401_and_changes_nothing(client):
    response = client.post("/sparql", data={"update": INSERT},
                           headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]
    assert values(client.get("/sparql", query_string={"query": SELECT_ALL})) == ["1", "2"]


def test_update_on_a_read_only_server_is_403(make_client):
    response = make_client().post("/sparql", data={"update": INSERT}, headers=AUTH)
    assert response.status_code == 403


def test_update_by_get_is_400(client):
    response = client.get("/sparql", query_string={"update": INSERT}, headers=AUTH)
    assert response.status_code == 400


def test_using_graph_uri_sets_the_update_dataset(client):
    update = "INSERT { GRAPH <http://example.org/g3> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    response = client.post("/sparql?using-graph-uri=" + quote(G2, safe=""), data=update,
                           content_type="application/sparql-update", headers=AUTH)
    assert response.status_code == 204
    query = "SELECT ?o WHERE { GRAPH <http://example.org/g3> { ?s ?p ?o } }"
    assert values(client.get("/sparql", query_string={"query": query})) == ["2"]


def test_a_cut_result_says_so_in_a_header_and_in_json(make_client):
    client = make_client(max_rows=1)
    client.application.extensions["aikg"].load(SMALL)
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.headers["X-Aikg-Truncated"] == "true"
    assert response.json["aikg:truncated"] is True
    assert len(response.json["results"]["bindings"]) == 1


def test_a_repeated_cut_result_still_says_so(make_client):
    client = make_client(max_rows=1)
    client.application.extensions["aikg"].load(SMALL)
    query = {"query": "SELECT ?s WHERE { ?s ?p ?o }"}
    first = client.get("/sparql", query_string=query)
    again = client.get("/sparql", query_string=query)
    assert again.headers["X-Aikg-Truncated"] == "true" and again.data == first.data


def test_an_uncut_result_has_no_truncation_mark(client):
    response = client.get("/sparql", query_string={"query": SELECT_ALL})
    assert "X-Aikg-Truncated" not in response.headers
    assert "aikg:truncated" not in response.json


@pytest.mark.parametrize("timeout", ["soon", "-1", "0", "nan"])
def test_a_bad_timeout_parameter_is_400(client, timeout):
    response = client.get("/sparql", query_string={"query": SELECT_ALL, "timeout": timeout})
    assert response.status_code == 400


def test_a_body_over_the_limit_is_413(make_client):
    client = make_client(max_content_length=100)
    response = client.post("/sparql", data="ASK {}" + " " * 200,
                           content_type="application/sparql-query")
    assert response.status_code == 413


@pytest.mark.parametrize(("method", "content_type"), [
    ("POST", "text/plain"), ("POST", None),
])
def test_a_post_of_another_media_type_is_415(client, method, content_type):
    response = client.open("/sparql", method=method, data="ASK {}", content_type=content_type)
    assert response.status_code == 415


def test_cors_headers_are_on_answers_and_errors(client):
    ok = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "http://x"})
    bad = client.get("/sparql", query_string={"query": "ASK {"}, headers={"Origin": "http://x"})
    assert ok.headers["Access-Control-Allow-Origin"] == "*"
    assert bad.status_code == 400 and bad.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_allows_the_authorization_header(client):
    response = client.options("/sparql", headers={"Origin": "http://x",
                                                  "Access-Control-Request-Method": "POST"})
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_cors_can_name_its_origins(make_client):
    client = make_client(cors_origins=["http://allowed.example"])
    allowed = client.get("/sparql?query=ASK%7B%7D", headers={"Origin": "http://allowed.example"})
    other = client.get("/sparql?query=ASK%7B%7D", headers={"Origin": "http://other.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://allowed.example"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_without_a_query_rdf_clients_get_the_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    triples = list(parse(response.data, format=RdfFormat.TURTLE))
    names = {t.object.value for t in triples
             if t.predicate.value.endswith("sparql-service-description#name")}
    sizes = [t.object.value for t in triples if t.predicate.value.endswith("void#triples")]
    assert names == {G1, G2}
    assert sorted(sizes) == ["1", "1", "2"]  # each named graph, and the default graph (union)


def test_without_a_query_browsers_get_the_editor(client):
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"
    assert b"<textarea" in response.data


def test_a_repeated_query_comes_in_the_format_each_request_accepts(client):
    query = {"query": SELECT_ALL}
    for accept, media_type in [("text/csv", "text/csv"),
                               ("application/sparql-results+json",
                                "application/sparql-results+json"),
                               ("text/csv", "text/csv"), ("", "application/sparql-results+json")]:
        response = client.get("/sparql", query_string=query, headers={"Accept": accept})
        assert response.mimetype == media_type
        assert b"http://example.org/b" in response.data


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT_ALL, "image/png"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json"),
])
def test_a_query_refused_406_is_refused_again(client, query, accept):
    for _ in range(2):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == 406


def test_repeated_queries_see_writes(client):
    first = client.get("/sparql", query_string={"query": SELECT_ALL})
    client.post("/sparql", data={"update": INSERT}, headers=AUTH)
    again = client.get("/sparql", query_string={"query": SELECT_ALL})
    assert values(first) == ["1", "2"] and values(again) == ["1", "2", "3"]
