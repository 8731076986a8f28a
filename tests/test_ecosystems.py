"""The circles of friends of the Chinese giants hold what issue 14 asks of them.

A giant's own company group (the giant and its business units and subsidiaries, such as Alibaba
with Alibaba Cloud or ByteDance with Volcano Engine) is one centre: its depth-1 circle is every
organization outside the group tied to the giant or to one of its units by an ecosystem edge.
That circle must hold enough organizations across enough roles, every edge that brings one in
must come from a source with a date, and the depth-2 circle must reach beyond the depth-1 one.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import pytest

from graph import KnowledgeGraph
from graph.network import build, circle, paths
from ontology import AIKG, KG

# The roles of issue 14, each the role keys a member can play in a giant's circle.
ROLE_FAMILIES = {
    "hardware": {"chip-supplier", "chip-customer", "hardware-supplier", "hardware-customer"},
    "terminal": {"terminal"},
    "vertical model maker": {"vertical-model-maker"},
    "channel": {"channel-partner", "channel-principal", "channel", "distributed"},
    "cloud": {"cloud-supplier", "cloud-customer"},
    "investor/investee": {"investor", "investee", "acquirer", "acquired"},
}
GROUP_RELATIONS = {AIKG + "unitOf", AIKG + "subsidiaryOf", AIKG + "ownedBy"}
# Giant: (organizations needed at depth 1, role families needed).
ACCEPTANCE = {
    "baidu": (25, 4), "alibaba": (25, 4), "tencent": (25, 4), "bytedance": (25, 4),
    "huawei": (25, 4), "jd": (10, 3),
}


@pytest.fixture(scope="module")
def G(bundled: KnowledgeGraph) -> nx.MultiDiGraph:
    return build(bundled).graph


@pytest.fixture(scope="module")
def organization_classes(bundled: KnowledgeGraph) -> set[str]:
    result = bundled.query(f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?c WHERE {{ ?c rdfs:subClassOf* <{AIKG}Organization> }}""")
    return {row[0].value for row in result.rows}


@pytest.fixture(scope="module")
def dated_sources(bundled: KnowledgeGraph) -> set[str]:
    """The source graphs a reader can date and open: an issue date and an https address."""
    result = bundled.query("""PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX schema: <https://schema.org/>
        SELECT DISTINCT ?g WHERE { ?g dcterms:issued ?date ; schema:url ?url
            FILTER (STRSTARTS(STR(?url), "https://")) }""")
    return {row[0].value for row in result.rows}


def company_group(G: nx.MultiDiGraph, giant: str) -> set[str]:
    """The giant and everything that is, through units and subsidiaries, part of it."""
    group, frontier = {giant}, [giant]
    while frontier:
        parent = frontier.pop()
        for child, _, key in G.in_edges(parent, keys=True):
            if key in GROUP_RELATIONS and child not in group:
                group.add(child)
                frontier.append(child)
    return group


def depth_one(G: nx.MultiDiGraph, giant: str, organizations: set[str]) -> dict[str, dict]:
    """Each organization outside the group at depth 1 of the group, with its first hop."""
    group = company_group(G, giant)
    members: dict[str, dict] = {}
    for centre in sorted(group):
        for member in circle(G, centre):
            node = member["node"]
            if node not in group and organizations & set(G.nodes[node]["types"]):
                members.setdefault(node, {"roles": set(), "edges": []})
                members[node]["roles"] |= set(member["roles"])
                members[node]["edges"] += member["path"][0]["edges"]
    return members


@pytest.mark.parametrize("giant", sorted(ACCEPTANCE))
def test_a_giant_has_enough_organizations_in_enough_roles_at_depth_one(
        G, organization_classes, giant: str) -> None:
    members = depth_one(G, KG + giant, organization_classes)
    needed_members, needed_roles = ACCEPTANCE[giant]
    roles = set().union(*(m["roles"] for m in members.values()))
    families = {name for name, keys in ROLE_FAMILIES.items() if keys & roles}
    assert len(members) >= needed_members, sorted(members)
    assert len(families) >= needed_roles, families


@pytest.mark.parametrize("giant", sorted(ACCEPTANCE))
def test_every_edge_into_a_giants_circle_has_a_dated_source_with_an_address(
        G, organization_classes, dated_sources, giant: str) -> None:
    members = depth_one(G, KG + giant, organization_classes)
    undated = {node: edge["sources"] for node, member in members.items()
               for edge in member["edges"] if not set(edge["sources"]) & dated_sources}
    assert undated == {}


@pytest.mark.parametrize("giant", sorted(ACCEPTANCE))
def test_a_giants_depth_two_circle_is_larger_than_its_depth_one(G, giant: str) -> None:
    assert len(circle(G, KG + giant, depth=2)) > len(circle(G, KG + giant, depth=1))


def test_bytedance_circle_lists_its_phone_and_car_makers_chips_channels_and_builders(G) -> None:
    members = {m["node"].removeprefix(KG): set(m["roles"]) for m in circle(G, KG + "bytedance")}
    expected = {"terminal": {"honor", "vivo", "zte", "lenovo", "mercedes-benz", "tesla"},
                "chip-supplier": {"nvidia", "huawei", "cambricon", "broadcom"},
                "channel-partner": {"vivo", "lenovo"}, "vertical-model-maker": {"bmw"}}
    missing = {role: sorted(m for m in names if role not in members.get(m, set()))
               for role, names in expected.items()}
    assert missing == {role: [] for role in expected}


def test_aikg_circle_prints_each_members_source_date_and_link(cli) -> None:
    result = cli("circle", "bytedance", "--role", "chip-supplier", "--role", "terminal")
    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()[1:]
    assert header.split()[-2:] == ["date", "link"]
    rows = {line.split()[1]: line.split() for line in lines[1:]}
    for member in ("nvidia", "huawei", "honor", "mercedes-benz"):
        assert rows[member][-1].startswith("https://"), rows[member]
        assert rows[member][-2][:2] == "20", rows[member]


def test_an_entity_page_lists_a_dated_edge_once_and_not_its_reification(bundled) -> None:
    from graph.describe.entities import describe

    found = describe(bundled, KG + "baidu")["relations"]["in"]
    assert not [r for r in found if r["node"]["iri"].startswith("_:")
                or not r["node"]["iri"].startswith("http")]
    assert any(r["node"]["id"] == "samsung" and r["relation"]["id"] == "terminalFor"
               for r in found)


GIANTS_AND_TIGERS = ("baidu", "alibaba", "tencent", "bytedance", "huawei", "jd", "zhipu",
                     "moonshot", "minimax", "baichuan", "01ai", "stepfun", "deepseek")


def test_every_pair_of_giants_and_tigers_is_joined_by_at_most_four_sourced_hops(G) -> None:
    for a, b in combinations(GIANTS_AND_TIGERS, 2):
        found = paths(G, KG + a, KG + b, max_length=4)[0]
        assert len(found["hops"]) <= 4
        assert all(edge["sources"] for hop in found["hops"] for edge in hop["edges"]), (a, b)
