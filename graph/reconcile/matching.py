"""Reconciliation queries: the names of a table matched to the graph's entities.

A name is matched exactly as ``aikg import`` resolves it (:mod:`graph.importing.resolve`):
parsed with :func:`~graph.importing.resolve.parse_name` (organizations with their alternative
names), looked up among the entities of the query's types by every label, alternative and hidden
(the article's garbled names) and Chinese one. The one entity it resolves to is the candidate with
``match: true`` (score 100); names of several entities give each of them (score 90, no match). Then
come the search's prefix and substring hits (:mod:`graph.network.search`), scored by how much of the
name the query covers. Property constraints (``developedBy: Baidu``, ``schema:foundingDate: 2015``)
scale the score: a contradicted one takes the match away; among the entities sharing a name, the
only one agreeing with every constraint is the match.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice

from pyoxigraph import NamedNode

import ontology

from ..errors import BadInput
from ..importing.resolve import LabelIndex, Resolver, name_key, parse_name
from ..network import Projection
from ..network.search import Hit, search
from ..rdf.terms import normalize
from ..store import KnowledgeGraph
from .lookup import entity_fields
from .properties import Property, Value, agrees, find_property, values

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Constraint", "Query", "parse_batch", "reconcile"]

DEFAULT_LIMIT, MAX_LIMIT = 5, 100
#: Scores of the entity a name resolves to, of each entity sharing the name, and of one named by
#: the Chinese part of a cell ("ERNIE 4.0 (文心大模型4.0)"), which the import never matches on.
RESOLVED, SHARED_NAME, CHINESE_PART = 100.0, 90.0, 85.0
#: Search hits scored per query, past the exact ones (prefix and substring hits).
SEARCHED = 50
#: Entities a query without text looks at, at most.
MAX_SCANNED = 10_000
ORGANIZATION = ontology.AIKG + "Organization"
QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})


@dataclass(frozen=True)
class Constraint:
    """A property the candidate should have, with the table's values for it."""

    prop: Property
    values: tuple[object, ...]


@dataclass(frozen=True)
class Query:
    """One reconciliation query: text, types (class IRIs; None: any), limit and constraints."""

    text: str
    types: frozenset[str] | None = None
    limit: int = DEFAULT_LIMIT
    constraints: tuple[Constraint, ...] = ()


def parse_batch(kg: KnowledgeGraph, P: Projection, text: str, max_queries: int
                ) -> dict[str, Query]:
    """The queries of a batch (the ``queries`` parameter, a JSON object of queries by key).

    Raises :class:`~graph.errors.BadInput` for malformed JSON, more than ``max_queries``
    queries, an unknown type or property, or a query with neither text nor properties.
    """
    try:
        batch = json.loads(text)
    except ValueError as error:
        raise BadInput(f"queries: not valid JSON ({error})") from None
    if not isinstance(batch, dict):
        raise BadInput("queries: expected a JSON object mapping keys to queries")
    if len(batch) > max_queries:
        raise BadInput(f"queries: {len(batch)} queries in one batch; at most {max_queries}")
    return {key: _query(kg, P, key, q) for key, q in batch.items()}


def _query(kg: KnowledgeGraph, P: Projection, key: str, raw: object) -> Query:
    where = f"queries[{key!r}]"
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: expected an object")
    extra = sorted(set(raw) - QUERY_FIELDS)
    if extra:
        raise BadInput(f"{where}: unknown field {extra[0]!r}; known: {', '.join(QUERY_FIELDS)}")
    # null stands for an absent field: some clients send "type": null for "no type"
    text = _given(raw, "query", "")
    types = _given(raw, "type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(text, str) or not isinstance(types, list) or not all(
            isinstance(t, str) for t in types):
        raise BadInput(f"{where}: query must be a string, type a string or a list of strings")
    limit = _given(raw, "limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not (
            math.isfinite(limit) and limit >= 1):
        raise BadInput(f"{where}: limit must be a number from 1, got {limit!r}")
    constraints = _constraints(kg, P, where, _given(raw, "properties", []))
    if not text.strip() and not constraints:
        raise BadInput(f"{where}: give a query text, properties or both")
    return Query(text, frozenset(P.type_filter(types) or ()) if types else None,
                 min(int(limit), MAX_LIMIT), constraints)


def _given(raw: dict[str, object], name: str, default: object) -> object:
    found = raw.get(name)
    return default if found is None else found


def _constraints(kg: KnowledgeGraph, P: Projection, where: str, raw: object
                 ) -> tuple[Constraint, ...]:
    if not isinstance(raw, list):
        raise BadInput(f"{where}: properties must be a list of {{pid, v}} objects")
    found = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise BadInput(f"{where}: each property is an object with pid (a string) and v")
        wanted = item["v"] if isinstance(item["v"], list) else [item["v"]]
        for v in wanted:
            if not isinstance(v, str | int | float | bool) and not (
                    isinstance(v, dict) and isinstance(v.get("id"), str)):
                raise BadInput(f"{where}: a property value is text, a number, a boolean or "
                               f"an object with an id, not {v!r}")
        found.append(Constraint(find_property(kg, P, item["pid"]), tuple(wanted)))
    return tuple(found)


