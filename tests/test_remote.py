"""A remote SPARQL endpoint as the store: the Oxigraph server from PyPI, started by the tests."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from graph import (
    BadInput,
    KnowledgeGraph,
    ParseError,
    QueryTimeout,
    ReadOnly,
    StoreUnavailable,
    open_graph,
)
from graph.store.remote import RemoteGraph
from tests.conftest import SMALL, SMALL_QUADS
from tests.servers import fake_endpoint, free_port, oxigraph_server

KG = "https://w3id.org/aikg/id/"
G = "https://example.org/graph/"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture
def both(remote: RemoteGraph, small_graph: KnowledgeGraph) -> tuple[KnowledgeGraph, RemoteGraph]:
    """The small graph in memory and on the endpoint."""
    remote.load(SMALL)
    return small_graph, remote


QUERIES = [
    "SELECT ?s ?name WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?name } "
    "ORDER BY ?s ?name",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?s ?hidden WHERE { ?s a <https://w3id.org/aikg/ontology#Company> OPTIONAL { "
    "?s <http://www.w3.org/2004/02/skos/core#hiddenLabel> ?hidden } } ORDER BY ?s",
    "ASK { ?s <https://w3id.org/aikg/ontology#investsIn> ?o }",
    "ASK { ?s <https://w3id.org/aikg/ontology#acquired> ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/aikg/id/alpha>) }",
]


@pytest.mark.parametrize("sparql", QUERIES)
def test_remote_answers_like_the_local_store(both, sparql: str) -> None:
    local, remote = both
    mine, theirs = local.query(sparql), remote.query(sparql)
    assert (theirs.kind, theirs.variables, theirs.boolean) == (mine.kind, mine.variables,
                                                               mine.boolean)
    assert sorted(map(str, theirs.rows)) == sorted(map(str, mine.rows))
    assert sorted(map(str, theirs.triples)) == sorted(map(str, mine.triples))


def test_row_cap_cuts_the_remote_result_and_says_so(both) -> None:
    _, remote = both
    result = remote.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", max_rows=3)
    assert len(result) == 3 and result.truncated
    assert not remote.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=1000).truncated


def test_substitutions_bind_values_and_cannot_rewrite_the_query(both) -> None:
    _, remote = both
    sparql = "SELECT ?s ?name WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
    result = remote.query(sparql, substitutions={"name": Literal("阿尔法", language="zh")})
    assert [row[0].value for row in result.rows] == [KG + "alpha"]
    hostile = Literal('x" } DROP ALL ; SELECT * { ?s ?p "', language="en")
    assert remote.query(sparql, substitutions={"name": hostile}).rows == []
    assert len(remote) == SMALL_QUADS


def test_dataset_can_be_restricted_to_one_graph(both) -> None:
    _, remote = both
    remote.load(f"<{KG}x> <{KG}p> <{KG}y> .".encode(), format="nt", graph=G + "other")
    sparql = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote.query(sparql, default_graphs=[G + "other"]).rows[0][0].value == "1"
    assert int(remote.query(sparql).rows[0][0].value) == SMALL_QUADS + 1


def test_query_past_its_budget_is_a_timeout(remote) -> None:
    data = "".join(f"<{KG}s{i}> <{KG}p> <{KG}o{i}> .\n" for i in range(300))
    remote.load(data.encode(), format="nt", graph=G + "big")
    with pytest.raises(QueryTimeout):
        remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
                     "?j ?k ?l }", timeout=0.3)


def test_malformed_query_is_bad_input_from_the_store(remote) -> None:
    with pytest.raises(BadInput, match="the store rejected the query"):
        remote.query("SELECT ?s WHERE { ?s ?p ")


def test_update_bumps_the_version_notifies_and_refreshes_the_sizes(remote) -> None:
    seen: list[int] = []
    remote.on_commit(lambda kg: seen.append(kg.version))
    assert len(remote) == 0
    remote.update(f"INSERT DATA {{ GRAPH <{G}u> {{ <{KG}a> <{KG}p> <{KG}b> }} }}")
    assert seen == [remote.version] and len(remote) == 1
    assert remote.named_graphs() == [G + "u"] and remote.graph_sizes() == {G + "u": 1}


def test_load_sends_nothing_when_the_input_does_not_parse(remote, tmp_path: Path) -> None:
    bad = tmp_path / "broken.nt"
    bad.write_text(f"<{KG}a> <{KG}p> <{KG}b> .\n<{KG}a> <{KG}p> .\n")
    version = remote.version
    with pytest.raises(ParseError) as caught:
        remote.load(bad, graph=G + "g")
    assert caught.value.line == 2 and remote.version == version
    assert not remote.ask("ASK { ?s ?p ?o }")


def test_load_keeps_graphs_of_quads_and_targets_triples(remote, tmp_path: Path) -> None:
    report = remote.load(SMALL)
    assert report.triples == SMALL_QUADS
    path = tmp_path / "extra.ttl"
    path.write_text(f'<{KG}a> <{KG}name> "multi\\nline \\"quoted\\""@en .\n')
    remote.load(path)
    assert remote.named_graphs() == ["https://w3id.org/aikg/graph/extra",
                                     "https://w3id.org/aikg/graph/sources",
                                     "https://w3id.org/aikg/graph/test-source"]
    name = remote.query(f"SELECT ?n WHERE {{ <{KG}a> <{KG}name> ?n }}").rows[0][0]
    assert name == Literal('multi\nline "quoted"', language="en")


def test_without_an_update_endpoint_the_remote_is_read_only(endpoint: str) -> None:
    kg = open_graph(endpoint + "/query")
    with pytest.raises(ReadOnly, match="no update endpoint"):
        kg.update(f"INSERT DATA {{ <{KG}a> <{KG}p> <{KG}b> }}")
    with pytest.raises(ReadOnly):
        kg.load(SMALL)
    assert kg.version == 0


def test_unreachable_endpoint_is_store_unavailable() -> None:
    with pytest.raises(StoreUnavailable, match="cannot reach the store"):
        open_graph(f"http://127.0.0.1:{free_port()}/query")


def test_endpoint_without_union_default_graph_is_reported(tmp_path: Path, caplog) -> None:
    with oxigraph_server(tmp_path) as base:
        writer = open_graph(base + "/query", update_url=base + "/update")
        writer.load(SMALL)
        with caplog.at_level(logging.WARNING, logger="graph.store.remote"):
            open_graph(base + "/query")
    assert "not the union of the named graphs" in caplog.text


# -- credentials: a small real server that demands them ------------------------------------


@pytest.fixture
def guarded() -> Iterator[Callable[..., str]]:
    """An endpoint that answers ASK queries only to a request with the right credentials.

    ``guarded(check, challenge=None)`` sets the test of the Authorization header and the
    WWW-Authenticate header of the 401 answer, and returns the endpoint's host and port.
    """
    with fake_endpoint(lambda query: {"head": {}, "boolean": True}) as server:

        def demand(check: Callable[[str], bool], challenge: str | None = None) -> str:
            server.check, server.challenge = check, challenge
            return server.host

        yield demand


def test_credentials_in_the_url_become_basic_auth_and_leave_the_location(guarded) -> None:
    basic = "Basic " + base64.b64encode(b"me:p@ss").decode()
    host = guarded(lambda header: header == basic)
    kg = open_graph(f"http://me:p%40ss@{host}/sparql")
    assert kg.ask("ASK {}") and kg.location == f"http://{host}/sparql"


def test_bearer_token_is_sent_and_wrong_credentials_are_refused(guarded) -> None:
    host = guarded(lambda header: header == "Bearer s3cret")
    assert open_graph(f"http://{host}/sparql", credentials="Bearer s3cret").ask("ASK {}")
    with pytest.raises(StoreUnavailable, match="refused the credentials"):
        open_graph(f"http://{host}/sparql", credentials="me:wrong")


def test_digest_credentials_answer_the_challenge(guarded) -> None:
    host = guarded(lambda header: header.startswith('Digest username="me", realm="aikg"'),
                   challenge='Digest realm="aikg", nonce="n0", qop="auth"')
    assert open_graph(f"http://{host}/sparql-auth", credentials="Digest me:pw").ask("ASK {}")


# -- the service and the command line over a remote store ----------------------------------


def test_service_serves_a_remote_store(both, endpoint: str, make_client) -> None:
    client = make_client(store=endpoint + "/query")
    health = client.get("/healthz").get_json()
    assert health["triples"] == SMALL_QUADS and health["store"] == endpoint + "/query"
    response = client.get("/sparql", query_string={"query": QUERIES[0]})
    assert response.status_code == 200
    local, _ = both
    assert len(response.get_json()["results"]["bindings"]) == len(local.query(QUERIES[0]))


def test_cli_queries_loads_and_counts_a_remote_store(remote, endpoint: str, cli) -> None:
    store = ["--store", endpoint + "/query"]
    loaded = cli("load", SMALL, *store, "--update-url", endpoint + "/update")
    assert loaded.exit_code == 0, loaded.output
    assert "test-source" in cli("stats", *store).output
    answer = cli("query", *store, "--format", "csv", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert answer.output.splitlines() == ["n", str(SMALL_QUADS)]
    refused = cli("load", SMALL, *store)
    assert refused.exit_code == 1 and "no update endpoint" in refused.output


def test_graph_store_writes_reach_a_remote_store(remote, endpoint: str, make_client) -> None:
    client = make_client(store=endpoint + "/query", store_update_url=endpoint + "/update",
                         token="t")
    auth, at = {"Authorization": "Bearer t"}, {"graph": G + "gsp"}
    nt = {"Accept": "application/n-triples"}

    def write(method: str, body: bytes) -> int:
        return client.open("/store", method=method, query_string=at, data=body,
                           content_type="text/turtle", headers=auth).status_code

    def subjects() -> list[str]:
        found = remote.query(f"SELECT ?s WHERE {{ GRAPH <{G}gsp> {{ ?s ?p ?o }} }} ORDER BY ?s")
        return [row[0].value for row in found.rows]

    one, two = (f"<{KG}{s}> <{KG}p> <{KG}o> .".encode() for s in ("a", "b"))
    assert write("PUT", one) == 201 and subjects() == [KG + "a"]
    assert write("PUT", two) == 204 and subjects() == [KG + "b"]  # replaced
    assert write("POST", one) == 204 and subjects() == [KG + "a", KG + "b"]  # added
    assert f"<{KG}a>".encode() in client.get("/store", query_string=at, headers=nt).data
    dataset = client.get("/store", headers={"Accept": "application/n-quads"}).data
    assert f"<{KG}b> <{KG}p> <{KG}o> <{G}gsp> .".encode() in dataset
    assert write("POST", b"<broken") == 400 and len(subjects()) == 2  # nothing changed
    assert client.delete("/store", query_string=at, headers=auth).status_code == 204
    assert subjects() == [] and client.get("/store", query_string=at).status_code == 404
