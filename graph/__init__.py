"""aikg's graph core: the store, the relationship network and the exports. No web framework."""

from .errors import (
    AikgError,
    AmbiguousName,
    BadInput,
    EntityNotFound,
    NoPath,
    NotFound,
    ParseError,
    QueryTimeout,
    ReadOnly,
    Refused,
    StoreUnavailable,
    Unsupported,
    ValidationFailed,
)
from .results import QueryResult
from .store import DEFAULT_GRAPH, KnowledgeGraph, LoadReport, open_graph

__all__ = [
    "AikgError",
    "AmbiguousName",
    "BadInput",
    "DEFAULT_GRAPH",
    "EntityNotFound",
    "KnowledgeGraph",
    "LoadReport",
    "NoPath",
    "NotFound",
    "ParseError",
    "QueryResult",
    "QueryTimeout",
    "ReadOnly",
    "Refused",
    "StoreUnavailable",
    "Unsupported",
    "ValidationFailed",
    "open_graph",
]
