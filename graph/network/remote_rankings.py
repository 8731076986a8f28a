"""Degree rankings on a remote store, counted by SPARQL aggregates on the endpoint.

:func:`degree_ranking` answers what :func:`graph.network.ranking` answers for ``degree`` on a
local store, page by page. The endpoint counts each entity's ecosystem statements (both ways,
each statement once however many graphs state it) twice: once for the number of entities of
each degree, from which the degrees a page spans follow, then for the entities of those
degrees, ordered here as a local store orders them (most statements first, ties by IRI).
Oxigraph sorts numbers fast but IRIs slowly (an ``ORDER BY ?x`` over 190k entities took 35 s
more at 1M triples), so the store is asked to order IRIs only for a tie of more than
:data:`~.remote_search.MAX_ROWS` entities. Only the page's degrees and names come here.
PageRank and betweenness need every edge in memory and are refused
(:func:`whole_graph_metric`), saying how to get them.
"""

from __future__ import annotations

from collections.abc import Collection

from pyoxigraph import Literal

import ontology

from ..errors import BadInput, Unsupported
from ..rdf.terms import iri_values
from ..store import KnowledgeGraph
from .metrics import METRICS
from .projection import Projection
from .remote_search import MAX_ROWS, _whole_graph, nodes_projection

__all__ = ["degree_ranking", "whole_graph_metric"]


def degree_ranking(kg: KnowledgeGraph, terms: Projection, *,
                   types: Collection[str] | None = None, offset: int = 0,
                   limit: int | None = None
                   ) -> tuple[Projection, list[tuple[str, float]], int]:
    """One page of the entities by decreasing degree, and the number of entities ranked.

    The entities are those of a local store's projection: every typed entity under ``kg:``
    (with degree 0 when it has no ecosystem statement) and every IRI at either end of an
    ecosystem statement. An entity's degree counts its ecosystem statements between IRIs, in
    and out, once each (a statement in several graphs is one statement; one from an entity to
    itself counts twice, as networkx counts a loop). Ties are ordered by IRI.

    Parameters
    ----------
    kg : KnowledgeGraph
        The store; only its ``query`` is used, under its time budget.
    terms : Projection
        The ontology's part (:attr:`~graph.network.remote_walks.RemoteNetwork.terms`).
    types : collection of str, optional
        Rank only entities of these classes (IRIs) or their subclasses.
    offset, limit : int
        The page: ``limit`` entities (all when None) from rank ``offset + 1``.

    Returns
    -------
    (Projection, list of (str, float), int)
        The entities of the page with their names and types, the page as ``(IRI, degree)``
        and the number of entities ranked.
    """
    typed = ""
    if types:
        wanted = set().union(*(terms.classes[t].descendants if t in terms.classes else {t}
                               for t in types))
        # once per entity counted, not per statement; EXISTS: two of the classes count once
        typed = f"FILTER EXISTS {{ VALUES ?class {{ {iri_values(sorted(wanted))} }} ?x a ?class }}"
    degrees = f"""SELECT ?x ?degree WHERE {{
        {{ SELECT ?x (COUNT(?p) AS ?degree) WHERE {{ {_ranked_body(terms)} }} GROUP BY ?x }}
        {typed} }}"""
    histogram = [(int(d.value), int(n.value)) for d, n in kg.query(f"""
        SELECT ?degree (COUNT(*) AS ?entities) WHERE {{ {{ {degrees} }} }}
        GROUP BY ?degree ORDER BY DESC(?degree)""").rows]
    total = sum(n for _, n in histogram)
    end = total if limit is None else min(total, offset + limit)
    if offset >= end:
        return nodes_projection(kg, terms, []), [], total
    above, (low, high), size = _band(histogram, offset, end)
    if size <= MAX_ROWS:  # the band's entities, ordered here: sorting IRIs there is slow
        rows = kg.query(f"""
            SELECT ?x ?degree WHERE {{ {{ {degrees} }}
              FILTER(?degree >= {low} && ?degree <= {high}) }}""", max_rows=size).rows
        band = sorted(((x.value, float(d.value)) for x, d in rows),
                      key=lambda item: (-item[1], item[0]))
        ranked = band[offset - above:end - above]
    else:  # a tie of more entities than one answer may hold: the store orders them
        ranked = [(x.value, float(d.value)) for x, d in kg.query(f"""
            SELECT ?x ?degree WHERE {{ {{ {degrees} }} }} ORDER BY DESC(?degree) ?x
            LIMIT {end - offset} OFFSET {offset}""", max_rows=end - offset).rows]
    return nodes_projection(kg, terms, [x for x, _ in ranked]), ranked, total


def _band(histogram: list[tuple[int, int]], offset: int, end: int
          ) -> tuple[int, tuple[int, int], int]:
    """For the ranks ``offset`` to ``end`` (excluded) of a ranking whose ``histogram`` holds
    (degree, entities) by decreasing degree: how many entities rank above the degrees the
    page spans, the lowest and highest of them, and how many entities have those degrees.

    >>> _band([(9, 1), (5, 3), (2, 4), (0, 2)], 2, 6)
    (1, (2, 5), 7)
    """
    above = seen = size = 0
    low = high = None
    for degree, count in histogram:
        if seen + count > offset and seen < end:
            if high is None:
                high, above = degree, seen
            low, size = degree, size + count
        seen += count
    assert low is not None and high is not None  # offset < end <= the entities counted
    return above, (low, high), size


def whole_graph_metric(kg: KnowledgeGraph, metric: str) -> Unsupported:
    """The refusal of a centrality other than degree on a remote store (BadInput raised for
    an unknown one)."""
    if metric not in METRICS:
        raise BadInput(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    return _whole_graph(f"rankings by {metric}", kg)


def _ranked_body(terms: Projection) -> str:
    """The pattern binding ``?x`` to each entity ranked, once per ecosystem statement it is
    an end of (with ``?p`` bound) and once more without ``?p`` when it is a typed entity."""
    statements = f"""{{ VALUES ?p {{ {iri_values(terms.relations)} }}
                {{ ?x ?p ?y BIND(true AS ?out) }} UNION {{ ?y ?p ?x BIND(false AS ?out) }}
                FILTER(isIRI(?x) && isIRI(?y)) }} UNION""" if terms.relations else ""
    return f"""
          {{ SELECT DISTINCT ?x ?p ?y ?out WHERE {{
              {statements}
              {{ ?x a ?type FILTER(isIRI(?type) && isIRI(?x)
                                   && STRSTARTS(STR(?x), {Literal(ontology.KG)})) }}
          }} }}"""
