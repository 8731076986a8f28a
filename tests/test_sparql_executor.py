"""The query executor: a budget stops the evaluation itself, writes are tried in a copy first
(but small ones that no shape checks), and workers see every committed write."""

from __future__ import annotations

import os
import threading

import pytest

from graph import BadInput, QueryTimeout, ValidationFailed
from graph.store import executor as executor_module  # its limits
from graph.store import pool as pool_module  # the worker plumbing: what a worker runs
from graph.store.executor import Executor

# Over the small graph's ~30 triples, 30^4 rows to sort: minutes of work if nothing stops it.
CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
LABELS = "SELECT ?label WHERE { <https://w3id.org/aikg/id/vc> ?p ?label } ORDER BY ?label"


@pytest.fixture
def executor(small_graph):
    executor = Executor(small_graph, workers=2, cache_bytes=0)
    yield executor
    executor.close()


def children() -> set[int]:
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as listing:
            found.update(int(pid) for pid in listing.read().split())
    return found


def test_a_runaway_query_is_stopped_and_its_worker_is_gone(executor):
    executor.query(LABELS, fmt="json", timeout=10)  # a worker is up
    before = children()
    with pytest.raises(QueryTimeout):
        executor.query(CARTESIAN, fmt="json", timeout=0.5)
    assert len(children() - before) == 0  # the worker that ran it was killed
    assert b"Venture Capital" in executor.query(LABELS, fmt="json", timeout=10).body


def test_answers_are_the_same_in_a_worker_and_in_the_thread(small_graph, executor):
    in_thread = Executor(small_graph, workers=0, cache_bytes=0)
    for fmt in ("json", "xml", "csv", "tsv"):
        assert (executor.query(LABELS, fmt=fmt, timeout=10).body
                == in_thread.query(LABELS, fmt=fmt, timeout=10).body)


def test_a_query_after_a_write_sees_it(small_graph, executor):
    executor.query(LABELS, fmt="csv", timeout=10)
    executor.write(lambda kg: kg.update(
        'INSERT DATA { GRAPH <http://e/g> { <https://w3id.org/aikg/id/vc> <http://e/p> "Zed" } }'),
        timeout=10)
    assert b"Zed" in executor.query(LABELS, fmt="csv", timeout=10).body


def test_a_runaway_write_is_stopped_and_changes_nothing(small_graph, executor):
    version, size = small_graph.version, len(small_graph)
    update = ("INSERT { GRAPH <http://e/g> { ?a ?b ?c } } WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f "
              ". ?x ?y ?z . ?u ?v ?w . ?q ?r ?s . ?m ?n ?o } "
              "FILTER(STR(?f) < STR(?z) && STR(?z) < STR(?w) && STR(?w) < STR(?s)) }")
    with pytest.raises(QueryTimeout):
        executor.write(lambda kg: kg.update(update), timeout=0.5, update=update)
    assert (small_graph.version, len(small_graph)) == (version, size)


KG, AIKG = "https://w3id.org/aikg/id/", "https://w3id.org/aikg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def source_data(verb: str, statements: str) -> str:
    return f"{verb} DATA {{ GRAPH <https://w3id.org/aikg/graph/test-source> {{ {statements} }} }}"


@pytest.mark.parametrize("update", [
    source_data("INSERT", f'<{KG}gamma> <{RDFS}label> "G"@en'),
    # one statement out, one in: every graph keeps its size, yet vc loses its type
    source_data("DELETE", f"<{KG}vc> a <{AIKG}Company>") + " ; "
    + source_data("INSERT", f'<{KG}vc> <{RDFS}comment> "no type"@en'),
], ids=["untyped-entity", "same-size-retype"])
def test_a_write_that_fails_validation_changes_nothing(small_graph, executor, update):
    size, version = len(small_graph), small_graph.version
    with pytest.raises(ValidationFailed, match="every entity has a type"):
        executor.write(lambda kg: kg.update(update), timeout=10, update=update)
    assert (len(small_graph), small_graph.version) == (size, version)


MOVE = ("DELETE {{ GRAPH <http://e/{a}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <http://e/{b}> "
        "{{ ?s ?p ?o }} }} WHERE {{ GRAPH <http://e/{a}> {{ ?s ?p ?o }} }}")


def test_a_small_write_no_shape_checks_needs_no_copy_and_a_big_one_is_tried_in_one(
        small_graph, executor, monkeypatch):
    copies = []
    fork = executor.pool.fork
    monkeypatch.setattr(executor.pool, "fork", lambda *a, **k: copies.append(1) or fork(*a, **k))
    data = 'INSERT DATA { GRAPH <http://e/a> { <http://e/x> <http://e/p> "1", "2" } }'
    for update in (data, MOVE.format(a="a", b="b")):
        executor.write(lambda kg, update=update: kg.update(update), timeout=10, update=update)
    assert copies == []  # a copy could neither refuse them (no shape) nor stop them (small)
    monkeypatch.setattr(executor_module, "IN_PLACE_STATEMENTS", 1)  # graph b is now "big"
    executor.write(lambda kg: kg.update(MOVE.format(a="b", b="c")), timeout=10,
                   update=MOVE.format(a="b", b="c"))
    assert copies == [1]
    assert small_graph.ask('ASK { GRAPH <http://e/c> { <http://e/x> <http://e/p> "2" } }')
    assert not small_graph.ask("ASK { GRAPH ?g { <http://e/x> ?p ?o } FILTER(?g != <http://e/c>) }")


def test_the_cache_answers_a_repeated_query_until_a_write(small_graph):
    executor = Executor(small_graph, workers=0)
    first = executor.query(LABELS, fmt="json", timeout=10)
    assert executor.query(LABELS, fmt="json", timeout=10) is first
    small_graph.update("CLEAR ALL")
    assert executor.query(LABELS, fmt="json", timeout=10) is not first


@pytest.fixture
def first_worker_fails(monkeypatch, tmp_path):
    """``first_worker_fails("hang" | "die")``: the first worker process to evaluate a query
    sleeps on a lock for ever, or dies, as one forked while another thread of the server held a
    lock of the store would; the workers after it answer normally."""
    evaluate, flag = pool_module.run, tmp_path / "first"

    def failing(how: str) -> None:
        def first_fails(kg, request, timeout):
            if not flag.exists():
                flag.touch()
                if how == "hang":
                    lock = threading.Lock()
                    lock.acquire()
                    lock.acquire()  # never returns, using no processor time
                os._exit(1)
            return evaluate(kg, request, timeout)

        monkeypatch.setattr(pool_module, "run", first_fails)

    return failing


@pytest.mark.parametrize("how", ["hang", "die"])
def test_a_worker_that_hangs_or_dies_is_replaced_and_the_query_answered(
        small_graph, executor, first_worker_fails, how):
    first_worker_fails(how)
    answer = executor.query(CARTESIAN.replace("ORDER BY ?c ?f ?i ?l", "LIMIT 1"), fmt="json",
                            timeout=30)
    assert answer.rows == 1


def test_a_query_that_crashes_every_worker_is_bad_input(small_graph, executor, monkeypatch):
    def crash(kg, request, timeout):
        os._exit(1)

    monkeypatch.setattr(pool_module, "run", crash)
    with pytest.raises(BadInput, match="crashed the process"):
        executor.query(CARTESIAN, fmt="json", timeout=30)
