"""Neighbours and circles as SPARQL walks: the same answers from the local and a remote store."""

from __future__ import annotations

import pytest

from graph import BadInput, EntityNotFound, KnowledgeGraph, Unsupported
from graph.remote_network import circle, ecosystem_roles, neighbors, require_local
from tests.conftest import SMALL

AIKG = "https://w3id.org/aikg/ontology#"
KG = "https://w3id.org/aikg/id/"
SOURCE = "https://w3id.org/aikg/graph/test-source"

#: The ecosystem relations of tests/data/small.trig, declared as the ontology does.
ONTOLOGY = f"""
@prefix aikg: <{AIKG}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
aikg:supplierRelation rdfs:subPropertyOf aikg:ecosystemRelation .
aikg:investsIn rdfs:subPropertyOf aikg:ecosystemRelation ;
    aikg:subjectRole [ aikg:roleKey "investor" ] ; aikg:objectRole [ aikg:roleKey "investee" ] .
aikg:developedBy rdfs:subPropertyOf aikg:ecosystemRelation ;
    aikg:subjectRole [ aikg:roleKey "model" ] ; aikg:objectRole [ aikg:roleKey "developer" ] .
aikg:poweredBy rdfs:subPropertyOf aikg:ecosystemRelation ;
    aikg:subjectRole [ aikg:roleKey "product" ] ;
    aikg:objectRole [ aikg:roleKey "underlying-model" ] .
aikg:suppliesCloudTo rdfs:subPropertyOf aikg:supplierRelation ;
    aikg:subjectRole [ aikg:roleKey "cloud-supplier" ] ;
    aikg:objectRole [ aikg:roleKey "cloud-customer" ] .
"""


@pytest.fixture(params=["local", "remote"])
def kg(request, small_graph: KnowledgeGraph) -> KnowledgeGraph:
    """The small ecosystem with its ontology, in memory or on the Oxigraph server."""
    graph = request.getfixturevalue("remote") if request.param == "remote" else small_graph
    if request.param == "remote":
        graph.load(SMALL)
    graph.load(ONTOLOGY.encode(), format="turtle", graph="https://w3id.org/aikg/graph/aikg")
    return graph


def members(found: list[dict]) -> list[tuple[str, int, list[str]]]:
    return [(m["node"].removeprefix(KG), m["distance"], m["roles"]) for m in found]


def test_roles_are_read_from_the_ontology(kg) -> None:
    roles = ecosystem_roles(kg)
    assert roles[AIKG + "investsIn"] == ("investor", "investee")
    assert roles[AIKG + "supplierRelation"] == ("related", "related")


def test_neighbors_name_direction_role_and_source(kg) -> None:
    found = neighbors(kg, KG + "alpha")
    assert [(e["node"].removeprefix(KG), e["direction"], e["role"]) for e in found] == [
        ("alpha-1", "in", "model"), ("vc", "in", "investor"), ("cloud", "in", "cloud-supplier")]
    assert all(e["sources"] == [SOURCE] for e in found)
    out = neighbors(kg, KG + "vc", direction="out")
    assert [(e["node"].removeprefix(KG), e["role"]) for e in out] == [
        ("alpha", "investee"), ("beta", "investee")]


def test_circle_walks_breadth_first_with_the_role_of_the_last_hop(kg) -> None:
    found = circle(kg, KG + "alpha", depth=2)
    assert members(found) == [
        ("alpha-1", 1, ["model"]), ("cloud", 1, ["cloud-supplier"]), ("vc", 1, ["investor"]),
        ("app", 2, ["product"]), ("beta", 2, ["investee"])]
    beta = found[-1]["path"]
    assert [(h["from"], h["to"]) for h in beta] == [(KG + "alpha", KG + "vc"),
                                                    (KG + "vc", KG + "beta")]
    assert beta[1]["edges"] == [{"predicate": AIKG + "investsIn", "direction": "out",
                                 "role": "investee", "sources": [SOURCE]}]
    assert members(circle(kg, KG + "alpha", depth=3))[-1] == ("beta-1", 3, ["model"])


def test_circle_follows_named_relations_with_their_sub_properties_and_roles(kg) -> None:
    assert members(circle(kg, KG + "alpha", relations=[AIKG + "supplierRelation"])) == [
        ("cloud", 1, ["cloud-supplier"])]
    assert members(circle(kg, KG + "alpha", depth=2, roles=["investor"])) == [
        ("vc", 1, ["investor"])]


def test_circle_too_big_or_too_deep_is_refused_and_unknown_entity_not_found(kg) -> None:
    with pytest.raises(BadInput, match="more than 2 members"):
        circle(kg, KG + "alpha", depth=2, max_members=2)
    with pytest.raises(BadInput, match="depth must be"):
        circle(kg, KG + "alpha", depth=4)
    with pytest.raises(EntityNotFound):
        circle(kg, KG + "nobody")


def test_whole_graph_analytics_are_unavailable_on_a_remote_store(kg) -> None:
    if kg.store is None:
        with pytest.raises(Unsupported, match="PageRank needs the whole relationship graph"):
            require_local(kg, "PageRank")
    else:
        require_local(kg, "PageRank")
