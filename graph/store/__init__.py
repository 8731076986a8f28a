"""The store: open a backend, load, query, update; the executor and its workers; results,
the Graph Store operations, backups, checkpoints and the shared write log."""

from .knowledge import DEFAULT_GRAPH, KnowledgeGraph, LoadReport, is_remote, open_graph

__all__ = ["DEFAULT_GRAPH", "KnowledgeGraph", "LoadReport", "is_remote", "open_graph"]
