"""Write-scoped invalidation: a cached answer outlives the writes that did not touch what its
query reads, and every answer the cache gives equals a fresh evaluation, whatever the writes.

The differential tests draw small graphs, queries of many shapes and writes of every kind
(INSERT DATA, DELETE DATA, DELETE/INSERT WHERE, CLEAR, DROP, CREATE, loads, the graph's own
``add`` and ``replace``), and after each write compare what the executor answers, from its
cache or not, with what the store answers now.
"""

from __future__ import annotations

import contextlib
import io
import json
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Quad

from graph import NotFound, open_graph
from graph.export import dataset_export, export_format
from graph.export.rdf import write_store
from graph.sparql.depends import Pattern, dependencies
from graph.store import KnowledgeGraph, changes
from graph.store.executor import Executor
from graph.store.queries import QueryRequest, run
from graph.store.sharedlog import SharedLog

E = "http://e/"
NODES = ["a", "b", "c"]
PREDICATES = ["p", "q"]
GRAPHS = ["g1", "g2"]
VALUES = ['"1"', '"2"']

#: Query shapes; ``{s}``, ``{o}`` are nodes, ``{p}``/``{q}`` predicates, ``{g}`` a graph.
QUERIES = [
    "SELECT ?s ?o WHERE {{ ?s <{p}> ?o }}",
    "SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}",
    "SELECT ?s ?p WHERE {{ ?s ?p <{o}> }}",
    "SELECT * WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
    "SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s <{p}> <{o}> }} }}",
    "SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{p}> ?o . ?o <{q}> ?x }}",
    "SELECT ?s ?o WHERE {{ ?s <{p}>/<{q}> ?o }}",
    "SELECT ?s ?o WHERE {{ ?s <{p}>+ ?o }}",
    "SELECT ?s ?o WHERE {{ ?s <{p}>* ?o }}",
    "SELECT ?s ?o WHERE {{ ?s ^<{p}>|<{q}> ?o }}",
    "SELECT ?s ?o WHERE {{ ?s !<{p}> ?o }}",
    "SELECT ?x WHERE {{ VALUES ?x {{ 1 }} OPTIONAL {{ <{s}> <{p}> ?x }} }}",
    "ASK {{ <{s}> <{p}> ?o FILTER NOT EXISTS {{ ?o <{q}> ?x }} }}",
    "SELECT ?g WHERE {{ GRAPH ?g {{ }} }}",
    "SELECT ?s WHERE {{ ?s ?p ?o MINUS {{ ?s <{q}> ?x }} }}",
    "CONSTRUCT {{ ?s <{q}> ?o }} WHERE {{ ?s <{p}> ?o }}",
    "DESCRIBE <{s}>",
    "SELECT ?s ?o WHERE {{ ?s <{p}> ?o {{ SELECT ?o WHERE {{ ?o <{q}> ?z }} }} }}",
    "SELECT ?s ?o WHERE {{ VALUES ?s {{ <{s}> }} ?s <{p}> ?o }}",
    "SELECT ?o WHERE {{ <{s}> <{p}> ?o FILTER(?o = 1) }}",
    "SELECT (1 AS ?one) WHERE {{ }}",
]

nodes = st.sampled_from(NODES).map(lambda n: E + n)
predicates = st.sampled_from(PREDICATES).map(lambda n: E + n)
graphs = st.sampled_from(GRAPHS).map(lambda n: E + n)
objects = st.one_of(nodes.map(lambda n: f"<{n}>"), st.sampled_from(VALUES))
#: A statement: subject, predicate, object (N-Triples), graph.
Statement = tuple[str, str, str, str]
statements = st.tuples(nodes, predicates, objects, graphs)


@st.composite
def queries(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(QUERIES))
    return shape.format(s=draw(nodes), o=draw(nodes), p=draw(predicates), q=draw(predicates),
                        g=draw(graphs))


def _nquads(some: list[Statement]) -> bytes:
    return "".join(f"<{s}> <{p}> {o} <{g}> .\n" for s, p, o, g in some).encode()


