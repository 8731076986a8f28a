"""The query executor: a budget stops the evaluation itself, writes are tried in a copy first,
and workers see every committed write."""

from __future__ import annotations

import os

import pytest

from graph import QueryTimeout, ValidationFailed
from graph.executor import Executor

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
        executor.write(lambda kg: kg.update(update), timeout=0.5)
    assert (small_graph.version, len(small_graph)) == (version, size)


def test_a_write_that_fails_validation_changes_nothing(small_graph, executor):
    size, version = len(small_graph), small_graph.version
    untyped = ("INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-source> { "
               "<https://w3id.org/aikg/id/gamma> "
               '<http://www.w3.org/2000/01/rdf-schema#label> "G"@en '
               "} }")
    with pytest.raises(ValidationFailed, match="every entity has a type"):
        executor.write(lambda kg: kg.update(untyped), timeout=10)
    assert (len(small_graph), small_graph.version) == (size, version)


def test_the_cache_answers_a_repeated_query_until_a_write(small_graph):
    executor = Executor(small_graph, workers=0)
    first = executor.query(LABELS, fmt="json", timeout=10)
    assert executor.query(LABELS, fmt="json", timeout=10) is first
    small_graph.update("CLEAR ALL")
    assert executor.query(LABELS, fmt="json", timeout=10) is not first


def test_a_write_that_breaks_a_shape_but_keeps_each_graph_size_is_refused(small_graph, executor):
    size, version = len(small_graph), small_graph.version
    retype = ("PREFIX kg: <https://w3id.org/aikg/id/> "
              "DELETE DATA { GRAPH <https://w3id.org/aikg/graph/test-source> { "
              "kg:vc a <https://w3id.org/aikg/ontology#Company> } } ; "
              "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-source> { "
              'kg:vc <http://www.w3.org/2000/01/rdf-schema#comment> "no type"@en } }')
    with pytest.raises(ValidationFailed, match="every entity has a type"):
        executor.write(lambda kg: kg.update(retype), timeout=10)
    assert (len(small_graph), small_graph.version) == (size, version)
