"""The query path against a hostile client, over a real served process: SPARQL never reaches the
network, every query runs within the same time and memory budgets and reaches the query log,
and nothing the server reads before a budget starts costs more than linear time.

The endpoint SERVICE and LOAD aim at is real: a small HTTP server on 127.0.0.1 that answers any
request with one SPARQL result row and counts the requests it gets.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph import Refused, open_graph
from graph.sparql import guard
from graph.store import sandbox
from graph.store.executor import Executor
from tests.servers import FakeEndpoint, aikg_server, fake_endpoint, free_port

TOKEN = "query-safety-token"
BUDGET = 20  # seconds per query on the test server
JSON = {"Accept": "application/json"}
AUTH = {**JSON, "Authorization": f"Bearer {TOKEN}"}


#: The endpoint's answer to any request: one row.
ONE_ROW = {"head": {"vars": ["s"]}, "results": {"bindings": [
    {"s": {"type": "literal", "value": "fetched"}}]}}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[FakeEndpoint]:
    with fake_endpoint(lambda query: ONE_ROW) as served:
        yield served


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """``aikg serve`` with a token, on its default memory budget; yields its URL and log."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with aikg_server("--token", TOKEN, "--timeout", str(BUDGET), "--threads", "4",
                     log=log) as (url, _):
        yield url, log


# -- SERVICE and LOAD ----------------------------------------------------------------------------

#: Spellings of SERVICE and LOAD that the engine runs; {url} is the endpoint's.
REACHING = [
    ("query", r"PREFIX ex: <http://e/> SELECT ?s WHERE {{ BIND(ex:\# AS ?x) "
              r"SERVICE <{url}> {{ ?s ?p ?o }} }}"),
    ("query", "PREFIX ex: <{base}> SELECT * WHERE {{ SERVICEex:sparql {{ ?s ?p ?o }} }}"),
    ("query", "SELECT * WHERE {{ {{}}SERVICE<{url}>{{ ?s ?p ?o }} }}"),
    ("query", "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}"),
    ("query", "SELECT * WHERE {{ {{ SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {{}} }} }} }} "
              "}}"),
    ("update", r"PREFIX ex: <http://e/> INSERT {{ <urn:a> <urn:b> ?x }} WHERE {{ BIND(ex:\# AS ?x) "
               r"}} ; LOAD <{url}>"),
    ("update", "LOAD SILENT <{url}> INTO GRAPH <urn:g>"),
    ("update", "INSERT {{ ?s ?s ?s }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"),
]


@pytest.mark.parametrize(("field", "text"), REACHING, ids=lambda v: v[:60])
def test_service_and_load_never_reach_the_network_and_are_refused(server, endpoint, field: str,
                                                                  text: str) -> None:
    url, _ = server
    base = endpoint.url.rsplit("/", 1)[0] + "/"
    before = len(endpoint.requests)
    text = text.format(url=endpoint.url, base=base)
    response = requests.post(f"{url}/sparql", data={field: text}, headers=AUTH, timeout=60)
    assert response.status_code == 400, response.text
    assert "refused" in response.json()["error"]
    assert len(endpoint.requests) == before


def test_the_refusal_does_not_tell_an_open_port_from_a_closed_one(server, endpoint) -> None:
    url, _ = server
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    query = r"PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:\# AS ?x) SERVICE <{}> {{}} }}"
    answers = [requests.post(f"{url}/sparql", data={"query": query.format(target)}, headers=JSON,
                             timeout=60) for target in (endpoint.url, closed)]
    assert [a.status_code for a in answers] == [400, 400]
    messages = [re.sub(r"\d+", "N", a.json()["error"]) for a in answers]
    assert messages[0] == messages[1]


def test_a_worker_cannot_reach_the_network_even_when_the_check_misses(monkeypatch,
                                                                     endpoint) -> None:
    """The fence holds by itself: with the text check switched off, the engine tries SERVICE
    in its worker process, which cannot open a socket."""
    monkeypatch.setattr(guard, "check_query", lambda text: None)
    kg = open_graph("memory", bundled=False)
    executor = Executor(kg, workers=1, cache_bytes=0)
    try:
        with pytest.raises(Refused, match="reaches no other server"):
            executor.query(f"SELECT * WHERE {{ SERVICE <{endpoint.url}> {{ ?s ?p ?o }} }}",
                           fmt="json", timeout=30)
        silent = executor.result(f"SELECT * WHERE {{ SERVICE SILENT <{endpoint.url}> {{}} }}",
                                 timeout=30)
    finally:
        executor.close()
    assert endpoint.requests == []
    assert not any(v for row in silent.rows for v in row)


def test_the_server_process_runs_fenced(server) -> None:
    """Updates run in the server process: over a local store it runs under the filter."""
    _, log = server
    status = Path(f"/proc/{worker_pid(log)}/status").read_text()
    assert re.search(r"^Seccomp:\s+2$", status, re.M)  # 2: a filter is installed


