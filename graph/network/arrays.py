"""The projection as integer arrays, and the circle walked over them at C speed.

:class:`Adjacency` holds every edge of a :class:`networkx.MultiDiGraph` projection once, and
each node's incident edges (out first, then in, in networkx's own iteration order) as one row
of a CSR-like layout: ``ptr`` into ``other`` (the far end), ``edge`` (the edge id), ``out``
(the node is the subject) and ``far_role``. A level of a breadth-first walk is then a few numpy
gathers and masks over the frontier's rows, so it costs in proportion to the edges it reads,
with no Python loop per edge. :func:`walk` returns a :class:`Walk`: members, distances,
parents and the statements of each last hop as arrays; dicts are made only for the members
a caller asks for (a page), see :mod:`.traverse`.

The order is the one of the dictionary walk it replaces, so the answers are the same: the
parent of a member is the first node of the previous level (in discovery order) reaching it,
and the cut at ``max_size`` keeps the first members discovered.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

import networkx as nx
import numpy as np

from .nxdicts import dicts
from .periods import parse_day

__all__ = ["Adjacency", "Walk", "adjacency", "keep", "kept", "rows", "walk", "WalkCache"]

_NO_END = 99_999_999  # a day after every other as YYYYMMDD
_Walked = TypeVar("_Walked")  # what a WalkCache keeps of a walk


def _day_number(day: object, missing: int) -> int:
    return missing if day is None else int(str(day).replace("-", ""))


@dataclass(frozen=True)
class Adjacency:
    """Integer arrays of a projection's edges, by node; see the module's description."""

    nodes: list[str]
    index: dict[str, int]
    rank: np.ndarray  # each node's place among the nodes sorted by key
    ptr: np.ndarray  # where each node's row starts
    other: np.ndarray
    edge: np.ndarray
    out: np.ndarray
    far_role: np.ndarray
    predicate: np.ndarray  # per edge id
    start: np.ndarray  # per edge id, YYYYMMDD; 0 when undated
    end: np.ndarray  # per edge id, YYYYMMDD; _NO_END when it has not ended
    edges: list[tuple[str, str, str, dict[str, Any]]]  # (subject, object, predicate, data) per edge
    predicates: dict[str, int]
    roles: dict[str, int]
    role_keys: list[str]
    degree: np.ndarray
    type_ptr: np.ndarray  # each node's types: type_id[type_ptr[i]:type_ptr[i + 1]]
    type_id: np.ndarray
    types: list[str]
    stop: np.ndarray  # where each node's row ends: ``ptr[1:]`` until a patch moves rows
    type_stop: np.ndarray
    #: The spare room a patch appends rows to (:mod:`.overlay`); None until the first patch.
    room: object = field(default=None, compare=False, repr=False)

    def edge_mask(self, relations: Collection[str] | None, at: str | None) -> np.ndarray | None:
        """Which edge ids pass ``relations`` and ``at``; None when every edge does."""
        mask = None
        if relations is not None:
            wanted = np.zeros(len(self.predicates) + 1, dtype=bool)
            wanted[[self.predicates[p] for p in relations if p in self.predicates]] = True
            mask = wanted[self.predicate]
        if at is not None:
            day = _day_number(parse_day(at), 0)
            held = (self.start <= day) & (day < self.end)
            mask = held if mask is None else mask & held
        return mask

    def role_mask(self, roles: Collection[str] | None) -> np.ndarray | None:
        """Which role ids are among ``roles``; None for no filter."""
        if roles is None:
            return None
        wanted = np.zeros(len(self.role_keys) + 1, dtype=bool)
        wanted[[self.roles[r] for r in roles if r in self.roles]] = True
        return wanted


#: The arrays of graphs that no longer change (a projection's), found by the graph itself.
_kept: weakref.WeakKeyDictionary[nx.MultiDiGraph[str], Adjacency] = weakref.WeakKeyDictionary()


def keep(G: nx.MultiDiGraph[str], A: Adjacency) -> Adjacency:
    """Register ``A`` as the arrays of ``G``, a graph that will not change again: walks given
    ``G`` alone (a page, the command line, history) then use them instead of making their
    own."""
    _kept[G] = A
    return A


def kept(G: nx.MultiDiGraph[str]) -> Adjacency | None:
    """The arrays registered for ``G`` by :func:`keep`, if any."""
    return _kept.get(G)


def adjacency(G: nx.MultiDiGraph[str]) -> Adjacency:
    """The arrays of ``G``: one pass over its edges and one over its in-edge dicts.

    Edge ids follow ``G.edges()``, which lists each node's out-edges in networkx's order: they
    are the first part of each row as they are. The second part, the in-edges, follows the
    order of ``G.pred``; an edge is found there by its attribute dict, which networkx shares
    between ``succ`` and ``pred``.
    """
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    predicates: dict[str, int] = {}
    roles: dict[str, int] = {}
    edge_of: dict[int, int] = {}
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    columns: list[list[int]] = [[] for _ in range(7)]
    subjects, objects, pred_id, subject_roles, object_roles, starts, ends = columns
    for u, v, key, data in G.edges(keys=True, data=True):
        edge_of[id(data)] = len(edges)
        edges.append((u, v, key, data))
        subjects.append(index[u])
        objects.append(index[v])
        pred_id.append(predicates.setdefault(key, len(predicates)))
        subject_roles.append(roles.setdefault(data.get("subject_role", "related"), len(roles)))
        object_roles.append(roles.setdefault(data.get("object_role", "related"), len(roles)))
        starts.append(_day_number(data.get("start"), 0))
        ends.append(_day_number(data.get("end"), _NO_END))
    in_edges = dicts(G)._pred  # networkx's own dicts, not the views over them
    ins = np.array([edge_of[id(data)] for u in nodes for keys in in_edges[u].values()
                    for data in keys.values()], dtype=np.int64)
    subject, obj, subject_role, object_role = (
        np.array(c, dtype=np.int64) for c in (subjects, objects, subject_roles, object_roles))
    out_count = np.bincount(subject, minlength=len(nodes))
    in_count = np.bincount(obj[ins], minlength=len(nodes))
    ptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(out_count + in_count, out=ptr[1:])
    # A row's out-edges are contiguous edge ids, its in-edges contiguous in ``ins``.
    out_place = ptr[subject] + np.arange(len(edges)) - np.repeat(
        np.cumsum(out_count) - out_count, out_count)
    in_owner = obj[ins]
    in_place = ptr[in_owner] + out_count[in_owner] + np.arange(len(ins)) - np.repeat(
        np.cumsum(in_count) - in_count, in_count)
    incidence_edge = np.empty(2 * len(edges), dtype=np.int64)
    incidence_edge[out_place] = np.arange(len(edges))
    incidence_edge[in_place] = ins
    out = np.zeros(2 * len(edges), dtype=bool)
    out[out_place] = True
    other = np.where(out, obj[incidence_edge], subject[incidence_edge])
    far = np.where(out, object_role[incidence_edge], subject_role[incidence_edge])
    type_ids: dict[str, int] = {}
    typed = [[type_ids.setdefault(t, len(type_ids)) for t in G.nodes[n].get("types", ())]
             for n in nodes]
    type_ptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in typed], out=type_ptr[1:])
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[np.argsort(np.array(nodes, dtype=object), kind="stable")] = np.arange(len(nodes))
    return Adjacency(
        nodes, index, rank, ptr, other, incidence_edge, out, far,
        np.array(pred_id, dtype=np.int64), np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64), edges, predicates, roles, list(roles), np.diff(ptr),
        type_ptr,
        np.fromiter((t for ts in typed for t in ts), dtype=np.int64, count=int(type_ptr[-1])),
        list(type_ids), ptr[1:], type_ptr[1:])


@dataclass(frozen=True)
class Walk:
    """A circle as arrays: ``members`` nearest first (by key within a distance), their
    ``distance`` and ``parent`` (node ids), and each last hop's statements as pairs
    ``(hop_member, hop_incidence)`` in the order the dictionary walk lists them."""

    center: int
    depth: int
    members: np.ndarray
    distance: np.ndarray
    parent: np.ndarray
    hop_member: np.ndarray
    hop_incidence: np.ndarray
    truncated: bool
    #: The members not walked through because they are hubs playing an excluded role.
    held_back: np.ndarray

    def head(self, size: int | None) -> Walk:
        """The first ``size`` members only (truncated), as a walk with that order had kept."""
        if size is None or len(self.members) <= size:
            return self
        kept = np.isin(self.hop_member, self.members[:size], kind="table")
        return replace(self, members=self.members[:size], distance=self.distance[:size],
                       parent=self.parent[:size], hop_member=self.hop_member[kept],
                       hop_incidence=self.hop_incidence[kept], truncated=True)


def rows(ptr: np.ndarray, owners: np.ndarray, stop: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray]:
    """The positions ``ptr[i]:stop[i]`` (``stop`` defaults to ``ptr[1:]``) of each ``i`` of
    ``owners`` in order, and the owner of each position."""
    starts = ptr[owners]
    lengths = (ptr[owners + 1] if stop is None else stop[owners]) - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    positions = np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)
    return positions, np.repeat(owners, lengths)


def walk(A: Adjacency, center: str, depth: int, *, relations: Collection[str] | None = None,
         roles: Collection[str] | None = None, max_size: int | None = None,
         at: str | None = None, hub_degree: int | None = None,
         hub_roles: Collection[str] = ()) -> Walk:
    """The circle of ``center`` up to ``depth`` hops, as :func:`~.traverse.circle` defines it.

    With ``hub_roles``, a member of at least ``hub_degree`` statements that plays one of those
    roles is kept but not walked through: the circle does not spread over an investor's or a
    cloud's thousands of ties.
    """
    edge_ok, role_ok = A.edge_mask(relations, at), A.role_mask(roles)
    hold = A.role_mask(hub_roles) if hub_roles and hub_degree is not None else None
    c = A.index.get(center, -1)  # -1: a node without relationships, an empty circle
    if c < 0:
        depth = 0
    level, parent, earliest = _scratch(len(A.nodes))
    try:
        return _levels(A, c, depth, level, parent, earliest, edge_ok, role_ok, max_size,
                       hub_degree, hold)
    except BaseException:
        _scratches.arrays = None  # left half written: the next walk makes clean ones
        raise


def _levels(A: Adjacency, c: int, depth: int, level: np.ndarray, parent: np.ndarray,
            earliest: np.ndarray, edge_ok: np.ndarray | None, role_ok: np.ndarray | None,
            max_size: int | None, hub_degree: int | None, hold: np.ndarray | None) -> Walk:
    """The walk itself, level by level, over this thread's clean scratch arrays."""
    level[c] = -1
    found, hops, held = [], [], []
    count, truncated = 0, False
    frontier = np.array([c], dtype=np.int64)
    for distance in range(1, depth + 1):
        incidence, owner = rows(A.ptr, frontier, A.stop)
        keep = np.ones(len(incidence), dtype=bool)
        if edge_ok is not None:
            keep &= edge_ok[A.edge[incidence]]
        if role_ok is not None:
            keep &= role_ok[A.far_role[incidence]]
        incidence, owner = incidence[keep], owner[keep]
        reached = A.other[incidence]
        fresh = np.flatnonzero(level[reached] == 0)
        np.minimum.at(earliest, reached[fresh], fresh)
        first = fresh[earliest[reached[fresh]] == fresh]  # each new node's first, in walk order
        earliest[reached[fresh]] = _UNSEEN
        if max_size is not None and count + len(first) >= max_size:
            room = max_size - count
            truncated = True
            # The dictionary walk stops at the next new node, and reads no statement past it.
            if room < len(first):
                incidence, owner, reached = (a[:first[room]] for a in (incidence, owner, reached))
            first = first[:room]
        discovered = reached[first]  # in walk order: the next level walks them so
        level[discovered] = distance
        parent[discovered] = owner[first]
        is_hop = (level[reached] == distance) & (parent[reached] == owner)
        hops.append((reached[is_hop], incidence[is_hop]))
        found.append(discovered[np.argsort(A.rank[discovered], kind="stable")])
        count += len(discovered)
        if truncated:
            break
        frontier = discovered
        if hold is not None and hub_degree is not None:  # hold comes with a hub degree
            stopped = _hubs(A, reached[is_hop], incidence[is_hop], hub_degree, hold)
            frontier = frontier[~np.isin(frontier, stopped, kind="table")]
            held.append(stopped)
    members = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
    hop_member = np.concatenate([h[0] for h in hops]) if hops else members[:0]
    hop_incidence = np.concatenate([h[1] for h in hops]) if hops else members[:0]
    found_walk = Walk(c, depth, members, level[members], parent[members], hop_member,
                      hop_incidence, truncated, np.concatenate(held) if held else members[:0])
    level[members], parent[members], level[c] = 0, -1, 0  # clean for the thread's next walk
    return found_walk


