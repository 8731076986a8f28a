"""The relationship graph: a networkx projection of the store and the questions asked of it.

:class:`Network` keeps the projection in step with the store; :func:`neighbors`,
:func:`circle`, :func:`paths` and :func:`overlap` walk it; :func:`ranking` and :func:`stats`
summarize it once per version. :mod:`graph.describe.lookups`, a floor up, answers each question
a view asks in one call (``circle_of``, ``paths_between``, ``describe_entity``...), on a local
or a remote store.
"""

from .live import (
    HUB_DEGREE,
    Network,
    build,
    cached_circle,
    class_counts,
    class_groups,
    edge_dates,
    ranking,
    stats,
)
from .metrics import METRICS, centrality, components, counts
from .projection import Projection, Relation, Role, TermInfo, project, term_labels
from .subgraphs import circle_subgraph, paths_subgraph
from .traverse import circle, jaccard, neighbors, overlap, paths

__all__ = [
    "HUB_DEGREE",
    "METRICS",
    "Network",
    "Projection",
    "Relation",
    "Role",
    "TermInfo",
    "build",
    "class_counts",
    "class_groups",
    "centrality",
    "cached_circle",
    "circle",
    "circle_subgraph",
    "components",
    "counts",
    "edge_dates",
    "jaccard",
    "neighbors",
    "overlap",
    "paths",
    "paths_subgraph",
    "project",
    "ranking",
    "stats",
    "term_labels",
]
