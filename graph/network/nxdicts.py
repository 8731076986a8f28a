"""The plain dicts a :class:`networkx.MultiDiGraph` keeps its nodes and edges in, typed.

networkx's views (``G.succ``, ``G.pred``, ``G.nodes``) wrap these dicts in a new object per
access; the hot walks read the dicts themselves, and a patch (:mod:`.patch`) shares them
between two versions of the projection. They are the dict-of-dicts structure networkx
documents (``Graph``'s docstring, "Subclasses (Advanced)") but private attributes, which the
type stubs (types-networkx) leave out: :func:`dicts` gives them their types.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

import networkx as nx

__all__ = ["AdjacencyDicts", "Attributes", "GraphDicts", "dicts"]

#: A node's or an edge's attributes (typed as the stubs type ``G.nodes[n]`` and ``G[u][v][k]``).
Attributes = dict[str, Any]
#: node -> neighbour -> edge key (the predicate) -> the edge's attributes.
AdjacencyDicts = dict[str, dict[str, dict[str, Attributes]]]


class GraphDicts(Protocol):
    """A MultiDiGraph's own dicts: its nodes' attributes, and its edges out of (``_succ``,
    which ``_adj`` is too) and into (``_pred``) each node."""

    _node: dict[str, Attributes]
    _adj: AdjacencyDicts
    _succ: AdjacencyDicts
    _pred: AdjacencyDicts


def dicts(G: nx.MultiDiGraph[str]) -> GraphDicts:
    """``G`` itself, typed with the dicts it holds.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="p", since="2025")
    >>> dicts(G)._succ["a"]["b"]["p"], list(dicts(G)._pred["b"])
    ({'since': '2025'}, ['a'])
    """
    # The cast adds what the stubs leave out; at run time it is the same object.
    return cast(GraphDicts, G)
