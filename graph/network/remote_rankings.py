"""Degree rankings on a remote store, counted by SPARQL aggregates on the endpoint.

:func:`degree_ranking` answers what :func:`graph.network.ranking` answers for ``degree`` on a
local store, page by page: the endpoint counts each entity's ecosystem statements (both ways,
each statement once however many graphs state it), orders them as a local store does (most
statements first, ties by IRI) and returns one page; a second aggregate counts the entities
ranked. Nothing but the page and its names comes here. PageRank and betweenness need every
edge in memory and are refused (:func:`whole_graph_metric`), saying how to get them.
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
from .remote_search import _whole_graph, nodes_projection

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
    body = _ranked_body(terms, types)
    page = f"LIMIT {int(limit)}" if limit is not None else ""
    result = kg.query(f"""
        SELECT ?x (COUNT(?p) AS ?degree) WHERE {{ {body} }}
        GROUP BY ?x ORDER BY DESC(?degree) ?x {page} OFFSET {int(offset)}""",
                      max_rows=limit)
    ranked = [(x.value, float(degree.value)) for x, degree in result.rows]
    total = kg.query(f"""
        SELECT (COUNT(DISTINCT ?x) AS ?entities) WHERE {{ {body} }}""").rows[0][0]
    return nodes_projection(kg, terms, [x for x, _ in ranked]), ranked, int(total.value)


def whole_graph_metric(kg: KnowledgeGraph, metric: str) -> Unsupported:
    """The refusal of a centrality other than degree on a remote store (BadInput raised for
    an unknown one)."""
    if metric not in METRICS:
        raise BadInput(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    return _whole_graph(f"rankings by {metric}", kg)


def _ranked_body(terms: Projection, types: Collection[str] | None) -> str:
    """The pattern binding ``?x`` to each entity ranked, once per ecosystem statement it is
    an end of (with ``?p`` bound) and once more without ``?p`` when it is a typed entity."""
    typed = ""
    if types:
        wanted = set().union(*(terms.classes[t].descendants if t in terms.classes else {t}
                               for t in types))
        # EXISTS, not a join: an entity of two of the classes is still counted once
        typed = f"FILTER EXISTS {{ VALUES ?class {{ {iri_values(sorted(wanted))} }} ?x a ?class }}"
    statements = f"""{{ VALUES ?p {{ {iri_values(terms.relations)} }}
                {{ ?x ?p ?y BIND(true AS ?out) }} UNION {{ ?y ?p ?x BIND(false AS ?out) }}
                FILTER(isIRI(?x) && isIRI(?y)) }} UNION""" if terms.relations else ""
    return f"""
          {{ SELECT DISTINCT ?x ?p ?y ?out WHERE {{
              {statements}
              {{ ?x a ?type FILTER(isIRI(?type) && isIRI(?x)
                                   && STRSTARTS(STR(?x), {Literal(ontology.KG)})) }}
          }} }}
          {typed}"""
