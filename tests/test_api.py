"""The relationship API over HTTP, on the small ecosystem (see tests/test_network.py)."""

from __future__ import annotations

import io
import re

import networkx as nx
import pyoxigraph
import pytest

from ontology import AIKG, GRAPH, KG
from tests.checks import assert_error, get_ok


def test_search_finds_by_chinese_name_with_labels_and_iri(ecosystem_client):
    body = get_ok(ecosystem_client, "/api/entities?q=阿尔法一")
    assert body["data"] == [{
        "id": "alpha-1", "iri": KG + "alpha-1", "label_en": "Alpha-1", "label_zh": "阿尔法一号",
        "types": ["FoundationModel"], "degree": 2, "match": "prefix",
        "matched_label": "阿尔法一号"}]
    assert body["page"] == {"limit": 50, "offset": 0, "total": 1, "next": None}


def test_pages_follow_next_links_to_the_end_without_repeats(ecosystem_client):
    seen, url = [], "/api/entities?type=Company&limit=3"
    while url:
        body = get_ok(ecosystem_client, url)
        seen += [e["id"] for e in body["data"]]
        url = body["page"]["next"]
    assert sorted(seen) == ["alpha", "beta", "cloud", "vc"]


def test_entity_details_give_labels_types_relations_and_sources(ecosystem_client):
    data = get_ok(ecosystem_client, "/api/entities/alpha")["data"]
    assert (data["label_en"], data["label_zh"]) == ("Alpha AI", "阿尔法")
    assert data["labels"] == {"en": ["Alpha AI"], "zh": ["阿尔法"]}
    assert [t["id"] for t in data["types"]] == ["Company"]
    incoming = {(r["relation"]["id"], r["node"]["id"]) for r in data["relations"]["in"]}
    assert incoming == {("investsIn", "vc"), ("developedBy", "alpha-1"),
                        ("suppliesCloudTo", "cloud"), ("ownedBy", "app")}
    # The small ontology declares no role for ownedBy: a relation, not part of the ecosystem.
    assert {r["relation"]["id"] for r in data["relations"]["in"] if not r["ecosystem"]} == {
        "ownedBy"}
    assert all(r["sources"] == [GRAPH + "test-source"] for r in data["relations"]["in"])
    assert [s["id"] for s in data["sources"]] == ["test-source"]
    assert "Dark Side of Alpha" not in str(data)  # a hidden label is never shown


def test_unknown_entity_is_404_with_suggestions(ecosystem_client):
    body = assert_error(ecosystem_client.get("/api/entities/alpah"), 404, "alpah")
    assert body["suggestions"][0] == "alpha"
    body = assert_error(ecosystem_client.get("/api/entities/Alpha/circle"), 404)
    assert "alpha" in body["suggestions"]


def test_neighbors_name_relation_direction_role_and_source(ecosystem_client):
    data = get_ok(ecosystem_client,
                  "/api/entities/alpha/neighbors?direction=in&relation=investsIn")["data"]
    assert data == [{
        "node": {"id": "vc", "iri": KG + "vc", "label_en": "Venture Capital",
                 "label_zh": "风险投资", "types": ["Company"]},
        "relation": "investsIn", "predicate": AIKG + "investsIn", "label_en": "invests in",
        "label_zh": "投资", "direction": "in", "role": "investor", "since": "2024",
        "sources": [GRAPH + "test-source"]}]


def test_circle_is_grouped_by_role_with_size_and_composition(ecosystem_client):
    data = get_ok(ecosystem_client, "/api/entities/alpha/circle?depth=2")["data"]
    assert data["size"] == 5 and data["center"]["id"] == "alpha"
    assert {g["key"]: [m["id"] for m in g["members"]] for g in data["groups"]} == {
        "cloud-supplier": ["cloud"], "investee": ["beta"], "investor": ["vc"],
        "model": ["alpha-1"], "product": ["app"]}
    assert data["composition"]["types"] == {"Company": 3, "FoundationModel": 1, "Product": 1}
    assert data["composition"]["distances"] == {"1": 3, "2": 2}
    product = next(g for g in data["groups"] if g["key"] == "product")
    assert product["label_zh"] == "基于其模型的产品"
    hops = product["members"][0]["path"]
    assert [(h["from"]["id"], h["edges"][0]["relation"], h["to"]["id"]) for h in hops] == [
        ("alpha", "developedBy", "alpha-1"), ("alpha-1", "poweredBy", "app")]


