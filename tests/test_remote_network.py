"""Neighbours and circles over a remote store: :class:`RemoteNetwork` fetches the bounded part a
question needs with breadth-first SPARQL walks, and :mod:`graph.network`'s functions give on it
the answers they give on the whole projection of a local store."""

from __future__ import annotations

import pytest

import graph.network.remote_walks
from graph import BadInput, EntityNotFound, KnowledgeGraph, Unsupported
from graph.network import Network, Projection, circle, neighbors
from graph.network.remote_walks import RemoteNetwork
from tests.conftest import SMALL, SMALL_ONTOLOGY, SMALL_SOURCE

AIKG = "https://w3id.org/aikg/ontology#"
KG = "https://w3id.org/aikg/id/"


@pytest.fixture
def remote_network(remote: KnowledgeGraph) -> RemoteNetwork:
    for path in (SMALL, SMALL_ONTOLOGY):
        remote.load(path)
    return RemoteNetwork(remote)


@pytest.fixture(params=["local", "remote"])
def network(request, ecosystem: KnowledgeGraph) -> Network | RemoteNetwork:
    """The small ecosystem with its ontology, in memory or on the Oxigraph server."""
    if request.param == "local":
        return Network(ecosystem)
    return request.getfixturevalue("remote_network")


def walk(network, center: str, depth: int = 1, relations=(), roles=(), max_size=None
         ) -> tuple[Projection, list[dict]]:
    """The part of the graph a circle walk uses, and the circle, as the HTTP API gets them."""
    P = network.terms
    relations, roles = P.relation_filter(relations), P.role_filter(roles)
    part = network.around(P, KG + center, depth, relations, roles, max_size)
    return part, circle(part.graph, KG + center, depth=depth, relations=relations, roles=roles,
                        max_size=max_size)


def members(found: list[dict]) -> list[tuple[str, int, list[str]]]:
    return [(m["node"].removeprefix(KG), m["distance"], m["roles"]) for m in found]


def test_relations_and_roles_are_read_from_the_ontology(network) -> None:
    relations = network.terms.relations
    invests = relations[AIKG + "investsIn"]
    assert (invests.subject_role.key, invests.object_role.key) == ("investor", "investee")
    supplier = relations[AIKG + "supplierRelation"]
    assert (supplier.subject_role.key, supplier.object_role.key) == ("related", "related")


def test_neighbors_name_direction_role_and_source(network) -> None:
    part, _ = walk(network, "alpha")
    found = neighbors(part.graph, KG + "alpha")
    assert [(e["node"].removeprefix(KG), e["direction"], e["role"]) for e in found] == [
        ("alpha-1", "in", "model"), ("vc", "in", "investor"), ("cloud", "in", "cloud-supplier")]
    assert all(e["sources"] == [SMALL_SOURCE] for e in found)
    part, _ = walk(network, "vc")
    out = neighbors(part.graph, KG + "vc", direction="out")
    assert [(e["node"].removeprefix(KG), e["role"]) for e in out] == [
        ("alpha", "investee"), ("beta", "investee")]


def test_circle_walks_breadth_first_with_the_role_of_the_last_hop(network) -> None:
    _, found = walk(network, "alpha", depth=2)
    assert members(found) == [
        ("alpha-1", 1, ["model"]), ("cloud", 1, ["cloud-supplier"]), ("vc", 1, ["investor"]),
        ("app", 2, ["product"]), ("beta", 2, ["investee"])]
    beta = found[-1]["path"]
    assert [(h["from"], h["to"]) for h in beta] == [(KG + "alpha", KG + "vc"),
                                                    (KG + "vc", KG + "beta")]
    # "since" (from the source's publication date) is reported by the local walk only
    edges = [{k: v for k, v in e.items() if k != "since"} for e in beta[1]["edges"]]
    assert edges == [{"predicate": AIKG + "investsIn", "direction": "out",
                      "role": "investee", "sources": [SMALL_SOURCE]}]
    assert members(walk(network, "alpha", depth=3)[1])[-1] == ("beta-1", 3, ["model"])


def test_circle_follows_named_relations_with_their_sub_properties_and_roles(network) -> None:
    assert members(walk(network, "alpha", relations=["supplierRelation"])[1]) == [
        ("cloud", 1, ["cloud-supplier"])]
    assert members(walk(network, "alpha", depth=2, roles=["investor"])[1]) == [
        ("vc", 1, ["investor"])]


def test_circle_stops_at_its_size_cap(network) -> None:
    _, found = walk(network, "alpha", depth=2, max_size=2)
    assert [m["distance"] for m in found] == [1, 1]  # two of the three nearest


def test_unknown_entity_is_not_found(network) -> None:
    with pytest.raises(EntityNotFound, match="no entity with id 'nobody'"):
        network.entity("nobody", network.terms)


def test_remote_part_holds_only_what_the_walk_reaches(remote_network) -> None:
    part, _ = walk(remote_network, "alpha")
    assert sorted(n.removeprefix(KG) for n in part.graph) == ["alpha", "alpha-1", "cloud", "vc"]
    part, _ = walk(remote_network, "alpha", depth=3, max_size=2)
    assert "beta-1" not in part.graph  # the walk stopped once past its cap


def test_remote_walk_in_many_small_batches_gives_the_same_circle(remote_network,
                                                                 monkeypatch) -> None:
    whole = walk(remote_network, "app", depth=3)[1]
    monkeypatch.setattr(graph.network.remote_walks, "BATCH", 1)  # one frontier node per query
    assert walk(remote_network, "app", depth=3)[1] == whole
    assert members(whole)[-1] == ("vc", 3, ["investor"])


def test_remote_step_reading_too_many_statements_is_refused(remote_network,
                                                            monkeypatch) -> None:
    monkeypatch.setattr(graph.network.remote_walks, "MAX_ROWS", 2)
    with pytest.raises(BadInput, match="more than 2 statements in one step"):
        walk(remote_network, "alpha")


def test_whole_graph_questions_on_a_remote_store_say_why(remote_network, endpoint) -> None:
    with pytest.raises(Unsupported, match="whole relationship graph") as refused:
        remote_network.current  # noqa: B018 - the property refuses
    assert endpoint in str(refused.value)
    with pytest.raises(Unsupported, match="search without q"):
        remote_network.matching(remote_network.terms, "  ")
