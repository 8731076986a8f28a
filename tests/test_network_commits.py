"""The projection after a commit: rebuilt when the commit may have changed what it is built from,
kept (with its version moved) when the commit wrote only graphs of other data; either way equal
to a projection built afresh."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import KnowledgeGraph, open_graph
from graph.network import Network
from graph.network.projection import Projection, project
from graph.sparql.written import written_graphs
from ontology import AIKG, GRAPH, KG
from tests.conftest import SMALL, SMALL_ONTOLOGY

SOURCE = GRAPH + "test-source"
OTHER = "urn:test:other"


@pytest.mark.parametrize("update, graphs", [
    ("INSERT DATA { <urn:s> <urn:p> 1 }", {"default"}),
    ("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> '}' } }", {"urn:g"}),
    ("DELETE WHERE { GRAPH <urn:g> { ?s ?p ?o } . ?s ?p ?o }", {"urn:g", "default"}),
    ("PREFIX e: <urn:e:> DELETE { GRAPH e:a { ?s ?p ?o } } INSERT { GRAPH e:b { ?s ?p ?o } } "
     "WHERE { GRAPH e:a { ?s ?p ?o } }", {"urn:e:a", "urn:e:b"}),
    ("WITH <urn:w> DELETE { ?s ?p ?o } INSERT { GRAPH <urn:x> { ?s ?p 1 } } "
     "USING <urn:u> WHERE { GRAPH ?g { ?s ?p ?o } }", {"urn:w", "urn:x"}),
    ("WITH <urn:w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
     {"urn:w", "default"}),
    ("CLEAR SILENT GRAPH <urn:a> ; DROP DEFAULT ; CREATE GRAPH <urn:c>",
     {"urn:a", "default", "urn:c"}),
    ("ADD <urn:a> TO DEFAULT ; MOVE GRAPH <urn:b> TO GRAPH <urn:c> ; COPY DEFAULT TO <urn:d>",
     {"urn:a", "default", "urn:b", "urn:c", "urn:d"}),
    ("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> '''GRAPH <urn:h> { x }''' } }", {"urn:g"}),
    ("INSERT { GRAPH ?g { ?s ?p 1 } } WHERE { GRAPH ?g { ?s ?p ?o } }", None),
    ("DROP ALL", None),
    ("CLEAR NAMED", None),
    ("BASE <urn:b/> INSERT DATA { GRAPH <g> { <urn:s> <urn:p> 1 } }", None),
    ("INSERT DATA { GRAPH <relative> { <urn:s> <urn:p> 1 } }", None),
    ("INSERT DATA { GRAPH undeclared:g { <urn:s> <urn:p> 1 } }", None),
])
def test_an_update_names_the_graphs_it_may_change(update, graphs):
    assert written_graphs(update) == (None if graphs is None else frozenset(graphs))


@pytest.fixture
def network(ecosystem: KnowledgeGraph) -> Network:
    return Network(ecosystem)


def test_a_write_to_a_graph_of_other_data_keeps_the_projection_at_the_new_version(
        ecosystem, network):
    before = network.current
    ecosystem.update(f"INSERT DATA {{ GRAPH <{OTHER}> {{ <urn:s> <urn:p> 'x' }} }}")
    assert network.current is before and before.version == ecosystem.version


@pytest.mark.parametrize("update", [
    f"INSERT DATA {{ GRAPH <{OTHER}> {{ <{KG}cloud> <{AIKG}investsIn> <{KG}beta> }} }}",
    f"INSERT DATA {{ GRAPH <{OTHER}> {{ <{KG}beta> "
    f"<http://www.w3.org/2004/02/skos/core#altLabel> 'B'@en }} }}",
    f"DELETE DATA {{ GRAPH <{SOURCE}> {{ <{KG}vc> <{AIKG}investsIn> <{KG}beta> }} }}",
    f"INSERT DATA {{ <{KG}gamma> a <{AIKG}Company> }}",
    "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_a_write_that_may_change_the_relationships_rebuilds_the_projection(
        ecosystem, network, update):
    before = network.current
    ecosystem.update(update)
    assert network.current is not before
    assert same(network.current, project(ecosystem))


UPDATES = [
    f"INSERT DATA {{ GRAPH <{OTHER}> {{ <urn:s> <urn:p> 'x' }} }}",
    f"INSERT DATA {{ GRAPH <{OTHER}> {{ <{KG}cloud> <{AIKG}investsIn> <{KG}beta> }} }}",
    f"INSERT DATA {{ GRAPH <{OTHER}> {{ <{KG}beta> <{AIKG}partnerOf> <{KG}cloud> }} }}",
    f"INSERT DATA {{ GRAPH <{OTHER}> {{ <{KG}beta> "
    f"<http://www.w3.org/2000/01/rdf-schema#label> 'Beta'@en }} }}",
    f"MOVE SILENT <{OTHER}> TO <urn:test:moved>",
    f"MOVE SILENT <urn:test:moved> TO <{OTHER}>",
    f"DROP SILENT GRAPH <{OTHER}>",
    f"COPY <{SOURCE}> TO <urn:test:copy>",
    "DROP SILENT GRAPH <urn:test:copy>",
    f"DELETE WHERE {{ GRAPH <{SOURCE}> {{ <{KG}vc> <{AIKG}investsIn> ?o }} }}",
    f"INSERT DATA {{ <{KG}gamma> a <{AIKG}Company> }}",
    "CLEAR DEFAULT",
    f"WITH <{OTHER}> INSERT {{ ?s <urn:p> ?o }} WHERE {{ GRAPH <{SOURCE}> {{ ?s ?p ?o }} }}",
    "DELETE { GRAPH ?g { ?s <urn:p> ?o } } WHERE { GRAPH ?g { ?s <urn:p> ?o } }",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    f"INSERT DATA {{ GRAPH <urn:test:terms> {{ <{AIKG}partnerOf> rdfs:subPropertyOf "
    f"<{AIKG}ecosystemRelation> }} }}",
    "DROP SILENT GRAPH <urn:test:terms>",
]


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(UPDATES), min_size=1, max_size=8))
def test_after_any_writes_the_projection_equals_one_built_afresh(updates):
    kg = open_graph("memory", bundled=False)
    kg.load(SMALL)
    kg.load(SMALL_ONTOLOGY)
    network = Network(kg)
    for update in updates:
        kg.update(update)
        assert network.current.version == kg.version
        assert same(network.current, project(kg))


def same(kept: Projection, fresh: Projection) -> bool:
    """Equal nodes, edges, names and terms, attributes included."""
    def edges(P: Projection) -> dict:
        return {(u, v, k): d for u, v, k, d in P.graph.edges(keys=True, data=True)}

    return (dict(kept.graph.nodes(data=True)) == dict(fresh.graph.nodes(data=True))
            and edges(kept) == edges(fresh) and kept.names == fresh.names
            and kept.relations == fresh.relations and kept.classes == fresh.classes)
