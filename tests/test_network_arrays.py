"""The circle walked over arrays gives the answers of the plain dictionary walk over networkx,
on random graphs: the same members, distances, roles and paths, with every filter, ``at`` and
the cut at the member cap."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.network import circle
from graph.network.arrays import adjacency, walk
from graph.network.circles import Circle, edge_dict
from graph.network.periods import holds, parse_day

RELATIONS = {"investsIn": ("investor", "investee"), "partnerOf": ("partner", "partner"),
             "suppliesCloudTo": ("cloud", "customer")}
DAYS = [None, "2024-01-01", "2025-02-01", "2026-01-01"]


def reference_circle(G, node, depth, relations=None, roles=None, max_size=None, at=None):
    """The dictionary walk the arrays replaced, as it stood: the reference answer."""
    day = None if at is None else parse_day(at)

    def steps(u):
        for out, side, role_key in ((True, G._succ, "object_role"),
                                    (False, G._pred, "subject_role")):
            for v, keys in side[u].items():
                for key, data in keys.items():
                    if (relations is None or key in relations) and (
                            roles is None or data.get(role_key, "related") in roles) and (
                            holds(data, day)):
                        yield v, key, out, data

    hops, result, frontier, full = {}, [], [node], False
    for distance in range(1, depth + 1):
        reached = []
        for u in frontier:
            for v, key, out, data in steps(u):
                if v not in hops:
                    if full:
                        break
                    if v == node:
                        continue
                    hops[v] = {"from": u, "to": v, "edges": []}
                    reached.append(v)
                    full = max_size is not None and len(hops) >= max_size
                if hops[v]["from"] == u:
                    hops[v]["edges"].append(edge_dict(key, out, data))
            if full:
                break
        for v in sorted(reached):
            path = [hops[v]]
            while path[0]["from"] != node:
                path.insert(0, hops[path[0]["from"]])
            result.append({"node": v, "distance": distance,
                           "roles": sorted({e["role"] for e in hops[v]["edges"]}),
                           "path": path})
        if full:
            break
        frontier = reached
    return result


edges = st.lists(st.tuples(st.integers(0, 14), st.sampled_from(sorted(RELATIONS)),
                           st.integers(0, 14), st.sampled_from([None, "2025-01-01"]),
                           st.sampled_from([None, "2025-06-01"])), max_size=45)


def build(found) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for s, p, o, start, end in found:
        if s == o:
            continue
        subject_role, object_role = RELATIONS[p]
        dates = {k: v for k, v in (("start", start), ("since", start), ("end", end),
                                   ("until", end)) if v}
        G.add_edge(f"n{s}", f"n{o}", p, subject_role=subject_role, object_role=object_role,
                   sources=[f"g{s}-{o}"], **dates)
    return G


@settings(max_examples=300, deadline=None)
@given(edges, st.integers(1, 3), st.sampled_from([None, {"investsIn"},
                                                  {"partnerOf", "suppliesCloudTo"}]),
       st.sampled_from([None, {"investor"}, {"partner", "customer", "investee"}]),
       st.sampled_from([None, 1, 3, 7]), st.sampled_from(DAYS), st.data())
def test_the_array_walk_answers_as_the_dictionary_walk(found, depth, relations, roles,
                                                       max_size, at, data):
    G = build(found)
    if not len(G):
        return
    center = data.draw(st.sampled_from(sorted(G)))
    expected = reference_circle(G, center, depth, relations, roles, max_size, at)
    assert circle(G, center, depth=depth, relations=relations, roles=roles,
                  max_size=max_size, at=at) == expected


@settings(max_examples=100, deadline=None)
@given(edges, st.data())
def test_pages_and_composition_agree_with_the_members(found, data):
    G = build(found)
    if not len(G):
        return
    center = data.draw(st.sampled_from(sorted(G)))
    A = adjacency(G)
    view = Circle(A, walk(A, center, 2))
    members = view.members()
    pairs = sorted(((r, m) for m in members for r in m["roles"]),
                   key=lambda p: (p[0], p[1]["distance"], p[1]["node"]))
    assert view.entries(0, len(pairs) + 1) == pairs
    assert view.entries(2, 3) == pairs[2:5]
    composition = view.composition
    assert composition["roles"] == {r: sum(r in m["roles"] for m in members)
                                    for r in {r for m in members for r in m["roles"]}}
    assert composition["distances"] == {d: sum(m["distance"] == d for m in members)
                                        for d in sorted({m["distance"] for m in members})}


def test_a_hub_is_named_and_can_be_held_back():
    G = nx.MultiDiGraph()
    for i in range(30):
        G.add_edge("fund", f"startup{i}", "investsIn", subject_role="investor",
                   object_role="investee", sources=["g"])
    G.add_edge("alpha", "beta", "partnerOf", subject_role="partner", object_role="partner",
               sources=["g"])
    G.add_edge("fund", "alpha", "investsIn", subject_role="investor", object_role="investee",
               sources=["g"])
    A = adjacency(G)
    walked = Circle(A, walk(A, "alpha", 2))
    assert len(walked) == 32
    assert walked.hubs(20) == [{"node": "fund", "degree": 31, "members": 30, "walked": True}]
    held = Circle(A, walk(A, "alpha", 2, hub_degree=20, hub_roles={"investor"}))
    assert sorted(m["node"] for m in held.members()) == ["beta", "fund"]
    assert held.hubs(20) == [{"node": "fund", "degree": 31, "members": 0, "walked": False}]
