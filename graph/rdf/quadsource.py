"""What code that reads a graph by pattern needs of a store (a
:class:`~graph.store.KnowledgeGraph` is one), so that it does not depend on the store itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from pyoxigraph import Quad

__all__ = ["QuadSource"]


@runtime_checkable
class QuadSource(Protocol):
    """Quads by pattern of terms (None: any; ``graph`` None: every graph), and the named
    graphs' IRIs."""

    def quads(self, subject: object = None, predicate: object = None, object: object = None,
              graph: object = None) -> Iterator[Quad]: ...

    def named_graphs(self) -> list[str]: ...