def test_circle_pages_count_role_entries(ecosystem_client):
    body = get_ok(ecosystem_client, "/api/entities/alpha/circle?depth=2&limit=2&offset=2")
    assert [g["key"] for g in body["data"]["groups"]] == ["investor", "model"]
    assert body["page"]["total"] == 5
    assert "offset=4" in body["page"]["next"] and "depth=2" in body["page"]["next"]


def test_circle_as_a_table(ecosystem_client):
    response = ecosystem_client.get("/api/entities/alpha/circle?format=table")
    assert response.mimetype == "text/plain"
    assert re.search(r"^investor +vc +Venture Capital", response.get_data(as_text=True), re.M)


def test_circle_as_graphml_holds_the_centre_its_members_and_their_ties(ecosystem_client):
    response = ecosystem_client.get("/api/entities/alpha/circle?depth=1&format=graphml")
    assert response.mimetype == "application/graphml+xml"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=aikg-circle-alpha-1.graphml")
    G = nx.read_graphml(io.BytesIO(response.data), force_multigraph=True)
    assert {G.nodes[n]["id"] for n in G} == {"alpha", "vc", "cloud", "alpha-1"}
    assert G.number_of_edges() == 3


def test_circle_export_keeps_to_the_relation_filter(ecosystem_client):
    response = ecosystem_client.get("/api/entities/alpha/circle?relation=investsIn&depth=2"
                                    "&format=ntriples")
    triples = {(t.subject.value, t.predicate.value, t.object.value)
               for t in pyoxigraph.parse(response.data, format=pyoxigraph.RdfFormat.N_TRIPLES)
               if t.predicate.value.startswith(AIKG)}
    assert triples == {(KG + "vc", AIKG + "investsIn", KG + "alpha"),
                       (KG + "vc", AIKG + "investsIn", KG + "beta")}


def test_paths_as_a_network_file_hold_the_hops(ecosystem_client):
    response = ecosystem_client.get("/api/paths?from=app&to=beta&max_length=6&format=gexf")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=aikg-paths-app-beta.gexf")
    G = nx.read_gexf(io.BytesIO(response.data))
    assert {G.nodes[n]["label"] for n in G} >= {"Alpha App", "Beta Labs"}
    assert G.number_of_nodes() == 5 and G.number_of_edges() == 4


def test_paths_explain_each_hop(ecosystem_client):
    data = get_ok(ecosystem_client, "/api/paths?from=app&to=beta&max_length=6")["data"]
    [path] = data["paths"]
    assert [n["id"] for n in path["nodes"]] == ["app", "alpha-1", "alpha", "vc", "beta"]
    assert path["length"] == 4
    hop = path["hops"][2]
    assert (hop["from"]["id"], hop["to"]["id"]) == ("alpha", "vc")
    assert (hop["edges"][0]["relation"], hop["edges"][0]["direction"]) == ("investsIn", "in")


def test_no_path_is_404(ecosystem_client):
    assert_error(ecosystem_client.get("/api/paths?from=app&to=beta-1&max_length=2"), 404,
                 "no path of at most 2 hops between app and beta-1")


def test_compare_reports_shared_members_and_jaccard(ecosystem_client):
    data = get_ok(ecosystem_client, "/api/compare?ids=alpha&ids=beta")["data"]
    assert [m["id"] for m in data["shared"]] == ["vc"]
    assert data["shared"][0]["roles"] == {"alpha": ["investor"], "beta": ["investor"]}
    assert (data["jaccard"], data["sizes"]) == (0.25, {"alpha": 3, "beta": 2})
    investor = next(r for r in data["by_role"] if r["key"] == "investor")
    assert (investor["shared"], investor["jaccard"]) == (1, 1.0)


def test_rankings_by_type(ecosystem_client):
    data = get_ok(ecosystem_client, "/api/rankings?metric=pagerank&type=Organization")["data"]
    assert [r["rank"] for r in data] == [1, 2, 3, 4]
    assert data[0]["id"] == "alpha" and data[0]["score"] > data[-1]["score"]


