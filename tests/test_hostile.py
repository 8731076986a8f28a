"""Hostile input against every route: never a 5xx, a leaked file, an injected header or a write.

The routes come from ``app.url_map``: a route is attacked here as soon as it is registered.
Values go into each path variable and into every query parameter the API knows; bodies past the
size limit go to every route that takes one; then random input from hypothesis. The SPARQL
endpoint also gets adversarial queries, and requests aimed at a local port it must never reach.
"""

from __future__ import annotations

import functools
import re
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from service import create_app
from tests.conftest import SMALL
from tests.servers import aikg_server

BODY_LIMIT = 64 * 1024
TOKEN = "hostile-test-token"

#: Every query parameter name the HTTP API documents, so each route meets its own.
PARAMS = ("q", "id", "ids", "type", "limit", "offset", "depth", "relation", "direction", "from",
          "to", "max_length", "metric", "format", "lang", "graph", "default", "query", "update",
          "default-graph-uri", "named-graph-uri")

HOSTILE = (
    "../../../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "\x00",
    "x" * 5000,
    "baidu\r\nX-Injected: 1",
    "a.ttl\"\r\nX-Injected: 1\r\n\r\n<html>",
    "<script>alert(1)</script>",
    '" } ; DROP ALL ; SELECT * WHERE { "',
    "> } INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    "kg:x } UNION { ?s ?p ?o",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "百度",
    "\ud7ff\ufffe\uffff",
    "${jndi:ldap://127.0.0.1:1/a}",
)


@functools.cache
def routes() -> Flask:
    """An app over an empty graph, for its routes: the tests are collected route by route."""
    return create_app({"TESTING": True, "STORE": "memory", "BUNDLED": False})


def rules(*methods: str) -> list[Rule]:
    """The app's rules that take one of ``methods`` (static files aside), by path."""
    found = [r for r in routes().url_map.iter_rules()
             if r.endpoint != "static" and set(methods) & (r.methods or set())]
    return sorted(found, key=lambda r: r.rule)


def fill(rule: Rule, value: str, safe: str = "") -> str:
    """The rule's path with every variable replaced by ``value``, percent-encoded but ``safe``."""
    return re.sub(r"<(?:[^<>:]+:)?[^<>]+>", lambda _: quote(value, safe=safe), rule.rule)


@pytest.fixture(scope="module")
def hostile_app() -> Flask:
    """One app for the whole module: small body limit, a token, the small graph loaded."""
    app = create_app({"TESTING": True, "STORE": "memory", "TOKEN": TOKEN,
                      "MAX_CONTENT_LENGTH": BODY_LIMIT, "STORE_MAX_UPLOAD": BODY_LIMIT})
    app.extensions["aikg"].load(SMALL)
    return app


