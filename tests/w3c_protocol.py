"""A runner for the W3C SPARQL 1.1 Protocol and Graph Store Protocol test manifests.

It reads the manifests (requests and expected responses in the ``ht:`` vocabulary) from a copy
of the W3C suite, and sends each test's requests through a ``send`` function (the Flask test
client or HTTP to a real server), checking status, format, boolean, Content-Type and graph.
Paths ``/sparql/`` and ``/gsp`` of the manifests become ``/sparql`` and ``/store``. Before a
test, the store is emptied and the test's ``ut:graphData`` loaded, through the protocols too.
"""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

__all__ = ["Exchange", "Reply", "W3CTest", "find_suite", "load_tests", "run_test"]

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

MANIFESTS = ("protocol/manifest.ttl", "graph-store-protocol/manifest-direct.ttl",
             "graph-store-protocol/manifest-indirect.ttl")
_STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
_RESULTS_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                  "text/csv", "text/tab-separated-values")
_RDF_TYPES = {"text/turtle": RdfFormat.TURTLE, "application/n-triples": RdfFormat.N_TRIPLES,
              "application/rdf+xml": RdfFormat.RDF_XML, "application/ld+json": RdfFormat.JSON_LD,
              "application/trig": RdfFormat.TRIG, "application/n-quads": RdfFormat.N_QUADS}


@dataclass
class Exchange:
    """One request of a test and what its response must show."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[str]
    boolean: bool | None = None
    result_format: str | None = None
    content_type: str | None = None
    graph: str | None = None
    location_variable: str | None = None


@dataclass
class W3CTest:
    """A test of a manifest: its id, name, data to load first and exchanges in order."""

    id: str
    name: str
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class Reply:
    """What ``send`` returns: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


Send = Callable[[str, str, dict[str, str], bytes | None], Reply]


def find_suite(repo: Path) -> Path | None:
    """The W3C suite beside the repository (``../shared/w3c-protocol``), or where
    ``AIKG_W3C_PROTOCOL`` says; None if it is not there."""
    named = os.environ.get("AIKG_W3C_PROTOCOL")
    candidates = [Path(named)] if named else []
    candidates += [p / "shared" / "w3c-protocol" for p in (repo.parent, repo.parent.parent)]
    return next((p for p in candidates if (p / MANIFESTS[0]).is_file()), None)


def load_tests(suite: Path) -> list[W3CTest]:
    """Every test listed in the manifests' ``mf:entries``, in order."""
    tests = []
    for name in MANIFESTS:
        path = suite / name
        g = _Manifest(path)
        for entry in g.items(g.value(NamedNode(path.as_uri()), MF + "entries")):
            tests.append(_test(g, entry, path.parent))
    return tests


Term = NamedNode | BlankNode | Literal


class _Manifest:
    """A manifest's statements by subject and predicate, in the file's order. Read with
    pyoxigraph, not rdflib: the tests are made from it when they are collected, where rdflib
    took a tenth of a second more."""

    def __init__(self, path: Path) -> None:
        self._objects: dict[Term, dict[str, list[Term]]] = {}
        for quad in parse(path=path, format=RdfFormat.TURTLE, base_iri=path.as_uri()):
            self._objects.setdefault(quad.subject, {}).setdefault(
                quad.predicate.value, []).append(quad.object)

    def objects(self, subject: Term | None, predicate: str) -> list[Term]:
        return self._objects.get(subject, {}).get(predicate, []) if subject else []

    def value(self, subject: Term | None, predicate: str) -> Term | None:
        return next(iter(self.objects(subject, predicate)), None)

    def text(self, subject: Term | None, predicate: str, default: str | None = None) -> str:
        """The first object's IRI or text; ``default`` if there is none (None: an error)."""
        found = self.value(subject, predicate)
        if found is not None:
            return found.value
        if default is None:
            raise ValueError(f"{subject} has no {predicate}")
        return default

    def items(self, head: Term | None) -> list[Term]:
        """The members of the RDF list starting at ``head``."""
        found = []
        while head is not None and head != NamedNode(RDF + "nil"):
            found += self.objects(head, RDF + "first")
            head = self.value(head, RDF + "rest")
        return found


def run_test(test: W3CTest, send: Send, token: str) -> None:
    """Empty the store, load the test's data, send its requests; AssertionError on a failure."""
    auth = {"Authorization": f"Bearer {token}"}
    reset = send("POST", "/sparql", {**auth, "Content-Type": "application/sparql-update"},
                 b"DROP SILENT ALL")
    assert reset.status == 204, f"could not empty the store: {reset.status}"
    for path, graph in test.graph_data:
        loaded = send("PUT", "/store?graph=" + quote(graph, safe=""),
                      {**auth, "Content-Type": "application/n-triples"}, path.read_bytes())
        assert loaded.status in (201, 204), f"could not load {path}: {loaded.status}"
    variables: dict[str, str] = {}
    for step, exchange in enumerate(test.exchanges, start=1):
        path, body = exchange.path, exchange.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body is not None else None
        reply = send(exchange.method, path, {**auth, **exchange.headers}, body)
        where = f"{test.id} request {step} ({exchange.method} {path}): got {reply.status}"
        assert _status_fits(reply.status, exchange.statuses), \
            f"{where}, expected {exchange.statuses}; body: {reply.body[:300]!r}"
        _check_body(reply, exchange, where)
        if exchange.location_variable:
            assert "location" in reply.headers, f"{where}: no Location header"
            variables[exchange.location_variable] = reply.headers["location"]


