"""What a person reads, over the bundled graph: values as people write them, one class list with
one count per class, relations that read right from both ends, whole messages, readable SPARQL
errors, and GraphML whose nodes carry the names and types Gephi and yEd show."""

from __future__ import annotations

import io
import re

import networkx as nx

AIKG = "https://w3id.org/aikg/ontology#"


def text_of(client, url: str) -> str:
    html = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_entity_pages_show_years_dates_and_amounts_as_people_write_them(client):
    baidu = text_of(client, "/id/baidu")
    assert "founding date 成立日期 2000 " in baidu and "gYear" not in baidu
    figure = client.get("/api/entities/m-cac-filings-2025-03-31").json["data"]
    shown = {p["property"]["id"]: p["display"] for p in figure["properties"]}
    assert shown["schema:observationDate"] == "31 March 2025"
    assert shown["schema:value"] == "346 services"
    assert "346 services" in text_of(client, "/id/m-cac-filings-2025-03-31")


def test_one_class_list_with_one_count_per_class(client):
    by_type = {t["id"]: t["count"] for t in client.get("/api/stats").json["data"]["by_type"]}
    types = {t["id"]: t["count"] for t in client.get("/api/types?limit=500").json["data"]}
    assert by_type["ModelVersion"] == types["ModelVersion"]
    assert all(types[c] == n for c, n in by_type.items())
    assert not [c for c in by_type if c.startswith(("airo:", "prov:", "schema:Organization"))]
    home = text_of(client, "/")
    assert f"model version 模型版本 {by_type['ModelVersion']} " in home
    options = re.findall(r'<option value="([^"]*)"',
                         client.get("/rankings").get_data(as_text=True))
    assert "Organization" in options and not [o for o in options if ":" in o and "Concept" not in o]


def test_relations_read_right_from_the_object_side(client):
    zhipu = text_of(client, "/id/zhipu")
    assert "invested in by 获投资自" in zhipu and "← " not in zhipu
    path = text_of(client, "/paths?from=kimi&to=zhipu")
    assert "Moonshot AI 月之暗面 invested in by" in path


def test_graphml_carries_label_and_type_that_gephi_and_yed_show(client):
    data = client.get("/api/entities/baidu/circle?format=graphml").data
    G = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    baidu = G.nodes["https://w3id.org/aikg/id/baidu"]
    assert (baidu["label"], baidu["type"]) == ("Baidu", "Company")
    assert all(d.get("label") and not d["label"].startswith("http") for _, d in G.nodes(data=True))
    assert {d["label"] for *_, d in G.edges(data=True)} >= {"developed by"}


def test_export_with_an_unknown_suffix_says_what_to_do(cli, tmp_path):
    result = cli("export", "-o", tmp_path / "x.foo")
    assert result.exit_code == 1
    message = result.output.strip()
    assert message.endswith(".trig, .ttl, .zip") and "give --format" in message


def test_an_undeclared_prefix_is_named_with_its_line_and_column(cli, client):
    result = cli("query", "SELECT * WHERE {\n  ?s foo:bar ?o }")
    assert result.exit_code == 1
    assert "2:6: unknown prefix foo: declare it first, as in PREFIX foo:" in result.output
    body = client.get("/sparql", query_string={"query": "SELECT * { ?s nope:x ?o }"}).json
    assert body["error"].startswith("1:15: unknown prefix nope:")
