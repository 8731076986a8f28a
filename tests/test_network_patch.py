"""A write patches the projection (its networkx graph and its arrays) instead of rebuilding it,
and the patched projection answers as one built afresh and as networkx's own dictionaries:
the same nodes and edges, and the same circles (members, distances, roles, paths, composition),
neighbours and paths, after any sequence of writes."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import open_graph
from graph.errors import NoPath
from graph.network import Network, cached_circle, neighbors, paths
from graph.network import overlay as overlay_module
from graph.network.arrays import adjacency, walk
from graph.network.circles import Circle
from graph.network.projection import Projection, project
from ontology import AIKG, GRAPH, KG
from tests.conftest import SMALL, SMALL_ONTOLOGY
from tests.test_network_arrays import reference_circle
from tests.test_network_commits import same

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ISSUED = "http://purl.org/dc/terms/issued"
ENTITIES = [KG + n for n in ("vc", "alpha", "beta", "cloud", "alpha-1", "new-1", "new-2")]
RELATIONS = [AIKG + r for r in ("investsIn", "developedBy", "suppliesCloudTo", "poweredBy")]
GRAPHS = [GRAPH + "test-source", GRAPH + "test-b", GRAPH + "test-c"]
SOURCES = GRAPH + "sources"
DAYS = [None, "2024-06-30", "2026-12-31"]


def _data(operation: str, graph: str, triples: str) -> str:
    return f"{operation} DATA {{ GRAPH <{graph}> {{ {triples} }} }}"


entity, relation, graph = (st.sampled_from(v) for v in (ENTITIES, RELATIONS, GRAPHS))
operation = st.sampled_from(["INSERT", "DELETE"])
writes = st.one_of(
    st.builds(lambda op, g, s, p, o: _data(op, g, f"<{s}> <{p}> <{o}>"),
              operation, graph, entity, relation, entity),
    st.builds(lambda op, g, s, p, o: _data(op, g, f"<{s}> <{p}> <{o}> . <{o}> a <{AIKG}Company>"),
              operation, graph, entity, relation, entity),
    st.builds(lambda op, g, e, c: _data(op, g, f"<{e}> a <{AIKG}{c}>"),
              operation, graph, entity, st.sampled_from(["Company", "Product"])),
    st.builds(lambda op, g, e, name: _data(op, g, f'<{e}> <{LABEL}> "{name}"@en'),
              operation, graph, entity, st.sampled_from(["Zed", "Alpha AI"])),
    st.builds(lambda op, g, day: _data(op, SOURCES, f'<{g}> <{ISSUED}> "{day}"'),
              operation, graph, st.sampled_from(["2025", "2026-03"])),
    st.builds(lambda op, g, i, s, p, o, kind, day: _data(
        op, g, f"<urn:statement:{i}> <{RDF}subject> <{s}> ; <{RDF}predicate> <{p}> ; "
               f'<{RDF}object> <{o}> ; <{AIKG}{kind}> "{day}"'),
              operation, graph, st.integers(0, 2), entity,
              st.sampled_from([*RELATIONS, "urn:not-a-relation"]), entity,
              st.sampled_from(["since", "until"]), st.sampled_from(["2025-01", "2026"])),
    st.builds(lambda g: _data("INSERT", g, f'[] <{ISSUED}> "2025"'), graph),  # no DELETE DATA
    st.builds(lambda g: f"DROP SILENT GRAPH <{g}>", graph),
)


@pytest.fixture
def network():
    kg = open_graph("memory", bundled=False)
    kg.load(SMALL)
    kg.load(SMALL_ONTOLOGY)
    found = Network(kg)
    found.current.arrays()  # made: the writes patch them
    return found


def test_a_one_edge_write_patches_the_arrays_and_leaves_the_old_version_whole(network):
    before = network.current
    members_before = cached_circle(before, KG + "beta", 1).nodes()
    network.kg.update(_data("INSERT", GRAPHS[1], f"<{KG}cloud> <{RELATIONS[2]}> <{KG}beta>"))
    after = network.current
    assert after is not before and after.arrays().room is not None  # patched, not rebuilt
    assert KG + "cloud" in cached_circle(after, KG + "beta", 1).nodes()
    assert cached_circle(before, KG + "beta", 1).nodes() == members_before
    assert not before.graph.has_edge(KG + "cloud", KG + "beta")
    assert same(after, project(network.kg))


def test_a_write_of_ontology_terms_rebuilds(network):
    network.kg.update(_data("INSERT", GRAPHS[1], f"<{AIKG}poweredBy> <{LABEL}> 'runs on'@en"))
    assert "arrays" not in network.current._cache or network.current.arrays().room is None
    assert same(network.current, project(network.kg))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(writes, min_size=1, max_size=10), st.booleans())
def test_after_any_writes_the_patched_projection_answers_as_a_fresh_one(network, updates,
                                                                       compact_often):
    floor = overlay_module._DEAD_FLOOR
    overlay_module._DEAD_FLOOR = 0 if compact_often else floor  # compactions race the writes
    try:
        for update in updates:
            network.kg.update(update)
            assert_answers_as_fresh(network.current, project(network.kg))
    finally:
        overlay_module._DEAD_FLOOR = floor


def assert_answers_as_fresh(patched: Projection, fresh: Projection) -> None:
    assert same(patched, fresh)
    assert patched.predicate_counts() == fresh.predicate_counts()  # carried over by patches
    assert patched.roles == fresh.roles
    G, A = patched.graph, patched.arrays()
    fresh_arrays = adjacency(fresh.graph)
    centers = [n for n in ENTITIES if n in G]
    for center in centers:
        for depth in (1, 2, 3):
            for at in DAYS:
                ours = Circle(A, walk(A, center, depth, at=at))
                theirs = Circle(fresh_arrays, walk(fresh_arrays, center, depth, at=at))
                assert ours.members() == theirs.members() == reference_circle(
                    G, center, depth, at=at)
                assert ours.composition == theirs.composition
        assert neighbors(G, center) == neighbors(fresh.graph, center)
        for target in centers:
            assert _paths(G, center, target) == _paths(fresh.graph, center, target)


def _paths(G: nx.MultiDiGraph, source: str, target: str) -> list | None:
    try:
        return paths(G, source, target, k=3)
    except NoPath:
        return None


@pytest.mark.parametrize("update", [
    _data("INSERT", GRAPHS[1], f"<{KG}alpha> <{RELATIONS[0]}> <{KG}beta>"),
    _data("DELETE", GRAPHS[0], f"<{KG}vc> <{RELATIONS[0]}> <{KG}alpha>"),
    _data("INSERT", GRAPHS[1], f"<{KG}cloud> <{RELATIONS[2]}> <{KG}beta>"),
])
def test_edges_derived_by_a_property_chain_follow_the_statements_they_rest_on(update):
    kg = open_graph("memory", bundled=False)
    kg.load(SMALL)
    kg.load(SMALL_ONTOLOGY)
    kg.update(  # "backs": an investor of an investor, derived (investsIn, then investsIn)
        f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> INSERT DATA {{ GRAPH <urn:t:o> {{ "
        f"<urn:t:backs> rdfs:subPropertyOf <{AIKG}ecosystemRelation> ; "
        f"<http://www.w3.org/2002/07/owl#propertyChainAxiom> ( <{RELATIONS[0]}> "
        f"<{RELATIONS[0]}> ) }} }}")
    kg.update(_data("INSERT", GRAPHS[2], f"<{KG}new-1> <{RELATIONS[0]}> <{KG}vc>"))
    network = Network(kg)
    network.current.arrays()
    kg.update(update)
    assert_answers_as_fresh(network.current, project(kg))
    derived = {(u, v) for u, v, k in network.current.graph.edges(keys=True)
               if k == "urn:t:backs"}
    assert derived == {(u, v) for u, v, k in project(kg).graph.edges(keys=True)
                       if k == "urn:t:backs"} and derived
