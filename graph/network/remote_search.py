"""Search by name on a remote store: the entities whose names match, read with SPARQL.

:func:`candidates` is what :class:`~graph.network.remote_walks.RemoteNetwork` searches with:
one query matches the names against the text, bound as literals, and keeps at most
:data:`MAX_CANDIDATES` entities; their names, types and degrees follow in batches, and
:func:`graph.network.search.search` ranks them as it ranks the projection of a local store.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection

import networkx as nx
from pyoxigraph import Literal

import ontology

from ..errors import Unsupported
from ..rdf.terms import iri_values, label_language, normalize, sparql_prefixes
from ..store import KnowledgeGraph
from .projection import NAME_PREDICATES, Projection, _node_attributes, name_order

__all__ = ["BATCH", "MAX_CANDIDATES", "MAX_ROWS", "candidates", "nodes_projection"]

BATCH = 200  # nodes per query: keeps each query text small
MAX_ROWS = 100_000  # statements read per step at most, so a hub cannot flood memory
MAX_CANDIDATES = 1_000  # entities a search ranks at most; past it the answer says truncated


def candidates(kg: KnowledgeGraph, terms: Projection, query: str,
               types: Collection[str] | None = None) -> tuple[Projection, bool]:
    """The entities with a name that may match ``query``, with their names, types and degrees.

    One query matches the names of the entities (``rdfs:label``, ``skos:prefLabel``,
    ``altLabel``, ``hiddenLabel``) against the text folded as :func:`~graph.terms.normalize`
    folds it, bound as literals, and keeps the :data:`MAX_CANDIDATES` best (exact, prefix, then
    substring matches); then the names, types and degrees of those entities are read in
    batches of :data:`BATCH`. :func:`graph.search.search` on the projection returned ranks them
    as it ranks the whole projection of a local store.

    Parameters
    ----------
    kg : KnowledgeGraph
        The store; only its ``query`` is used.
    terms : Projection
        The ontology's part (:attr:`RemoteNetwork.terms`): relations and classes.
    query : str
        The text to find.
    types : collection of str, optional
        Keep only entities of these classes (IRIs) or their subclasses.

    Returns
    -------
    (Projection, bool)
        The candidates as nodes without edges, with :attr:`~Projection.degrees` (their degrees
        in the whole graph); and True when more entities matched than were kept.

    Raises
    ------
    Unsupported
        For an empty query: listing every entity by degree needs the whole graph.

    Notes
    -----
    The store folds case with ``LCASE`` and knows no compatibility forms, so the text is sent
    folded three ways (``casefold``, ``lower`` and in full-width letters): a name written
    wholly in full-width letters is found too; one mixing widths, or with runs of spaces, is
    found only by a local store.
    """
    needle = normalize(query)
    if not needle:
        raise _whole_graph("the listing of every entity (search without q)", kg)
    needles = sorted({needle, " ".join(unicodedata.normalize("NFKC", query).lower().split()),
                      _full_width(needle)})
    typed = ""
    if types:
        wanted = set().union(*(terms.classes[t].descendants if t in terms.classes else {t}
                               for t in types))
        typed = f"?x a ?class . VALUES ?class {{ {iri_values(sorted(wanted))} }}"
    names = " ".join(str(p) for p, _ in NAME_PREDICATES)
    result = kg.query(f"""
        SELECT ?x (MIN(?match) AS ?best) WHERE {{
          VALUES ?needle {{ {" ".join(str(Literal(n)) for n in needles)} }}
          VALUES ?name {{ {names} }}
          ?x ?name ?label .
          FILTER(isIRI(?x) && isLiteral(?label))
          BIND(LCASE(STR(?label)) AS ?folded)
          FILTER(CONTAINS(?folded, ?needle))
          {typed}
          FILTER((STRSTARTS(STR(?x), {Literal(ontology.KG)})
                  && EXISTS {{ ?x a ?type FILTER(isIRI(?type)) }})
                 || EXISTS {{ VALUES ?p {{ {iri_values(terms.relations)} }}
                             {{ ?x ?p ?y }} UNION {{ ?y ?p ?x }} FILTER(isIRI(?y)) }})
          BIND(IF(?folded = ?needle, 0, IF(STRSTARTS(?folded, ?needle), 1, 2)) AS ?match)
        }} GROUP BY ?x ORDER BY ?best ?x LIMIT {MAX_CANDIDATES + 1}""",
                      max_rows=MAX_CANDIDATES)
    nodes = sorted(row[0].value for row in result.rows)
    found = nodes_projection(kg, terms, nodes)
    found.degrees = _degrees(kg, nodes, terms.relations)
    return found, result.truncated


def nodes_projection(kg: KnowledgeGraph, terms: Projection, nodes: list[str]) -> Projection:
    """A projection of ``nodes`` alone (no edges), with their names and types read in
    batches: what an answer needs to show them."""
    names, classes = _names_and_types(kg, nodes)
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph(version=terms.version)
    G.add_nodes_from(_node_attributes(n, names.get(n, ()), classes.get(n, ())) for n in nodes)
    return Projection(G, terms.relations, terms.classes, names)


def _degrees(kg: KnowledgeGraph, nodes: list[str], relations: Collection[str]
             ) -> dict[str, int]:
    """The number of ecosystem statements of each node, both ways, as the projection counts
    them (once per subject, predicate and object), in batches."""
    degrees = dict.fromkeys(nodes, 0)
    for start in range(0, len(nodes) if relations else 0, BATCH):
        result = kg.query(f"""
            SELECT ?x (COUNT(DISTINCT ?out) AS ?outs) (COUNT(DISTINCT ?in) AS ?ins) WHERE {{
              VALUES ?x {{ {iri_values(nodes[start:start + BATCH])} }}
              VALUES ?p {{ {iri_values(relations)} }}
              {{ GRAPH ?g {{ ?x ?p ?y }} BIND(CONCAT(STR(?p), " ", STR(?y)) AS ?out) }}
              UNION {{ GRAPH ?g {{ ?y ?p ?x }} BIND(CONCAT(STR(?p), " ", STR(?y)) AS ?in) }}
              FILTER(isIRI(?y))
            }} GROUP BY ?x""")
        for x, outs, ins in result.rows:
            degrees[x.value] = int(outs.value) + int(ins.value)
    return degrees


def _full_width(text: str) -> str:
    """The text with its ASCII letters, digits, signs and spaces in their full-width forms.

    >>> _full_width("ai 2")
    'ａｉ\u3000２'
    """
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c
                   for c in text)


def _whole_graph(what: str, kg: KnowledgeGraph) -> Unsupported:
    """The refusal of a question that needs every edge in memory, saying what runs on the
    remote store instead and how to copy it into a local store that answers everything."""
    return Unsupported(
        f"{what} need the whole relationship graph in memory, which is never copied from the "
        f"remote store {kg.location}; search by name, entity details, neighbors and circles, "
        "paths and degree rankings run as SPARQL on it, and /sparql answers the rest. To ask "
        "this, copy the graph into a local store and serve that: dump the store's named graphs "
        "to N-Quads with its own tools (an Oxigraph server answers GET /store with Accept: "
        "application/n-quads; the others: docs/storage.md), then aikg restore graph.nq "
        "--store DIR and aikg serve --store DIR")


def _names_and_types(kg: KnowledgeGraph, nodes: list[str]
                     ) -> tuple[dict[str, list[tuple[str, str, str | None]]], dict[str, set[str]]]:
    """The names (``(text, kind, language)``, hidden ones too) and the classes of ``nodes``,
    in batches."""
    names: dict[str, set[tuple[str, str, str | None]]] = defaultdict(set)
    types: dict[str, set[str]] = defaultdict(set)
    branches = " UNION ".join(f'{{ ?x {p} ?v BIND("{kind}" AS ?kind) }}'
                              for p, kind in NAME_PREDICATES)
    for start in range(0, len(nodes), BATCH):
        result = kg.query(sparql_prefixes("rdf") + f"""
            SELECT DISTINCT ?x ?kind ?v WHERE {{
              VALUES ?x {{ {iri_values(nodes[start:start + BATCH])} }}
              {{ ?x rdf:type ?v FILTER(isIRI(?v)) BIND("type" AS ?kind) }} UNION {branches}
            }}""", max_rows=MAX_ROWS)
        for x, kind, value in result.rows:
            if kind.value == "type":
                types[x.value].add(value.value)
            elif isinstance(value, Literal):
                names[x.value].add((value.value, kind.value, label_language(value)))
    return {n: sorted(found, key=name_order) for n, found in names.items()}, types
