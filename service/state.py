"""Where a request finds the knowledge graph: ``app.extensions["aikg"]``, via :func:`get_graph`."""

from __future__ import annotations

from flask import current_app

from graph import KnowledgeGraph
from graph.network import Network
from graph.store.executor import Executor

__all__ = ["get_executor", "get_graph", "get_network"]


def get_graph() -> KnowledgeGraph:
    """The knowledge graph of the current app (like flaskr's ``get_db``)."""
    return current_app.extensions["aikg"]


def get_executor() -> Executor:
    """The query executor of the current app: worker processes, time budgets, result cache."""
    return current_app.extensions["aikg.executor"]


def get_network() -> Network:
    """The relationship projection of the current app's graph, kept in step with it."""
    return current_app.extensions["aikg-network"]
