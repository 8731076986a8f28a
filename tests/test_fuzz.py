"""Fuzzing the whole HTTP surface: every route is in the OpenAPI document and keeps to it under
schemathesis; generated SPARQL (deep nesting, huge literals) never gets a 5xx; gzip bombs are not
inflated; hostile graph names write no header; SPARQL in REST parameters changes nothing.
"""

from __future__ import annotations

import re
import resource
import zlib
from collections.abc import Callable
from urllib.parse import quote

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service import create_app
from tests.conftest import SMALL_ONTOLOGY, ecosystem_store

# schemathesis's pytest plugin, loaded by the modules that use it (pyproject.toml turns off its
# loading by entry point).
pytest_plugins = ["schemathesis.pytest.plugin"]

TOKEN = "fuzz-token"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app for the module, on the small ecosystem."""
    store = ecosystem_store(tmp_path_factory.mktemp("fuzz"))
    return create_app({"TESTING": True, "STORE": store, "TOKEN": TOKEN, "QUERY_TIMEOUT": 5.0,
                       "MAX_CONTENT_LENGTH": 1024 * 1024})


@pytest.fixture(scope="module")
def sizes(fuzz_app: Flask) -> dict[str, int]:
    """The app's named graphs and their sizes before any test sends anything."""
    return fuzz_app.extensions["aikg"].graph_sizes()


@pytest.fixture
def assert_unchanged(fuzz_app: Flask, sizes: dict[str, int]) -> Callable[[], None]:
    """``assert_unchanged()``: every named graph still has the size it had at the start."""

    def check() -> None:
        assert fuzz_app.extensions["aikg"].graph_sizes() == sizes

    return check


@pytest.fixture
def client(fuzz_app: Flask, sizes: dict[str, int]) -> FlaskClient:
    """A client of the module's app, whose sizes are read before its first request."""
    return fuzz_app.test_client()


@pytest.fixture(scope="module")
def openapi_schema(fuzz_app: Flask) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)


# Cases are generated when the test runs (from the fixture), not when the tests are collected.
schema = schemathesis.pytest.from_fixture("openapi_schema")


# -- the whole document --------------------------------------------------------------------------


def test_every_route_is_in_the_openapi_document(fuzz_app: Flask, client) -> None:
    """Every route but the pages for people (``pages.*``: docs/ui.md) is described."""
    described = set(client.get("/openapi.json").get_json()["paths"])
    routes = {re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule).replace("{entity_id}",
                                                                             "{id}")
              for rule in fuzz_app.url_map.iter_rules()
              if rule.endpoint != "static" and not rule.endpoint.startswith("pages.")}
    assert routes <= described, routes - described


@pytest.mark.usefixtures("schemathesis_node_id")
@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@pytest.mark.slow
def test_every_route_keeps_to_the_document(case, assert_unchanged) -> None:
    """Random requests per the document: never a 5xx, only documented statuses, media types and
    bodies. (A schema-valid query string may still be bad SPARQL: no positive-data check.)"""
    case.call_and_validate(checks=CHECKS)
    assert_unchanged()  # no token: nothing the fuzzer sends writes


# -- generated SPARQL ----------------------------------------------------------------------------


_VAR = st.sampled_from(["?s", "?p", "?o", "?x"])
_TERM = st.one_of(_VAR, st.sampled_from(["<urn:a>", "<https://w3id.org/aikg/id/alpha>", "1",
                                         '"x"@en', "true"]),
                  st.text(max_size=20).map(lambda t: '"' + t.replace("\\", "").replace('"', "")
                                           .replace("\n", "") + '"'))
_EXPR = st.recursive(_TERM, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from(["+", "=", "&&", "||", "<"]), inner).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"),
    inner.map(lambda e: f"!({e})"),
    inner.map(lambda e: f"STR({e})"),
    st.tuples(inner, inner).map(lambda t: f"REGEX(STR({t[0]}), STR({t[1]}))")), max_leaves=30)
_PATTERN = st.recursive(
    st.tuples(_VAR, _TERM, _TERM).map(lambda t: f"{t[0]} {t[1]} {t[2]} ."),
    lambda inner: st.one_of(
        inner.map(lambda p: "{ " + p + " }"),
        st.tuples(inner, inner).map(lambda t: f"{{ {t[0]} }} UNION {{ {t[1]} }}"),
        inner.map(lambda p: f"OPTIONAL {{ {p} }}"),
        inner.map(lambda p: f"MINUS {{ {p} }}"),
        st.tuples(inner, _EXPR).map(lambda t: f"{t[0]} FILTER({t[1]})"),
        inner.map(lambda p: f"GRAPH ?g {{ {p} }}")), max_leaves=25)
