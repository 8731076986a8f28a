"""What a reconciliation client looks up besides matches: entities, types and properties as one
types them (the suggest services), the types to offer first, and an entity's preview card.

The three suggest services run the service's one search (:class:`graph.network.search.SearchIndex`):
over the entities' names, and over the names of the classes and of the properties, each ranked
by how many entities it has.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

import ontology

from ..errors import EntityNotFound
from ..network import Projection, circle
from ..network.search import SearchIndex, search, suggest
from ..rdf.terms import entity_iri, iri_values, short_id
from ..store import KnowledgeGraph
from .properties import catalogue

__all__ = ["card", "default_types", "entity_fields", "suggest_entities", "suggest_properties",
           "suggest_types", "type_fields"]

#: Notes that say in a sentence what an entity is, in order of preference.
NOTES = tuple(ontology.PREFIXES["skos"] + n for n in ("definition", "note"))


def entity_fields(P: Projection, node: str) -> dict[str, object]:
    """``id``, ``name`` (English, else Chinese, else the id), ``description`` (the Chinese name
    and the types) and ``type`` of an entity, as candidates and suggestions show them."""
    data = P.graph.nodes[node]
    types = [type_fields(P, t) for t in data["types"]]
    description = " · ".join([data["label_zh"]] * bool(data["label_zh"]) +
                             [t["name"] for t in types])
    return {"id": data["id"], "name": data["label_en"] or data["label_zh"] or data["id"],
            "description": description, "type": types}


def type_fields(P: Projection, iri: str) -> dict[str, str]:
    """A class as the protocol names types: ``id`` (its short id) and ``name``."""
    found = P.classes.get(iri)
    return {"id": short_id(iri), "name": (found.label_en if found else "") or short_id(iri)}


def suggest_entities(P: Projection, prefix: str, types: set[str] | None = None,
                     cursor: int = 0, limit: int = 10) -> list[dict[str, object]]:
    """Entities whose names start with or contain ``prefix``, best first (the search's order)."""
    found = search(P, prefix, types)[cursor:cursor + limit] if prefix.strip() else []
    shown = [entity_fields(P, h.node) for h in found]
    return [{"notable": e.pop("type"), **e} for e in shown]  # pop first: no "type" left


def suggest_types(P: Projection, prefix: str, cursor: int = 0, limit: int = 10
                  ) -> list[dict[str, str]]:
    """Classes with entities whose id or English or Chinese label matches ``prefix``."""
    index = P.cached("reconcile types", lambda: SearchIndex(
        {c: [(short_id(c), "id", None), (t.label_en, "label", "en"), (t.label_zh, "label", "zh")]
         for c, t in P.classes.items()}, _type_counts(P)))
    nodes = [h.node for h in index.search(prefix)] if prefix.strip() else index.order
    return [{**type_fields(P, c), "description": P.classes[c].label_zh}
            for c in nodes if _type_counts(P)[c]][cursor:cursor + limit]


def suggest_properties(kg: KnowledgeGraph, P: Projection, prefix: str, cursor: int = 0,
                       limit: int = 10) -> list[dict[str, str]]:
    """Properties whose id or English or Chinese label matches ``prefix``, most used first."""
    known = catalogue(kg, P)
    index = P.cached("reconcile property names", lambda: SearchIndex(
        {p.id: [(p.id, "id", None), (p.name, "label", "en"), (p.name_zh, "label", "zh")]
         for p in known.values()}, {p.id: p.count for p in known.values()}))
    hits = [h.node for h in index.search(prefix)] if prefix.strip() else list(known)
    return [{"id": p, "name": known[p].name, "description": known[p].name_zh}
            for p in hits[cursor:cursor + limit]]


def default_types(P: Projection) -> list[dict[str, str]]:
    """aikg's top classes that have entities, most entities first: the types to offer before
    the user picks one."""
    mine = {c: t for c, t in P.classes.items() if c.startswith(ontology.AIKG)}
    below = {d for c, t in mine.items() for d in t.descendants if d != c}
    counts = _type_counts(P)
    top = sorted((c for c in mine if c not in below and counts.get(c)), key=lambda c: -counts[c])
    return [type_fields(P, c) for c in top]


def card(kg: KnowledgeGraph, P: Projection, entity_id: str) -> dict[str, object]:
    """What the preview card of an entity shows: names, types, the size of its circle of
    friends and a note saying what it is. Raises EntityNotFound for an unknown id."""
    iri = entity_iri(entity_id)
    if iri is None or iri not in P.graph:
        raise EntityNotFound(f"no entity with id {entity_id!r}", suggest(P, entity_id))
    rows = kg.query(f"""
        SELECT ?e ?p ?note WHERE {{ VALUES ?p {{ {iri_values(NOTES)} }} ?e ?p ?note
            FILTER(LANGMATCHES(LANG(?note), "en")) }}""", substitutions={"e": NamedNode(iri)})
    notes = sorted((NOTES.index(p.value), n.value) for _, p, n in rows.rows)
    return {**entity_fields(P, iri), "name_zh": P.graph.nodes[iri]["label_zh"],
            "circle": len(circle(P.graph, iri, depth=1)), "note": notes[0][1] if notes else ""}


def _type_counts(P: Projection) -> dict[str, int]:
    return P.cached("reconcile type counts",
                    lambda: {c: len(P.nodes_of_types([c])) for c in P.classes})
