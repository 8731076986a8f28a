"""A walked circle read the cheap way: counts from the arrays, dicts only for a page.

:class:`Circle` wraps a :class:`~.arrays.Walk`. Its composition (members by role, type and
distance, and the hubs the walk went through) is a few ``bincount`` calls; a member's dict, with
its roles and the path that brings it in, is made only when asked for, so that a page of 50
members of a circle of 10,000 costs 50 dicts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np

from .answers import Edge, Hop, Hub, Member
from .arrays import Adjacency, Walk, rows

__all__ = ["Circle"]

Json = dict[str, object]


class Circle:
    """The members of a walk, in the order of :func:`~.traverse.circle` (nearest first, by
    key within a distance), and its ``(role, member)`` entries in page order: by role key,
    then distance, then key."""

    def __init__(self, arrays: Adjacency, found: Walk) -> None:
        self.arrays, self.walk = arrays, found

    def __len__(self) -> int:
        return len(self.walk.members)

    @property
    def truncated(self) -> bool:
        """Whether the walk stopped at its member cap (there may be more)."""
        return self.walk.truncated

    def nodes(self) -> list[str]:
        """The members' keys, nearest first."""
        return [self.arrays.nodes[i] for i in self.walk.members.tolist()]

    @cached_property
    def _hops(self) -> tuple[np.ndarray, np.ndarray]:
        """The last hops' members, sorted (stable: statements keep the walk's order), and
        the incidences in the same order."""
        order = np.argsort(self.walk.hop_member, kind="stable")
        return self.walk.hop_member[order], self.walk.hop_incidence[order]

    @cached_property
    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """One ``(member, role id)`` per role a member plays on its last hop."""
        members, incidence = self._hops
        width = len(self.arrays.role_keys)
        pairs = np.sort(members * width + self.arrays.far_role[incidence])
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
        return pairs // width, pairs % width

    def _statements(self, node: int) -> np.ndarray:
        members, incidence = self._hops
        low, high = np.searchsorted(members, [node, node + 1])
        return incidence[low:high]

    @cached_property
    def _by_node(self) -> np.ndarray:
        return np.argsort(self.walk.members)

    def _position(self, nodes: np.ndarray) -> np.ndarray:
        order = self._by_node
        return order[np.searchsorted(self.walk.members[order], nodes)]

    @cached_property
    def _parents(self) -> dict[int, int]:
        return dict(zip(self.walk.members.tolist(), self.walk.parent.tolist(), strict=True))

    @cached_property
    def _made_hops(self) -> dict[int, Hop]:
        """The hops made so far by member: members of a page share the first hops."""
        return {}

    def member(self, position: int) -> Member:
        """The member at ``position``: ``node``, ``distance``, ``roles`` and ``path``."""
        node = int(self.walk.members[position])
        path: list[Hop] = []
        while node != self.walk.center:
            path.insert(0, self.hop(node))
            node = self._parents[node]
        last = path[-1]["edges"]
        roles = [last[0]["role"]] if len(last) == 1 else sorted({e["role"] for e in last})
        return {"node": self.arrays.nodes[int(self.walk.members[position])],
                "distance": int(self.walk.distance[position]), "roles": roles, "path": path}

    def hop(self, node: int) -> Hop:
        """The last hop to member ``node``: ``from``, ``to`` and its statements."""
        made = self._made_hops.get(node)
        if made is None:
            A = self.arrays
            edges: list[Edge] = []
            for i in self._statements(node).tolist():
                subject, obj, key, data = A.edges[int(A.edge[i])]
                edges.append(edge_dict(key, bool(A.out[i]), data))
            made = self._made_hops[node] = {"from": A.nodes[self._parents[node]],
                                            "to": A.nodes[node], "edges": edges}
        return made

    def members(self) -> list[Member]:
        """Every member's dict, nearest first."""
        return [self.member(i) for i in range(len(self))]

    @cached_property
    def _entries(self) -> tuple[np.ndarray, np.ndarray]:
        """The entries' role ids and member positions, in page order."""
        members, role_ids = self._pairs
        positions = self._position(members)
        role_rank = np.argsort(np.argsort(np.array(self.arrays.role_keys, dtype=object)))
        order = np.lexsort((self.arrays.rank[members], self.walk.distance[positions],
                            role_rank[role_ids]))
        return role_ids[order], positions[order]

    def entry_count(self) -> int:
        return len(self._entries[0])

    def entries(self, offset: int, limit: int) -> list[tuple[str, Member]]:
        """The ``(role key, member)`` entries from ``offset``, at most ``limit``."""
        role_ids, positions = (a[offset:offset + limit] for a in self._entries)
        return [(self.arrays.role_keys[int(r)], self.member(int(p)))
                for r, p in zip(role_ids, positions, strict=True)]

    @cached_property
    def composition(self) -> Json:
        """Members by role key, by type IRI and by distance, each count once per member."""
        A = self.arrays
        _, role_ids = self._pairs
        by_role = np.bincount(role_ids, minlength=len(A.role_keys))
        members = self.walk.members
        types = A.type_id[rows(A.type_ptr, members, A.type_stop)[0]]
        by_type = np.bincount(types, minlength=len(A.types))
        distances = Counter(dict(zip(*(a.tolist() for a in np.unique(
            self.walk.distance, return_counts=True)), strict=True)))
        return {"roles": {A.role_keys[i]: int(n) for i, n in enumerate(by_role) if n},
                "types": {A.types[i]: int(n) for i, n in enumerate(by_type) if n},
                "distances": dict(sorted(distances.items()))}

    def hubs(self, hub_degree: int) -> list[Hub]:
        """The members of at least ``hub_degree`` statements that the walk went through (or
        held back), each with how many members it brought in."""
        A, found = self.arrays, self.walk
        inner = found.members[found.distance < found.depth]
        big = inner[A.degree[inner] >= hub_degree]
        held = set(found.held_back.tolist())
        return [{"node": A.nodes[int(n)], "degree": int(A.degree[n]),
                 "members": int(np.count_nonzero(found.parent == n)), "walked": n not in held}
                for n in sorted(big.tolist(), key=lambda n: (-A.degree[n], A.rank[n]))]


def edge_dict(key: str, out: bool, data: Mapping[str, Any]) -> Edge:
    """A statement as :func:`~.traverse.neighbors` lists it: ``out`` when the node it is
    seen from is its subject."""
    edge: Edge = {"predicate": key, "direction": "out" if out else "in",
                  "role": data.get("object_role" if out else "subject_role", "related"),
                  "sources": data.get("sources", [])}
    if "since" in data:
        edge["since"] = data["since"]
    if "until" in data:
        edge["until"] = data["until"]
    if "via" in data:  # a derived edge: the nodes it goes through (.chains)
        edge["via"] = data["via"]
    return edge
