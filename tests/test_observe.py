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
from service.limits import TokenBuckets, client_key
from service.metrics import Metrics
from service.observe import configure_logging, note_rows, timed_query
from tests.conftest import SMALL

COMPANIES = ("PREFIX aikg: <https://w3id.org/aikg/ontology#> "
             "SELECT ?c WHERE { GRAPH <https://w3id.org/aikg/graph/test-source> "
             "{ ?c a aikg:Company } } ORDER BY ?c")
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
    assert missing["status"] == 404 and "error" in missing and "error" not in ok


def test_a_view_reports_its_rows_to_the_request_log(make_app, logs) -> None:
    app = make_app()

    def listing() -> dict:
        note_rows(3)
        return {"items": [1, 2, 3]}

    app.add_url_rule("/listing", view_func=listing)
    app.test_client().get("/listing")
    assert logs("request")[0]["rows"] == 3


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


def test_a_repeated_query_is_logged_counted_and_timed_each_time(client, logs) -> None:
    before = scrape(client)
    responses = [client.get("/sparql", query_string={"query": COMPANIES}) for _ in range(3)]
    assert len({r.data for r in responses}) == 1
    digest = hashlib.sha256(COMPANIES.encode()).hexdigest()[:16]
    queries = [line for line in logs("query") if line["query_hash"] == digest]
    requests = [line for line in logs("request") if line["route"] == "/sparql"]
    assert len(queries) == len(requests) == 3
    assert all(q["rows"] == r["rows"] == 4 and r["query_hash"] == digest
               for q, r in zip(queries, requests, strict=True))
    assert all("query;dur=" in r.headers["Server-Timing"] for r in responses)
    ok = "aikg_queries_total", (("outcome", "ok"),)
    assert scrape(client)[ok] == before.get(ok, 0) + 3


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
    (logged,) = logs("request")
    assert logged["status"] == 400 and logged["error"] == response.get_json()["error"]


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
    (count,) = [s.value for f in text_string_to_metric_families(metrics.render(0, 0))
                for s in f.samples if s.name == "aikg_requests_total"
                and s.labels == {"route": "/r", "method": "GET", "status": "200"}]
    assert count == 4000


def test_log_lines_stay_whole_when_many_threads_log_at_once(tmp_path, monkeypatch) -> None:
    """``aikg serve``'s handler writes without a lock (issue 17): each line must still arrive
    whole, one JSON object per line, however the threads interleave."""
    logger = logging.getLogger("aikg")
    for name, value in (("handlers", list(logger.handlers)), ("propagate", logger.propagate),
                        ("level", logger.level)):
        monkeypatch.setattr(logger, name, value)  # put back after the test
    monkeypatch.setattr(logging, "logThreads", logging.logThreads)
    monkeypatch.setattr(logging, "logMultiprocessing", logging.logMultiprocessing)
    with (tmp_path / "log").open("w") as stream:
        configure_logging(stream)
        padding = "x" * 1500  # lines of a few KiB, as a query log line with its text

        def work(thread: int) -> None:
            for n in range(300):
                logging.getLogger("aikg.query").info(json.dumps({"t": thread, "n": n,
                                                                 "pad": padding}))

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    lines = (tmp_path / "log").read_text().splitlines()
    assert sorted((r["t"], r["n"]) for r in map(json.loads, lines)) == [
        (t, n) for t in range(8) for n in range(300)]


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


# -- rate limits -------------------------------------------------------------------------------


def test_past_the_burst_a_client_gets_429_with_retry_after(make_client, logs) -> None:
    client = make_client(rate_limit=0.5, rate_burst=2)
    assert [client.get("/sparql?query=ASK{}").status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get("/sparql?query=ASK{}")
    body = refused.get_json()
    assert body["status"] == 429 and "per second" in body["error"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert logs("request")[-1]["status"] == 429


def test_probes_are_never_rate_limited(make_client) -> None:
    client = make_client(rate_limit=0.5, rate_burst=1)
    assert {client.get(path).status_code for path in ["/healthz", "/metrics"] * 5} == {200}


def test_each_client_has_its_own_bucket(make_client) -> None:
    client = make_client(rate_limit=0.5, rate_burst=1)

    def status(address: str) -> int:
        return client.get("/sparql?query=ASK{}", environ_base={"REMOTE_ADDR": address}
                          ).status_code

    assert [status("10.0.0.1"), status("10.0.0.2"), status("10.0.0.1")] == [200, 200, 429]


@pytest.mark.parametrize(("proxies", "statuses"), [(0, [200, 429]), (1, [200, 200])])
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(
        make_client, proxies: int, statuses: list[int]) -> None:
    client = make_client(rate_limit=0.5, rate_burst=1, trusted_proxies=proxies)
    assert [client.get("/sparql?query=ASK{}", headers={"X-Forwarded-For": address}).status_code
            for address in ("203.0.113.1", "203.0.113.2")] == statuses


def test_the_request_log_names_the_forwarded_client_behind_a_trusted_proxy(
        make_client, logs) -> None:
    make_client(trusted_proxies=1).get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert logs("request")[0]["client"] == "203.0.113.9"


def test_a_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(2.0, 2, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert buckets.take("a") == 0.0
    now[0] = 100.0
    assert [buckets.take("a") for _ in range(3)][-1] > 0  # refilled to the burst, not beyond


def test_buckets_are_bounded_in_number() -> None:
    buckets = TokenBuckets(1.0, 1, clock=lambda: 0.0, max_clients=2)
    for key in ("a", "b", "c"):
        buckets.take(key)
    assert buckets.take("a") == 0.0  # forgotten, so full again
    assert buckets.take("c") > 0


def test_buckets_in_one_file_are_shared_and_stay_its_size(tmp_path) -> None:
    now = [0.0]
    path = tmp_path / "buckets"
    one, other = (TokenBuckets(1.0, 2, clock=lambda: now[0], max_clients=64, path=path)
                  for _ in range(2))  # as two server processes open it
    size = path.stat().st_size
    assert [one.take("a"), other.take("a")] == [0.0, 0.0]
    assert one.take("a") == pytest.approx(1.0) and other.take("a") == pytest.approx(1.0)
    for n in range(10_000):  # many clients in between: the file does not grow
        other.take(f"10.{n // 256}.{n % 256}.1")
    assert path.stat().st_size == size
    now[0] = 100.0
    assert [one.take("a"), other.take("a")] == [0.0, 0.0]  # refilled to the burst, not beyond
    assert one.take("a") > 0


@pytest.mark.parametrize(("address", "key"), [
    ("192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
    (None, "unknown"),
])
def test_a_client_is_its_address_or_its_ipv6_slash_64(address, key: str) -> None:
    assert client_key(address) == key