def _test(g: _Manifest, entry: Term, folder: Path) -> W3CTest:
    test = W3CTest(entry.value.rpartition("#")[2], g.text(entry, MF + "name"))
    for data in g.objects(entry, UT + "graphData"):
        source = Path(g.text(data, UT + "graph").removeprefix("file://"))
        test.graph_data.append((folder / source.name, g.text(data, RDFS + "label")))
    action = g.value(entry, MF + "action")
    for request in g.items(g.value(action, HT + "requests")):
        test.exchanges.append(_exchange(g, request))
    return test


def _exchange(g: _Manifest, request: Term) -> Exchange:
    path = g.text(request, HT + "absolutePath")
    path = path.replace("/sparql/", "/sparql", 1) if path.startswith("/sparql/") else path
    path = "/store" + path[4:] if path.startswith("/gsp") else path
    headers = _headers(g, g.value(request, HT + "headers"))
    body = None
    content = g.value(request, HT + "body")
    if content is not None:
        encoding = g.text(content, CNT + "characterEncoding", "UTF-8")
        body = g.text(content, CNT + "chars").encode(encoding)
    response = g.value(request, HT + "resp")
    exchange = Exchange(
        method=g.text(request, HT + "methodName"), path=path, headers=headers, body=body,
        statuses=sorted(s.value.rpartition("#")[2]
                        for s in g.objects(response, MF + "expectedStatus")),
    )
    boolean = g.value(response, MF + "expectedBoolean")
    exchange.boolean = None if boolean is None else boolean.value == "true"
    fmt = g.value(response, MF + "expectedFormat")
    exchange.result_format = None if fmt is None else fmt.value
    exchange.content_type = _headers(g, g.value(response, HT + "headers")).get("content-type")
    expected_body = g.value(response, HT + "body")
    if expected_body is not None:
        exchange.graph = g.text(expected_body, CNT + "chars")
    location = g.value(response, MF + "expectedLocation")
    exchange.location_variable = None if location is None else location.value
    return exchange


def _headers(g: _Manifest, head: Term | None) -> dict[str, str]:
    return {g.text(h, HT + "fieldName").lower(): g.text(h, HT + "fieldValue")
            for h in g.items(head)}


def _status_fits(status: int, expected: list[str]) -> bool:
    for name in expected:
        if name.startswith("StatusCode") and str(status)[0] == name[len("StatusCode")]:
            return True
        if _STATUS_NAMES.get(name) == status:
            return True
    return False


def _check_body(reply: Reply, exchange: Exchange, where: str) -> None:
    media_type = reply.headers.get("content-type", "").split(";")[0].strip().lower()
    if exchange.content_type:
        expected = exchange.content_type.replace(" ", "").lower()
        assert reply.headers.get("content-type", "").replace(" ", "").lower() == expected, \
            f"{where}: Content-Type {reply.headers.get('content-type')!r}, expected {expected!r}"
    if exchange.result_format == "boolean":
        value = _boolean(media_type, reply.body)
        assert exchange.boolean is None or value == exchange.boolean, \
            f"{where}: boolean {value}, expected {exchange.boolean}"
    elif exchange.result_format == "tabular":
        assert media_type in _RESULTS_TYPES, f"{where}: {media_type} is not a results format"
        _rows(media_type, reply.body)
    elif exchange.result_format == "RDF":
        assert media_type in _RDF_TYPES, f"{where}: {media_type} is not an RDF syntax"
        list(parse(reply.body, format=_RDF_TYPES[media_type]))
    if exchange.graph is not None and exchange.method != "HEAD":
        # rdflib for its isomorphism test (blank nodes): imported where a test compares graphs.
        from rdflib import Graph
        from rdflib.compare import isomorphic

        got = Graph().parse(data=reply.body.decode(), format=_rdflib_format(media_type))
        want = Graph().parse(data=exchange.graph, format="turtle")
        assert isomorphic(got, want), f"{where}: the graph differs:\n{reply.body.decode()}"


def _boolean(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return json.loads(body)["boolean"]
    if media_type == "application/sparql-results+xml":
        found = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
        assert found is not None, "no <boolean> in the XML result"
        return found.text == "true"
    raise AssertionError(f"{media_type} is not a boolean results format")


def _rows(media_type: str, body: bytes) -> list:
    text = body.decode()
    if media_type == "application/sparql-results+json":
        return json.loads(text)["results"]["bindings"]
    if media_type == "application/sparql-results+xml":
        return ET.fromstring(body).findall(".//{http://www.w3.org/2005/sparql-results#}result")
    dialect = "excel" if media_type == "text/csv" else "excel-tab"
    return list(csv.reader(io.StringIO(text), dialect=dialect))[1:]


def _rdflib_format(media_type: str) -> str:
    return {"text/turtle": "turtle", "application/n-triples": "nt",
            "application/rdf+xml": "xml", "application/ld+json": "json-ld",
            "application/trig": "trig", "application/n-quads": "nquads"}[media_type]
