"""Data extension: the values of chosen properties for a list of entities, and the properties
to propose for a type (OpenRefine's "add columns from reconciled values")."""

from __future__ import annotations

import json
import math

from ..errors import BadInput
from ..network import Projection
from ..rdf.terms import entity_iri
from ..store import KnowledgeGraph
from .properties import Property, catalogue, cell, entity_names, find_property, values

__all__ = ["MAX_PROPERTIES", "Extension", "extend", "parse_extension", "propose"]

#: Properties one extension query may ask for.
MAX_PROPERTIES = 50

#: Parsed extension query: the entity ids, and each property with its values' limit (0: all).
Extension = tuple[list[str], list[tuple[Property, int]]]


def parse_extension(kg: KnowledgeGraph, P: Projection, text: str, max_ids: int) -> Extension:
    """The ids and properties of an extension query (the ``extend`` parameter, JSON).

    Raises :class:`~graph.errors.BadInput` for malformed JSON, more than ``max_ids`` ids or
    :data:`MAX_PROPERTIES` properties, an unknown property or a bad ``limit`` setting.
    """
    try:
        query = json.loads(text)
    except ValueError as error:
        raise BadInput(f"extend: not valid JSON ({error})") from None
    ids = query.get("ids") if isinstance(query, dict) else None
    properties = query.get("properties") if isinstance(query, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not isinstance(
            properties, list) or not all(isinstance(p, dict) and isinstance(p.get("id"), str)
                                         for p in properties):
        raise BadInput("extend: expected {\"ids\": [strings], \"properties\": [{\"id\": ...}]}")
    if len(ids) > max_ids or len(properties) > MAX_PROPERTIES:
        raise BadInput(f"extend: at most {max_ids} ids and {MAX_PROPERTIES} properties at once")
    return ids, [(find_property(kg, P, p["id"]), _limit(p.get("settings"))) for p in properties]


def _limit(settings: object) -> int:
    limit = settings.get("limit", 0) if isinstance(settings, dict) else 0
    if isinstance(limit, str) and limit.strip().isdigit():
        limit = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not (
            math.isfinite(limit) and limit >= 0):
        raise BadInput(f"extend: the limit setting is a number from 0, got {limit!r}")
    return int(limit)


def extend(kg: KnowledgeGraph, P: Projection, extension: Extension) -> dict[str, object]:
    """The values of the properties for each id, as the data extension response: ``meta`` (the
    properties) and ``rows`` (per id, per property, a list of values; empty for an unknown
    id)."""
    ids, properties = extension
    iris = {i: entity_iri(i) for i in ids}
    found = values(kg, P, {iri for iri in iris.values() if iri}, [p for p, _ in properties])
    names = entity_names(kg, P, found.values())
    rows = {i: {p.id: [cell(P, v, names) for v in (found.get((iri, p.id), []) if iri else [])
                       ][:limit or None]
                for p, limit in properties} for i, iri in iris.items()}
    return {"meta": [{"id": p.id, "name": p.name} for p, _ in properties], "rows": rows}


def propose(kg: KnowledgeGraph, P: Projection, types: set[str] | None, limit: int
            ) -> list[dict[str, str]]:
    """The properties the entities of ``types`` (class IRIs and their subclasses; None: any)
    use, most used first."""
    wanted = set().union(*(P.classes[t].descendants for t in types if t in P.classes)) \
        if types else None
    return [{"id": p.id, "name": p.name, "description": p.name_zh}
            for p in catalogue(kg, P).values() if wanted is None or p.types & wanted][:limit]