def _data(some: list[Statement]) -> str:
    return " ".join(f"GRAPH <{g}> {{ <{s}> <{p}> {o} }}" for s, p, o, g in some)


def _quad(statement: Statement) -> Quad:
    s, p, o, g = statement
    obj = NamedNode(o[1:-1]) if o.startswith("<") else Literal(o.strip('"'))
    return Quad(NamedNode(s), NamedNode(p), obj, NamedNode(g))


@st.composite
def writes(draw: st.DrawFn) -> tuple[str, object]:
    """A write: its kind, and what :func:`_apply` needs to apply it."""
    kind = draw(st.sampled_from(["insert", "delete", "move", "delete where", "clear", "drop",
                                 "drop all", "create", "load", "load quads", "add",
                                 "replace"]))
    some = draw(st.lists(statements, min_size=1, max_size=3))
    g, h, s, p = draw(graphs), draw(graphs), draw(nodes), draw(predicates)
    argument: object = {
        "insert": f"INSERT DATA {{ {_data(some)} }}",
        "delete": f"DELETE DATA {{ {_data(some)} }}",
        "move": f"DELETE {{ GRAPH <{g}> {{ ?s <{p}> ?o }} }} INSERT {{ GRAPH <{h}> "
                f"{{ ?s <{p}> ?o }} }} WHERE {{ GRAPH <{g}> {{ ?s <{p}> ?o }} }}",
        "delete where": f"DELETE WHERE {{ GRAPH ?g {{ <{s}> <{p}> ?o }} }}",
        "clear": f"CLEAR SILENT GRAPH <{g}>",
        "drop": f"DROP SILENT GRAPH <{g}>",
        "drop all": "DROP ALL",
        "create": f"CREATE SILENT GRAPH <{E}new-{draw(st.integers(0, 3))}>",
    }.get(kind, (some, g))
    return kind, argument


def _apply(kg: KnowledgeGraph, write: tuple[str, object]) -> None:
    kind, argument = write
    if isinstance(argument, str):
        kg.update(argument)
        return
    some, graph = argument  # type: ignore[misc]
    if kind == "load":  # triples, into one graph
        kg.load("".join(f"<{s}> <{p}> {o} .\n" for s, p, o, _ in some).encode(),
                format="nt", graph=graph)
    elif kind == "load quads":
        kg.load(_nquads(some), format="nquads")
    elif kind == "add":
        kg.add(_quad(t) for t in some)
    else:  # replace one graph by the statements drawn for it
        kg.replace([_quad(t) for t in some if t[3] == graph], [graph])


def _fmt(sparql: str) -> str:
    return "ntriples" if sparql.startswith(("CONSTRUCT", "DESCRIBE")) else "json"


def _rows(body: bytes, fmt: str) -> object:
    """An answer's content, whatever the order of its rows."""
    if fmt == "ntriples":
        return sorted(body.decode().splitlines())
    found = json.loads(body)
    if "boolean" in found:
        return found["boolean"]
    return sorted(json.dumps(row, sort_keys=True) for row in found["results"]["bindings"])


def _fresh(kg: KnowledgeGraph, sparql: str) -> object:
    fmt = _fmt(sparql)
    kind, body, truncated, rows = run(kg, QueryRequest.of(sparql, fmt=fmt), None)
    return _rows(body, fmt)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements, max_size=12), st.lists(queries(), min_size=1, max_size=8),
       st.lists(writes(), min_size=1, max_size=5))
def test_every_answer_from_the_cache_equals_a_fresh_one_after_any_write(data, asked, done):
    _answers_after_writes(data, asked, done)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements, max_size=12), st.lists(queries(), min_size=1, max_size=8),
       st.lists(writes(), min_size=1, max_size=5))
def test_answers_stay_right_when_a_change_keeps_only_the_parts_of_its_quads(data, asked, done):
    with mock.patch.object(changes, "EXACT_QUADS", 1):
        _answers_after_writes(data, asked, done)


