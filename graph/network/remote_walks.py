"""Relationship lookups that run as SPARQL on the store, for stores too big to project in memory.

Over a remote store the relationship graph is never copied here. :class:`RemoteNetwork` stands
in for :class:`~graph.network.Network`: for each question it fetches the bounded part of the
graph the question needs, as a small :class:`~graph.network.Projection`, and the functions of
:mod:`graph.network` and :mod:`graph.network.search` then work on it exactly as on the whole
projection of a local store.

- Neighbours and circles (:func:`part`): a breadth-first walk on the endpoint, one query per
  step, the frontier and the ecosystem predicates bound with ``VALUES`` in batches, every
  answer capped, so this process holds no more than the circle asked for.
- Paths (:func:`between`): the same walk from both ends at once, until the paths asked for
  are found.
- Search by name (:func:`~graph.network.remote_search.candidates`): one query matches the
  names against the text, bound as literals, and keeps at most :data:`MAX_CANDIDATES`
  entities; their names, types and degrees follow in batches.

The ecosystem relations and the roles of their ends are read from the ontology in the store
(sub-properties of ``aikg:ecosystemRelation`` with ``aikg:subjectRole`` and
``aikg:objectRole``). Degree rankings are SPARQL aggregates on the store
(:mod:`.remote_rankings`). Questions that need the whole graph (overlap, PageRank,
betweenness, counts, the listing of every entity) raise :class:`~graph.errors.Unsupported`,
saying so and how to copy the graph into a local store.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection, Iterator

import networkx as nx
from pyoxigraph import NamedNode

import ontology

from ..errors import BadInput, Unsupported
from ..rdf.terms import iri_values, sparql_prefixes
from ..store import KnowledgeGraph
from .answers import Edge
from .periods import period_attributes, periods_of
from .projection import (
    Projection,
    _classes,
    _node_attributes,
    ecosystem_relations,
)
from .remote_rankings import degree_ranking, whole_graph_metric
from .remote_search import (
    BATCH,
    MAX_ROWS,
    _names_and_types,
    _whole_graph,
    candidates,
)
from .search import resolve

__all__ = ["RemoteNetwork", "between", "part"]




class RemoteNetwork:
    """The relationship questions of :class:`~graph.network.Network`, over a remote store.

    Nothing is projected at start. :attr:`terms` holds the ontology's part (ecosystem
    relations, roles, classes), read once per version of ``kg``; :meth:`around` fetches the
    part of the graph one question needs, :meth:`matching` the entities a search may find;
    :attr:`current`, the whole projection, is refused.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._terms: Projection | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> Projection:
        """Raises :class:`~graph.errors.Unsupported`: a remote store is never copied whole."""
        raise _whole_graph("compare, stats, types and relations", self.kg)

    @property
    def terms(self) -> Projection:
        """The ecosystem relations, their roles and the classes, over an empty graph."""
        with self._lock:
            if self._terms is None or self._terms.version != self.kg.version:
                G: nx.MultiDiGraph[str] = nx.MultiDiGraph(version=self.kg.version)
                self._terms = Projection(G, ecosystem_relations(self.kg),
                                         _classes(self.kg, {}, set()), {})
            return self._terms

    def entity(self, text: str, projection: Projection | None = None) -> str:
        """The IRI of the entity that ``text`` names (an id or IRI that a statement names, or
        a name among the search candidates of ``text``); see
        :func:`~graph.network.search.resolve`."""
        def known(iri: str) -> bool:
            try:
                node = NamedNode(iri)
            except ValueError:
                return False
            return self.kg.ask("ASK { { ?e ?p ?o } UNION { ?s ?p ?e } }",
                               substitutions={"e": node})

        def named() -> Projection:  # searched only when text is no known id or IRI
            return candidates(self.kg, self.terms, text)[0] if text.strip() else self.terms

        return resolve(named, text, known)

    def around(self, projection: Projection, node: str, depth: int = 1,
               relations: Collection[str] | None = None,
               roles: Collection[str] | None = None, max_nodes: int | None = None
               ) -> Projection:
        """The part of the graph a walk of ``depth`` hops from ``node`` uses; see :func:`part`."""
        return part(self.kg, projection, node, depth=depth, relations=relations, roles=roles,
                    max_nodes=max_nodes)

    def matching(self, projection: Projection, query: str, types: Collection[str] | None = None
                 ) -> tuple[Projection, bool]:
        """The entities a search for ``query`` may find; see :func:`candidates`."""
        return candidates(self.kg, projection, query, types)

    def between(self, projection: Projection, source: str, target: str, *, k: int = 1,
                max_length: int = 4, relations: Collection[str] | None = None) -> Projection:
        """The part of the graph the paths between two entities use; see :func:`between`."""
        return between(self.kg, projection, source, target, k=k, max_length=max_length,
                       relations=relations)

    def ranked(self, projection: Projection, metric: str, *, types: Collection[str] | None = None,
               at: str | None = None, offset: int = 0, limit: int | None = None
               ) -> tuple[Projection, list[tuple[str, float]], int]:
        """One page of the ranking by ``metric`` and its length: by degree, SPARQL aggregates
        on the store (:func:`~.remote_rankings.degree_ranking`); PageRank and betweenness
        need the whole graph and raise :class:`~graph.errors.Unsupported`, as ``at`` does."""
        if metric != "degree":
            raise whole_graph_metric(self.kg, metric)
        if at is not None:
            raise Unsupported("at: rankings as of a date need a local store (memory or a "
                              "directory); on a remote store ask SPARQL at /sparql")
        return degree_ranking(self.kg, projection, types=types, offset=offset, limit=limit)


