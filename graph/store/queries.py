"""A query as the executor carries it, from the caller to where it is evaluated and back.

:class:`QueryRequest` holds everything an evaluation needs (the text, its outline read once,
bound values, dataset, row cap, result format) and pickles, so that a worker process can run it;
its :attr:`~QueryRequest.key` names its answer in the cache. :func:`run` evaluates one on a graph
and serializes the result when a format is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import BadInput
from ..rdf.quadsource import Term
from ..sparql import guard
from .results import QueryResult

if TYPE_CHECKING:  # the store builds requests: no import cycle at run time
    from .knowledge import KnowledgeGraph

__all__ = ["QueryRequest", "run"]


@dataclass(frozen=True)
class QueryRequest:
    """One query: ``sparql`` and its :class:`~graph.sparql.guard.Outline`, ``substitutions``
    (variable name and RDF term pairs), the protocol's ``default_graphs`` and ``named_graphs``,
    ``max_rows``, ``base_iri``, and ``fmt``: a results or RDF format name for an answer in
    bytes, None for the result's terms."""

    sparql: str
    outline: guard.Outline
    substitutions: tuple[tuple[str, Term], ...] = ()
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int | None = None
    base_iri: str | None = None
    fmt: str | None = None

    @classmethod
    def of(cls, sparql: str, *, outline: guard.Outline | None = None,
           substitutions: Mapping[str, Term] | None = None,
           default_graphs: Iterable[str] | None = None,
           named_graphs: Iterable[str] | None = None, max_rows: int | None = None,
           base_iri: str | None = None, fmt: str | None = None) -> QueryRequest:
        """A request from the arguments of :meth:`graph.store.KnowledgeGraph.query`; the text
        is outlined here unless the caller did it already."""
        return cls(sparql, guard.outline(sparql) if outline is None else outline,
                   tuple(sorted((substitutions or {}).items(), key=lambda item: item[0])),
                   None if default_graphs is None else tuple(default_graphs),
                   None if named_graphs is None else tuple(named_graphs),
                   max_rows, base_iri, fmt)

    @property
    def key(self) -> tuple[object, ...]:
        """What names the answer: everything but the outline (read from the text)."""
        return (self.sparql, tuple((name, str(term)) for name, term in self.substitutions),
                self.default_graphs, self.named_graphs, self.max_rows, self.base_iri, self.fmt)


#: What :func:`run` answers: ``(kind, body, truncated, rows)``, or ``(result,)`` without format.
Evaluated = tuple[str, bytes, bool, int] | tuple[QueryResult]


def run(kg: KnowledgeGraph, request: QueryRequest, timeout: float | None) -> Evaluated:
    """Evaluate ``request`` on ``kg`` (:meth:`~graph.store.KnowledgeGraph.evaluate`):
    ``(kind, body, truncated, rows)`` for a request with a format, ``(result,)`` without."""
    result = kg.evaluate(request, timeout)
    if request.fmt is None:
        return (result,)
    try:
        body = result.serialize(request.fmt)
    except ValueError as error:
        raise BadInput(str(error)) from None
    return result.kind, body, result.truncated, len(result)
