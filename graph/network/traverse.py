"""Relationship queries over the projection: neighbours, circle of friends, paths, overlap.

Every function takes the :class:`networkx.MultiDiGraph` of :mod:`.projection` (edge key =
predicate; edges carry ``sources``, ``subject_role`` and ``object_role``) and returns plain
data with node keys; naming and shaping them for people is the caller's job. Paths and circles
follow edges in both directions and never copy the graph.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterator, Sequence
from itertools import combinations
from typing import Any, TypeVar

import networkx as nx

from ..errors import EntityNotFound, NoPath
from ..rdf.terms import short_id
from .answers import Hop, Member, Neighbour, Overlap, Path, RoleOverlap
from .arrays import adjacency, kept, walk
from .circles import Circle, edge_dict
from .nxdicts import dicts
from .periods import holds

__all__ = ["neighbors", "circle", "paths", "overlap", "jaccard"]

_T = TypeVar("_T")
#: The filter of a walk's edges: (predicates or None for all, a day or None for any time).
EdgeFilter = tuple[set[str] | None, str | None]


def neighbors(
    G: nx.MultiDiGraph[str],
    node: str,
    *,
    direction: str = "both",
    relations: Collection[str] | None = None,
    roles: Collection[str] | None = None,
    at: str | None = None,
) -> list[Neighbour]:
    """The edges between ``node`` and its neighbours, one item per edge.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection.
    node : str
        The node whose neighbours are wanted.
    direction : {"both", "out", "in"}
        ``out``: statements with ``node`` as subject; ``in``: as object.
    relations, roles : collections of str, optional
        Keep only edges with one of these predicates, and neighbours playing one of these roles.
    at : str, optional
        A day (``YYYY-MM-DD``, see :func:`~graph.network.periods.parse_day`): keep only the
        edges that held on it.

    Returns
    -------
    list of dict
        ``node`` (the neighbour), ``predicate``, ``direction``, ``role`` (the neighbour's),
        ``sources`` and, for a dated edge, ``since`` and ``until``, sorted by direction,
        predicate and neighbour.

    Raises
    ------
    EntityNotFound
        If ``node`` is not in ``G``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("vc", "alpha", key="investsIn", subject_role="investor",
    ...            object_role="investee", sources=["g1"])
    'investsIn'
    >>> [(e["node"], e["direction"], e["role"]) for e in neighbors(G, "alpha")]
    [('vc', 'in', 'investor')]
    """
    _check(G, node)
    edges: list[Neighbour] = [{"node": v, **edge_dict(key, out, data)}
             for v, key, out, data in _steps(G, node, relations, roles, at)
             if direction == "both" or (direction == "out") == out]
    return sorted(edges, key=lambda e: (e["direction"], e["predicate"], e["node"]))


def circle(
    G: nx.MultiDiGraph[str],
    node: str,
    *,
    depth: int = 1,
    relations: Collection[str] | None = None,
    roles: Collection[str] | None = None,
    max_size: int | None = None,
    at: str | None = None,
) -> list[Member]:
    """Everything tied to ``node`` through up to ``depth`` edges, each with how it comes in.

    A member's ``roles`` are the roles it plays on the last hop of its path: in the circle of
    a company its investor has role ``investor``; at depth 2 the investor's other investee has
    role ``investee`` (of that investor). With ``roles``, the walk only follows edges whose far
    end plays one of them (``investor`` at depth 2: the investors of the investors).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection.
    node : str
        The centre of the circle; it is not one of its members.
    depth : int
        Hops from the centre, 1 or more.
    relations, roles : collections of str, optional
        Follow only edges with these predicates, towards neighbours playing these roles.
    max_size : int, optional
        Stop the walk once this many members are found.
    at : str, optional
        A day: walk only the edges that held on it (the circle as of that day).

    Returns
    -------
    list of dict
        One per member, nearest first: ``node``, ``distance``, ``roles`` (sorted) and ``path``,
        the hops from the centre (see :func:`paths`).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for s, o in [("vc", "alpha"), ("vc", "beta")]:
    ...     _ = G.add_edge(s, o, key="investsIn", subject_role="investor",
    ...                    object_role="investee", sources=["g1"])
    >>> [(m["node"], m["distance"], m["roles"]) for m in circle(G, "alpha", depth=2)]
    [('vc', 1, ['investor']), ('beta', 2, ['investee'])]
    """
    _check(G, node)
    A = kept(G) or adjacency(G)  # a projection's graph has its arrays; another gets some
    return Circle(A, walk(A, node, depth, relations=relations, roles=roles, max_size=max_size,
                          at=at)).members()


def paths(
    G: nx.MultiDiGraph[str],
    source: str,
    target: str,
    *,
    k: int = 1,
    max_length: int = 4,
    relations: Collection[str] | None = None,
    at: str | None = None,
) -> list[Path]:
    """Up to ``k`` shortest simple paths from ``source`` to ``target``, shortest first.

    Edges are followed in either direction; each hop tells which way its statements read.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection.
    source, target : str
        The two ends.
    k : int
        How many paths at most (Yen's algorithm over a bidirectional breadth-first search).
    max_length : int
        The longest path wanted, in hops.
    relations : collection of str, optional
        Follow only edges with these predicates.
    at : str, optional
        A day: follow only the edges that held on it.

    Returns
    -------
    list of dict
        Each path has ``nodes`` and ``hops``; a hop has ``from``, ``to`` and ``edges``, the
        statements linking the two (``predicate``, ``direction`` ``out`` when ``from`` is the
        subject, ``role`` of ``to``, ``sources``).

    Raises
    ------
    EntityNotFound
        If an end is not in ``G``.
    NoPath
        If no path of at most ``max_length`` hops joins them.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("vc", "alpha", key="investsIn", subject_role="investor",
    ...                object_role="investee", sources=["g1"])
    >>> _ = G.add_edge("vc", "beta", key="investsIn", subject_role="investor",
    ...                object_role="investee", sources=["g2"])
    >>> found = paths(G, "alpha", "beta")
    >>> found[0]["nodes"], [h["edges"][0]["direction"] for h in found[0]["hops"]]
    (['alpha', 'vc', 'beta'], ['in', 'out'])
    """
    _check(G, source)
    _check(G, target)
    relations = None if relations is None else set(relations)
    found = _k_shortest(G, source, target, k, max_length, (relations, at))
    if not found:
        hops = "1 hop" if max_length == 1 else f"{max_length} hops"
        when = f" as of {at}" if at else ""
        raise NoPath(f"no path of at most {hops} between {_name(G, source)} and "
                     f"{_name(G, target)}{when}")
    return [{"nodes": p, "hops": [_hop(G, u, v, relations, at)
                                  for u, v in nx.utils.pairwise(p)]}
            for p in found]


def overlap(
    G: nx.MultiDiGraph[str],
    nodes: Sequence[str],
    *,
    depth: int = 1,
    relations: Collection[str] | None = None,
    at: str | None = None,
) -> Overlap:
    """How the circles of two or more nodes overlap: shared members, Jaccard, per role.

    Returns
    -------
    dict
        ``sizes`` (circle size per node), ``shared`` (members in every circle, each with
        ``node`` and its ``roles`` in each circle), ``jaccard`` (of all circles), ``pairs``
        (``a``, ``b``, ``shared``, ``jaccard`` for each pair) and ``by_role`` (per role key:
        ``shared`` and ``jaccard`` of the members playing that role).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for s, o in [("vc", "alpha"), ("vc", "beta"), ("angel", "alpha")]:
    ...     _ = G.add_edge(s, o, key="investsIn", subject_role="investor",
    ...                    object_role="investee", sources=["g1"])
    >>> result = overlap(G, ["alpha", "beta"])
    >>> [m["node"] for m in result["shared"]], result["jaccard"]
    (['vc'], 0.5)
    """
    circles = {n: {m["node"]: m["roles"] for m in circle(G, n, depth=depth,
                                                          relations=relations, at=at)}
               for n in nodes}
    members = [set(c) for c in circles.values()]
    shared = sorted(set.intersection(*members))
    all_roles = sorted({r for c in circles.values() for rs in c.values() for r in rs})
    by_role: dict[str, RoleOverlap] = {}
    for role in all_roles:
        playing = [{m for m, rs in c.items() if role in rs} for c in circles.values()]
        by_role[role] = {"shared": sorted(set.intersection(*playing)),
                         "jaccard": jaccard(playing)}
    return {
        "sizes": {n: len(c) for n, c in circles.items()},
        "shared": [{"node": m, "roles": {n: circles[n][m] for n in nodes}} for m in shared],
        "jaccard": jaccard(members),
        "pairs": [{"a": a, "b": b, "shared": len(set(circles[a]) & set(circles[b])),
                   "jaccard": jaccard([set(circles[a]), set(circles[b])])}
                  for a, b in combinations(nodes, 2)],
        "by_role": by_role,
    }


def jaccard(sets: Sequence[set[_T]]) -> float:
    """The size of the intersection over the size of the union; 0.0 for empty sets.

    >>> jaccard([{1, 2}, {2, 3}])
    0.3333333333333333
    """
    union = set[_T]().union(*sets)
    return len(set.intersection(*sets)) / len(union) if union else 0.0


# -- helpers ---------------------------------------------------------------------------------


def _check(G: nx.MultiDiGraph[str], node: str) -> None:
    if node not in G:
        raise EntityNotFound(f"{short_id(node)} has no relationships in the graph")


def _name(G: nx.MultiDiGraph[str], node: str) -> str:
    """The node's id for messages, the key itself when it has none."""
    return str(G.nodes[node].get("id", node))


# The plain dicts behind G.succ and G.pred, as networkx's own searches read them: iterating
# the public views costs several times more on hubs.
_ENDS = ((True, "_succ", "object_role"), (False, "_pred", "subject_role"))


def _steps(G: nx.MultiDiGraph[str], u: str, relations: Collection[str] | None,
           roles: Collection[str] | None, at: str | None = None
           ) -> Iterator[tuple[str, str, bool, dict[str, Any]]]:
    """Each edge at ``u`` that passes the filters: (other end, predicate, u is subject, data)."""
    for out, side, role_key in _ENDS:
        for v, keys in getattr(G, side)[u].items():
            for key, data in keys.items():
                if (relations is None or key in relations) and (
                        roles is None or data.get(role_key, "related") in roles) and (
                        at is None or holds(data, at)):
                    yield v, key, out, data


def _hop(G: nx.MultiDiGraph[str], u: str, v: str, relations: Collection[str] | None,
         at: str | None = None) -> Hop:
    edges = [edge_dict(key, out, data) for out, side, _ in _ENDS
             for key, data in getattr(G, side)[u].get(v, {}).items()
             if (relations is None or key in relations) and (at is None or holds(data, at))]
    return {"from": u, "to": v, "edges": edges}


def _adjacent(G: nx.MultiDiGraph[str], u: str, edge_filter: EdgeFilter) -> Iterator[str]:
    """The nodes joined to ``u`` by an edge passing ``(relations, at)``, either way."""
    relations, at = edge_filter
    H = dicts(G)  # networkx's own dicts, not the views over them: a walk reads many rows
    for side in (H._succ, H._pred):
        for v, keys in side[u].items():
            if at is None:
                if relations is None or not relations.isdisjoint(keys):
                    yield v
            elif any((relations is None or key in relations) and holds(data, at)
                     for key, data in keys.items()):
                yield v


def _shortest(G: nx.MultiDiGraph[str], s: str, t: str, cutoff: int, edge_filter: EdgeFilter,
              blocked_nodes: Collection[str] = (),
              blocked_edges: Collection[tuple[str, str]] = ()) -> list[str] | None:
    """A shortest path of at most ``cutoff`` hops by bidirectional breadth-first search."""
    if s == t:
        return [s]
    before: dict[str, str | None] = {s: None}
    after: dict[str, str | None] = {t: None}
    ahead, behind = [s], [t]
    for _ in range(cutoff):
        grow_forward = len(ahead) <= len(behind)
        frontier, seen, other = (ahead, before, after) if grow_forward else (
            behind, after, before)
        reached = []
        for u in frontier:
            for v in _adjacent(G, u, edge_filter):
                if v in seen or v in blocked_nodes or (u, v) in blocked_edges:
                    continue
                seen[v] = u
                if v in other:
                    return _join(v, before, after)
                reached.append(v)
        if not reached:
            return None
        if grow_forward:
            ahead = reached
        else:
            behind = reached
    return None


def _join(meet: str, before: dict[str, str | None], after: dict[str, str | None]) -> list[str]:
    path = [meet]
    while (previous := before[path[0]]) is not None:
        path.insert(0, previous)
    while (following := after[path[-1]]) is not None:
        path.append(following)
    return path


def _k_shortest(G: nx.MultiDiGraph[str], source: str, target: str, k: int, max_length: int,
                edge_filter: EdgeFilter) -> list[list[str]]:
    """Yen's k shortest simple paths, each at most ``max_length`` hops."""
    first = _shortest(G, source, target, max_length, edge_filter)
    if first is None:
        return []
    found, seen = [first], {tuple(first)}
    candidates: list[tuple[int, list[str]]] = []
    while len(found) < k:
        last = found[-1]
        for i in range(len(last) - 1):
            root, spur = last[:i + 1], last[i]
            blocked_edges: set[tuple[str, str]] = set()
            for p in found:
                if p[:i + 1] == root and len(p) > i + 1:
                    blocked_edges |= {(p[i], p[i + 1]), (p[i + 1], p[i])}
            rest = _shortest(G, spur, target, max_length - i, edge_filter, set(root[:-1]),
                             blocked_edges)
            if rest is not None and tuple(root[:-1] + rest) not in seen:
                seen.add(tuple(root[:-1] + rest))
                heapq.heappush(candidates, (len(rest) + i, root[:-1] + rest))
        if not candidates:
            break
        found.append(heapq.heappop(candidates)[1])
    return found