def part(kg: KnowledgeGraph, terms: Projection, node: str, *, depth: int = 1,
         relations: Collection[str] | None = None, roles: Collection[str] | None = None,
         max_nodes: int | None = None) -> Projection:
    """The bounded part of the relationship graph within ``depth`` hops of ``node``.

    A breadth-first walk on the store (one query per step and :data:`BATCH` frontier nodes)
    reads every ecosystem statement at the nodes nearer than ``depth`` that passes the
    filters, then the labels and types of the nodes reached, in batches. On the projection
    returned, :func:`graph.network.neighbors` (``depth`` 1) and :func:`graph.network.circle`
    give the answers they give on the whole projection.

    Parameters
    ----------
    kg : KnowledgeGraph
        The store; only its ``query`` is used.
    terms : Projection
        The ontology's part (:attr:`RemoteNetwork.terms`): relations, roles and classes.
    node : str
        The IRI of the centre.
    depth : int
        Hops from the centre.
    relations, roles : collections of str, optional
        Follow only these predicates (IRIs, sub-properties included by the caller), towards
        ends playing these role keys.
    max_nodes : int, optional
        Stop walking further once more nodes than this are reached (a circle capped at this
        size is then complete up to its cap).

    Raises
    ------
    BadInput
        If one step reads more than :data:`MAX_ROWS` statements.
    """
    ends = {p: (r.subject_role.key, r.object_role.key) for p, r in terms.relations.items()
            if relations is None or p in relations}
    seen, frontier = {node: None}, [node]
    edges: dict[tuple[str, str, str], list[str]] = {}
    for _ in range(depth):
        reached = []
        for x, y, edge in _step(kg, frontier, ends, roles):
            out = edge["direction"] == "out"
            edges[(x, edge["predicate"], y) if out else (y, edge["predicate"], x)] = \
                edge["sources"]
            if y not in seen:
                seen[y] = None
                reached.append(y)
        frontier = sorted(reached)
        if not frontier or (max_nodes is not None and len(seen) > max_nodes):
            break
    return _projected(kg, terms, seen, edges)


def between(kg: KnowledgeGraph, terms: Projection, source: str, target: str, *, k: int = 1,
            max_length: int = 4, relations: Collection[str] | None = None) -> Projection:
    """The part of the relationship graph that holds the ``k`` shortest paths (at most
    ``max_length`` hops) between ``source`` and ``target``, for :func:`graph.network.paths`.

    A bidirectional breadth-first walk: each round takes one step, as in :func:`part`, from
    the end whose frontier is smaller. After ``a`` steps from the source and ``b`` from the
    target, every path of at most ``a + b`` hops has all its statements in the part (each hop
    starts at a node nearer than ``a`` to the source, or ends at one nearer than ``b`` to the
    target); the walk stops once ``k`` such paths exist or ``a + b`` is ``max_length``.
    """
    ends = {p: (r.subject_role.key, r.object_role.key) for p, r in terms.relations.items()
            if relations is None or p in relations}
    seen: dict[str, None] = {source: None, target: None}
    frontiers, walked = [[source], [target]], [0, 0]
    edges: dict[tuple[str, str, str], list[str]] = {}
    links: nx.Graph[str] = nx.Graph()
    links.add_nodes_from([source, target])
    while sum(walked) < max_length and all(frontiers) and not _enough(
            links, source, target, k, sum(walked)):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        reached = []
        for x, y, edge in _step(kg, frontiers[side], ends, None):
            out = edge["direction"] == "out"
            edges[(x, edge["predicate"], y) if out else (y, edge["predicate"], x)] = \
                edge["sources"]
            links.add_edge(x, y)
            if y not in seen:
                seen[y] = None
                reached.append(y)
        # a node the other side reached is not walked again from this side
        frontiers[side], walked[side] = sorted(reached), walked[side] + 1
    return _projected(kg, terms, seen, edges)