_UNSEEN = np.iinfo(np.int64).max
_scratches = threading.local()


def _scratch(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This thread's arrays by node, clean (level 0, no parent, not seen): a walk resets what
    it wrote, so that it costs what it reaches, not the size of the graph."""
    found = getattr(_scratches, "arrays", None)
    if found is None or len(found[0]) < size:
        found = _scratches.arrays = (np.zeros(size, dtype=np.int64),
                                     np.full(size, -1, dtype=np.int64),
                                     np.full(size, _UNSEEN, dtype=np.int64))
    return found


def _hubs(A: Adjacency, hop_nodes: np.ndarray, hop_incidence: np.ndarray, hub_degree: int,
          hold: np.ndarray) -> np.ndarray:
    """The members with at least ``hub_degree`` statements playing a held role on their last
    hop: the walk does not go through them."""
    big = (A.degree[hop_nodes] >= hub_degree) & hold[A.far_role[hop_incidence]]
    return np.unique(hop_nodes[big])


class WalkCache(Generic[_Walked]):
    """The last walks asked for, at most ``size``, so that the next page reads the same walk."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._walks: OrderedDict[Hashable, _Walked] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], _Walked]) -> _Walked:
        with self._lock:
            if key in self._walks:
                self._walks.move_to_end(key)
                return self._walks[key]
        found = compute()
        with self._lock:
            self._walks[key] = found
            while len(self._walks) > self.size:
                self._walks.popitem(last=False)
        return found