def test_a_fenced_process_cannot_load_from_the_network(endpoint) -> None:
    """What the server processes of ``aikg serve`` over a local store do at start
    (:func:`graph.store.sandbox.forbid_network`): an update's LOAD fails inside the engine."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            fenced = sandbox.forbid_network()
            kg = open_graph("memory", bundled=False)
            try:
                kg.update(f"LOAD <{endpoint.url}>", checked=True)
                outcome = "loaded"
            except Refused:
                outcome = "refused"
            os.write(write, f"{fenced} {outcome}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = pipe.read()
    os.waitpid(pid, 0)
    assert report == "True refused"
    assert endpoint.requests == []


# -- one executor, one budget ----------------------------------------------------------------------

DOUBLING = ('SELECT (STRLEN(?s29) AS ?n) WHERE { BIND("xx" AS ?s0) '
            + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(29)) + " }")
CARTESIAN_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"
CARTESIAN_CONSTRUCT = ("CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } "
                       "ORDER BY ?i")


def worker_pid(log: Path) -> int:
    """The server process that serves, from the start-up log (gunicorn's or granian's)."""
    return int(re.findall(r"(?:Booting worker with pid|Spawning worker-\d+ with PID): (\d+)",
                          log.read_text())[-1])


def server_memory(log: Path) -> int:
    """The resident bytes of the server process that serves."""
    status = Path(f"/proc/{worker_pid(log)}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


@pytest.mark.parametrize(("how", "query"), [
    ("sparql", DOUBLING), ("sparql", CARTESIAN_ORDER), ("export", CARTESIAN_CONSTRUCT),
], ids=["string-doubling", "cartesian-order-by", "cartesian-construct-export"])
def test_a_query_past_its_memory_budget_is_stopped_and_the_server_does_not_grow(
        server, how: str, query: str) -> None:
    url, log = server
    started = time.monotonic()
    if how == "sparql":
        response = requests.post(f"{url}/sparql", data={"query": query}, headers=JSON,
                                 timeout=BUDGET + 60)
    else:
        response = requests.get(f"{url}/export", params={"query": query, "format": "nt"},
                                headers=JSON, timeout=BUDGET + 60)
    assert response.status_code == 503, response.text[:300]
    assert re.search("memory|time budget", response.json()["error"])
    assert time.monotonic() - started < BUDGET + 30
    assert server_memory(log) < 1024 ** 3
    assert requests.get(f"{url}/healthz", timeout=10).status_code == 200


def test_an_export_query_is_in_the_query_log_with_the_row_cap(server) -> None:
    url, log = server
    query = ("CONSTRUCT { ?a <urn:p> ?b } WHERE { ?a ?p ?o . ?b ?q ?r } "
             "# export-log-marker")
    response = requests.get(f"{url}/export", params={"query": query, "format": "nt"},
                            timeout=60)
    assert response.status_code == 200
    assert response.headers["X-Aikg-Truncated"] == "true"  # at the default 10,000 rows
    logged = [json.loads(line) for line in log.read_text().splitlines()
              if "export-log-marker" in line and line.startswith("{")]
    assert any(r.get("truncated") and r.get("rows") == 10_000 for r in logged), logged


# -- what the server reads before a budget starts ----------------------------------------------


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { " + 'BIND("e\\"' * 100_000,  # each quote used to rescan its line
    'SELECT * WHERE { ?s ?p "' + "x " * (7 * 1024 * 1024),  # 14 MiB unterminated string
    "SELECT * WHERE { " + "?v " * (4 * 1024 * 1024),  # 12 MiB of tokens
], ids=["escaped-quotes", "unterminated-string", "many-tokens"])
def test_reading_a_huge_hostile_query_costs_linear_time_and_little_memory(server,
                                                                           query: str) -> None:
    url, log = server
    started = time.monotonic()
    response = requests.post(f"{url}/sparql", data=query.encode(), headers={
        **JSON, "Content-Type": "application/sparql-query"}, timeout=BUDGET + 60)
    assert response.status_code in (400, 503), response.text[:300]
    assert time.monotonic() - started < BUDGET + 30
    assert server_memory(log) < 1024 ** 3


@pytest.mark.slow
@pytest.mark.parametrize(("args", "message"), [
    (["query", DOUBLING], "memory"),
    (["query", "--timeout", "2", "ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
      "FILTER(STRLEN(STR(?a)) + STRLEN(STR(?d)) + STRLEN(STR(?g)) < 0) }"], "time budget"),
    (["export", "-o", "-", "--format", "ntriples", "--query", CARTESIAN_CONSTRUCT],
     "memory|time"),
    (["query", r"PREFIX ex: <http://e/> SELECT * { BIND(ex:\# AS ?x) SERVICE <http://e/> {} }"],
     "refused"),
], ids=["doubling", "cartesian-filter", "export-construct", "service"])
def test_the_command_line_runs_queries_within_the_same_budgets(cli, args: list[str],
                                                               message: str) -> None:
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert re.search(message, result.output), result.output
