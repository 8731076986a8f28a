"""``/reconcile``: every document it answers keeps to the Reconciliation Service API 0.2 schemas,
the shapes of the specification's examples are understood, names match as ``aikg import``
resolves them (a hand-made list of 100 names with known answers), and bad input is a 400."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.reconciliation import errors, examples

NAMES = Path(__file__).parent / "data" / "reconcile-names.csv"
EVIL = b"""<https://w3id.org/aikg/id/evil> a <https://w3id.org/aikg/ontology#Company> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script> & Co"@en ,
        "\xe6\x81\xb6\xe6\x84\x8f<b>\xe5\x85\xac\xe5\x8f\xb8</b>"@zh .
"""


@pytest.fixture(scope="module")
def app() -> Flask:
    """One app over the bundled graph, with one hostile entity added, for the whole module."""
    from service import create_app

    app = create_app({"TESTING": True, "STORE": "memory", "QUERY_WORKERS": 0,
                      "RECONCILE_MAX_QUERIES": 100})
    app.extensions["aikg"].load(EVIL, format="ttl",
                                graph="https://w3id.org/aikg/graph/test-evil")
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def valid(kind: str, response) -> dict:
    """The JSON body of a 200 answer, checked against the schema of ``kind``."""
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert errors(kind, body) == []
    return body


def post_queries(client: FlaskClient, queries: dict) -> dict:
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    return valid("reconciliation-result-batch", response)


# -- the documents and their schemas ---------------------------------------------------------


def test_the_manifest_names_the_services_and_aikgs_types(client) -> None:
    manifest = valid("manifest", client.get("/reconcile"))
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/aikg/id/"
    assert manifest["view"]["url"] == "http://localhost/id/{{id}}"
    assert manifest["preview"]["url"] == "http://localhost/reconcile/preview?id={{id}}"
    types = [t["id"] for t in manifest["defaultTypes"]]
    assert {"Organization", "AIModel", "Product", "Person"} <= set(types)
    assert manifest["suggest"]["type"]["service_path"] == "/reconcile/suggest/type"
    assert manifest["extend"]["propose_properties"]["service_path"] == "/reconcile/properties"


def test_get_and_post_batches_answer_the_same_candidates(client) -> None:
    queries = {"q0": {"query": "百度", "type": None, "limit": None},  # null: not given
               "q1": {"query": "Dark Side of the Moon", "limit": 2}}
    by_post = post_queries(client, queries)
    by_get = valid("reconciliation-result-batch",
                   client.get("/reconcile", query_string={"queries": json.dumps(queries)}))
    assert by_get == by_post
    top = by_post["q0"]["result"][0]
    assert (top["id"], top["name"], top["match"], top["score"]) == ("baidu", "Baidu", True, 100)
    assert top["type"] == [{"id": "Company", "name": "company"}]
    assert by_post["q1"]["result"][0]["id"] == "moonshot" and len(by_post["q1"]["result"]) <= 2


def test_jsonp_wraps_the_same_document_in_the_callback(client) -> None:
    response = client.get("/reconcile?callback=jQuery3_1.cb")
    text = response.get_data(as_text=True)
    assert response.mimetype == "application/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert text.startswith("/**/jQuery3_1.cb(") and text.endswith(");")
    inner = json.loads(text[len("/**/jQuery3_1.cb("):-2])
    assert errors("manifest", inner) == [] and inner == client.get("/reconcile").get_json()


@pytest.mark.parametrize(("path", "kind"), [
    ("/reconcile/suggest/entity?prefix=Moon", "suggest-entities-response"),
    ("/reconcile/suggest/entity?prefix=%E6%9C%88%E4%B9%8B&type=Organization",
     "suggest-entities-response"),
    ("/reconcile/suggest/type?prefix=comp", "suggest-types-response"),
    ("/reconcile/suggest/type?prefix=", "suggest-types-response"),
    ("/reconcile/suggest/property?prefix=found", "suggest-properties-response"),
    ("/reconcile/suggest/property?prefix=%E5%8F%91%E5%B8%83", "suggest-properties-response"),
    ("/reconcile/properties?type=AIModel", "data-extension-property-proposal"),
    ("/reconcile/properties", "data-extension-property-proposal"),
])
def test_suggest_and_proposals_keep_to_their_schemas(client, path: str, kind: str) -> None:
    body = valid(kind, client.get(path))
    assert body.get("result", body.get("properties"))


def test_suggest_finds_entities_types_and_properties_by_english_or_chinese_name(client) -> None:
    moon = client.get("/reconcile/suggest/entity?prefix=月之暗").get_json()["result"]
    assert moon[0]["id"] == "moonshot" and moon[0]["notable"][0]["id"] == "Startup"
    assert client.get("/reconcile/suggest/type?prefix=公司").get_json()["result"][0]["id"] \
        == "Company"
    release = client.get("/reconcile/suggest/property?prefix=发布").get_json()["result"]
    assert "schema:datePublished" in [p["id"] for p in release]
    models = [p["id"] for p in client.get("/reconcile/properties?type=AIModel&limit=20")
              .get_json()["properties"]]
    assert {"developedBy", "schema:datePublished", "parameterCount", "chineseName"} <= set(models)


def test_extension_gives_developer_date_parameters_and_chinese_name(client) -> None:
    query = {"ids": ["ernie-4-0", "baidu", "no-such-entity"],
             "properties": [{"id": "developedBy"}, {"id": "schema:datePublished"},
                            {"id": "chineseName"}, {"id": "circleSize"},
                            {"id": "schema:foundingDate", "settings": {"limit": "1"}}]}
    body = valid("data-extension-response", client.post(
        "/reconcile", data={"extend": json.dumps(query)}))
    assert [m["id"] for m in body["meta"]] == [p["id"] for p in query["properties"]]
    ernie, baidu = body["rows"]["ernie-4-0"], body["rows"]["baidu"]
    assert ernie["developedBy"] == [{"id": "baidu", "name": "Baidu"}]
    assert ernie["chineseName"] == [{"str": "文心大模型4.0"}]
    assert baidu["chineseName"] == [{"str": "百度"}] and baidu["circleSize"][0]["int"] > 5
    assert baidu["schema:foundingDate"] == [{"str": "2000"}]
    assert all(v == [] for v in body["rows"]["no-such-entity"].values())
    counts = client.post("/reconcile", data={"extend": json.dumps(
        {"ids": ["hunyuan-large"], "properties": [{"id": "parameterCount"}]})}).get_json()
    assert counts["rows"]["hunyuan-large"]["parameterCount"] == [{"int": 389_000_000_000}]


def test_the_preview_is_a_small_escaped_card_with_the_chinese_name(client) -> None:
    card = client.get("/reconcile/preview?id=moonshot")
    html = card.get_data(as_text=True)
    assert card.mimetype == "text/html" and "月之暗面" in html and "Moonshot AI" in html
    assert "<script" not in html and 'href="/id/moonshot"' in html
    evil = client.get("/reconcile/preview?id=evil").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in evil and "<script" not in evil
    assert "恶意&lt;b&gt;公司&lt;/b&gt;" in evil
    missing = client.get("/reconcile/preview?id=nope", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.get_json()["status"] == 404


# -- the specification's examples ----------------------------------------------------------


def test_the_validator_accepts_and_refuses_the_specifications_examples() -> None:
    kinds = ["manifest", "reconciliation-query-batch", "reconciliation-result-batch",
             "data-extension-query", "data-extension-response", "suggest-entities-response",
             "suggest-types-response", "suggest-properties-response",
             "data-extension-property-proposal"]
    for kind in kinds:
        for path in examples(kind, "valid"):
            assert errors(kind, json.loads(path.read_text("utf-8"))) == [], path
        for path in examples(kind, "invalid"):
            assert errors(kind, json.loads(path.read_text("utf-8"))), path


def aikg_terms(document: object) -> object:
    """A specification example with its GND types, properties and ids swapped for aikg's."""
    swap = {"type": "Organization", "pid": "developedBy", "id": "baidu"}
    if isinstance(document, dict):
        return {k: swap[k] if k in swap and isinstance(v, str) else aikg_terms(v)
                for k, v in document.items()}
    if isinstance(document, list):
        return [aikg_terms(v) for v in document]
    return document