def _answers_after_writes(data: list[Statement], asked: list[str],
                          done: list[tuple[str, object]]) -> None:
    """Keep the answers to ``asked`` over ``data``; after each write of ``done``, each
    answer (and each graph's file) equals a fresh one."""
    kg = open_graph("memory", bundled=False)
    if data:
        kg.load(_nquads(data), format="nquads")
    executor = Executor(kg, workers=0)
    for sparql in asked:  # kept in the cache
        executor.query(sparql, fmt=_fmt(sparql), timeout=10)
    for graph in GRAPHS:
        _exported(kg, E + graph)
    for write in done:
        _apply(kg, write)
        for sparql in asked:
            answer = executor.query(sparql, fmt=_fmt(sparql), timeout=10)
            assert _rows(answer.body, _fmt(sparql)) == _fresh(kg, sparql), (sparql, write)
        for graph in GRAPHS:
            fresh = io.BytesIO()
            write_store(kg, export_format("ntriples"), fresh, graph=NamedNode(E + graph))
            assert _exported(kg, E + graph) == sorted(fresh.getvalue().splitlines()), write


def _exported(kg: KnowledgeGraph, graph: str) -> list[bytes]:
    """The lines of the named graph's N-Triples export (kept between writes that do not
    change it); none for a graph that is not there."""
    out = io.BytesIO()
    with contextlib.suppress(NotFound):
        dataset_export(kg, "ntriples", graph=graph).write(out)
    return sorted(out.getvalue().splitlines())


LABEL = f"SELECT ?l WHERE {{ <{E}a> <{E}label> ?l }}"


@pytest.fixture
def labelled() -> KnowledgeGraph:
    kg = open_graph("memory", bundled=False)
    kg.update(f'INSERT DATA {{ GRAPH <{E}g1> {{ <{E}a> <{E}label> "A" . <{E}b> <{E}p> <{E}c> }} }}')
    return kg


def test_a_write_elsewhere_keeps_the_answer_and_a_write_it_reads_replaces_it(labelled):
    executor = Executor(labelled, workers=0)
    first = executor.query(LABEL, fmt="json", timeout=10)
    labelled.update(f"INSERT DATA {{ GRAPH <{E}g2> {{ <{E}b> <{E}p> <{E}a> }} }}")
    assert executor.query(LABEL, fmt="json", timeout=10) is first  # no evaluation
    labelled.update(f'INSERT DATA {{ GRAPH <{E}g2> {{ <{E}a> <{E}label> "B" }} }}')
    again = executor.query(LABEL, fmt="json", timeout=10)
    assert again is not first and b'"B"' in again.body


def test_a_write_whose_graphs_are_not_known_replaces_every_answer(labelled):
    executor = Executor(labelled, workers=0)
    first = executor.query(LABEL, fmt="json", timeout=10)
    labelled.update(f"DELETE {{ GRAPH ?g {{ <{E}b> ?p ?o }} }} "
                    f"WHERE {{ GRAPH ?g {{ <{E}b> ?p ?o }} }}")
    assert executor.query(LABEL, fmt="json", timeout=10) is not first


def test_an_answer_bound_by_substitution_depends_on_its_entity_only(labelled):
    executor = Executor(labelled, workers=1)
    sparql = "SELECT ?e ?p ?o WHERE { ?e ?p ?o FILTER(?p != <http://e/x>) }"
    try:
        first = labelled.query(sparql, substitutions={"e": NamedNode(E + "a")})
        labelled.update(f"INSERT DATA {{ GRAPH <{E}g2> {{ <{E}b> <{E}p> <{E}b> }} }}")
        assert labelled.query(sparql, substitutions={"e": NamedNode(E + "a")}).rows == first.rows
        labelled.update(f'INSERT DATA {{ GRAPH <{E}g2> {{ <{E}a> <{E}label> "B" }} }}')
        after = labelled.query(sparql, substitutions={"e": NamedNode(E + "a")})
        assert len(after.rows) == len(first.rows) + 1
    finally:
        executor.close()


