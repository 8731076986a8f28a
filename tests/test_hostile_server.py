"""Attacks of issue 22 on the serving side, each against a real ``aikg serve`` process.

Tokens, text encodings, format names, forged Host headers and the gunicorn control socket here;
slow clients, writes and pages in the modules beside it (test_slow_clients.py,
test_hostile_writes.py, test_browser.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.servers import aikg_server

TOKEN = "serving-test-token"
SELECT = "SELECT ?s WHERE { ?s a ?c } LIMIT 1"
TURTLE = "<http://example.org/a> <http://example.org/p> <http://example.org/b> ."


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """A writable server of the bundled graph, its gunicorn runtime directory its own."""
    runtime = tmp_path_factory.mktemp("runtime")
    log = tmp_path_factory.mktemp("server") / "server.log"
    saved = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)  # where gunicorn would put its control socket
    try:
        with aikg_server("--token", TOKEN, "--timeout", "20", log=log) as (url, _):
            yield url
    finally:
        if saved is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = saved


def test_a_wrong_token_is_401_with_www_authenticate(server: str) -> None:
    response = requests.post(f"{server}/sparql", timeout=30, data={"update": "CLEAR ALL"},
                             headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(f"{server}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30,
                        headers={"Accept": "application/json"}).json()["boolean"] is True


@pytest.mark.parametrize("how", ["GET", "form", "direct POST"])
def test_a_query_that_is_not_utf8_is_400_however_it_is_sent(server: str, how: str) -> None:
    raw = b'SELECT * WHERE { ?s ?p "\xff" }'
    encoded = "".join(f"%{b:02X}" for b in raw)
    accept = {"Accept": "application/json"}
    if how == "GET":
        response = requests.get(f"{server}/sparql?query={encoded}", headers=accept, timeout=30)
    elif how == "form":
        response = requests.post(f"{server}/sparql", data=f"query={encoded}", timeout=30, headers={
            **accept, "Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = requests.post(f"{server}/sparql", data=raw, timeout=30, headers={
            **accept, "Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]


@pytest.mark.parametrize("path", [
    "/api/entities?q=baidu", "/api/entities/baidu/circle", "/api/stats",
    f"/sparql?query={SELECT}", "/export",
])
def test_an_unknown_format_is_the_same_400_naming_the_parameter(server: str, path: str) -> None:
    sep = "&" if "?" in path else "?"
    response = requests.get(f"{server}{path}{sep}format=xlsx", timeout=30)
    assert response.status_code == 400
    message = response.json()["error"]
    assert message.startswith("format: expected one of ") and message.endswith("got 'xlsx'")


def test_a_malformed_query_asked_for_as_html_is_its_400_parse_error(server: str) -> None:
    response = requests.get(f"{server}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p"},
                            headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 400
    assert "line 1" in response.text or "1:" in response.text
    well_formed = requests.get(f"{server}/sparql", params={"query": SELECT},
                               headers={"Accept": "image/png"}, timeout=30)
    assert well_formed.status_code == 406


def test_a_graph_posted_without_a_target_is_named_from_the_server_not_the_host_header(
        server: str) -> None:
    response = requests.post(f"{server}/store", data=TURTLE, timeout=30, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle",
        "Host": "evil.example"})
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith(f"{server}/store/") and "evil" not in location
    assert requests.get(location, timeout=30).status_code == 200


def test_the_server_makes_no_gunicorn_control_socket(server: str) -> None:
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    assert requests.get(f"{server}/healthz", timeout=30).status_code == 200
    assert not (runtime / "gunicorn.ctl").exists()


JAVASCRIPT = "javascript:alert(document.domain)"


def test_a_javascript_address_in_the_data_is_shown_as_text_not_as_a_link(server: str) -> None:
    notes = f'<https://w3id.org/aikg/id/baidu> <http://example.org/homepage> <{JAVASCRIPT}> .'
    written = requests.put(f"{server}/store", params={"graph": "http://example.org/notes"},
                           data=notes, timeout=30, headers={
                               "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
    assert written.status_code in (201, 204)
    page = requests.get(f"{server}/id/baidu", headers={"Accept": "text/html"}, timeout=30)
    assert JAVASCRIPT in page.text
    assert 'href="javascript:' not in page.text.lower()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("address", [JAVASCRIPT, "data:text/html;base64,PHNjcmlwdD4="])
@pytest.mark.parametrize("predicate", ["schema:url", "prov:wasDerivedFrom"])
def test_a_source_whose_address_is_not_http_is_refused(server: str, address: str,
                                                       predicate: str) -> None:
    source = f"""
        @prefix aikg: <https://w3id.org/aikg/ontology#> . @prefix schema: <https://schema.org/> .
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/aikg/graph/xss> a aikg:SourceGraph ; rdfs:label "XSS"@en ;
            dcterms:title "XSS" ; aikg:evidenceKind aikg:PublicEvidence ; {predicate} <{address}> .
    """
    response = requests.post(f"{server}/store", data=source, timeout=30,
                             params={"graph": "https://w3id.org/aikg/graph/sources"}, headers={
                                 "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
    assert response.status_code == 422
    assert "http or https" in response.text


@pytest.mark.parametrize("path", ["/", "/id/baidu", "/sparql", "/search?q=baidu", "/rankings",
                                  "/docs", "/nowhere"])
def test_every_page_carries_the_content_security_policy(server: str, path: str) -> None:
    response = requests.get(f"{server}{path}", headers={"Accept": "text/html"}, timeout=30)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