@pytest.mark.parametrize("path", examples("reconciliation-query-batch", "valid"),
                         ids=lambda p: p.name)
def test_every_valid_query_shape_of_the_specification_is_answered(client, path: Path) -> None:
    post_queries(client, aikg_terms(json.loads(path.read_text("utf-8"))))


@pytest.mark.parametrize("path", examples("reconciliation-query-batch", "invalid"),
                         ids=lambda p: p.name)
def test_every_invalid_query_batch_of_the_specification_is_a_400(client, path: Path) -> None:
    response = client.post("/reconcile", data={"queries": path.read_text("utf-8")})
    assert response.status_code == 400 and response.get_json()["status"] == 400


@pytest.mark.parametrize("path", examples("data-extension-query", "valid"), ids=lambda p: p.name)
def test_every_extension_query_shape_of_the_specification_is_answered(client, path: Path
                                                                       ) -> None:
    query = json.loads(path.read_text("utf-8"))
    query["ids"] = ["baidu", "ernie-4-0"]
    for prop, aikg in zip(query["properties"], ["developedBy", "chineseName", "circleSize",
                                                "schema:foundingDate"], strict=False):
        prop["id"] = aikg
    valid("data-extension-response", client.post("/reconcile",
                                                 data={"extend": json.dumps(query)}))