def reconcile(kg: KnowledgeGraph, P: Projection, queries: Mapping[str, Query]
              ) -> dict[str, dict[str, list[dict[str, object]]]]:
    """The candidates of each query, best first, as the result batch of the protocol.

    Examples
    --------
    >>> from graph import open_graph
    >>> from graph.network import build
    >>> kg = open_graph("memory")  # the bundled graph
    >>> P = build(kg)
    >>> batch = parse_batch(kg, P, '{"q0": {"query": "Dark Side of the Moon"}}', 10)
    >>> [(c["id"], c["name"], c["match"]) for c in reconcile(kg, P, batch)["q0"]["result"]]
    [('moonshot', 'Moonshot AI', True)]
    """
    found = {key: _by_name(P, q) if q.text.strip() else _by_properties(kg, P, q)
             for key, q in queries.items()}
    wanted = {c.prop for q in queries.values() for c in q.constraints}
    nodes = {n for scores, _ in found.values() for n in scores}
    have = values(kg, P, nodes, wanted) if wanted else {}
    return {key: {"result": _ranked(P, q, *found[key], have)} for key, q in queries.items()}


def _by_name(P: Projection, q: Query) -> tuple[dict[str, float], set[str] | str]:
    """Candidates by name with their scores, and the entity the name resolves to (a string) or
    the namesakes it leaves undecided (a set)."""
    name = parse_name(q.text, alternatives=_has_alternatives(P, q.types))
    index, klass = label_index(P, q.types)
    outcome = Resolver(index).resolve(name, klass, None)
    namesakes = index.lookup(klass, name.keys)
    scores = {n: SHARED_NAME for n in sorted(namesakes, key=lambda n: (-P.degree(n), n))}
    if outcome.iri:
        scores = {outcome.iri: RESOLVED}
    seen = set(scores)
    for text in dict.fromkeys(t for t in (q.text, name.en, name.zh) if t):
        for hit in search(P, text, q.types)[:SEARCHED]:
            if hit.node not in seen:
                seen.add(hit.node)
                scores[hit.node] = _partial(P, hit, text)
    return scores, outcome.iri or namesakes


def _partial(P: Projection, hit: Hit, text: str) -> float:
    """The score of a prefix or substring hit: higher the more of the name the text covers."""
    if hit.match == "exact":  # a name the cell gives besides its keys: its Chinese part
        return CHINESE_PART
    shown = hit.label or P.graph.nodes[hit.node]["label_en"]
    covered = min(1.0, len(normalize(text)) / max(1, len(normalize(shown)))) if shown else 0.5
    return round((60.0 if hit.match == "prefix" else 40.0) + 20 * covered, 1)


def _by_properties(kg: KnowledgeGraph, P: Projection, q: Query
                   ) -> tuple[dict[str, float], set[str]]:
    """Candidates of a query without text: the entities (of its types) that have a value for
    its first property; their score comes from the properties alone."""
    allowed = P.nodes_of_types(q.types) if q.types else P.graph.nodes
    first = q.constraints[0].prop
    scanned = islice(allowed, MAX_SCANNED)
    having = {n for n, _ in values(kg, P, scanned, [first])} if first.iri is None else {
        e.value for e, in kg.query(f"SELECT DISTINCT ?e WHERE {{ ?e {NamedNode(first.iri)} ?o }}",
                                   max_rows=MAX_SCANNED).rows}
    return {n: RESOLVED for n in sorted(having) if n in allowed}, set()


def _ranked(P: Projection, q: Query, scores: dict[str, float], resolved: set[str] | str,
            have: Mapping[tuple[str, str], list[Value]]) -> list[dict[str, object]]:
    verdicts = {n: [agrees(P, c.values, have.get((n, c.prop.id), [])) for c in q.constraints]
                for n in scores}
    if isinstance(resolved, set):  # namesakes: the only one agreeing with every constraint
        agreeing = [n for n in resolved if verdicts[n] and all(verdicts[n])]
        resolved = agreeing[0] if len(agreeing) == 1 else ""
    ranked: list[tuple[float, dict[str, object]]] = []
    for node, score in scores.items():
        said = verdicts[node]
        if not q.text.strip() and not any(said):
            continue  # found by a property it does not agree with
        agreement = (sum(1.0 if v else 0.5 if v is None else 0.0 for v in said) / len(said)
                     if said else 1.0)
        features = [{"id": "name", "value": score}] * bool(q.text.strip()) + [
            {"id": c.prop.id, "value": v}
            for c, v in zip(q.constraints, said, strict=True) if v is not None]
        final = round(score * (0.6 + 0.4 * agreement), 1)
        ranked.append((final, {**entity_fields(P, node), "score": final,
                               "match": node == resolved and False not in said,
                               "features": features}))
    ranked.sort(key=lambda pair: -pair[0])  # stable: ties keep the search's order by degree
    return [candidate for _, candidate in ranked[:q.limit]]


def _has_alternatives(P: Projection, types: frozenset[str] | None) -> bool:
    """Whether names may give alternatives ("A / B", "Name (ACRONYM)"), as organization names
    do in ``aikg import``: for queries of organizations, or of no type."""
    organizations = P.classes[ORGANIZATION].descendants if ORGANIZATION in P.classes else set()
    return types is None or bool(types & organizations)


def label_index(P: Projection, types: frozenset[str] | None) -> tuple[LabelIndex, str]:
    """The normalised names of the entities of ``types`` (any, if None) and the class key to
    look them up under; cached per projection for one type or none."""
    klass = " ".join(sorted(types)) if types else "any"

    def build() -> LabelIndex:
        keys = P.cached("reconcile keys", lambda: {
            n: {name_key(t) for t, _, _ in names} - {""} for n, names in P.names.items()})
        index = LabelIndex()
        for node in (P.nodes_of_types(types) if types else P.graph.nodes):
            index.add(klass, node, keys.get(node, ()))
        return index

    if types is not None and len(types) > 1:  # rare; not cached, to bound the cache
        return build(), klass
    return P.cached("reconcile labels " + klass, build), klass
