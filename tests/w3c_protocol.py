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

from pyoxigraph import RdfFormat, parse
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

__all__ = ["Exchange", "Reply", "W3CTest", "find_suite", "load_tests", "run_test"]

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

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
        g = Graph().parse(path, format="turtle", publicID=path.as_uri())
        manifest = URIRef(path.as_uri())
        for entry in Collection(g, g.value(manifest, MF.entries)):
            tests.append(_test(g, entry, path.parent))
    return tests


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


def _test(g: Graph, entry, folder: Path) -> W3CTest:
    test = W3CTest(str(entry).rpartition("#")[2], str(g.value(entry, MF.name)))
    for data in g.objects(entry, UT.graphData):
        source = Path(str(g.value(data, UT.graph)).removeprefix("file://"))
        test.graph_data.append((folder / source.name, str(g.value(data, RDFS.label))))
    action = g.value(entry, MF.action)
    for request in Collection(g, g.value(action, HT.requests)):
        test.exchanges.append(_exchange(g, request))
    return test


def _exchange(g: Graph, request) -> Exchange:
    path = str(g.value(request, HT.absolutePath))
    path = path.replace("/sparql/", "/sparql", 1) if path.startswith("/sparql/") else path
    path = "/store" + path[4:] if path.startswith("/gsp") else path
    headers = _headers(g, g.value(request, HT.headers))
    body = None
    content = g.value(request, HT.body)
    if content is not None:
        encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(content, CNT.chars)).encode(encoding)
    response = g.value(request, HT.resp)
    exchange = Exchange(
        method=str(g.value(request, HT.methodName)), path=path, headers=headers, body=body,
        statuses=sorted(str(s).rpartition("#")[2] for s in g.objects(response, MF.expectedStatus)),
    )
    boolean = g.value(response, MF.expectedBoolean)
    exchange.boolean = None if boolean is None else boolean.toPython()
    fmt = g.value(response, MF.expectedFormat)
    exchange.result_format = None if fmt is None else str(fmt)
    exchange.content_type = _headers(g, g.value(response, HT.headers)).get("content-type")
    expected_body = g.value(response, HT.body)
    if expected_body is not None:
        exchange.graph = str(g.value(expected_body, CNT.chars))
    location = g.value(response, MF.expectedLocation)
    exchange.location_variable = None if location is None else str(location)
    return exchange


def _headers(g: Graph, head) -> dict[str, str]:
    if head is None:
        return {}
    return {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
            for h in Collection(g, head)}


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
