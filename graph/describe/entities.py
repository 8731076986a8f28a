"""One entity as the store holds it: labels, types, properties, relations both ways, sources."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypedDict

from pyoxigraph import Literal, NamedNode, Quad

import ontology

from ..network.labels import LABEL_PREDICATES
from ..network.projection import Projection, term_labels
from ..rdf.readable import readable
from ..rdf.terms import iri_values, label_language, pick_label, short_id, sparql_prefixes
from ..sparql.depends import Pattern
from ..store import KnowledgeGraph
from ..store.changes import ScopedCache
from ..store.results import term_to_json

__all__ = ["describe", "describe_reads", "described", "entity_quads", "describe_sources",
           "SourceDescription", "SOURCES_GRAPH"]

#: The graph that describes every source graph (the project's interface 3).
SOURCES_GRAPH = ontology.GRAPH + "sources"

P = ontology.PREFIXES
LABEL_KINDS = {P["skos"] + "prefLabel": "pref", P["rdfs"] + "label": "label",
               P["skos"] + "altLabel": "alt"}
HIDDEN_LABEL = P["skos"] + "hiddenLabel"
RDF_TYPE = P["rdf"] + "type"
TITLE = (P["dcterms"] + "title", P["schema"] + "name", P["rdfs"] + "label")
URL = (P["schema"] + "url", P["dcterms"] + "source", P["prov"] + "hadPrimarySource")
LICENSE = (P["dcterms"] + "license",)
CREDIT = ("http://creativecommons.org/ns#attributionName",)  # Creative Commons REL
ISSUED = (P["dcterms"] + "issued",)
# A reified statement (one that dates an edge) points at its ends: the edge itself is shown.
REIFYING = {P["rdf"] + "subject", P["rdf"] + "object"}


def describe(kg: KnowledgeGraph, iri: str, *, ecosystem: set[str] | None = None,
             max_rows: int = 5_000) -> dict[str, Any]:
    """Everything the store says about the entity ``iri``, each statement with its sources.

    ``ecosystem`` names the predicates that are ecosystem relations, to flag those relations.
    Statements past ``max_rows`` in each direction are left out and ``truncated`` says so.
    Hidden labels are left out: they are for search, not for display, and so are the reified
    statements that date an edge (the edge itself is listed).
    """
    entity = NamedNode(iri)
    stated, truncated = _statements(kg, entity, max_rows)
    names: dict[str, dict[str, list[str]]] = {"en": {}, "zh": {}}
    types: list[str] = []
    properties: list[tuple[str, object, list[str]]] = []
    relations: dict[str, list[tuple[str, object, list[str]]]] = {"out": [], "in": []}
    for (s, p, o), graphs in sorted(stated.items(), key=lambda item: str(item[0])):
        sources = sorted(graphs)
        if s != entity:
            if p not in REIFYING:
                relations["in"].append((p, s, sources))
        elif p in LABEL_KINDS and isinstance(o, Literal) and (language := label_language(o)):
            names[language].setdefault(LABEL_KINDS[p], []).append(o.value)
        elif p == HIDDEN_LABEL:
            continue
        elif p == RDF_TYPE and isinstance(o, NamedNode):
            types.append(o.value)
        elif isinstance(o, NamedNode):
            relations["out"].append((p, o, sources))
        else:
            properties.append((p, o, sources))

    others = {t.value for way in relations.values() for _, t, _ in way
              if isinstance(t, NamedNode)}
    labels = term_labels(kg, others | set(types) | {p for p, _, _ in properties}
                     | {p for way in relations.values() for p, _, _ in way})
    inverse = term_labels(kg, {p for p, _, _ in relations["in"]}, inverse=True)
    ecosystem = ecosystem or set()
    units = said_units(properties)

    def named(term: object) -> dict[str, object]:
        value = term.value if isinstance(term, NamedNode) else str(term)
        en, zh = labels.get(value, ("", ""))
        return {"id": short_id(value), "iri": value, "label_en": en, "label_zh": zh}

    def link(p: str, other: object, sources: list[str]) -> dict[str, object]:
        en, zh = inverse.get(p, ("", ""))
        return {"relation": {**named(NamedNode(p)), "inverse_label_en": en,
                             "inverse_label_zh": zh},
                "node": named(other), "sources": sources, "ecosystem": p in ecosystem}

    return {
        **named(entity),
        "label_en": pick_label(names["en"]),
        "label_zh": pick_label(names["zh"]),
        # A name given as both skos:prefLabel and rdfs:label is one name: listed once.
        "labels": {lang: sorted({*by.get("pref", []), *by.get("label", [])})
                   for lang, by in names.items()},
        "alt_labels": {lang: sorted(set(by.get("alt", []))) for lang, by in names.items()},
        "types": [named(NamedNode(t)) for t in sorted(set(types))],
        "properties": [{"property": named(NamedNode(p)), "value": term_to_json(o),
                        "display": readable(term_to_json(o), p, **units),
                        "sources": sources} for p, o, sources in properties],
        "relations": {way: [link(*r) for r in found] for way, found in relations.items()},
        "sources": describe_sources(kg, sorted({g for graphs in stated.values()
                                                for g in graphs})),
        "truncated": truncated,
    }


def describe_reads(iri: str, found: dict[str, Any]) -> tuple[Pattern, ...]:
    """The statements :func:`describe` read to make ``found`` (the description of ``iri``):
    the entity's own both ways, the names of every term it names, the inverse names of the
    relations pointing at it and the sources graph. A write that changes none of them leaves
    the description as it is."""
    relations = [r for way in found["relations"].values() for r in way]
    named = {r["node"]["iri"] for r in relations} | {r["relation"]["iri"] for r in relations} \
        | {t["iri"] for t in found["types"]} | {p["property"]["iri"] for p in found["properties"]}
    inverse = {r["relation"]["iri"] for r in found["relations"]["in"]}
    return (Pattern(None, iri, None, None), Pattern(None, None, None, iri),
            Pattern(None, frozenset(named), LABEL_PREDICATES[False], None),
            Pattern(None, frozenset(inverse), LABEL_PREDICATES[True], None),
            Pattern(SOURCES_GRAPH, None, None, None))


#: Bytes of memory a description is taken to hold per item it lists (a property, a relation,
#: a source: a few small dicts each); :data:`DESCRIPTIONS` of them are kept per projection, and
#: none of more than a sixteenth of that (a hub of 10,000 relations is made each time).
DESCRIBED_BYTES = 2048
DESCRIPTIONS = 64 * 1024 * 1024


def described(kg: KnowledgeGraph, iri: str, terms: Projection, at: str | None,
              dated: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """:func:`describe` of ``iri`` (the ecosystem relations those of ``terms``), passed
    through ``dated`` (as of the day ``at``): the caller's own dict, to cut into pages.

    On a local store it is kept with the projection ``terms`` and given again while no write
    changes what it was read from (:func:`describe_reads`; a write that changes relationships
    makes another projection). A remote store, which others may write, keeps none.
    """
    kept = terms.cached("descriptions", lambda: ScopedCache(kg, DESCRIPTIONS)) \
        if kg.capabilities.local else None
    found = kept.get((iri, at)) if kept is not None else None
    if not isinstance(found, dict):
        version = kg.version  # read first: a write landing meanwhile is checked later
        found = describe(kg, iri, ecosystem=set(terms.relations))
        reads = describe_reads(iri, found)
        found = dated(found)
        if kept is not None:
            items = len(found["properties"]) + len(found["sources"]) + sum(
                len(way) for way in found["relations"].values())
            kept.put((iri, at), found, version=version, depends=reads,
                     size=DESCRIBED_BYTES * (1 + items))
    return dict(found)


def _statements(kg: KnowledgeGraph, entity: NamedNode, max_rows: int
                ) -> tuple[dict[tuple[object, str, object], set[str]], bool]:
    """The statements about ``entity`` both ways, each with the graphs stating it, up to
    ``max_rows`` each way; and whether some were left out."""
    outgoing = kg.query("SELECT ?e ?p ?o ?g WHERE { GRAPH ?g { ?e ?p ?o } }",
                        substitutions={"e": entity}, max_rows=max_rows)
    incoming = kg.query("SELECT ?e ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?e } }",
                        substitutions={"e": entity}, max_rows=max_rows)
    stated: dict[tuple[object, str, object], set[str]] = defaultdict(set)
    for _, p, o, g in outgoing.rows:
        stated[(entity, p.value, o)].add(g.value)
    for _, s, p, g in incoming.rows:
        stated[(s, p.value, entity)].add(g.value)
    return stated, outgoing.truncated or incoming.truncated


def said_units(properties: list[tuple[str, object, list[str]]]) -> dict[str, str]:
    """The unit (``schema:unitText``) and currency (``schema:priceCurrency``) an entity's own
    statements give its amounts, as :func:`~graph.rdf.readable.readable` takes them."""
    said = {p: getattr(o, "value", "") for p, o, _ in properties}
    return {"unit": said.get(P["schema"] + "unitText", ""),
            "currency": said.get(P["schema"] + "priceCurrency", "")}


def entity_quads(kg: KnowledgeGraph, iri: str, *, max_quads: int = 10_000
                 ) -> tuple[list[Quad], bool]:
    """The statements about the entity ``iri``, either way, each in its named graph (its source),
    and whether ``max_quads`` cut them. Hidden labels are kept: this is the entity's data.

    Examples
    --------
    >>> from graph import open_graph
    >>> kg = open_graph("memory", bundled=False)
    >>> _ = kg.load(b"<urn:a> <urn:p> <urn:b> .\\n<urn:c> <urn:p> <urn:a> .", format="nt",
    ...             graph=ontology.GRAPH + "g")
    >>> quads, truncated = entity_quads(kg, "urn:a")
    >>> len(quads), truncated, quads[0].graph_name.value
    (2, False, 'https://w3id.org/aikg/graph/g')
    """
    entity, found = NamedNode(iri), list[Quad]()
    for subject, obj in ((entity, None), (None, entity)):
        for quad in kg.quads(subject, None, obj):
            if subject is None and quad.subject == entity:
                continue  # a statement about itself was taken the first time
            if len(found) == max_quads:
                return found, True
            found.append(quad)
    return found, False


class SourceDescription(TypedDict):
    """A source graph as its description in the sources graph gives it (None: not said)."""

    id: str
    iri: str
    title: str | None
    url: str | None
    issued: str | None
    license: str | None
    credit: str | None


def describe_sources(kg: KnowledgeGraph, graphs: list[str]) -> list[SourceDescription]:
    """Each source graph with the title, address, issue date, licence and credit (the
    attribution its licence asks for) its description in the sources graph gives."""
    if not graphs:
        return []
    result = kg.query(sparql_prefixes() + f"""
        SELECT ?g ?p ?o WHERE {{
          VALUES ?g {{ {iri_values(graphs)} }}
          GRAPH {NamedNode(SOURCES_GRAPH)} {{ ?g ?p ?o }}
        }}""")
    said: dict[tuple[str, str], str] = {}
    for g, p, o in sorted(result.rows, key=str):
        said.setdefault((g.value, p.value), o.value)

    def first(g: str, predicates: tuple[str, ...]) -> str | None:
        return next((said[(g, p)] for p in predicates if (g, p) in said), None)

    return [{"id": g[len(ontology.GRAPH):] if g.startswith(ontology.GRAPH) else g, "iri": g,
             "title": first(g, TITLE), "url": first(g, URL), "issued": first(g, ISSUED),
             "license": first(g, LICENSE), "credit": first(g, CREDIT)}
            for g in dict.fromkeys(graphs)]