# -- matching ------------------------------------------------------------------------------


def test_the_hand_made_list_top_candidate_is_right_and_match_is_never_wrong(client) -> None:
    rows = list(csv.DictReader(NAMES.open(encoding="utf-8")))
    assert len(rows) >= 60 and sum(r["kind"] in ("zh", "garbled") for r in rows) * 2 >= len(rows)
    queries = {f"q{i}": {"query": r["name"], **({"type": r["type"]} if r["type"] else {})}
               for i, r in enumerate(rows)}
    answers = post_queries(client, queries)
    known = [(r, answers[f"q{i}"]["result"]) for i, r in enumerate(rows) if r["expected"]]
    right = [r["name"] for r, found in known if found and found[0]["id"] == r["expected"]]
    assert len(right) >= 0.95 * len(known), sorted({r["name"] for r, _ in known} - set(right))
    wrong = [(r["name"], c["id"]) for i, r in enumerate(rows)
             for c in answers[f"q{i}"]["result"] if c["match"] and c["id"] != r["expected"]]
    assert wrong == []
    matched = sum(any(c["match"] for c in found) for _, found in known)
    assert matched >= 0.85 * len(known)  # most names resolve, as the import would merge them


def test_a_name_of_several_entities_matches_none_until_a_type_or_property_decides(client) -> None:
    found = post_queries(client, {
        "any": {"query": "ChatGLM"},
        "model": {"query": "ChatGLM", "type": "AIModel"},
        "by-property": {"query": "ChatGLM", "properties": [
            {"pid": "versionOf", "v": "nothing"}, {"pid": "developedBy", "v": "智谱AI"}]}})
    assert {c["id"] for c in found["any"]["result"][:2]} == {"glm", "zhipu-qingyan"}
    assert not any(c["match"] for c in found["any"]["result"])
    assert [(c["id"], c["match"]) for c in found["model"]["result"][:1]] == [("glm", True)]
    assert not any(c["match"] for c in found["by-property"]["result"])


def test_properties_raise_agreeing_candidates_and_a_contradiction_takes_the_match(client
                                                                                  ) -> None:
    found = post_queries(client, {
        "agrees": {"query": "Moonshot AI", "properties": [
            {"pid": "headquarteredIn", "v": "北京"}, {"pid": "founding date", "v": 2023}]},
        "contradicts": {"query": "ERNIE", "properties": [{"pid": "developedBy", "v": "Alibaba"}]},
        "by-id": {"query": "ERNIE", "properties": [{"pid": "developedBy", "v": {"id": "baidu"}}]},
        "only": {"type": "AIModel", "limit": 50,
                 "properties": [{"pid": "developedBy", "v": "Baidu"}]}})
    agrees = found["agrees"]["result"][0]
    assert agrees["match"] and {"id": "headquarteredIn", "value": True} in agrees["features"]
    assert {"id": "schema:foundingDate", "value": True} in agrees["features"]
    contradicted = found["contradicts"]["result"][0]
    assert contradicted["id"] == "ernie" and not contradicted["match"]
    assert contradicted["score"] < found["by-id"]["result"][0]["score"] == 100
    only = {c["id"] for c in found["only"]["result"]}
    assert {"ernie", "ernie-4-0-turbo", "ernie-speed"} <= only and "qwen" not in only