_QUERY = st.one_of(
    _PATTERN.map(lambda p: f"SELECT * WHERE {{ {p} }} LIMIT 20"),
    _PATTERN.map(lambda p: f"ASK {{ {p} }}"),
    _PATTERN.map(lambda p: f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {p} }} LIMIT 20"),
    st.tuples(_PATTERN, _VAR).map(lambda t: f"SELECT {t[1]} (COUNT(*) AS ?n) WHERE {{ {t[0]} }}"
                                            f" GROUP BY {t[1]} ORDER BY DESC(?n)"),
    st.integers(1, 3000).map(lambda depth: "SELECT * WHERE " + "{" * depth + " ?s ?p ?o "
                             + "}" * depth),
    st.integers(1, 2000).map(lambda depth: "ASK { FILTER(" + "(" * depth + "1" + ")" * depth
                             + ") }"),
    st.integers(1, 400_000).map(lambda n: f'ASK {{ ?s ?p "{"x" * n}" }}'),
    st.text(max_size=400))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@pytest.mark.slow
@given(query=_QUERY, how=st.sampled_from(["form", "direct"]))
def test_generated_queries_never_get_a_5xx_nor_write(client, assert_unchanged, query: str,
                                                     how: str) -> None:
    if how == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", data=query.encode(),
                               content_type="application/sparql-query")
    assert response.status_code < 500 or response.status_code == 503, response.get_data()[:300]
    if response.status_code >= 400:
        assert response.get_json()["status"] == response.status_code
    assert_unchanged()


# -- bombs, filenames, injections ----------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """200 MB of newlines gzipped into ~200 kB, compressed piece by piece: the test process never
    holds the 200 MB (its peak memory is what the test measures)."""
    gzipper = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: a gzip header
    piece, size = memoryview(b"\n" * 2**22), 200_000_000
    parts = [gzipper.compress(piece[:size - start]) for start in range(0, size, len(piece))]
    return b"".join([*parts, gzipper.flush()])


@pytest.mark.parametrize(("path", "content_type"), [
    ("/store?graph=urn:bomb", "text/turtle"),
    ("/store?default", "application/n-triples"),
    ("/sparql", "application/sparql-query"),
    ("/sparql", "application/sparql-update"),
    ("/sparql", "application/x-www-form-urlencoded"),
])
@pytest.mark.slow
def test_a_gzip_bomb_is_not_inflated(client, assert_unchanged, bomb: bytes, path: str,
                                     content_type: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = client.post(path, data=bomb, headers={
        "Content-Encoding": "gzip", "Content-Type": content_type,
        "Authorization": f"Bearer {TOKEN}"})
    # Not decoded: a 4xx for RDF or SPARQL that does not parse; a form without fields is the
    # service description (200).
    assert response.status_code < 500 and len(response.get_data()) < 1_000_000
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100_000  # the bomb inflates to 200 MB
    assert_unchanged()


@pytest.mark.parametrize("graph", [
    'urn:x"; filename="evil.sh',
    "urn:x\r\nX-Injected: 1",
    "urn:x%0d%0aX-Injected:%201",
    "http://example.org/a;filename=evil.sh",
    "http://example.org/\u202egpj.exe",
    "http://example.org/" + "a" * 3000,
    "http://example.org/../../etc/passwd",
])
@pytest.mark.parametrize("fmt", ["turtle", "csv", "graphml"])
def test_a_hostile_graph_name_writes_no_header_of_its_own(client, graph: str, fmt: str) -> None:
    response = client.get("/export", query_string={"graph": graph, "format": fmt})
    assert response.status_code < 500
    assert "X-Injected" not in response.headers
    assert not any("\r" in v or "\n" in v for v in response.headers.values())
    disposition = response.headers.get("Content-Disposition", "")
    assert disposition.count("filename") <= 2  # filename and filename*, nothing injected
    assert "evil.sh" not in disposition and "\u202e" not in disposition


def test_a_graph_named_like_a_header_exports_under_a_safe_filename(client,
                                                                  assert_unchanged) -> None:
    graph = "http://example.org/a;filename=evil.sh%0d%0aX-Injected:1"
    load = client.put("/store", query_string={"graph": graph}, data=SMALL_ONTOLOGY.read_bytes(),
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
    assert load.status_code in (201, 204), load.get_data()
    try:
        response = client.get("/export", query_string={"graph": graph, "format": "turtle"})
        assert response.status_code == 200
        assert "X-Injected" not in response.headers
        name = response.headers["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="?[\w.-]+"?', name), name
    finally:
        client.delete("/store", query_string={"graph": graph},
                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert_unchanged()


INJECTIONS = ["' } DROP ALL #", '" } ; DROP ALL ; #', "> } ; CLEAR ALL ; SELECT * { <a",
              "alpha> } INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
              "investsIn> . } DELETE WHERE { ?s ?p ?o } #", "x\\u0022 } DROP ALL #"]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("path", [
    "/api/entities?q={v}", "/api/entities?type={v}", "/api/entities/alpha/neighbors?relation={v}",
    "/api/entities/alpha/circle?relation={v}", "/api/entities/alpha/circle?role={v}",
    "/api/paths?from=alpha&to={v}", "/api/compare?ids=alpha,{v}", "/api/rankings?type={v}",
    "/api/entities/{v}", "/export?graph={v}", "/store?graph={v}",
])
def test_sparql_in_rest_parameters_changes_nothing(client, assert_unchanged, path: str,
                                                   value: str) -> None:

    response = client.get(path.format(v=quote(value, safe="")),
                          headers={"Accept": "application/json"})
    assert response.status_code < 500
    assert_unchanged()


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
