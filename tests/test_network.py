"""The relationship projection and the questions asked of it, over the small ecosystem.

    vc --investsIn--> alpha <--developedBy-- alpha-1 <--poweredBy-- app
    vc --investsIn--> beta  <--developedBy-- beta-1
    cloud --suppliesCloudTo--> alpha          (suppliesCloudTo < supplierRelation)
"""

from __future__ import annotations

import pytest

from graph import BadInput, EntityNotFound, KnowledgeGraph, NoPath
from graph.network import Network, circle, neighbors, overlap, paths, ranking, stats
from graph.network.search import search, suggest
from ontology import AIKG, GRAPH, KG

SOURCE = GRAPH + "test-source"


@pytest.fixture
def network(ecosystem: KnowledgeGraph) -> Network:
    return Network(ecosystem)


@pytest.fixture
def G(network: Network):
    return network.current.graph


def ids(nodes) -> list[str]:
    return [n.removeprefix(KG) for n in nodes]


def test_projection_has_the_typed_entities_and_only_ecosystem_edges(G):
    assert sorted(ids(G)) == ["alpha", "alpha-1", "app", "beta", "beta-1", "cloud", "vc"]
    assert sorted(k.removeprefix(AIKG) for _, _, k in G.edges(keys=True)) == [
        "developedBy", "developedBy", "investsIn", "investsIn", "poweredBy", "suppliesCloudTo"]


def test_nodes_and_edges_carry_the_attributes_of_the_interface(G):
    assert G.nodes[KG + "alpha"] == {
        "iri": KG + "alpha", "id": "alpha", "label_en": "Alpha AI", "label_zh": "阿尔法",
        "types": [AIKG + "Company"]}
    edge = G.edges[KG + "vc", KG + "alpha", AIKG + "investsIn"]
    assert edge["predicate"] == AIKG + "investsIn"
    assert (edge["label_en"], edge["label_zh"]) == ("invests in", "投资")
    assert edge["sources"] == [SOURCE]
    assert (edge["subject_role"], edge["object_role"]) == ("investor", "investee")


def test_hubs_outside_the_ecosystem_relations_do_not_become_edges(ecosystem, network):
    ecosystem.update(f"""INSERT DATA {{ GRAPH <{GRAPH}hq> {{
        <{KG}alpha> <{AIKG}headquarteredIn> <{KG}china> .
        <{KG}beta> <{AIKG}headquarteredIn> <{KG}china> . }} }}""")
    assert KG + "china" not in network.current.graph
    assert paths(network.current.graph, KG + "alpha", KG + "beta")[0]["nodes"] == [
        KG + "alpha", KG + "vc", KG + "beta"]


def test_a_commit_rebuilds_the_projection_with_the_new_statement(ecosystem, network):
    before = network.current
    ecosystem.update(f"""INSERT DATA {{ GRAPH <{GRAPH}news> {{
        <{KG}cloud> <{AIKG}investsIn> <{KG}beta> . }} }}""")
    after = network.current
    assert after is not before and after.version == ecosystem.version
    edge = after.graph.edges[KG + "cloud", KG + "beta", AIKG + "investsIn"]
    assert edge["sources"] == [GRAPH + "news"]
    assert not before.graph.has_edge(KG + "cloud", KG + "beta")