def test_stats_types_and_relations(ecosystem_client):
    stats = get_ok(ecosystem_client, "/api/stats")["data"]
    assert (stats["nodes"], stats["edges"]) == (7, 6)
    assert {t["id"]: t["count"] for t in stats["by_type"]}["Company"] == 4
    types = get_ok(ecosystem_client, "/api/types?limit=500")["data"]
    assert {t["id"]: t["count"] for t in types}["Organization"] == 4
    relations = {r["id"]: r for r in get_ok(ecosystem_client, "/api/relations")["data"]}
    assert relations["investsIn"]["subject_role"] == {
        "key": "investor", "label_en": "investor", "label_zh": "投资方"}
    assert relations["suppliesCloudTo"]["broader"] == ["supplierRelation"]
    assert relations["investsIn"]["count"] == 2


def test_every_answer_names_the_graph_version_and_follows_writes(make_client, ecosystem_app):
    client = ecosystem_app.test_client()
    kg = ecosystem_app.extensions["aikg"]
    assert get_ok(client, "/api/stats")["version"] == kg.version
    kg.update(f"INSERT DATA {{ GRAPH <{GRAPH}news> {{ <{KG}cloud> <{AIKG}investsIn> "
              f"<{KG}beta> . }} }}")
    body = get_ok(client, "/api/entities/beta/neighbors?relation=investsIn")
    assert body["version"] == kg.version
    assert sorted(e["node"]["id"] for e in body["data"]) == ["cloud", "vc"]


@pytest.mark.parametrize(("url", "status", "word"), [
    ("/api/entities?limit=0", 400, "limit"),
    ("/api/entities?limit=501", 400, "limit"),
    ("/api/entities?offset=-1", 400, "offset"),
    ("/api/entities?limit=ten", 400, "limit"),
    ("/api/entities?type=Compny", 400, "type"),
    ("/api/entities/alpha/neighbors?direction=up", 400, "direction"),
    ("/api/entities/alpha/circle?depth=4", 400, "depth"),
    ("/api/entities/alpha/circle?relation=investIn", 400, "relation"),
    ("/api/entities/alpha/circle?role=boss", 400, "role"),
    ("/api/entities/alpha/circle?format=xlsx", 400, "format"),
    ("/api/paths?to=beta", 400, "from"),
    ("/api/paths?from=alpha&to=beta&k=11", 400, "k"),
    ("/api/paths?from=alpha&to=beta&max_length=7", 400, "max_length"),
    ("/api/paths?from=alpha&to=nobody", 404, "nobody"),
    ("/api/compare?ids=alpha", 400, "ids"),
    ("/api/compare?ids=alpha,alpha", 400, "ids"),
    ("/api/compare?ids=alpha,beta&depth=3", 400, "depth"),
    ("/api/rankings?metric=fame", 400, "metric"),
    ("/api/entities/nobody", 404, "nobody"),
    ("/api/nothing", 404, ""),
])
def test_bad_requests_get_the_error_shape_naming_the_problem(ecosystem_client, url, status,
                                                             word):
    assert_error(ecosystem_client.get(url), status, word)


def test_user_input_never_reaches_sparql_text(ecosystem_client):
    assert_error(ecosystem_client.get("/api/entities/a%3E%20%3Fp%20%3Fo%20%7D"), 404)
    assert get_ok(ecosystem_client, '/api/entities?q="}%20DROP%20ALL')["data"] == []


def test_post_is_405_with_allow(ecosystem_client):
    response = ecosystem_client.post("/api/entities")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_circle_names_its_hubs_and_takes_hub_roles(ecosystem_client):
    data = get_ok(ecosystem_client, "/api/entities/alpha/circle?depth=2&hub_role=investor"
                  )["data"]
    assert data["composition"]["hubs"] == []  # no entity of 1,000 statements here
    assert data["size"] == get_ok(ecosystem_client, "/api/entities/alpha/circle?depth=2"
                                  )["data"]["size"]
    body = assert_error(ecosystem_client.get("/api/entities/alpha/circle?hub_role=boss"), 400)
    assert "role" in body["error"]


def test_circle_pages_join_up_to_the_whole_circle(ecosystem_client):
    whole = get_ok(ecosystem_client, "/api/entities/alpha/circle?depth=2&limit=100")["data"]
    pages = [get_ok(ecosystem_client, f"/api/entities/alpha/circle?depth=2&limit=1&offset={i}"
                    )["data"] for i in range(sum(len(g["members"]) for g in whole["groups"]))]
    joined = [(g["key"], m["id"]) for p in pages for g in p["groups"] for m in g["members"]]
    assert joined == [(g["key"], m["id"]) for g in whole["groups"] for m in g["members"]]
