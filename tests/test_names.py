"""Names wherever ids go: the API, the pages and the command line take an entity's id, its IRI
or a name of it in English or Chinese, over the bundled graph. One exact match resolves; a name
several entities bear answers with them all (a chooser on pages, an error listing them in the
API and CLI)."""

from __future__ import annotations

import re

import pytest

from service.render import table, width
from tests.conftest import SMALL, SMALL_ONTOLOGY

BAIDU = "https://w3id.org/aikg/id/baidu"


@pytest.mark.parametrize("name", ["baidu", "Baidu", "百度", "ＢＡＩＤＵ", BAIDU])
def test_the_api_takes_an_id_an_iri_or_a_name(client, name):
    response = client.get("/api/paths", query_string={"from": name, "to": "Ernie"})
    assert response.status_code == 200, response.json
    assert response.json["data"]["from"]["id"] == "baidu"
    assert client.get(f"/api/entities/{name}/circle" if "/" not in name else
                      "/api/entities/baidu/circle").json["data"]["center"]["iri"] == BAIDU


def test_a_name_two_entities_bear_is_an_error_listing_both(client):
    response = client.get("/api/entities/ChatGLM")
    assert response.status_code == 400
    body = response.json
    assert {c["id"] for c in body["candidates"]} == {"glm", "zhipu-qingyan"}
    assert "names 2 entities" in body["error"] and "glm (GLM)" in body["error"]
    assert set(body) == {"error", "status", "candidates"}


def test_an_entity_page_by_name_goes_to_the_page_of_its_id(client):
    response = client.get("/id/百度", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/id/baidu")


def test_an_ambiguous_name_on_a_page_offers_a_chooser(client):
    html = client.get("/id/ChatGLM", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Which one do you mean?" in html
    assert {'href="/id/glm"', 'href="/id/zhipu-qingyan"'} <= set(re.findall(r'href="/id/[^"]+"',
                                                                           html))


def test_the_paths_form_takes_names_and_asks_which_one(client):
    html = client.get("/paths?from=Kimi&to=智谱AI").get_data(as_text=True)
    assert re.search(r"path.? from .*Kimi", html) and "Zhipu AI" in html
    html = client.get("/paths?from=ChatGLM&to=Baidu").get_data(as_text=True)
    assert "names 2 entities: which one do you mean?" in html
    for choice in ("glm", "zhipu-qingyan"):
        assert f"/paths?from={choice}&amp;to=Baidu" in html


def test_no_path_is_an_answer_with_a_longer_search(client):
    response = client.get("/paths?from=baidu&to=kimi&max_length=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 404  # the status says so; the page is an answer
    assert "No path within 1 hop from" in html and "Not found" not in html
    assert "Search up to 6 hops" in html and "max_length=6" in html


def test_aikg_search_lists_entities_by_a_chinese_name(cli):
    result = cli("search", "百度")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[2].split()[:3] == ["baidu", "Baidu", "百度"]
    assert cli("search", "no such thing at all").exit_code == 1


@pytest.mark.parametrize("name", ["百度", "Baidu", BAIDU])
def test_aikg_circle_and_path_take_names(cli, name):
    result = cli("circle", name)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Baidu:")
    assert cli("path", name, "文心大模型").exit_code == 0


def test_aikg_names_the_candidates_of_an_ambiguous_name(cli):
    result = cli("circle", "ChatGLM")
    assert result.exit_code == 1
    assert "'ChatGLM' names 2 entities" in result.output
    assert "zhipu-qingyan (Zhipu Qingyan)" in result.output


def test_tables_align_chinese_text_by_display_width(cli):
    lines = cli("circle", "baidu").output.splitlines()[1:]
    start = lines[0].index("hops")  # the header is ASCII: its index is its column
    for line in lines[2:]:  # each row as a terminal shows it: a wide character takes two cells
        shown = "".join(c * width(c) for c in line)
        assert shown[start - 2:start] == "  " and shown[start].isdigit(), line
    assert any(width(line) > len(line) for line in lines)  # Chinese labels were in the table
    assert table(["a"], [["百度"]]).splitlines()[1] == "----"


def test_query_tables_align_chinese_text_too(cli):
    result = cli("query", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?zh ?en "
                 "WHERE { <https://w3id.org/aikg/id/baidu-wenku> rdfs:label ?zh , ?en "
                 'FILTER(lang(?zh) = "zh" && lang(?en) = "en") }')
    header, _, row, _ = result.output.splitlines()
    assert width(row[:row.index("Baidu Wenku")]) == header.index("en")


@pytest.mark.parametrize("name", ["Alpha AI", "阿尔法", "alpha"])
def test_names_resolve_over_a_remote_store_too(name, remote, endpoint, make_client,
                                               ecosystem_client):
    for path in (SMALL, SMALL_ONTOLOGY):
        remote.load(path)
    remote_client = make_client(store=endpoint + "/query")
    url = f"/api/entities/{name}/circle?depth=2"
    local, far = ecosystem_client.get(url), remote_client.get(url)
    assert far.status_code == local.status_code == 200, far.json
    assert far.json["data"] == local.json["data"]
    assert far.json["data"]["center"]["id"] == "alpha"
    assert remote_client.get("/api/entities/Nobody%20Inc").status_code == 404
