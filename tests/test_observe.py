"""What an operator sees: JSON request and query logs, /metrics, Server-Timing, ETags, 429s."""

from __future__ import annotations

import hashlib
import json
import logging
import threading

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from graph import QueryTimeout
from service.metrics import Metrics
from service.observe import timed_query
from tests.conftest import SMALL

COMPANIES = ("PREFIX aikg: <https://w3id.org/aikg/ontology#> "
             "SELECT ?c WHERE { ?c a aikg:Company } ORDER BY ?c")
INSERT = ("INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-source> { "
          "<https://w3id.org/aikg/id/gamma> a <https://w3id.org/aikg/ontology#Company> } }")


@pytest.fixture
def app(make_app) -> Flask:
    app = make_app()
    app.extensions["aikg"].load(SMALL)
    return app


@pytest.fixture
def logs(caplog):
    """The JSON objects logged by ``aikg.request`` and ``aikg.query``, as a function."""
    caplog.set_level(logging.INFO, logger="aikg")

    def lines(kind: str) -> list[dict]:
        return [json.loads(r.getMessage()) for r in caplog.records
                if r.name == f"aikg.{kind}"]

    return lines


def scrape(client) -> dict[tuple[str, tuple], float]:
    """``/metrics`` parsed by Prometheus's own parser: {(sample name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


# -- the request log ---------------------------------------------------------------------------


def test_each_request_is_one_json_line_naming_its_route_not_its_path(client, logs) -> None:
    client.get("/healthz")
    client.get("/no/such/page")
    ok, missing = logs("request")
    assert ok["route"] == "/healthz" and ok["status"] == 200 and ok["method"] == "GET"
    assert ok["client"] == "127.0.0.1" and ok["duration_ms"] >= 0 and "time" in ok
    assert missing["route"] is None and missing["path"] == "/no/such/page"
    assert missing["status"] == 404


def test_a_query_is_logged_and_tied_to_its_request_by_hash(client, logs) -> None:
    client.get("/sparql", query_string={"query": COMPANIES})
    (query,) = logs("query")
    (request,) = logs("request")
    digest = hashlib.sha256(COMPANIES.encode()).hexdigest()[:16]
    assert query["query_hash"] == request["query_hash"] == digest
    assert query["rows"] == request["rows"] == 4
    assert query["truncated"] is False and query["timed_out"] is False
    assert query["error"] is None and query["query"] == COMPANIES
    assert query["route"] == "/sparql"


def test_a_query_cut_by_the_row_cap_is_logged_as_truncated(make_client, logs) -> None:
    client = make_client(max_rows=1)
    client.application.extensions["aikg"].load(SMALL)
    client.get("/sparql", query_string={"query": COMPANIES})
    (query,) = logs("query")
    assert query["truncated"] is True and query["rows"] == 1


def test_a_failing_query_is_logged_with_its_error(client, logs) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT WHERE"})
    assert response.status_code == 400
    (query,) = logs("query")
    assert query["error"] == "ParseError" and query["rows"] is None
    assert logs("request")[0]["status"] == 400


def test_a_timeout_is_logged_and_counted_as_timed_out(app, logs) -> None:
    with (app.test_request_context("/sparql"), pytest.raises(QueryTimeout),
          timed_query("SELECT * WHERE { ?s ?p ?o }")):
        raise QueryTimeout("the query ran past its time budget")
    (query,) = logs("query")
    assert query["timed_out"] is True and query["error"] is None
    metrics = scrape(app.test_client())
    assert metrics["aikg_queries_total", (("outcome", "timeout"),)] == 1
    assert metrics["aikg_active_queries", ()] == 0


# -- metrics -----------------------------------------------------------------------------------


def test_metrics_parse_and_count_requests_per_route(client) -> None:
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    after = scrape(client)
    key = ("route", "/healthz"), ("method", "GET"), ("status", "200")
    assert after["aikg_requests_total", tuple(sorted(key))] == \
        before.get(("aikg_requests_total", tuple(sorted(key))), 0) + 2
    count = "aikg_request_duration_seconds_count", (("route", "/healthz"),)
    assert after[count] == before.get(count, 0) + 2
    inf = "aikg_request_duration_seconds_bucket", (("le", "+Inf"), ("route", "/healthz"))
    assert after[inf] == after[count]


def test_metrics_report_the_graph_size_and_version(app, client) -> None:
    kg = app.extensions["aikg"]
    metrics = scrape(client)
    assert metrics["aikg_graph_triples", ()] == len(kg)
    assert metrics["aikg_graph_version", ()] == kg.version
    kg.update(INSERT)
    assert scrape(client)["aikg_graph_version", ()] == kg.version


def test_queries_are_counted_by_outcome_and_none_stay_active(client) -> None:
    client.get("/sparql", query_string={"query": COMPANIES})
    client.get("/sparql", query_string={"query": "SELECT WHERE"})
    metrics = scrape(client)
    assert metrics["aikg_queries_total", (("outcome", "ok"),)] == 1
    assert metrics["aikg_queries_total", (("outcome", "error"),)] == 1
    assert metrics["aikg_query_duration_seconds_count", ()] == 2
    assert metrics["aikg_active_queries", ()] == 0
    assert metrics["aikg_active_requests", ()] == 1  # the scrape itself


def test_a_server_error_is_counted_as_an_error_of_its_route(make_app, logs) -> None:
    app = make_app()

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken/<name>", view_func=broken)
    client = app.test_client()
    assert client.get("/broken/x").status_code == 500
    assert scrape(client)["aikg_errors_total", (("route", "/broken/<name>"),)] == 1
    assert logs("request")[0]["status"] == 500


def test_unknown_methods_share_one_label(client) -> None:
    client.open("/healthz", method="BREW")
    labels = (("method", "OTHER"), ("route", "unmatched"), ("status", "405"))
    assert scrape(client)["aikg_requests_total", labels] == 1


def test_counts_stay_exact_under_concurrent_threads() -> None:
    metrics = Metrics()

    def work() -> None:
        for _ in range(500):
            metrics.request_answered("/r", "GET", 200, 0.001)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 'aikg_requests_total{route="/r",method="GET",status="200"} 4000' in \
        metrics.render(triples=0, version=0)


def test_label_values_are_escaped() -> None:
    metrics = Metrics()
    metrics.request_answered('/a"b\\c\nd', "GET", 200, 0.1)
    (family,) = [f for f in text_string_to_metric_families(metrics.render(0, 0))
                 if f.name == "aikg_requests"]
    assert family.samples[0].labels["route"] == '/a"b\\c\nd'


# -- Server-Timing -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/healthz"), ("GET", "/metrics"), ("GET", "/no/such/page"), ("DELETE", "/healthz"),
    ("GET", "/sparql"),
])
def test_every_response_carries_server_timing(client, method: str, path: str) -> None:
    assert client.open(path, method=method).headers["Server-Timing"].startswith("total;dur=")


def test_server_timing_names_the_query_time(client) -> None:
    timing = client.get("/sparql", query_string={"query": COMPANIES}).headers["Server-Timing"]
    assert "query;dur=" in timing


# -- ETag and 304 ------------------------------------------------------------------------------


def test_a_read_is_tagged_and_a_matching_if_none_match_gets_304(client) -> None:
    first = client.get("/sparql", query_string={"query": COMPANIES})
    tag = first.headers["ETag"]
    assert tag.startswith('W/"v') and "Accept" in first.headers["Vary"]
    again = client.get("/sparql", query_string={"query": COMPANIES},
                       headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    assert "Server-Timing" in again.headers


def test_a_write_changes_the_etag_and_ends_the_304s(app, client) -> None:
    tag = client.get("/sparql", query_string={"query": COMPANIES}).headers["ETag"]
    app.extensions["aikg"].update(INSERT)
    after = client.get("/sparql", query_string={"query": COMPANIES},
                       headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert "gamma" in after.get_data(as_text=True)


def test_the_etag_differs_by_url_and_by_accept(client) -> None:
    def tag(query: str, accept: str) -> str:
        return client.get("/sparql", query_string={"query": query},
                          headers={"Accept": accept}).headers["ETag"]

    json_tag = tag(COMPANIES, "application/json")
    assert json_tag != tag(COMPANIES, "text/csv")
    assert json_tag != tag(COMPANIES + " LIMIT 1", "application/json")


def test_the_etag_of_one_run_never_matches_in_the_next(make_app) -> None:
    tags = {make_app().test_client().get("/sparql", query_string={"query": COMPANIES})
            .headers["ETag"] for _ in range(2)}
    assert len(tags) == 2


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/sparql?query=SELECT+WHERE"), ("GET", "/no/such/page"), ("GET", "/healthz"),
    ("GET", "/metrics"), ("POST", "/sparql?query=ASK+%7B%7D"),
])
def test_no_etag_on_errors_probes_or_posts(client, method: str, path: str) -> None:
    assert "ETag" not in client.open(path, method=method).headers


def test_probes_are_never_cached(client) -> None:
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
