"""The projection kept in step with the store, and the values derived from it once per version."""

from __future__ import annotations

import gc

from pyoxigraph import NamedNode

from ..errors import EntityNotFound
from ..search import suggest
from ..store import KnowledgeGraph
from ..terms import entity_iri
from .metrics import centrality, counts
from .projection import Projection, project

__all__ = ["Network", "build", "ranking", "stats"]


class Network:
    """The relationship projection of ``kg``, replaced by a fresh one after every commit.

    A reader takes :attr:`current` once and works on it: a projection is never changed after
    it is built, so a request sees one version even while a write rebuilds the next.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.current: Projection = build(kg)
        kg.on_commit(self._rebuild)

    def _rebuild(self, kg: KnowledgeGraph) -> None:
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
    """A new projection, built and kept out of reach of the cyclic garbage collector.

    A projection of a large graph is millions of objects that live until the next write and
    hold no reference cycles. While they are made, the collector's full passes would walk
    them again and again (the build at 1M triples took 9 to 15 s with it, 4 s without); left
    in its oldest generation, each full pass would stall requests for up to half a second.
    Frozen, they are still freed by reference counting when the projection is replaced.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        projection = project(kg)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return projection


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
