"""Relationship lookups that run as SPARQL on the store, for stores too big to project in memory.

Over a remote store the relationship graph is never copied here. Neighbours and the circle of
friends walk it breadth-first on the endpoint: one query per step, the frontier and the
ecosystem predicates bound with ``VALUES`` in batches, every answer capped, so this process
holds no more than the circle asked for. The ecosystem relations and the roles of their ends
are read from the ontology in the store (sub-properties of ``aikg:ecosystemRelation`` with
``aikg:subjectRole`` and ``aikg:objectRole``).

Analytics that need the whole graph (PageRank, betweenness, connected components, rankings)
are not offered on such a store: :func:`require_local` says so with
:class:`~graph.errors.Unsupported`.

The functions take any graph with ``query`` (a :class:`~graph.store.KnowledgeGraph` too) and
return plain data shaped like :mod:`graph.network`'s: node keys are IRIs.
:class:`RemoteNetwork` stands in for :class:`~graph.network.Network` over a remote store: its
:meth:`~RemoteNetwork.around` fetches the bounded part of the graph a neighbours or circle
question needs, as a small :class:`~graph.network.Projection` that the functions of
:mod:`graph.network` then walk exactly as they walk the whole projection of a local store.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection, Iterator

import networkx as nx
from pyoxigraph import Literal, NamedNode

import ontology

from .errors import BadInput, EntityNotFound, Unsupported
from .network.projection import Projection, _classes, _node_attributes, ecosystem_relations
from .store import KnowledgeGraph
from .terms import entity_iri, iri_values, label_language, sparql_prefixes

__all__ = ["MAX_ROWS", "RemoteNetwork", "circle", "ecosystem_roles", "neighbors", "part",
           "require_local"]

BATCH = 200  # frontier nodes per query: keeps each query text small
MAX_ROWS = 100_000  # statements read per step at most, so a hub cannot flood memory

_PREFIXES = f"PREFIX aikg: <{ontology.AIKG}>\nPREFIX rdfs: <{ontology.PREFIXES['rdfs']}>\n"
RELATED = "related"  # the role of an end whose relation declares none

Edge = dict[str, object]


def require_local(kg: KnowledgeGraph, what: str) -> None:
    """Raise :class:`Unsupported` when ``kg`` has no local store to project for ``what``."""
    if kg.store is None:
        raise Unsupported(
            f"{what} needs the whole relationship graph in memory, which is not available on "
            f"the remote store {kg.location}; neighbours, circles and SPARQL still are")




class RemoteNetwork:
    """The relationship questions of :class:`~graph.network.Network`, over a remote store.

    Nothing is projected at start. :attr:`terms` holds the ontology's part (ecosystem
    relations, roles, classes), read once per version of ``kg``; :meth:`around` fetches the
    part of the graph one question needs; :attr:`current`, the whole projection, is refused.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._terms: Projection | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> Projection:
        """Raises :class:`~graph.errors.Unsupported`: a remote store is never copied whole."""
        raise Unsupported(
            "search, paths, compare, rankings, stats, types and relations need the whole "
            f"relationship graph in memory, which is never copied from the remote store "
            f"{self.kg.location}; entity details, neighbors and circles run as SPARQL on it, "
            "and /sparql answers the rest")

    @property
    def terms(self) -> Projection:
        """The ecosystem relations, their roles and the classes, over an empty graph."""
        with self._lock:
            if self._terms is None or self._terms.version != self.kg.version:
                G = nx.MultiDiGraph(version=self.kg.version)
                self._terms = Projection(G, ecosystem_relations(self.kg),
                                         _classes(self.kg, {}, set()), {})
            return self._terms

    def entity(self, entity_id: str, projection: Projection | None = None) -> str:
        """The IRI of the entity with this id, if a statement names it; else
        :class:`~graph.errors.EntityNotFound` (without suggestions: they need the names of all)."""
        iri = entity_iri(entity_id)
        if iri is None or not self.kg.ask(
                "ASK { { ?e ?p ?o } UNION { ?s ?p ?e } }", substitutions={"e": NamedNode(iri)}):
            raise EntityNotFound(f"no entity with id {entity_id!r}")
        return iri

    def around(self, projection: Projection, node: str, depth: int = 1,
               relations: Collection[str] | None = None,
               roles: Collection[str] | None = None, max_nodes: int | None = None
               ) -> Projection:
        """The part of the graph a walk of ``depth`` hops from ``node`` uses; see :func:`part`."""
        return part(self.kg, projection, node, depth=depth, relations=relations, roles=roles,
                    max_nodes=max_nodes)


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
        for x, y, edge in _step(kg, frontier, ends, roles, "both"):
            out = edge["direction"] == "out"
            edges[(x, edge["predicate"], y) if out else (y, edge["predicate"], x)] = \
                edge["sources"]
            if y not in seen:
                seen[y] = None
                reached.append(y)
        frontier = sorted(reached)
        if not frontier or (max_nodes is not None and len(seen) > max_nodes):
            break
    names, types = _names_and_types(kg, sorted(seen))
    G = nx.MultiDiGraph(version=terms.version)
    G.add_nodes_from(_node_attributes(n, names.get(n, ()), types.get(n, ())) for n in sorted(seen))
    for (s, p, o), sources in sorted(edges.items()):
        relation = terms.relations[p]
        G.add_edge(s, o, p, predicate=p, label_en=relation.label_en, label_zh=relation.label_zh,
                   subject_role=relation.subject_role.key, object_role=relation.object_role.key,
                   sources=sources)
    return Projection(G, terms.relations, terms.classes, names)