def test_a_process_following_the_shared_log_keeps_and_replaces_the_same_answers(tmp_path):
    writer, follower = (open_graph("memory", bundled=False) for _ in range(2))
    logs = [SharedLog(kg, tmp_path) for kg in (writer, follower)]
    with logs[0].writing():
        writer.update(f'INSERT DATA {{ GRAPH <{E}g1> {{ <{E}a> <{E}label> "A" }} }}')
    logs[1].catch_up()
    executor = Executor(follower, workers=0)
    first = executor.query(LABEL, fmt="json", timeout=10)
    with logs[0].writing():
        writer.update(f"INSERT DATA {{ GRAPH <{E}g2> {{ <{E}b> <{E}p> <{E}a> }} }}")
    logs[1].catch_up()
    assert follower.version == 2
    assert executor.query(LABEL, fmt="json", timeout=10) is first
    with logs[0].writing():
        writer.update(f'DELETE DATA {{ GRAPH <{E}g1> {{ <{E}a> <{E}label> "A" }} }}')
    logs[1].catch_up()
    assert b'"A"' not in executor.query(LABEL, fmt="json", timeout=10).body


@pytest.mark.parametrize(("sparql", "expected"), [
    ("SELECT * WHERE { GRAPH <http://e/g> { ?s <http://e/p> ?o } }",
     (Pattern("http://e/g", None, "http://e/p", None),)),
    ('SELECT * WHERE { ?s <http://e/p> "x" }', (Pattern(None, None, "http://e/p", None),)),
    ("SELECT * WHERE { ?s <http://e/p>/^<http://e/q> ?o }",
     (Pattern(None, None, "http://e/p", None), Pattern(None, None, "http://e/q", None))),
    ("SELECT * WHERE { ?s !<http://e/p> ?o }", (Pattern(None, None, None, None),)),
    ("SELECT * WHERE { ?s <http://e/p>? ?o }", None),
    ("DESCRIBE <http://e/a>", None),
    ("ASK { ?s ?p ?o FILTER EXISTS { ?s <http://e/q> ?x } }", None),
    ("SELECT ?g WHERE { GRAPH ?g { } }", None),
    ("SELECT ?g WHERE { GRAPH ?g { OPTIONAL { ?s ?p ?o } } }", None),
    ("not sparql at all", None),
    ("SELECT (1 AS ?x) WHERE { }", ()),
])
def test_dependencies_are_the_patterns_read_or_the_whole_graph(sparql, expected):
    assert dependencies(sparql) == expected


def test_a_subquery_variable_is_not_bound_by_the_substitutions():
    found = dependencies("SELECT ?e WHERE { ?e <http://e/p> ?o { SELECT ?o WHERE { ?e "
                         "<http://e/q> ?o } } }", {"e": "http://e/a"})
    assert found == (Pattern(None, "http://e/a", "http://e/p", None),
                     Pattern(None, None, "http://e/q", None))


# -- entity details -----------------------------------------------------------------------------

KG, AIKG = "https://w3id.org/aikg/id/", "https://w3id.org/aikg/ontology#"
LABEL_P = "http://www.w3.org/2000/01/rdf-schema#label"
SOURCE = "https://w3id.org/aikg/graph/test-source"
ENTITIES = ["vc", "alpha", "beta", "cloud", "alpha-1", "app"]
entities = st.sampled_from(ENTITIES).map(lambda n: KG + n)
#: Statements a write may add or remove: names, relations, plain facts, sources, elsewhere.
ecosystem_statements = st.one_of(
    st.tuples(entities, st.just(LABEL_P), st.sampled_from(['"New"@en', '"Alpha AI"@en']),
              st.sampled_from([SOURCE, E + "g1"])),
    st.tuples(entities, st.sampled_from([AIKG + "investsIn", AIKG + "partnerOf"]),
              entities.map(lambda n: f"<{n}>"), st.sampled_from([SOURCE, E + "g1"])),
    st.tuples(entities, st.just(E + "p"), st.just('"1"'), st.just(E + "g1")),
    st.tuples(st.just(E + "g1"), st.just("http://purl.org/dc/terms/title"),
              st.just('"Graph one"'), st.just("https://w3id.org/aikg/graph/sources")),
    st.tuples(st.just("urn:bench:item-1"), st.just("urn:bench:p"), st.just('"1"'),
              st.sampled_from([E + "left", E + "right"])),
)


