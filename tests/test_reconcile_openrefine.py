"""A real ``aikg serve`` driven as OpenRefine 3 drives a reconciliation service: it reads the
manifest, guesses the column's type from untyped candidates, sends the column's names in
batches of 10 (form-encoded ``queries``), shows previews, then adds columns from the matched
rows with property proposals and data extension batches. Every answer keeps to its schema."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

import pytest
import requests

from tests.reconciliation import errors
from tests.servers import aikg_server

NAMES = Path(__file__).parent / "data" / "reconcile-names.csv"
BATCH = 10  # OpenRefine's batch size, for reconciliation and for extension


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[str]:
    """The manifest's address on a real server over the bundled graph."""
    log = tmp_path_factory.mktemp("reconcile") / "serve.log"
    with aikg_server("--query-workers", "1", log=log) as (url, _):
        yield url + "/reconcile"


def fetch(kind: str, method: str, url: str, **kwargs) -> dict:
    """An answer of the service, checked against the schema of ``kind``."""
    response = requests.request(method, url, timeout=30, headers={"Accept": "application/json"},
                                **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert errors(kind, body) == []
    return body


def column() -> list[dict[str, str]]:
    """50 names of the hand-made list with known answers: Chinese, garbled and English names in
    turn, some with a type and some without."""
    rows = [r for r in csv.DictReader(NAMES.open(encoding="utf-8")) if r["expected"]]
    kinds = [[r for r in rows if r["kind"] == k] for k in ("zh", "garbled", "en")]
    mixed = [r for group in zip_longest(*kinds) for r in group if r]
    return mixed[:50]


def test_openrefine_reconciles_a_column_then_extends_the_matched_rows(service: str) -> None:
    manifest = fetch("manifest", "GET", service)
    assert manifest["versions"] == ["0.2"]
    names = column()
    assert len(names) == 50 and {r["kind"] for r in names} == {"zh", "garbled", "en"}
    assert any(r["type"] for r in names) and any(not r["type"] for r in names)

    # "Reconcile > Start reconciling": the type guess sends the first cells without a type.
    guess = fetch("reconciliation-result-batch", "POST", service, data={"queries": json.dumps(
        {f"q{i}": {"query": r["name"], "limit": 3} for i, r in enumerate(names[:BATCH])})})
    types = Counter(t["id"] for found in guess.values() for c in found["result"]
                    for t in c["type"])
    assert types, guess

    # The column, in batches of 10.
    found: list[list[dict]] = []
    for start in range(0, len(names), BATCH):
        rows = names[start:start + BATCH]
        queries = {f"q{i}": {"query": r["name"], **({"type": r["type"]} if r["type"] else {}),
                             "type_strict": "should"} for i, r in enumerate(rows)}
        answers = fetch("reconciliation-result-batch", "POST", service,
                        data={"queries": json.dumps(queries)})
        found += [answers[f"q{i}"]["result"] for i in range(len(rows))]
    right = sum(bool(c) and c[0]["id"] == r["expected"] for r, c in zip(names, found, strict=True))
    assert right >= 0.95 * len(names)
    matched = {r["name"]: c[0]["id"] for r, c in zip(names, found, strict=True)
               if c and c[0]["match"]}
    assert all(dict((r["name"], r["expected"]) for r in names)[n] == i for n, i in
               matched.items())
    assert len(matched) >= 40

    # A preview, as the candidate's pop-up shows it.
    preview = requests.get(manifest["preview"]["url"].replace("{{id}}", matched["月之暗面"]),
                           timeout=30)
    assert preview.status_code == 200 and "月之暗面" in preview.text

    # "Edit column > Add columns from reconciled values": proposals for the type, then values.
    suggest = manifest["extend"]["propose_properties"]
    proposed = fetch("data-extension-property-proposal", "GET",
                     suggest["service_url"] + suggest["service_path"],
                     params={"type": "Organization", "limit": 20})
    wanted = ["chineseName", "circleSize", "schema:foundingDate"]
    assert set(wanted) <= {p["id"] for p in proposed["properties"]}
    wanted += ["developedBy", "schema:datePublished", "parameterCount"]
    ids = sorted(set(matched.values()))
    rows: dict[str, dict] = {}
    for start in range(0, len(ids), BATCH):
        query = {"ids": ids[start:start + BATCH], "properties": [{"id": p} for p in wanted]}
        extension = fetch("data-extension-response", "POST", service,
                          data={"extend": json.dumps(query)})
        assert [m["id"] for m in extension["meta"]] == wanted
        rows.update(extension["rows"])
    assert set(rows) == set(ids)
    assert rows["baidu"]["chineseName"] == [{"str": "百度"}]
    assert rows["moonshot"]["circleSize"][0]["int"] > 0
    assert rows["ernie-4-0-turbo"]["developedBy"] == [{"id": "baidu", "name": "Baidu"}]
    assert rows["ernie-4-0-turbo"]["schema:datePublished"]


def test_the_suggest_services_answer_at_the_manifests_addresses(service: str) -> None:
    manifest = fetch("manifest", "GET", service)
    for kind, prefix, schema in (("entity", "Zhip", "suggest-entities-response"),
                                 ("type", "mod", "suggest-types-response"),
                                 ("property", "dev", "suggest-properties-response")):
        where = manifest["suggest"][kind]
        body = fetch(schema, "GET", where["service_url"] + where["service_path"],
                     params={"prefix": prefix})
        assert body["result"], kind
    jsonp = requests.get(service, params={"callback": "cb"}, timeout=30)
    assert jsonp.text.startswith("/**/cb(") and jsonp.headers["Access-Control-Allow-Origin"]