# -- limits and bad input --------------------------------------------------------------------


@pytest.mark.parametrize(("data", "says"), [
    ({"queries": "{bad"}, "not valid JSON"),
    ({"queries": "[1, 2]"}, "expected a JSON object"),
    ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(101)})}, "at most 100"),
    ({"queries": json.dumps({"q0": {"limit": 3}})}, "give a query text, properties or both"),
    ({"queries": json.dumps({"q0": {"query": "   "}})}, "give a query text"),
    ({"queries": json.dumps({"q0": {"query": "x", "type": "Spaceship"}})}, "type: unknown"),
    ({"queries": json.dumps({"q0": {"query": "x", "limit": "many"}})}, "limit"),
    ({"queries": json.dumps({"q0": {"query": "x", "limit": 0}})}, "limit"),
    ({"queries": json.dumps({"q0": {"query": 7}})}, "query must be a string"),
    ({"queries": json.dumps({"q0": {"query": "x", "properties": [{"pid": "p"}]}})}, "pid"),
    ({"queries": json.dumps({"q0": {"query": "x", "properties": [{"pid": "colour",
                                                                    "v": "red"}]}})},
     "property: unknown 'colour'"),
    ({"queries": json.dumps({"q0": {"query": "x", "properties": [{"pid": "developedBy",
                                                                    "v": [[1]]}]}})}, "value"),
    ({"extend": "{bad"}, "not valid JSON"),
    ({"extend": json.dumps({"ids": ["baidu"]})}, "expected"),
    ({"extend": json.dumps({"ids": ["x"] * 101, "properties": [{"id": "chineseName"}]})},
     "at most 100 ids"),
    ({"extend": json.dumps({"ids": ["baidu"], "properties": [{"id": "chineseName",
                                                              "settings": {"limit": -1}}]})},
     "limit"),
    ({"queries": "{}", "extend": "{}"}, "not both"),
])
def test_bad_batches_are_a_400_that_says_why(client, data: dict, says: str) -> None:
    for response in (client.post("/reconcile", data=data),
                     client.get("/reconcile", query_string=data)):
        body = response.get_json()
        assert response.status_code == 400 and body["status"] == 400
        assert says in body["error"] and set(body) == {"error", "status"}


@pytest.mark.parametrize("path", [
    "/reconcile?callback=alert(1)//", "/reconcile/suggest/entity?prefix=a&limit=0",
    "/reconcile/suggest/entity?prefix=a&type=Spaceship", "/reconcile/properties?type=Spaceship",
    "/reconcile/preview", "/reconcile/suggest/type?cursor=-1"])
def test_bad_parameters_are_a_400(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400 and response.get_json()["status"] == 400


@pytest.mark.slow
def test_the_batch_size_is_a_setting_and_the_body_has_a_limit(
        make_client: Callable[..., FlaskClient]) -> None:
    small = make_client(reconcile_max_queries=2, reconcile_max_body=1000, query_workers=0)
    three = json.dumps({f"q{i}": {"query": "Baidu"} for i in range(3)})
    assert small.post("/reconcile", data={"queries": three}).get_json()["error"] == \
        "queries: 3 queries in one batch; at most 2"
    big = small.post("/reconcile", data={"queries": "x" * 2000})
    assert big.status_code == 413 and big.get_json()["status"] == 413


def test_cors_rate_limits_and_the_request_log_apply(make_client, caplog) -> None:
    limited = make_client(rate_limit=0.001, rate_burst=2, query_workers=0)
    caplog.set_level(logging.INFO, logger="aikg")
    queries = {"queries": json.dumps({"a": {"query": "Baidu"}, "b": {"query": "百度"}})}
    first = limited.post("/reconcile", data=queries, headers={"Origin": "https://x.example"})
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    limited.get("/reconcile")
    assert limited.get("/reconcile/suggest/type").status_code == 429
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "aikg.request"]
    assert {"route": "/reconcile", "method": "POST", "status": 200, "rows": 2}.items() <= \
        lines[0].items()
