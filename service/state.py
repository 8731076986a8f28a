"""Where a request finds the knowledge graph: ``app.extensions["aikg"]``, via :func:`get_graph`."""

from __future__ import annotations

from flask import current_app

from graph import KnowledgeGraph

__all__ = ["get_graph"]


def get_graph() -> KnowledgeGraph:
    """The knowledge graph of the current app (like flaskr's ``get_db``)."""
    return current_app.extensions["aikg"]
