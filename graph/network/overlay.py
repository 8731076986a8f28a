"""Arrays patched after a write: the rows of the nodes it touched made again, the rest shared.

A write that changes a few statements changes the rows of their ends only. :func:`patched`
makes the arrays of the new graph from those of the old: each touched node's row (and its
types) is read again from the new networkx graph and appended to spare room after the arrays,
and ``ptr``/``stop`` (copied, one integer per node) point to it there. Every other row, and
every array of the old version, is shared and never written again, so a request walking the
old version sees it whole. A patch costs the touched rows and a copy of the per-node integers
(a ``memcpy``), not a pass over the edges. The rows it leaves behind are dead room; once
:func:`worth_compacting`, a fresh :func:`~.arrays.adjacency` made in the background replaces
the chain (:class:`~.live.Network` does it).

The rows are read in networkx's order, as :func:`~.arrays.adjacency` reads them, so a walk over
patched arrays answers as one over arrays made afresh from the same graph.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import networkx as nx
import numpy as np

from .arrays import _NO_END, Adjacency, _day_number
from .nxdicts import dicts

#: A new edge: its two ends, its key (the predicate) and its attributes.
NewEdge = tuple[str, str, str, dict[str, Any]]

__all__ = ["patched", "worth_compacting"]

#: The arrays a patch appends to: the rows (by position), the edges (by id), the types.
_GROWING = ("other", "edge", "out", "far_role", "predicate", "start", "end", "type_id")
#: Dead row positions below which compacting is not worth a pass over the graph.
_DEAD_FLOOR = 65_536


class _Room:
    """The buffers a chain of patched versions are views of, with room after the latest
    (``head``) one's; patches are made one at a time (under the store's write lock)."""

    def __init__(self, A: Adjacency) -> None:
        self.buffers = {name: getattr(A, name) for name in _GROWING}
        self.edges = A.edges[:len(A.predicate)]  # the chain's own list: it appends to it
        self.head = A
        self.dead = 0
        self.lock = threading.Lock()
        self.order: list[int] | None = None  # node ids by key, made when a node is added

    def append(self, name: str, used: int, values: np.ndarray) -> np.ndarray:
        """``values`` written after the first ``used`` items, the whole written part returned;
        the buffer doubles when it is full (old versions keep the old one)."""
        buffer = self.buffers[name]
        end = used + len(values)
        if end > len(buffer):
            grown = np.empty(max(end, 2 * len(buffer), 1024), dtype=buffer.dtype)
            grown[:used] = buffer[:used]
            buffer = self.buffers[name] = grown
        buffer[used:end] = values
        written: np.ndarray = buffer[:end]
        return written


def worth_compacting(A: Adjacency) -> bool:
    """Whether the rows patches left behind are many enough for a fresh build to pay."""
    room = A.room
    return isinstance(room, _Room) and room.dead > max(_DEAD_FLOOR, len(A.other) // 4)


def patched(A: Adjacency, G: nx.MultiDiGraph[str], touched: Iterable[str]) -> Adjacency:
    """The arrays of ``G``, given ``A``, the arrays of a graph that differs from ``G`` only in
    the rows and types of ``touched`` nodes (those added to it included)."""
    room = A.room if isinstance(A.room, _Room) and A.room.head is A else _Room(A)
    with room.lock:
        found = _Patch(A, room, sorted(set(touched)), G).arrays()
        room.head = found
        return found


class _Patch:
    """One patch: the touched rows read from ``G``, then appended."""

    def __init__(self, A: Adjacency, room: _Room, touched: list[str], G: nx.MultiDiGraph[str]
                 ) -> None:
        self.A, self.room, self.touched, self.G = A, room, touched, G
        self.predicates, self.roles, self.role_keys = A.predicates, A.roles, A.role_keys
        self.type_ids = {t: i for i, t in enumerate(A.types)}

    def arrays(self) -> Adjacency:
        A, room = self.A, self.room
        nodes, index, rank = self._with_new_nodes()
        ids = np.array([index[n] for n in self.touched], dtype=np.int64)
        size = len(nodes)
        ptr, stop, type_ptr, type_stop, degree = (
            _extended(a, size) for a in (A.ptr[:len(A.nodes)], A.stop, A.type_ptr[:len(A.nodes)],
                                         A.type_stop, A.degree))
        known = ids[ids < len(A.nodes)]
        room.dead += int((stop[known] - ptr[known]).sum())
        other, edge, out, far, lengths, new_edges = self._rows(index)
        used = len(A.other)
        starts = used + np.cumsum(lengths) - lengths
        ptr[ids], stop[ids], degree[ids] = starts, starts + lengths, lengths
        typed = [[self._type_id(t) for t in self._types(n)] for n in self.touched]
        type_lengths = np.array([len(t) for t in typed], dtype=np.int64)
        type_ptr[ids] = len(A.type_id) + np.cumsum(type_lengths) - type_lengths
        type_stop[ids] = type_ptr[ids] + type_lengths
        first_edge = len(A.predicate)
        room.edges.extend(new_edges)
        columns = self._edge_columns(new_edges)
        return replace(
            A, nodes=nodes, index=index, rank=rank, ptr=ptr, stop=stop, degree=degree,
            other=room.append("other", used, other), edge=room.append("edge", used, edge),
            out=room.append("out", used, out), far_role=room.append("far_role", used, far),
            predicate=room.append("predicate", first_edge, columns[0]),
            start=room.append("start", first_edge, columns[1]),
            end=room.append("end", first_edge, columns[2]), edges=room.edges,
            predicates=self.predicates, roles=self.roles, role_keys=self.role_keys,
            type_ptr=type_ptr, type_stop=type_stop, types=list(self.type_ids),
            type_id=room.append("type_id", len(A.type_id), np.array(
                [t for ts in typed for t in ts], dtype=np.int64)), room=room)

    def _with_new_nodes(self) -> tuple[list[str], dict[str, int], np.ndarray]:
        """The nodes, their index and ranks, with the touched nodes ``A`` lacks added."""
        A, room = self.A, self.room
        new = [n for n in self.touched if n not in A.index]
        if not new:
            return A.nodes, A.index, A.rank
        nodes = A.nodes + new
        index = {**A.index, **{n: len(A.nodes) + i for i, n in enumerate(new)}}
        if len(new) > 64:  # many: sort them all at once
            rank = np.empty(len(nodes), dtype=np.int64)
            rank[np.argsort(np.array(nodes, dtype=object), kind="stable")] = np.arange(
                len(nodes))
            room.order = None
            return nodes, index, rank
        if room.order is None:
            room.order = np.argsort(A.rank, kind="stable").tolist()
        rank = _extended(A.rank, len(nodes))
        for n in new:
            place = bisect.bisect_left(room.order, n, key=nodes.__getitem__)
            rank[rank >= place] += 1
            rank[index[n]] = place
            room.order.insert(place, index[n])
        return nodes, index, rank

    def _rows(self, index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                    np.ndarray, list[NewEdge]]:
        """The touched rows in networkx's order (out-edges, then in-edges), each edge with a
        new id (shared by its two ends), and the new edges."""
        other: list[int] = []
        edge: list[int] = []
        out: list[bool] = []
        far: list[int] = []
        lengths: list[int] = []
        edge_of: dict[int, int] = {}
        new_edges: list[NewEdge] = []
        first = len(self.A.predicate)
        for n in self.touched:
            before = len(other)
            if n in self.G:
                # networkx's own dicts, not the views over them: a patch reads many rows
                H = dicts(self.G)
                sides = ((H._succ, True, "object_role"), (H._pred, False, "subject_role"))
                for side, is_out, role_key in sides:
                    for m, keys in side[n].items():
                        for key, data in keys.items():
                            if id(data) not in edge_of:
                                edge_of[id(data)] = first + len(new_edges)
                                new_edges.append((n, m, key, data) if is_out else
                                                 (m, n, key, data))
                            other.append(index[m])
                            edge.append(edge_of[id(data)])
                            out.append(is_out)
                            far.append(self._role(data.get(role_key, "related")))
            lengths.append(len(other) - before)
        return (np.array(other, dtype=np.int64), np.array(edge, dtype=np.int64),
                np.array(out, dtype=bool), np.array(far, dtype=np.int64),
                np.array(lengths, dtype=np.int64), new_edges)

    def _edge_columns(self, new_edges: list[NewEdge]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Predicate id, start and end day of each new edge."""
        predicate = [self._predicate(key) for _, _, key, _ in new_edges]
        start = [_day_number(data.get("start"), 0) for *_, data in new_edges]
        end = [_day_number(data.get("end"), _NO_END) for *_, data in new_edges]
        return (np.array(predicate, dtype=np.int64), np.array(start, dtype=np.int64),
                np.array(end, dtype=np.int64))

    def _types(self, node: str) -> list[str]:
        return self.G.nodes[node].get("types", []) if node in self.G else []

    def _type_id(self, name: str) -> int:
        return self.type_ids.setdefault(name, len(self.type_ids))

    def _predicate(self, key: str) -> int:
        if key not in self.predicates:  # a copy: older versions keep theirs
            self.predicates = {**self.predicates, key: len(self.predicates)}
        return self.predicates[key]

    def _role(self, key: str) -> int:
        if key not in self.roles:
            self.roles = {**self.roles, key: len(self.roles)}
            self.role_keys = [*self.role_keys, key]
        return self.roles[key]


def _extended(values: np.ndarray, size: int) -> np.ndarray:
    """A copy of ``values`` with room for ``size`` items (new ones zero)."""
    found = np.zeros(size, dtype=values.dtype)
    found[:len(values)] = values
    return found