def _enough(links: nx.Graph[str], source: str, target: str, k: int, length: int) -> bool:
    """True when ``links`` holds ``k`` simple paths of at most ``length`` hops."""
    if not nx.has_path(links, source, target):
        return False
    for found, path in enumerate(nx.shortest_simple_paths(links, source, target), start=1):
        if len(path) - 1 > length:
            return False
        if found >= k:
            return True
    return False


def _projected(kg: KnowledgeGraph, terms: Projection, seen: dict[str, None],
               edges: dict[tuple[str, str, str], list[str]]) -> Projection:
    """A projection of the nodes ``seen`` with their names and types, and ``edges``."""
    names, types = _names_and_types(kg, sorted(seen))
    periods = periods_of(edges, _issued(kg, {g for found in edges.values() for g in found}),
                         _stated(kg, sorted(edges)))
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph(version=terms.version)
    G.add_nodes_from(_node_attributes(n, names.get(n, ()), types.get(n, ())) for n in sorted(seen))
    for (s, p, o), sources in sorted(edges.items()):
        relation = terms.relations[p]
        G.add_edge(s, o, p, predicate=p, label_en=relation.label_en, label_zh=relation.label_zh,
                   subject_role=relation.subject_role.key, object_role=relation.object_role.key,
                   sources=sources, **period_attributes(periods.get((s, p, o))))
    return Projection(G, terms.relations, terms.classes, names)


def _issued(kg: KnowledgeGraph, graphs: set[str]) -> dict[str, str]:
    """The publication date of each source graph that has one, as the projection reads it."""
    found: dict[str, str] = {}
    ordered = sorted(graphs)
    for start in range(0, len(ordered), BATCH):
        for g, date in kg.query(sparql_prefixes("dcterms") + f"""
                SELECT DISTINCT ?g ?date WHERE {{
                  VALUES ?g {{ {iri_values(ordered[start:start + BATCH])} }}
                  GRAPH <{ontology.SOURCES_GRAPH}> {{ ?g dcterms:issued ?date }}
                }}""").rows:
            found[g.value] = date.value
    return found


def _stated(kg: KnowledgeGraph, edges: list[tuple[str, str, str]]
            ) -> Iterator[tuple[tuple[str, str, str], str, str]]:
    """The ``aikg:since`` and ``aikg:until`` stated about ``edges`` (reified statements)."""
    for start in range(0, len(edges), BATCH):
        rows = " ".join(f"({iri_values(edge)})" for edge in edges[start:start + BATCH])
        for s, p, o, kind, date in kg.query(sparql_prefixes("aikg", "rdf") + f"""
                SELECT DISTINCT ?s ?p ?o ?kind ?date WHERE {{
                  VALUES (?s ?p ?o) {{ {rows} }}
                  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
                  {{ ?statement aikg:since ?date BIND("since" AS ?kind) }}
                  UNION {{ ?statement aikg:until ?date BIND("until" AS ?kind) }}
                }}""").rows:
            yield (s.value, p.value, o.value), kind.value, date.value


def _step(kg: KnowledgeGraph, frontier: list[str], relations: dict[str, tuple[str, str]],
          roles: Collection[str] | None) -> Iterator[tuple[str, str, Edge]]:
    """Each statement at a frontier node that passes the filters, as (node, other end, edge),
    in a stable order; one edge per statement, with every named graph stating it."""
    if not relations:
        return
    sources: dict[tuple[str, str, str, bool], set[str]] = defaultdict(set)
    for start in range(0, len(frontier), BATCH):
        result = kg.query(f"""
            SELECT ?x ?p ?y ?out ?g WHERE {{
              VALUES ?x {{ {iri_values(frontier[start:start + BATCH])} }}
              VALUES ?p {{ {iri_values(relations)} }}
              {{ GRAPH ?g {{ ?x ?p ?y }} BIND(true AS ?out) }}
              UNION {{ GRAPH ?g {{ ?y ?p ?x }} BIND(false AS ?out) }}
              FILTER(isIRI(?y))
            }}""", max_rows=MAX_ROWS)
        if result.truncated:
            raise BadInput(f"more than {MAX_ROWS} statements in one step of the walk; "
                           "name relations or lower the depth")
        for x, p, y, out, g in result.rows:
            sources[(x.value, p.value, y.value, out.value == "true")].add(g.value)
    for (x, p, y, out), graphs in sorted(sources.items()):
        role = relations[p][1 if out else 0]
        if y != x and (roles is None or role in roles):
            yield x, y, {"predicate": p, "direction": "out" if out else "in", "role": role,
                         "sources": sorted(graphs)}
