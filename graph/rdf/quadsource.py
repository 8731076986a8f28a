"""What code that reads a graph by pattern needs of a store (a
:class:`~graph.store.KnowledgeGraph` is one), so that it does not depend on the store itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

__all__ = ["QuadSource", "Subject", "Term"]

#: What may stand as a quad's subject, and as its object (any term).
Subject = NamedNode | BlankNode | Triple
Term = NamedNode | BlankNode | Literal | Triple


@runtime_checkable
class QuadSource(Protocol):
    """Quads by pattern of terms (None: any; ``graph`` None: every graph), and the named
    graphs' IRIs."""

    def quads(self, subject: Subject | None = None, predicate: NamedNode | None = None,
              object: Term | None = None,
              graph: NamedNode | BlankNode | DefaultGraph | None = None) -> Iterator[Quad]: ...

    def named_graphs(self) -> list[str]: ...
