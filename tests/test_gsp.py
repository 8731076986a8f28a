"""The Graph Store Protocol at /store: read, replace, add and delete graphs; writes need the
token and are validated and atomic."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from pyoxigraph import RdfFormat, parse

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "http://example.org/g"
AT = "/store?graph=" + quote(GRAPH, safe="")
TURTLE = b"<http://example.org/a> <http://example.org/p> <http://example.org/b> ."


@pytest.fixture
def client(make_client):
    return make_client(token=TOKEN, bundled=False)


def put(client, path=AT, data=TURTLE, content_type="text/turtle", headers=AUTH):
    return client.put(path, data=data, content_type=content_type, headers=headers)


def test_put_creates_then_replaces_a_graph(client):
    assert put(client).status_code == 201
    other = b"<http://example.org/c> <http://example.org/p> <http://example.org/d> ."
    assert put(client, data=other).status_code == 204
    body = client.get(AT, headers={"Accept": "application/n-triples"}).data
    assert [t.subject.value for t in parse(body, format=RdfFormat.N_TRIPLES)] == [
        "http://example.org/c"]


def test_post_adds_to_a_graph(client):
    put(client)
    more = b"<http://example.org/c> <http://example.org/p> <http://example.org/d> ."
    assert client.post(AT, data=more, content_type="text/turtle", headers=AUTH).status_code == 204
    assert len(list(parse(client.get(AT).data, format=RdfFormat.TURTLE))) == 2


def test_post_without_a_target_creates_a_graph_named_in_location(client):
    response = client.post("/store", data=TURTLE, content_type="text/turtle", headers=AUTH)
    assert response.status_code == 201
    location = response.headers["Location"]
    assert client.get("/store", query_string={"graph": location}).status_code == 200


def test_delete_removes_a_graph(client):
    put(client)
    assert client.delete(AT, headers=AUTH).status_code == 204
    assert client.get(AT).status_code == 404
    assert client.delete(AT, headers=AUTH).status_code == 404


def test_head_tells_whether_a_graph_exists(client):
    put(client)
    assert client.head(AT).status_code == 200
    assert client.head("/store?graph=http%3A%2F%2Fexample.org%2Fnone").status_code == 404


def test_the_default_graph_is_its_own_graph(client):
    assert put(client, path="/store?default").status_code == 204
    assert len(list(parse(client.get("/store?default").data, format=RdfFormat.TURTLE))) == 1
    assert client.get(AT).status_code == 404


@pytest.mark.parametrize(("accept", "fmt"), [
    ("application/trig", RdfFormat.TRIG), ("application/n-quads", RdfFormat.N_QUADS),
    (None, RdfFormat.TRIG),
])
def test_the_whole_dataset_comes_as_trig_or_nquads(client, accept, fmt):
    put(client)
    headers = {"Accept": accept} if accept else {}
    quads = list(parse(client.get("/store", headers=headers).data, format=fmt))
    assert [q.graph_name.value for q in quads] == [GRAPH]


def test_a_dataset_can_be_put_as_trig(client):
    trig = b"<http://example.org/h> { <http://example.org/a> <http://example.org/p> 1 . }"
    assert put(client, path="/store", data=trig, content_type="application/trig").status_code == 204
    assert client.get("/store?graph=http%3A%2F%2Fexample.org%2Fh").status_code == 200


def test_bad_turtle_is_400_with_the_line_and_changes_nothing(client):
    put(client)
    response = put(client, data=b"<http://example.org/a>\n<http://example.org/p> oops .")
    assert response.status_code == 400
    assert ":2:" in response.json["error"]
    assert len(list(parse(client.get(AT).data, format=RdfFormat.TURTLE))) == 1


def test_a_remote_json_ld_context_is_refused(client):
    doc = b'{"@context": "http://schema.org/", "@id": "http://example.org/a", "name": "A"}'
    response = put(client, data=doc, content_type="application/ld+json")
    assert response.status_code == 400
    assert "context" in response.json["error"]


@pytest.mark.parametrize(("method", "headers", "status"), [
    ("PUT", {}, 401), ("POST", {"Authorization": "Bearer nope"}, 401),
    ("DELETE", {}, 401),
])
def test_writes_need_the_token_and_change_nothing(client, method, headers, status):
    put(client)
    response = client.open(AT, method=method, data=b"", content_type="text/turtle",
                           headers=headers)
    assert response.status_code == status
    assert len(list(parse(client.get(AT).data, format=RdfFormat.TURTLE))) == 1


def test_an_unknown_body_type_is_415(client):
    assert put(client, content_type="image/png").status_code == 415


AIKG_GRAPH = "/store?graph=" + quote("https://w3id.org/aikg/graph/test-source", safe="")


def test_a_write_to_an_aikg_graph_that_breaks_the_shapes_is_422_and_changes_nothing(client):
    from tests.conftest import SMALL

    assert client.post("/store", data=SMALL.read_bytes(), content_type="application/trig",
                       headers=AUTH).status_code == 204
    before = client.get(AIKG_GRAPH).data
    # An entity with an English name only: no type, no Chinese label or marker.
    lonely = (b"<https://w3id.org/aikg/id/gamma> "
              b'<http://www.w3.org/2000/01/rdf-schema#label> "G"@en .')
    response = client.post(AIKG_GRAPH, data=lonely, content_type="application/n-triples",
                           headers=AUTH)
    assert response.status_code == 422
    assert "every entity has a type" in response.get_json()["error"]
    assert client.get(AIKG_GRAPH).data == before


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY a "lol">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"".join(b"&%c;" % (97 + i) for _ in range(10)))
               for i in range(9))
    + b']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
    b"<ex:p>&j;</ex:p></rdf:Description></rdf:RDF>"
)
PROTEGE_STYLE = (
    b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">]>'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="&ex;">'
    b'<rdf:Description rdf:about="&ex;a"><ex:p>1</ex:p></rdf:Description></rdf:RDF>'
)


@pytest.mark.parametrize(("body", "content_type", "message"), [
    (BILLION_LAUGHS, "application/rdf+xml", "entities that refer to other entities"),
    (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r/>', "application/rdf+xml",
     "external entities"),
    (b"[" * 5000 + b"]" * 5000, "application/ld+json", "nested 5000 deep"),
])
def test_documents_built_to_blow_up_the_parser_are_refused(client, body, content_type, message):
    response = put(client, data=body, content_type=content_type)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert client.get(AT).status_code == 404


def test_plain_entities_of_protege_style_rdf_xml_are_accepted(client):
    assert put(client, data=PROTEGE_STYLE, content_type="application/rdf+xml").status_code == 201
    assert b"http://example.org/a" in client.get(AT, headers={"Accept": "text/turtle"}).data
