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
    QueryTooLarge,
    ReadOnly,
    Refused,
    StoreUnavailable,
    Unsupported,
    ValidationFailed,
)
from .store import DEFAULT_GRAPH, KnowledgeGraph, LoadReport, open_graph
from .store.results import QueryResult

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
    "QueryTooLarge",
    "ReadOnly",
    "Refused",
    "StoreUnavailable",
    "Unsupported",
    "ValidationFailed",
    "open_graph",
]