def _names_and_types(kg: KnowledgeGraph, nodes: list[str]
                     ) -> tuple[dict[str, list[tuple[str, str, str | None]]], dict[str, set[str]]]:
    """The shown names (``(text, kind, language)``) and the classes of ``nodes``, in batches."""
    names: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(nodes), BATCH):
        result = kg.query(sparql_prefixes("rdf", "rdfs", "skos") + f"""
            SELECT ?x ?kind ?v WHERE {{
              VALUES ?x {{ {iri_values(nodes[start:start + BATCH])} }}
              {{ ?x skos:prefLabel ?v BIND("pref" AS ?kind) }}
              UNION {{ ?x rdfs:label ?v BIND("label" AS ?kind) }}
              UNION {{ ?x rdf:type ?v FILTER(isIRI(?v)) BIND("type" AS ?kind) }}
            }}""", max_rows=MAX_ROWS)
        for x, kind, value in result.rows:
            if kind.value == "type":
                types[x.value].add(value.value)
            elif isinstance(value, Literal):
                names[x.value].append((value.value, kind.value, label_language(value)))
    return {n: sorted(set(found), key=str) for n, found in names.items()}, types


def ecosystem_roles(kg: KnowledgeGraph) -> dict[str, tuple[str, str]]:
    """The ecosystem relations declared in the store: predicate IRI -> (subject role key,
    object role key); an end without a declared role plays ``related``."""
    result = kg.query(_PREFIXES + """
        SELECT DISTINCT ?p ?sk ?ok WHERE {
          ?p rdfs:subPropertyOf+ aikg:ecosystemRelation .
          OPTIONAL { ?p aikg:subjectRole/aikg:roleKey ?sk }
          OPTIONAL { ?p aikg:objectRole/aikg:roleKey ?ok }
        }""")
    roles: dict[str, tuple[str, str]] = {}
    for p, sk, ok in result.rows:
        if isinstance(p, NamedNode):
            roles.setdefault(p.value, (sk.value if sk else RELATED, ok.value if ok else RELATED))
    return roles


def neighbors(
    kg: KnowledgeGraph,
    node: str,
    *,
    direction: str = "both",
    relations: Collection[str] | None = None,
    roles: Collection[str] | None = None,
) -> list[Edge]:
    """The ecosystem statements between ``node`` and its neighbours, one item per statement.

    Parameters
    ----------
    kg : KnowledgeGraph
        The store (local or remote); only its ``query`` is used.
    node : str
        The IRI of the entity.
    direction : {"both", "out", "in"}
        ``out``: statements with ``node`` as subject; ``in``: as object.
    relations, roles : collections of str, optional
        Keep only these predicates (and their sub-properties), and neighbours playing these
        role keys.

    Returns
    -------
    list of dict
        ``node`` (the neighbour), ``predicate``, ``direction``, ``role`` (the neighbour's) and
        ``sources`` (the named graphs stating it), sorted by direction, predicate and neighbour.

    Raises
    ------
    EntityNotFound
        If no statement has ``node`` as subject.
    BadInput
        If ``node`` has more than :data:`MAX_ROWS` such statements.
    """
    if direction not in ("both", "out", "in"):
        raise BadInput(f"unknown direction {direction!r}; use both, out or in")
    _check(kg, node)
    known = _relations(kg, relations)
    edges = [dict(edge, node=v) for _, v, edge in _step(kg, [node], known, roles, direction)]
    return sorted(edges, key=lambda e: (e["direction"], e["predicate"], e["node"]))


