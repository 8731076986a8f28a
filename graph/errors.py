"""The errors of the graph core. They know nothing of HTTP; the service maps them to statuses.

::

    AikgError
     ├── NotFound            an entity, graph or path that is not there
     │    ├── EntityNotFound
     │    └── NoPath
     ├── BadInput            a value the caller can fix: syntax, parameter, format
     │    ├── ParseError     RDF or SPARQL that does not parse (with file, line, column)
     │    └── AmbiguousName  a name several entities bear (with the candidates)
     ├── Refused             allowed syntax, refused on purpose (SERVICE, LOAD, remote fetch)
     ├── QueryTimeout        the query ran past its time budget and was stopped
     ├── QueryTooLarge       the query needed more than its memory budget and was stopped
     ├── ValidationFailed    the data breaks the SHACL shapes
     ├── ReadOnly            a write where writes are off
     ├── Unsupported         a backend or feature not available here
     └── StoreUnavailable    a remote store that does not answer or fails; a full disk
"""

from __future__ import annotations

__all__ = [
    "AikgError",
    "NotFound",
    "EntityNotFound",
    "NoPath",
    "BadInput",
    "ParseError",
    "AmbiguousName",
    "Refused",
    "QueryTimeout",
    "QueryTooLarge",
    "ValidationFailed",
    "ReadOnly",
    "Unsupported",
    "StoreUnavailable",
]


class AikgError(Exception):
    """Base of every error the graph core raises on purpose."""


class NotFound(AikgError):
    """Something asked for is not in the graph."""


class EntityNotFound(NotFound):
    """No entity has this id. ``suggestions`` lists close ids ("did you mean")."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class NoPath(NotFound):
    """Two entities are not connected within the limits asked for."""


class BadInput(AikgError):
    """Input the caller can correct."""


class ParseError(BadInput):
    """RDF or SPARQL text that does not parse; ``source``, ``line`` and ``column`` say where."""

    def __init__(
        self, message: str, source: str | None = None, line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = ":".join(str(x) for x in (source, line, column) if x is not None)
        super().__init__(f"{where}: {message}" if where else message)
        self.detail = message
        self.source = source
        self.line = line
        self.column = column


class AmbiguousName(BadInput):
    """A name that several entities bear. ``candidates`` holds each one's ``id``, ``iri``,
    ``label_en`` and ``label_zh``, most connected first, for the caller to choose from."""

    def __init__(self, name: str, candidates: list[dict[str, object]]) -> None:
        listed = "; ".join(f"{c['id']} ({c['label_en'] or c['label_zh'] or c['iri']})"
                           for c in candidates)
        super().__init__(f"{name!r} names {len(candidates)} entities: {listed}. "
                         "Give one of their ids.")
        self.name = name
        self.candidates = candidates


class Refused(AikgError):
    """A request that is well-formed but refused by policy (SERVICE, LOAD, remote fetch)."""


class QueryTooLarge(AikgError):
    """The query (or write) needed more memory than its budget and was stopped."""


class QueryTimeout(AikgError):
    """The query was stopped when its time budget ran out."""


class ValidationFailed(AikgError):
    """Data that breaks the SHACL shapes; ``report`` is the validation report text."""

    def __init__(self, message: str, report: str = "") -> None:
        super().__init__(message)
        self.report = report


class ReadOnly(AikgError):
    """A write on a graph opened read-only."""


class Unsupported(AikgError):
    """A backend or feature that this build does not offer."""


class StoreUnavailable(AikgError):
    """A remote store that cannot be reached, refuses the credentials or fails on its side, or a
    local store that cannot write (a full disk)."""
