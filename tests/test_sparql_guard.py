"""The SPARQL text checks: what reaches the network is refused, everything else passes."""

from __future__ import annotations

import pytest

from graph import BadInput, Refused
from graph.sparql import guard


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
    r"SELECT * { \u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * { ?s ?p 'x' . SERVICE<http://example.org/sparql>{ ?s ?p ?o } }",
])
def test_service_is_refused_wherever_the_parser_would_read_it(query):
    with pytest.raises(Refused, match="SERVICE"):
        guard.check_query(query)


@pytest.mark.parametrize("query", [
    'SELECT * { ?s ?p "SERVICE <http://example.org/>" }',
    "SELECT * { ?s ?p '''a\nSERVICE <http://example.org/> { }''' }",
    "SELECT * { ?s <http://example.org/SERVICE> ?o }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/sparql>",
    "PREFIX service: <http://example.org/> SELECT ?service { ?service service:p ?o }",
    "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
])
def test_service_in_strings_iris_comments_and_names_passes(query):
    guard.check_query(query)


@pytest.mark.parametrize("update", [
    "LOAD <http://example.org/data.ttl>",
    "load silent <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_updates_that_fetch_are_refused(update):
    with pytest.raises(Refused):
        guard.check_update(update)


def test_an_update_mentioning_load_in_a_literal_passes():
    guard.check_update('INSERT DATA { <http://e/a> <http://e/b> "LOAD <http://e/>" }')


@pytest.mark.parametrize(("query", "form"), [
    ("SELECT * {}", "select"),
    ("PREFIX ask: <http://e/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ask:o }", "construct"),
    ("BASE <http://e/> DESCRIBE <a>", "describe"),
    ("# a comment\nASK {}", "ask"),
    ("INSERT DATA {}", None),
])
def test_query_form_is_read_past_the_prologue(query, form):
    assert guard.query_form(query) == form


def test_from_is_a_dataset_clause_only_outside_braces():
    assert guard.has_dataset_clause("SELECT * FROM NAMED <http://e/g> { GRAPH ?g { ?s ?p ?o } }")
    assert not guard.has_dataset_clause("SELECT * { ?s <http://e/from> ?o }")


def test_using_clauses_go_before_each_where():
    update = ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; "
              "INSERT { ?s ?p 1 } WHERE { { SELECT ?s ?p WHERE { ?s ?p ?o } } }")
    out = guard.with_using(update, ["http://e/a"], ["http://e/b"])
    assert out.count("USING <http://e/a> USING NAMED <http://e/b> WHERE") == 2
    assert "SELECT ?s ?p WHERE" in out  # the sub-query keeps its own WHERE


def test_using_parameters_conflict_with_with_or_using():
    with pytest.raises(BadInput, match="USING or WITH"):
        guard.with_using("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                         ["http://e/a"])


@pytest.mark.parametrize("query", [
    "SELECT ?p ?o WHERE { <http://e/a> ?p ?o }",
    "PREFIX ex: <http://e/> SELECT * { ?s ex:label 'x'@en . } LIMIT 5",
    "ASK { ?s a <http://e/C> }",
    'SELECT ?s { ?s <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> }',
])
def test_one_triple_pattern_is_bounded(query):
    assert guard.is_bounded(query)


@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s ?p ?s }",
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
    "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o",
    "SELECT ?o WHERE { ?s ?p ?o } OFFSET 100000",
    "SELECT ?o WHERE { ?s ?p ?o . ?o ?q ?r }",
    "SELECT ?o WHERE { ?s <http://e/p>* ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?o WHERE { ?s ?p ?o FILTER(?o > 1) }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
])
def test_anything_more_is_not_bounded(query):
    assert not guard.is_bounded(query)