def circle(
    kg: KnowledgeGraph,
    node: str,
    *,
    depth: int = 1,
    relations: Collection[str] | None = None,
    roles: Collection[str] | None = None,
    max_members: int = 10_000,
) -> list[dict[str, object]]:
    """Everything tied to ``node`` through up to ``depth`` ecosystem statements.

    A breadth-first walk on the store, one query per step and per :data:`BATCH` frontier
    nodes. A member's ``roles`` are those it plays on the last hop of its path (in a company's
    circle its investor is ``investor``; at depth 2 the investor's other investee is
    ``investee``); with ``roles`` the walk only follows statements whose far end plays one.

    Parameters
    ----------
    kg : KnowledgeGraph
        The store (local or remote); only its ``query`` is used.
    node : str
        The IRI of the centre; it is not one of its members.
    depth : int
        Hops from the centre, 1 to 3.
    relations, roles : collections of str, optional
        Follow only these predicates (and their sub-properties), towards these role keys.
    max_members : int
        The largest circle returned.

    Returns
    -------
    list of dict
        One per member, nearest first: ``node``, ``distance``, ``roles`` (sorted) and ``path``,
        the hops from the centre, each ``from``, ``to`` and ``edges`` (``predicate``,
        ``direction``, ``role``, ``sources``).

    Raises
    ------
    EntityNotFound
        If no statement has ``node`` as subject.
    BadInput
        If ``depth`` is out of range, or the circle outgrows ``max_members`` (or one step
        :data:`MAX_ROWS` statements): name relations or lower the depth.
    """
    if not 1 <= depth <= 3:
        raise BadInput(f"depth must be 1, 2 or 3, not {depth}")
    _check(kg, node)
    known = _relations(kg, relations)
    parent: dict[str, str | None] = {node: None}
    hop_edges: dict[str, list[Edge]] = {}
    members: list[tuple[str, int]] = []
    frontier = [node]
    for distance in range(1, depth + 1):
        reached: dict[str, None] = {}  # new members of this step, in order
        for u, v, edge in _step(kg, frontier, known, roles, "both"):
            if v not in parent:
                parent[v], hop_edges[v], reached[v] = u, [], None
            if v in reached and parent[v] == u:
                hop_edges[v].append(edge)
        members.extend((v, distance) for v in reached)
        if len(members) > max_members:
            raise BadInput(f"the circle of {node} has more than {max_members} members within "
                           f"{distance} hops; name relations or lower the depth")
        frontier = sorted(reached)
        if not frontier:
            break
    result = []
    for member, distance in sorted(members, key=lambda m: (m[1], m[0])):
        chain = [member]
        while parent[chain[-1]] is not None:
            chain.append(parent[chain[-1]])
        path = [{"from": parent[v], "to": v, "edges": hop_edges[v]} for v in reversed(chain[:-1])]
        result.append({"node": member, "distance": distance,
                       "roles": sorted({e["role"] for e in hop_edges[member]}), "path": path})
    return result


# -- helpers ---------------------------------------------------------------------------------


def _check(kg: KnowledgeGraph, node: str) -> None:
    if not kg.ask("ASK { ?e ?p ?o }", substitutions={"e": _iri(node)}):
        raise EntityNotFound(f"{node} is not the subject of any statement")


def _relations(kg: KnowledgeGraph, wanted: Collection[str] | None) -> dict[str, tuple[str, str]]:
    """The ecosystem relations to follow: all, or the wanted ones and their sub-properties."""
    known = ecosystem_roles(kg)
    if wanted is None:
        return known
    narrower = kg.query(_PREFIXES + "SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf* ?r . "
                        f"VALUES ?r {{ {_values(wanted)} }} }}")
    keep = {row[0].value for row in narrower.rows} | set(wanted)
    return {p: ends for p, ends in known.items() if p in keep}


def _step(kg: KnowledgeGraph, frontier: list[str], relations: dict[str, tuple[str, str]],
          roles: Collection[str] | None, direction: str) -> Iterator[tuple[str, str, Edge]]:
    """Each statement at a frontier node that passes the filters, as (node, other end, edge),
    in a stable order; one edge per statement, with every named graph stating it."""
    if not relations:
        return
    branches = []
    if direction in ("both", "out"):
        branches.append("{ GRAPH ?g { ?x ?p ?y } BIND(true AS ?out) }")
    if direction in ("both", "in"):
        branches.append("{ GRAPH ?g { ?y ?p ?x } BIND(false AS ?out) }")
    sources: dict[tuple[str, str, str, bool], set[str]] = defaultdict(set)
    for start in range(0, len(frontier), BATCH):
        batch = _values(frontier[start:start + BATCH])
        result = kg.query(
            f"SELECT ?x ?p ?y ?out ?g WHERE {{ VALUES ?x {{ {batch} }} VALUES ?p "
            f"{{ {_values(relations)} }} {' UNION '.join(branches)} FILTER(isIRI(?y)) }}",
            max_rows=MAX_ROWS)
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


def _values(iris: Collection[str]) -> str:
    return " ".join(str(_iri(i)) for i in iris)


def _iri(value: str) -> NamedNode:
    try:
        return NamedNode(value)
    except ValueError:
        raise BadInput(f"not an absolute IRI: {value!r}") from None
