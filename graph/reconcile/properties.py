"""The properties the Reconciliation Service API works with: which ones exist, their values for a
set of entities, and whether a value written in a table agrees with them.

The catalogue is read from the data, not listed in Python: every predicate that some entity
under ``kg:`` uses (labels and types aside), with its labels from the ontology and the classes
of the entities using it. Two properties are computed from the projection instead:
``chineseName`` (the Chinese label shown on pages) and ``circleSize`` (members of the entity's
circle of friends at depth 1, as ``/api/entities/{id}/circle`` counts them).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

import ontology

from ..errors import BadInput
from ..importing.resolve import LABEL_PROPERTIES, name_key
from ..network import Projection, circle, term_labels
from ..rdf.terms import iri_values, short_id
from ..store import KnowledgeGraph

__all__ = ["CHINESE_NAME", "CIRCLE_SIZE", "Property", "Value", "agrees", "catalogue",
           "cell", "entity_names", "find_property", "values"]

XSD = ontology.PREFIXES["xsd"]
RDF_TYPE = ontology.PREFIXES["rdf"] + "type"
#: Predicates that are not properties to fetch: types, names (the candidate's name is its own
#: field; the Chinese one is ``chineseName``) and the marker of a missing Chinese name.
NOT_PROPERTIES = frozenset({RDF_TYPE, *LABEL_PROPERTIES, ontology.AIKG + "zhLabelStatus"})
CHINESE_NAME, CIRCLE_SIZE = "chineseName", "circleSize"
INTEGERS = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong"))
NUMBERS = frozenset(XSD + t for t in ("decimal", "double", "float"))
DATES = frozenset(XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth"))
_YEAR = re.compile(r"\s*(-?\d{4})\s*")

#: A property's value: an entity (IRI) or a literal.
Value = NamedNode | Literal


@dataclass(frozen=True)
class Property:
    """A property of entities: its id (a short id, as the API names terms), labels, predicate
    IRI (None for a computed one), how many entities have it and their classes."""

    id: str
    name: str
    name_zh: str = ""
    iri: str | None = None
    count: int = 0
    types: frozenset[str] = frozenset()


def catalogue(kg: KnowledgeGraph, P: Projection) -> dict[str, Property]:
    """Every property, by id, most used first; computed once per projection."""
    return P.cached("reconcile properties", lambda: _catalogue(kg, P))


def _catalogue(kg: KnowledgeGraph, P: Projection) -> dict[str, Property]:
    rows = kg.query(f"""
        SELECT ?p ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{
            ?e a ?t ; ?p ?o . FILTER(STRSTARTS(STR(?e), "{ontology.KG}"))
        }} GROUP BY ?p ?t""").rows
    used: dict[str, int] = defaultdict(int)
    types: dict[str, set[str]] = defaultdict(set)
    for p, t, n in rows:
        if p.value not in NOT_PROPERTIES:
            used[p.value] = max(used[p.value], int(n.value))
            types[p.value].add(t.value)
    labels = term_labels(kg, used)
    named = [n for n in P.graph if P.graph.nodes[n]["label_zh"]]
    found = []
    for p in used:
        en, zh = labels.get(p, ("", ""))
        found.append(Property(short_id(p), en or short_id(p), zh, p, used[p], frozenset(types[p])))
    found += [
        Property(CHINESE_NAME, "Chinese name", "中文名", None, len(named),
                 frozenset(t for n in named for t in P.graph.nodes[n]["types"])),
        Property(CIRCLE_SIZE, "circle of friends size", "朋友圈规模", None,
                 P.graph.number_of_nodes(), frozenset(P.classes)),
    ]
    found.sort(key=lambda p: (-p.count, p.id))
    return {p.id: p for p in found}


def find_property(kg: KnowledgeGraph, P: Projection, name: str) -> Property:
    """The property ``name`` stands for: its id, CURIE or IRI, or its English or Chinese label.

    Raises :class:`~graph.errors.BadInput` when it stands for none.
    """
    known = catalogue(kg, P)
    if name in known:
        return known[name]
    key = name_key(name)
    for found in known.values():
        if name == found.iri or key in (name_key(found.name), name_key(found.name_zh)):
            return found
    raise BadInput(f"property: unknown {name!r}; /reconcile/suggest/property?prefix= lists "
                   "the properties by name")


def values(kg: KnowledgeGraph, P: Projection, nodes: Iterable[str],
           properties: Iterable[Property]) -> dict[tuple[str, str], list[Value]]:
    """The values of ``properties`` for each of ``nodes`` (IRIs), by (node, property id), in
    one query; a pair without values is absent."""
    nodes, properties = sorted(set(nodes)), list(properties)
    found: dict[tuple[str, str], list[Value]] = defaultdict(list)
    stored = {p.iri: p.id for p in properties if p.iri}
    if nodes and stored:
        rows = kg.query(f"""
            SELECT DISTINCT ?e ?p ?o WHERE {{
                VALUES ?e {{ {iri_values(nodes)} }} VALUES ?p {{ {iri_values(stored)} }}
                ?e ?p ?o }} ORDER BY ?e ?p ?o""").rows
        for e, p, o in rows:
            found[(e.value, stored[p.value])].append(o)
    for node in nodes:
        if node not in P.graph:
            continue
        for p in properties:
            if p.id == CHINESE_NAME and P.graph.nodes[node]["label_zh"]:
                found[(node, p.id)].append(Literal(P.graph.nodes[node]["label_zh"],
                                                   language="zh"))
            elif p.id == CIRCLE_SIZE:
                size = len(circle(P.graph, node, depth=1))
                found[(node, p.id)].append(Literal(str(size), datatype=NamedNode(
                    XSD + "integer")))
    return found


def cell(P: Projection, value: Value, names: dict[str, str]) -> dict[str, object]:
    """A value as the data extension protocol writes it: an entity (``id``, ``name``), ``int``,
    ``float``, ``date`` (ISO date and time) or ``str``. ``names`` has the names of entities
    outside the projection."""
    if isinstance(value, NamedNode):
        iri = value.value
        data = P.graph.nodes[iri] if iri in P.graph else {}
        name = data.get("label_en") or data.get("label_zh") or names.get(iri) or short_id(iri)
        return {"id": short_id(iri), "name": name}
    datatype = value.datatype.value
    try:
        if datatype in INTEGERS:
            return {"int": int(value.value)}
        if datatype in NUMBERS:
            return {"float": float(value.value)}
        if datatype == XSD + "date":
            return {"date": datetime.date.fromisoformat(value.value).isoformat() + "T00:00:00Z"}
        if datatype == XSD + "dateTime":
            moment = datetime.datetime.fromisoformat(value.value.replace("Z", "+00:00"))
            return {"date": moment.isoformat(timespec="seconds").replace("+00:00", "Z")}
    except ValueError:  # an ill-typed literal reads as its text
        pass
    return {"str": value.value}


def entity_names(kg: KnowledgeGraph, P: Projection,
                 found: Iterable[list[Value]]) -> dict[str, str]:
    """The English (else Chinese) labels of the entity values outside the projection."""
    outside = {v.value for vs in found for v in vs
               if isinstance(v, NamedNode) and v.value not in P.graph}
    return {iri: en or zh for iri, (en, zh) in term_labels(kg, outside).items()}


def agrees(P: Projection, wanted: Iterable[object], have: list[Value]) -> bool | None:
    """Whether a table's values (``wanted``: text, numbers, booleans or ``{"id": ...}``) agree
    with an entity's values ``have``: None when it has none to compare.

    An entity value agrees with its id or any of its names (as
    :func:`~graph.importing.resolve.name_key` compares names); a number with an equal number; a
    year with a date in that year; other text with the same text, normalised.
    """
    if not have:
        return None
    return any(_agrees(P, w, h) for w in wanted for h in have)


def _agrees(P: Projection, wanted: object, have: Value) -> bool:
    if isinstance(wanted, dict):
        wanted = wanted.get("id", "")
        return isinstance(have, NamedNode) and wanted in (have.value, short_id(have.value))
    text = str(wanted).lower() if isinstance(wanted, bool) else str(wanted)
    key = name_key(text)
    if isinstance(have, NamedNode):
        names = (t for t, _, _ in P.names.get(have.value, ()))
        return key in {name_key(short_id(have.value)), *map(name_key, names)}
    if key == name_key(have.value):
        return True
    year = _YEAR.fullmatch(text)
    if year and have.datatype.value in DATES:
        return have.value.lstrip().startswith(year.group(1))
    try:
        return float(text) == float(have.value)
    except ValueError:
        return False
