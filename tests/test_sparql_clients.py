"""End to end over HTTP against a real ``aikg serve``: the clients users point at /sparql
(SPARQLWrapper by GET and POST, rdflib's SPARQLStore), and a runaway query stopped at its
budget while other requests are answered."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, TURTLE, XML, SPARQLWrapper

from tests.conftest import SMALL
from tests.live import serve

TOKEN = "client-secret"
VC = "https://w3id.org/aikg/id/vc"
LABELS = f"SELECT ?label WHERE {{ <{VC}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
# Over ~30 triples, 30^5 rows to sort: many minutes of work (30^4 took 17 s here alone) unless
# the budget stops it.
RUNAWAY = ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o } "
           "ORDER BY ?c ?f ?i ?l ?o")
#: The server's time budget per request: generous, so that the upload and the small queries
#: of these tests keep within it on a busy machine (3 s was overrun by a 1.7 KB upload on a
#: loaded 2-core machine), while the runaway query still runs far past it.
BUDGET = 20


@pytest.fixture(scope="module")
def server():
    with serve("--token", TOKEN, "--timeout", str(BUDGET)) as running:
        reply = running.send("POST", "/store", {"Authorization": f"Bearer {TOKEN}",
                                                "Content-Type": "application/trig"},
                             SMALL.read_bytes())
        assert reply.status == 204
        yield running


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select(server, method):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(method)
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert sorted(b["label"]["value"] for b in bindings) == ["Venture Capital", "风险投资"]


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_ask_as_xml(server, method):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(method)
    client.setQuery(f"ASK {{ <{VC}> ?p ?o }}")
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_construct_as_turtle(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(f"CONSTRUCT WHERE {{ <{VC}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert (URIRef(VC), None, Literal("Venture Capital", lang="en")) in graph


def test_sparqlwrapper_update_with_the_token(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery("INSERT DATA { GRAPH <http://example.org/notes> { "
                    "<http://example.org/n> <http://example.org/says> 'hi' } }")
    client.query()
    reply = server.send("GET", "/store?graph=" + quote("http://example.org/notes", safe=""),
                        {"Accept": "application/n-triples"}, None)
    assert b'"hi"' in reply.body


def test_rdflib_sparqlstore_reads_the_graph(server):
    store = SPARQLStore(server.url + "/sparql")
    rows = list(store.query(LABELS))
    assert sorted(str(row[0]) for row in rows) == ["Venture Capital", "风险投资"]
    assert any(True for _ in Graph(store=store).triples((URIRef(VC), None, None)))


def test_a_runaway_query_is_stopped_while_others_are_answered(server):
    outcome: dict[str, int] = {}
    path = "/sparql?query=" + quote(RUNAWAY, safe="")
    runaway = threading.Thread(target=lambda: outcome.update(
        status=server.send("GET", path, {}, None).status))
    runaway.start()
    answered = []
    while runaway.is_alive() and len(answered) < 20:
        answered.append(server.send("GET", "/sparql?query=" + quote(LABELS, safe="") + "%23"
                                    + str(len(answered)), {}, None).status)
    runaway.join()
    assert outcome["status"] == 503
    assert answered and set(answered) == {200}
    assert server.send("GET", "/sparql?query=ASK%7B%7D", {}, None).status == 200
