"""Every query path goes through the same executor: the API, the pages and reconciliation run
their SPARQL within the query budget, in a worker with a memory budget, and reach the query log,
as ``/sparql`` does (issue 22). Over a real served process where it matters.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from graph import QueryTooLarge, open_graph
from graph.store.executor import Executor
from tests.servers import aikg_server

TOKEN = "query-paths-token"
BUDGET = 2  # seconds per request on the test server
KG = "https://w3id.org/aikg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Served:
    url: str
    log: Path  # the server's stderr: its request and query log


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Served]:
    """``aikg serve`` with a token and a budget of BUDGET seconds per request."""
    options = ("--token", TOKEN, "--timeout", str(BUDGET))
    log = tmp_path_factory.mktemp("paths") / "server.log"
    with aikg_server(*options, log=log) as (url, _):
        yield Served(url, log)


def logged_queries(log: Path) -> list[dict]:
    return [record for line in log.read_text().splitlines() if line.startswith("{")
            and (record := json.loads(line)).get("log") == "query"]


def test_the_api_and_the_pages_queries_are_in_the_query_log(server: Served) -> None:
    url, log = server.url, server.log
    assert requests.get(f"{url}/api/entities/baidu", timeout=60).status_code == 200
    assert requests.get(f"{url}/id/baidu", headers={"Accept": "text/html"},
                        timeout=60).status_code == 200
    routes = {record["route"] for record in logged_queries(log)}
    assert {"/api/entities/<entity_id>", "/id/<entity_id>"} <= routes


def test_a_hostile_fan_out_through_reconciliation_is_stopped_by_the_budget(server: Served
                                                                           ) -> None:
    """An entity with 600 types and 40,000 values: the property catalogue that reconciliation
    computes joins them into 24 million rows, about 6 s of work on a quiet machine, three times
    the budget (half of that answered within 2 s). The budget stops it, the server answers the
    next request, and the query log says it timed out."""
    url, log = server.url, server.log
    statements = [f"<{KG}hub> <{RDF_TYPE}> <http://example.org/T{i}> ." for i in range(600)]
    statements += [f'<{KG}hub> <http://example.org/p{i % 50}> "v{i}" .' for i in range(40_000)]
    written = requests.post(f"{url}/store", params={"graph": "http://example.org/hostile"},
                            data="\n".join(statements).encode(), timeout=120,
                            headers={"Content-Type": "application/n-triples",
                                     "Authorization": f"Bearer {TOKEN}"})
    assert written.status_code in (201, 204), written.text[:300]
    started = time.monotonic()
    response = requests.get(f"{url}/reconcile/properties", timeout=120)
    assert response.status_code == 503, response.text[:300]
    assert "time budget" in response.json()["error"]
    assert time.monotonic() - started < BUDGET + 8  # a generous margin on a busy machine
    assert requests.get(f"{url}/api/entities/baidu", timeout=60).status_code == 200
    stopped = [r for r in logged_queries(log) if r["route"] == "/reconcile/properties"]
    assert any(r["timed_out"] for r in stopped), stopped


DOUBLING = ('SELECT (STRLEN(?s29) AS ?n) WHERE { BIND("xx" AS ?s0) '
            + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(29)) + " }")


def test_the_graphs_own_query_call_has_the_memory_budget() -> None:
    """Whoever calls ``KnowledgeGraph.query`` (a view, a graph function) gets the executor's
    memory budget once one is attached: a query that grows without end is stopped."""
    kg = open_graph("memory", bundled=False)
    executor = Executor(kg, workers=1, cache_bytes=0, memory_bytes=256 * 1024 ** 2,
                        timeout=60)
    try:
        with pytest.raises(QueryTooLarge):
            kg.query(DOUBLING)
    finally:
        executor.close()
