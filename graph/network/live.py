"""The projection kept in step with the store, and the values derived from it once per version."""

from __future__ import annotations

import time

from pyoxigraph import NamedNode

from ..errors import EntityNotFound
from ..search import suggest
from ..store import KnowledgeGraph
from ..terms import entity_iri
from .metrics import centrality, counts
from .projection import Projection, project, without_collector

__all__ = ["Network", "build", "ranking", "stats"]


class Network:
    """The relationship projection of ``kg``, replaced by a fresh one after every commit.

    A reader takes :attr:`current` once and works on it: a projection is never changed after
    it is built, so a request sees one version even while a write rebuilds the next.
    :attr:`changed` is when the graph last changed here: the start, or the last commit (Unix
    time).
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.changed = time.time()
        self.current: Projection = build(kg)
        kg.on_commit(self._rebuild)

    def _rebuild(self, kg: KnowledgeGraph) -> None:
        self.changed = time.time()
        self.current = build(kg)

    def entity(self, entity_id: str, projection: Projection | None = None) -> str:
        """The IRI of the entity with this id (a slug under ``kg:``).

        Raises :class:`~graph.errors.EntityNotFound`, with close ids as suggestions, when no
        statement has it as subject and it is not in the projection.
        """
        projection = projection or self.current
        iri = entity_iri(entity_id)
        if iri is not None and (iri in projection.graph or self._has_statements(iri)):
            return iri
        raise EntityNotFound(f"no entity with id {entity_id!r}",
                             suggest(projection, entity_id))

    def _has_statements(self, iri: str) -> bool:
        quads = self.kg.store.quads_for_pattern(NamedNode(iri), None, None, None)
        return next(iter(quads), None) is not None


def build(kg: KnowledgeGraph) -> Projection:
    """:func:`project` as the service runs it: without the garbage collector in the way."""
    return without_collector(lambda: project(kg))


def ranking(projection: Projection, metric: str, types: set[str] | None = None
            ) -> list[tuple[str, float]]:
    """The nodes (of ``types``, if given) by decreasing score, computed once per version."""
    def scored() -> list[tuple[str, float]]:
        scores = centrality(projection.graph, metric)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    ranked = projection.cached("rank " + metric, scored)
    if not types:
        return ranked
    allowed = projection.nodes_of_types(types)
    key = f"rank {metric} " + " ".join(sorted(types))
    return projection.cached(key, lambda: [item for item in ranked if item[0] in allowed])


def stats(projection: Projection) -> dict[str, object]:
    """The counts of :func:`~graph.network.metrics.counts`, computed once per version."""
    return projection.cached("stats", lambda: counts(projection.graph))