def test_a_relation_declared_later_in_the_ontology_becomes_an_edge(ecosystem, network):
    ecosystem.update(f"""INSERT DATA {{ GRAPH <{GRAPH}news> {{
        <{KG}beta> <{AIKG}partnerOf> <{KG}cloud> . }} }}""")
    assert not network.current.graph.has_edge(KG + "beta", KG + "cloud")
    ecosystem.update(f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        INSERT DATA {{ GRAPH <{GRAPH}aikg> {{
        <{AIKG}partnerOf> rdfs:subPropertyOf <{AIKG}ecosystemRelation> ;
            <{AIKG}subjectRole> <{AIKG}PartnerRole> ; <{AIKG}objectRole> <{AIKG}PartnerRole> .
        <{AIKG}PartnerRole> <{AIKG}roleKey> "partner" . }} }}""")
    assert network.current.graph.has_edge(KG + "beta", KG + "cloud", AIKG + "partnerOf")
    assert "partner" in network.current.roles


def test_neighbors_filter_by_direction_and_relation(G):
    both = neighbors(G, KG + "alpha")
    assert {(e["node"], e["role"]) for e in both} == {
        (KG + "vc", "investor"), (KG + "alpha-1", "model"), (KG + "cloud", "cloud-supplier")}
    assert neighbors(G, KG + "alpha", direction="out") == []
    only = neighbors(G, KG + "alpha", relations={AIKG + "investsIn"})
    assert [(e["node"], e["direction"], e["sources"]) for e in only] == [
        (KG + "vc", "in", [SOURCE])]


def test_circle_of_depth_one_groups_members_by_role(G):
    members = circle(G, KG + "alpha")
    assert {m["node"].removeprefix(KG): m["roles"] for m in members} == {
        "vc": ["investor"], "alpha-1": ["model"], "cloud": ["cloud-supplier"]}
    investor = next(m for m in members if m["node"] == KG + "vc")
    assert investor["path"] == [{"from": KG + "alpha", "to": KG + "vc", "edges": [
        {"predicate": AIKG + "investsIn", "direction": "in", "role": "investor",
         "sources": [SOURCE], "since": "2024"}]}]  # the source's publication date


def test_circle_of_depth_two_brings_members_in_through_their_path(G):
    members = {m["node"].removeprefix(KG): m for m in circle(G, KG + "alpha", depth=2)}
    assert set(members) == {"vc", "alpha-1", "cloud", "beta", "app"}
    assert (members["beta"]["distance"], members["beta"]["roles"]) == (2, ["investee"])
    assert [(h["from"], h["to"]) for h in members["app"]["path"]] == [
        (KG + "alpha", KG + "alpha-1"), (KG + "alpha-1", KG + "app")]
    assert members["app"]["roles"] == ["product"]


def test_circle_role_filter_walks_only_towards_that_role(G):
    assert ids(m["node"] for m in circle(G, KG + "beta", depth=3, roles={"investor"})) == [
        "vc"]
    assert ids(m["node"] for m in circle(G, KG + "app", depth=3, roles={"underlying-model",
                                                                         "developer"})) == [
        "alpha-1", "alpha"]


def test_relation_filter_takes_the_relations_below_a_broader_one(network):
    P = network.current
    supplier = P.relation_filter(["supplierRelation"])
    assert supplier == {AIKG + "supplierRelation", AIKG + "suppliesCloudTo"}
    assert ids(m["node"] for m in circle(P.graph, KG + "alpha", relations=supplier)) == [
        "cloud"]


def test_unknown_relation_role_or_type_is_bad_input_naming_it(network):
    P = network.current
    with pytest.raises(BadInput, match="^relation: unknown 'investIn'"):
        P.relation_filter(["investIn"])
    with pytest.raises(BadInput, match="^role: unknown 'boss'"):
        P.role_filter(["boss"])
    with pytest.raises(BadInput, match="^type: unknown 'Compny'"):
        P.type_filter(["Compny"])


def test_paths_go_both_ways_and_say_how_each_hop_reads(G):
    [found] = paths(G, KG + "app", KG + "beta-1", max_length=6, k=3)
    assert ids(found["nodes"]) == ["app", "alpha-1", "alpha", "vc", "beta", "beta-1"]
    assert [h["edges"][0]["direction"] for h in found["hops"]] == [
        "out", "out", "in", "out", "in"]
    assert found["hops"][2]["edges"][0]["predicate"] == AIKG + "investsIn"


def test_k_paths_are_simple_and_shortest_first(G):
    G.add_edge(KG + "cloud", KG + "beta", key=AIKG + "suppliesCloudTo", sources=[])
    G.add_edge(KG + "app", KG + "beta", key=AIKG + "poweredBy", sources=[])
    found = paths(G, KG + "alpha", KG + "beta", k=5)
    assert sorted(ids(p["nodes"]) for p in found[:2]) == [["alpha", "cloud", "beta"],
                                                         ["alpha", "vc", "beta"]]
    assert ids(found[2]["nodes"]) == ["alpha", "alpha-1", "app", "beta"]
    assert len(found) == 3


def test_no_path_within_the_length_or_the_relations_is_no_path(G):
    with pytest.raises(NoPath):
        paths(G, KG + "app", KG + "beta-1", max_length=4)
    with pytest.raises(NoPath):
        paths(G, KG + "alpha", KG + "beta", relations={AIKG + "developedBy"})
    with pytest.raises(EntityNotFound):
        paths(G, KG + "alpha", KG + "nobody")


def test_overlap_gives_shared_members_jaccard_and_roles(G):
    found = overlap(G, [KG + "alpha", KG + "beta"])
    assert found["shared"] == [{"node": KG + "vc", "roles": {
        KG + "alpha": ["investor"], KG + "beta": ["investor"]}}]
    assert found["jaccard"] == 1 / 4
    assert found["by_role"]["investor"] == {"shared": [KG + "vc"], "jaccard": 1.0}
    assert found["pairs"] == [{"a": KG + "alpha", "b": KG + "beta", "shared": 1,
                               "jaccard": 0.25}]


@pytest.mark.parametrize("metric", ["degree", "pagerank", "betweenness"])
def test_alpha_is_the_most_central_and_rankings_are_cached(network, metric):
    P = network.current
    top = ranking(P, metric)
    assert top[0][0] == KG + "alpha"
    assert ranking(P, metric) is top


def test_ranking_by_type_includes_subclasses(network):
    P = network.current
    organizations = ranking(P, "degree", P.type_filter(["Organization"]))
    assert sorted(ids(n for n, _ in organizations)) == ["alpha", "beta", "cloud", "vc"]


def test_stats_count_types_relations_and_components(network):
    found = stats(network.current)
    assert (found["nodes"], found["edges"]) == (7, 6)
    assert found["by_type"][AIKG + "Company"] == 4
    assert found["by_relation"][AIKG + "investsIn"] == 2
    assert found["components"] == {"count": 1, "largest": 7, "isolated": 0}


@pytest.mark.parametrize(("query", "expected"), [
    ("alpha ai", ["alpha"]),
    ("ＡＬＰＨＡ", ["alpha", "alpha-1", "app"]),  # full width, upper case
    ("阿尔法一", ["alpha-1"]),
    ("labs", ["beta"]),
    ("dark side", ["alpha"]),  # a hidden label
])
def test_search_ignores_case_and_width_in_both_languages(network, query, expected):
    assert [h.node.removeprefix(KG) for h in search(network.current, query)] == expected


def test_search_ranks_exact_then_prefix_then_substring_then_degree(ecosystem, network):
    ecosystem.update(f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        INSERT DATA {{ GRAPH <{GRAPH}names> {{
        <{KG}beta-1> skos:altLabel "Beta"@en . <{KG}app> skos:altLabel "Abeta"@en . }} }}""")
    hits = search(network.current, "beta")
    assert [(h.node.removeprefix(KG), h.match) for h in hits] == [
        ("beta-1", "exact"), ("beta", "prefix"), ("app", "substring")]


def test_hidden_labels_are_found_but_never_shown(network):
    [hit] = search(network.current, "dark side")
    assert (hit.match, hit.label) == ("prefix", None)


def test_search_filters_by_type_and_lists_everything_without_a_query(network):
    P = network.current
    assert ids(h.node for h in search(P, "alpha", P.type_filter(["FoundationModel"]))) == [
        "alpha-1"]
    assert ids(h.node for h in search(P))[0] == "alpha"  # the most connected first
    assert len(search(P)) == 7


def test_unknown_id_suggests_close_ids(network):
    assert suggest(network.current, "alpah")[:1] == ["alpha"]
    with pytest.raises(EntityNotFound) as caught:
        network.entity("Alpha Corp")  # "Alpha AI", its name, now finds it (issue 19)
    assert caught.value.suggestions[0] == "alpha"
