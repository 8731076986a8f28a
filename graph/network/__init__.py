"""The relationship graph: a networkx projection of the store and the questions asked of it.

:class:`Network` keeps the projection in step with the store; :func:`neighbors`,
:func:`circle`, :func:`paths` and :func:`overlap` walk it; :func:`ranking` and :func:`stats`
summarize it once per version.
"""

from .live import Network, build, class_counts, class_groups, edge_dates, ranking, stats
from .metrics import METRICS, centrality, components, counts
from .projection import Projection, Relation, Role, TermInfo, project, term_labels
from .subgraphs import circle_subgraph, paths_subgraph
from .traverse import circle, jaccard, neighbors, overlap, paths

__all__ = [
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