@pytest.fixture(scope="module")
def client(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


def assert_safe(response) -> None:
    """No server error, errors in the one shape, no header the input wrote, no file read."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert "X-Injected" not in response.headers
    assert not any("\n" in v or "\r" in v for v in response.headers.values())
    if response.status_code >= 400 and response.is_json:
        body = response.get_json()
        assert body["status"] == response.status_code and body["error"]
    assert b"root:x:0:0" not in response.get_data()


def unchanged(client: FlaskClient, before: int) -> bool:
    return client.application.extensions["aikg"].version == before


# -- every route -------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [r for r in rules("GET") if r.arguments], ids=str)
@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("safe", ["", "/%"], ids=["encoded", "raw"])
def test_hostile_path_values_get_a_4xx_or_an_answer(client, rule: Rule, value: str,
                                                     safe: str) -> None:
    assert_safe(client.get(fill(rule, value, safe), headers={"Accept": "application/json"}))


@pytest.mark.parametrize("rule", rules("GET", "POST"), ids=str)
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_query_parameters_change_nothing(client, rule: Rule, value: str) -> None:
    version = client.application.extensions["aikg"].version
    for method in {"GET", "POST"} & (rule.methods or set()):
        response = client.open(fill(rule, "alpha"), method=method,
                               query_string=dict.fromkeys(PARAMS, value),
                               headers={"Accept": "application/json"})
        assert_safe(response)
    assert unchanged(client, version)


@pytest.mark.parametrize("rule", rules("GET", "POST", "PUT", "DELETE", "PATCH"), ids=str)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "PROPFIND", "TRACE", "BREW"])
def test_methods_a_route_lacks_are_405_with_allow(client, rule: Rule, method: str) -> None:
    path = fill(rule, "alpha")
    allowed = client.application.url_map.bind("localhost").allowed_methods(path)
    if method in allowed:
        pytest.skip(f"{path} takes {method}")
    response = client.open(path, method=method, headers={"Accept": "application/json"})
    assert response.status_code == 405 and response.get_json()["status"] == 405
    assert set(response.headers["Allow"].split(", ")) == set(allowed)


@pytest.mark.parametrize("rule", rules("POST", "PUT", "PATCH"), ids=str)
@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/sparql-query", "application/sparql-update", "text/turtle",
    "application/octet-stream",
])
def test_a_body_past_the_limit_is_413_json_and_changes_nothing(client, rule: Rule,
                                                               content_type: str) -> None:
    version = client.application.extensions["aikg"].version
    for method in {"POST", "PUT", "PATCH"} & (rule.methods or set()):
        response = client.open(fill(rule, "alpha"), method=method,
                               data=b"query=" + b"x" * BODY_LIMIT,
                               headers={"Content-Type": content_type,
                                        "Authorization": f"Bearer {TOKEN}",
                                        "Accept": "application/json"})
        assert response.status_code == 413
        assert response.get_json()["status"] == 413
    assert unchanged(client, version)


@pytest.mark.parametrize("path", [
    "/static/../pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e/service/__init__.py",
    "/%2e%2e/%2e%2e/etc/passwd",
    "//etc/passwd",
    "/..\\..\\pyproject.toml",
    "/sparql/../../pyproject.toml",
])
def test_path_traversal_reads_no_file(client, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert_safe(response)
    assert response.status_code in (400, 404)
    assert b"[project]" not in response.get_data()


@pytest.mark.parametrize("headers", [
    {"Accept": "*/*;q=nonsense, text/html;q=2, ;;;"},
    {"Accept": ", ".join(f"type{i}/sub{i};q=0.{i % 10}" for i in range(2000))},
    {"Accept-Language": "zh-CN,zh;q=0.9," + "x" * 8000},
    {"If-None-Match": 'W/"unterminated'},
    {"If-None-Match": ", ".join(f'W/"v{i}-x"' for i in range(2000))},
    {"If-None-Match": "*"},
    {"X-Forwarded-For": "127.0.0.1, ::1, not-an-address"},
    {"Content-Type": "multipart/form-data"},
])
def test_hostile_headers_get_a_4xx_or_an_answer(client, headers: dict) -> None:
    for rule in rules("GET"):
        assert_safe(client.get(fill(rule, "alpha"), headers=headers))


@pytest.mark.slow
@pytest.mark.parametrize("rule", rules("GET"), ids=str)
@settings(max_examples=40, deadline=None)
@given(value=st.text(max_size=300),
       params=st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=300), max_size=6),
       accept=st.sampled_from(["application/json", "text/html", "text/turtle", "*/*",
                               "application/sparql-results+json", "text/csv", ""]))
def test_random_input_never_gets_a_5xx(client, rule: Rule, value: str, params: dict,
                                       accept: str) -> None:
    assert_safe(client.get(fill(rule, value), query_string=params, headers={"Accept": accept}))


# -- the SPARQL endpoint -----------------------------------------------------------------------

ADVERSARIAL_QUERIES = [
    "SELECT * WHERE { ?s ?p ?o ",
    "SELECT * WHERE { ?s ?p ?o } }",
    "\x00",
    "SELECT * WHERE { ?s ?p \"" + "x" * 50_000 + "\" }",
    "SELECT * WHERE " + "{" * 200 + " ?s ?p ?o " + "}" * 200,
    "SELECT * WHERE { FILTER(" + "(" * 200 + "true" + ")" * 200 + ") }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999999",
    "SELECT (REGEX(\"" + "a" * 40 + "!\", \"^(a+)+$\") AS ?x) {}",
    "SELECT (" + " + ".join(["1"] * 500) + " AS ?x) {}",
    "SELECT " + " ".join(f"?v{i}" for i in range(2000)) + " WHERE { ?v0 ?v1 ?v2 }",
    "PREFIX : <javascript:alert(1)> SELECT * WHERE { :a ?p ?o }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "DESCRIBE <file:///etc/passwd>",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DROP ALL",
    "CLEAR DEFAULT ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
]


@pytest.mark.parametrize("query", ADVERSARIAL_QUERIES, ids=lambda q: q[:40])
@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_adversarial_queries_are_answered_or_refused_and_write_nothing(
        client, query: str, how: str) -> None:
    version = client.application.extensions["aikg"].version
    headers = {"Accept": "application/json"}
    if how == "get":
        response = client.get("/sparql", query_string={"query": query}, headers=headers)
    elif how == "form":
        response = client.post("/sparql", data={"query": query}, headers=headers)
    else:
        response = client.post("/sparql", data=query.encode(), headers=headers,
                               content_type="application/sparql-query")
    assert_safe(response)
    assert unchanged(client, version)


def test_a_query_that_is_not_utf8_is_refused(client) -> None:
    response = client.post("/sparql", data=b"SELECT * WHERE { ?s ?p \"\xff\xfe\" }",
                           content_type="application/sparql-query",
                           headers={"Accept": "application/json"})
    assert_safe(response)


@pytest.fixture
def local_port() -> Iterator[tuple[int, list[bytes]]]:
    """A port on 127.0.0.1 that records what reaches it and hangs up at once."""
    server = socket.create_server(("127.0.0.1", 0))
    reached: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(1)
                reached.append(connection.recv(1024))

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], reached
    server.close()


@pytest.mark.parametrize(("field", "text"), [
    ("query", "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"),
    ("query", "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"),
    ("query", "SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}"),
    ("query", "LOAD <http://127.0.0.1:{port}/data.ttl>"),
    ("update", "LOAD <http://127.0.0.1:{port}/data.ttl>"),
    ("update", "LOAD SILENT <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <urn:g>"),
])
def test_sparql_never_reaches_a_local_port(client, local_port, field: str, text: str) -> None:
    port, reached = local_port
    response = client.post("/sparql", data={field: text.format(port=port)},
                            headers={"Accept": "application/json",
                                     "Authorization": f"Bearer {TOKEN}"})
    assert_safe(response)
    assert reached == []


# -- against a real server: input that could take the process down ------------------------------


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[str]:
    """``aikg serve`` on a free port of 127.0.0.1, for input that could kill its process."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with aikg_server("--threads", "2", log=log) as (url, _):
        yield url


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000,
    "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(5000)) + " }",
], ids=["nested-groups", "bind-chain"])
def test_a_query_that_overflows_the_engine_is_refused_and_the_server_lives(
        live_server: str, query: str) -> None:
    wait_until_up(live_server)
    response = requests.post(f"{live_server}/sparql", data={"query": query}, timeout=120)
    assert 400 <= response.status_code < 500
    assert requests.get(f"{live_server}/healthz", timeout=5).status_code == 200