def _ecosystem_write(kind: str, some: list[Statement]) -> str:
    return f"{kind} DATA {{ {_data(some)} }}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["INSERT", "DELETE"]),
                          st.lists(ecosystem_statements, min_size=1, max_size=3)),
                min_size=1, max_size=4))
def test_every_kept_entity_description_equals_a_fresh_one_after_any_write(ecosystem, done):
    from graph.describe.entities import describe
    from graph.describe.lookups import _dated_relations, describe_entity
    from graph.network import Network

    network = Network(ecosystem)
    for iri in map(KG.__add__, ENTITIES):
        describe_entity(network, iri)
    for kind, some in done:
        ecosystem.update(_ecosystem_write(kind, some))
        P = network.terms
        copy = open_graph("memory", bundled=False)  # the same statements, nothing kept yet
        copy.add(ecosystem.quads())
        for iri in map(KG.__add__, ENTITIES):
            fresh = _dated_relations(describe(copy, iri, ecosystem=set(P.relations)),
                                     P.graph, iri, None)
            assert describe_entity(network, iri, terms=P).facts == fresh, (iri, kind, some)


def test_a_description_outlives_a_write_elsewhere_and_not_one_of_a_neighbours_name(ecosystem):
    from graph.describe.lookups import describe_entity
    from graph.network import Network

    network = Network(ecosystem)
    first = describe_entity(network, KG + "vc").facts
    ecosystem.update(f'INSERT DATA {{ GRAPH <{E}left> {{ <urn:bench:item-1> <urn:bench:p> "1" '
                     f'}} }}')
    kept = describe_entity(network, KG + "vc").facts
    assert kept == first and kept["relations"] is first["relations"]  # the same, not redone
    ecosystem.update(f'INSERT DATA {{ GRAPH <{SOURCE}> {{ <{KG}beta> <{LABEL_P}> "Beta2"@en }} '
                     f'}}')
    names = {r["node"]["label_en"] for r in describe_entity(network, KG + "vc").facts[
        "relations"]["out"]}
    assert "Alpha AI" in names and ("Beta2" in names or "Beta Labs" in names)
    assert describe_entity(network, KG + "vc").facts["relations"] is not first["relations"]


def test_dependencies_read_in_many_threads_at_once_are_read_right():
    import threading

    texts = [f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ ?c <http://e/thread-{i}> ?x }} GROUP BY ?c"
             for i in range(64)]
    found: dict[str, object] = {}

    def read(k: int) -> None:
        for text in texts[k::8]:
            found[text] = dependencies(text)

    threads = [threading.Thread(target=read, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(found[t] == (Pattern(None, None, t.split("<")[1].split(">")[0], None),)
               for t in texts)


@pytest.mark.parametrize("sparql", [
    "SELECT ?l WHERE { <http://e/a> <http://e/label> ?l }",
    "SELECT * WHERE { GRAPH <http://e/g> { ?s a <http://e/C> . } } LIMIT 5",
    'ASK { GRAPH ?g { ?s <http://e/p> "x"@en } }',
    'SELECT ?s WHERE { ?s <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    "SELECT ?s WHERE { ?s <http://e/p> 12 }",
    "SELECT ?s ?o WHERE { ?s <relative> ?o }",
])
def test_a_one_pattern_query_is_read_from_its_tokens_as_rdflib_reads_it(sparql):
    from graph.sparql import depends

    assert depends._one_pattern(sparql) is not None
    assert (depends._one_pattern(sparql),) == depends._parsed_patterns(sparql)
