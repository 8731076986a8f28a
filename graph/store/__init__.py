"""The store: open a backend, load, query, update; the executor and its workers; results,
the Graph Store operations, backups, checkpoints, and how several server processes share one
graph (the shared write log, the published checkpoints of an on-disk store)."""

from .backend import Backend, Capabilities
from .knowledge import DEFAULT_GRAPH, KnowledgeGraph, LoadReport
from .opening import is_remote, open_graph, scratch_graph

__all__ = ["DEFAULT_GRAPH", "Backend", "Capabilities", "KnowledgeGraph", "LoadReport",
           "is_remote", "open_graph", "scratch_graph"]
