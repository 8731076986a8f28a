"""The part of the projection an answer covers, as a networkx view to export: a circle, paths.

Both return read-only views of the projection (no copy), with its node and edge attributes, so
every export format of :func:`graph.export.network_export` can write them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TypedDict

import networkx as nx

from .answers import Path


class Named(TypedDict):
    """What a circle's member needs to be drawn: its node (a :class:`~.circles.Member` has it)."""

    node: str

__all__ = ["circle_subgraph", "paths_subgraph"]


def circle_subgraph(
    G: nx.MultiDiGraph[str],
    center: str,
    members: Iterable[Named],
    *,
    relations: Collection[str] | None = None,
) -> nx.MultiDiGraph[str]:
    """The centre and the members of its circle, with every edge between them.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection.
    center : str
        The centre of the circle.
    members : iterable of dict
        The members, as :func:`~graph.network.circle` returns them (``node`` is read).
    relations : collection of str, optional
        Keep only edges with these predicates, as the circle was walked.

    Returns
    -------
    networkx.MultiDiGraph
        A read-only view of ``G``.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("vc", "alpha", "investsIn"), ("vc", "beta", "investsIn"),
    ...                      ("beta", "alpha", "partnerOf"), ("far", "beta", "investsIn")])
    >>> H = circle_subgraph(G, "alpha", [{"node": "vc"}, {"node": "beta"}],
    ...                     relations={"investsIn"})
    >>> sorted(H), sorted(H.edges(keys=True))
    (['alpha', 'beta', 'vc'], [('vc', 'alpha', 'investsIn'), ('vc', 'beta', 'investsIn')])
    """
    H = G.subgraph([center, *(m["node"] for m in members)] if center in G else [])
    if relations is None:
        return H
    # types-networkx types a multigraph's edge keys as int; ours are predicate IRIs
    return nx.subgraph_view(H, filter_edge=lambda u, v, key: key in relations)  # type: ignore[comparison-overlap]


def paths_subgraph(G: nx.MultiDiGraph[str], found: Iterable[Path]) -> nx.MultiDiGraph[str]:
    """The nodes and statements of paths, as :func:`~graph.network.paths` returns them.

    Each hop's statements are taken the way they read (``direction`` ``out``: ``from`` is the
    subject).

    Examples
    --------
    >>> G = nx.MultiDiGraph([("vc", "alpha", "investsIn"), ("vc", "beta", "investsIn"),
    ...                      ("cloud", "alpha", "suppliesCloudTo")])
    >>> hops = [{"from": "alpha", "to": "vc", "edges": [{"predicate": "investsIn",
    ...                                                    "direction": "in"}]},
    ...         {"from": "vc", "to": "beta", "edges": [{"predicate": "investsIn",
    ...                                                   "direction": "out"}]}]
    >>> sorted(paths_subgraph(G, [{"nodes": ["alpha", "vc", "beta"], "hops": hops}]).edges)
    [('vc', 'alpha', 'investsIn'), ('vc', 'beta', 'investsIn')]
    """
    edges = {(hop["from"], hop["to"], e["predicate"]) if e["direction"] == "out"
             else (hop["to"], hop["from"], e["predicate"])
             for path in found for hop in path["hops"] for e in hop["edges"]}
    return G.edge_subgraph(edges)  # type: ignore[arg-type]  # types-networkx: no (u, v, key) edges
