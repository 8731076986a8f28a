"""The relationship questions a page, an API answer or a command asks, each in one call.

Each function takes the :class:`~graph.network.Network` of a local store (or the
:class:`~graph.network.remote_walks.RemoteNetwork` of a remote one), fetches the part of the graph
the question needs, walks it and returns a frozen dataclass holding the answer and the
projection it was read from, so that the caller can name its nodes. Turning it into JSON, a
page or a terminal table is the caller's job: the HTTP API, the pages and the ``aikg`` command
share these values.

``terms`` is the projection the caller checked its arguments against (its relations, roles and
dates): on a local store the version the whole request works on, so one request sees one
version even while a write lands. By default, the network's current terms.

The examples walk :func:`example_network`: a fund that invests in two start-ups.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

import networkx as nx

import ontology

from ..network.answers import Neighbour, Path
from ..network.circles import Circle
from ..network.history import Change, circle_changes, timeline
from ..network.live import Network, cached_circle
from ..network.periods import as_of, holds
from ..network.projection import Projection
from ..network.search import Hit, search
from ..network.subgraphs import circle_subgraph, paths_subgraph
from ..network.traverse import neighbors, paths
from ..store import KnowledgeGraph, open_graph
from .entities import SourceDescription, describe_sources, described

__all__ = ["EXAMPLE", "CircleAnswer", "Changes", "Description", "Found", "Lookups", "Neighbours",
           "Paths", "Profile", "Ranking", "changes_of", "circle_of", "describe_entity",
           "example_network", "find_entities", "neighbours_of", "paths_between", "profile_of",
           "rank_entities"]

#: A tiny ecosystem (Turtle): ``vc`` invests in ``alpha`` and ``beta``.
EXAMPLE = b"""@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix kg: <https://w3id.org/aikg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
aikg:investsIn rdfs:subPropertyOf aikg:ecosystemRelation ;
    aikg:subjectRole aikg:Investor ; aikg:objectRole aikg:Investee .
aikg:Investor aikg:roleKey "investor" .
aikg:Investee aikg:roleKey "investee" .
kg:vc rdfs:label "Venture Fund"@en ; aikg:investsIn kg:alpha , kg:beta .
"""


def example_network() -> Network:
    """The network of :data:`EXAMPLE` in a store of its own: the graph the examples walk.

    >>> G = example_network().current.graph
    >>> sorted(G.nodes[n]["id"] for n in G)
    ['alpha', 'beta', 'vc']
    """
    kg = open_graph("memory", bundled=False)
    kg.load(EXAMPLE, format="turtle", graph=ontology.GRAPH + "example")
    return Network(kg)


class Lookups(Protocol):
    """What these functions need of a network: :class:`~graph.network.Network` (local) and
    :class:`~graph.network.remote_walks.RemoteNetwork` (SPARQL on the store) both offer it."""

    kg: KnowledgeGraph

    @property
    def current(self) -> Projection: ...

    @property
    def terms(self) -> Projection: ...

    def around(self, projection: Projection, node: str, depth: int = 1,
               relations: Collection[str] | None = None,
               roles: Collection[str] | None = None, max_nodes: int | None = None
               ) -> Projection: ...

    def between(self, projection: Projection, source: str, target: str, *, k: int = 1,
                max_length: int = 4, relations: Collection[str] | None = None
                ) -> Projection: ...

    def matching(self, projection: Projection, query: str,
                 types: Collection[str] | None = None) -> tuple[Projection, bool]: ...

    def ranked(self, projection: Projection, metric: str, *,
               types: Collection[str] | None = None, at: str | None = None, offset: int = 0,
               limit: int | None = None) -> tuple[Projection, list[tuple[str, float]], int]: ...


@dataclass(frozen=True)
class CircleAnswer:
    """A circle of friends: ``members`` walked from ``center`` over ``projection``, as asked
    (``depth``, ``relations``, as of the day ``at``)."""

    projection: Projection
    center: str
    depth: int
    members: Circle
    relations: Collection[str] | None = None
    at: str | None = None

    def network(self) -> nx.MultiDiGraph[str]:
        """The centre, the members and the edges between them that held on ``at``: a
        read-only view to export."""
        G = as_of(self.projection.graph, self.at)
        return circle_subgraph(G, self.center, [{"node": n} for n in self.members.nodes()],
                               relations=self.relations)


def circle_of(network: Lookups, node: str, *, terms: Projection | None = None, depth: int = 1,
              relations: Collection[str] | None = None,
              roles: Collection[str] | None = None, at: str | None = None,
              hub_roles: Collection[str] = (), cap: int | None = None) -> CircleAnswer:
    """The circle of friends of ``node``, as :func:`~graph.network.cached_circle` walks it
    (the walk is kept for the next pages of the same question).

    Parameters
    ----------
    network : Lookups
        The relationship graph: the whole projection, or a remote store walked for the part.
    node : str
        The centre's IRI; an entity without relationships has an empty circle.
    terms : Projection, optional
        The version to work on (see the module's docstring).
    depth, relations, roles, at, hub_roles, cap
        As :func:`~graph.network.cached_circle` takes them; with ``cap``, a remote store is
        read for at most ``cap + 1`` members.

    Returns
    -------
    CircleAnswer

    Examples
    --------
    >>> network = example_network()
    >>> found = circle_of(network, "https://w3id.org/aikg/id/alpha", depth=2)
    >>> [(m["node"].rsplit("/")[-1], m["distance"], m["roles"]) for m in found.members.members()]
    [('vc', 1, ['investor']), ('beta', 2, ['investee'])]
    """
    P = network.around(terms or network.terms, node, depth, relations, roles,
                       None if cap is None else cap + 1)
    found = cached_circle(P, node, depth, relations=relations, roles=roles, at=at,
                          hub_roles=hub_roles, cap=cap)
    return CircleAnswer(P, node, depth, found, relations, at)


@dataclass(frozen=True)
class Paths:
    """Up to k shortest ``paths`` from ``source`` to ``target`` (as
    :func:`~graph.network.paths` gives them), read from ``projection``."""

    projection: Projection
    source: str
    target: str
    paths: list[Path]

    def network(self) -> nx.MultiDiGraph[str]:
        """The nodes and statements of the paths: a read-only view to export."""
        return paths_subgraph(self.projection.graph, self.paths)


def paths_between(network: Lookups, source: str, target: str, *,
                  terms: Projection | None = None, k: int = 1, max_length: int = 4,
                  relations: Collection[str] | None = None, at: str | None = None) -> Paths:
    """How ``source`` and ``target`` (IRIs) are connected: :func:`~graph.network.paths` over
    the part of the graph between them (``k``, ``max_length``, ``relations`` and ``at`` as it
    takes them).

    Raises
    ------
    NoPath
        When no path of at most ``max_length`` hops joins them.

    Examples
    --------
    >>> network = example_network()
    >>> found = paths_between(network, "https://w3id.org/aikg/id/alpha",
    ...                       "https://w3id.org/aikg/id/beta")
    >>> [[n.rsplit("/")[-1] for n in p["nodes"]] for p in found.paths]
    [['alpha', 'vc', 'beta']]
    """
    P = network.between(terms or network.terms, source, target, k=k, max_length=max_length,
                        relations=relations)
    return Paths(P, source, target, paths(P.graph, source, target, k=k, max_length=max_length,
                                          relations=relations, at=at))


@dataclass(frozen=True)
class Ranking:
    """One page of a ranking: ``items`` as ``(IRI, score)`` from rank ``offset + 1``, the
    number of entities ranked (``total``) and a projection naming the page's entities."""

    projection: Projection
    items: list[tuple[str, float]]
    offset: int
    total: int


def rank_entities(network: Lookups, metric: str, *, terms: Projection | None = None,
                  types: Collection[str] | None = None, at: str | None = None,
                  offset: int = 0, limit: int | None = None) -> Ranking:
    """The entities (of ``types``, if given) by decreasing ``metric``, ties by IRI, as
    :func:`~graph.network.ranking` ranks them; ``limit`` of them from rank ``offset + 1``.

    On a remote store, ``degree`` is counted by SPARQL aggregates on the endpoint, a page at a
    time; PageRank and betweenness raise :class:`~graph.errors.Unsupported`.

    Examples
    --------
    >>> found = rank_entities(example_network(), "degree", limit=2)
    >>> [(n.rsplit("/")[-1], score) for n, score in found.items], found.total
    ([('vc', 2.0), ('alpha', 1.0)], 3)
    """
    P, items, total = network.ranked(terms or network.terms, metric, types=types, at=at,
                                     offset=offset, limit=limit)
    return Ranking(P, items, offset, total)


@dataclass(frozen=True)
class Neighbours:
    """The statements between ``node`` and its neighbours (as
    :func:`~graph.network.neighbors` lists them), read from ``projection``."""

    projection: Projection
    node: str
    edges: list[Neighbour]


def neighbours_of(network: Lookups, node: str, *, terms: Projection | None = None,
                  direction: str = "both", relations: Collection[str] | None = None,
                  roles: Collection[str] | None = None, at: str | None = None) -> Neighbours:
    """The entities one ecosystem statement away from ``node``, one item per statement; none
    for an entity without relationships.

    Examples
    --------
    >>> network = example_network()
    >>> found = neighbours_of(network, "https://w3id.org/aikg/id/vc", direction="out")
    >>> [(e["node"].rsplit("/")[-1], e["role"]) for e in found.edges]
    [('alpha', 'investee'), ('beta', 'investee')]
    """
    P = network.around(terms or network.terms, node, 1, relations, roles)
    edges = neighbors(P.graph, node, direction=direction, relations=relations, roles=roles,
                      at=at) if node in P.graph else []
    return Neighbours(P, node, edges)


@dataclass(frozen=True)
class Description:
    """An entity as :func:`~graph.describe.entities.describe` gives it (``facts``), its ecosystem
    relations with ``since`` and ``until`` and, as of ``at``, only those that held then; and
    its ``degree`` in the relationship graph ``projection``."""

    projection: Projection
    iri: str
    facts: dict[str, Any]
    degree: int


def describe_entity(network: Lookups, iri: str, *, terms: Projection | None = None,
                    at: str | None = None) -> Description:
    """Everything the store says about the entity ``iri``, each statement with its sources.

    Examples
    --------
    >>> network = example_network()
    >>> found = describe_entity(network, "https://w3id.org/aikg/id/vc")
    >>> found.facts["label_en"], [r["node"]["id"] for r in found.facts["relations"]["out"]]
    ('Venture Fund', ['alpha', 'beta'])
    >>> found.degree
    2
    """
    terms = terms or network.terms
    near = network.around(terms, iri)
    facts = described(network.kg, iri, terms, at,
                      lambda found: _dated_relations(found, near.graph, iri, at))
    return Description(near, iri, facts, near.graph.degree(iri) if iri in near.graph else 0)


def _dated_relations(found: dict[str, Any], G: nx.MultiDiGraph[str], iri: str, at: str | None
                     ) -> dict[str, Any]:
    """``found`` with ``since`` and ``until`` on its ecosystem relations and, with ``at``, only
    those that held on that day."""
    for way, relations in found["relations"].items():
        kept = []
        for relation in relations:
            other = relation["node"]["iri"]
            u, v = (iri, other) if way == "out" else (other, iri)
            data = G.get_edge_data(u, v, relation["relation"]["iri"]) if \
                relation["ecosystem"] else None
            if data is not None and not holds(data, at):
                continue
            kept.append({**relation, **{k: data[k] for k in ("since", "until")
                                        if data and k in data}})
        found["relations"][way] = kept
    if at:
        found["at"] = at
    return found


@dataclass(frozen=True)
class Profile:
    """What an entity's page shows: its description, its circle at one hop (as of the same
    day) and its dated ``events``, newest first."""

    description: Description
    circle: CircleAnswer
    events: list[dict[str, object]]


def profile_of(network: Lookups, iri: str, *, terms: Projection | None = None,
               at: str | None = None) -> Profile:
    """:func:`describe_entity`, :func:`circle_of` (one hop) and the
    :func:`~graph.network.history.timeline` of ``iri``, over one version.

    Examples
    --------
    >>> network = example_network()
    >>> found = profile_of(network, "https://w3id.org/aikg/id/alpha")
    >>> found.description.degree, len(found.circle.members), found.events
    (1, 1, [])
    """
    terms = terms or network.terms
    described = describe_entity(network, iri, terms=terms, at=at)
    P = described.projection
    events = timeline(network.kg, P.graph, iri) if iri in P.graph else []
    return Profile(described, circle_of(network, iri, terms=terms, at=at), events)


@dataclass(frozen=True)
class Found:
    """The ``hits`` of a search by name, the projection holding them, and whether the store
    cut the candidates short (``truncated``: a remote store ranks a bounded number)."""

    projection: Projection
    hits: list[Hit]
    truncated: bool


def find_entities(network: Lookups, text: str, *, terms: Projection | None = None,
                  types: set[str] | None = None) -> Found:
    """The entities with a name matching ``text`` (of ``types``, if given), as
    :func:`~graph.network.search.search` ranks them; without text, every entity, most
    connected first.

    Examples
    --------
    >>> network = example_network()
    >>> [(h.node.rsplit("/")[-1], h.match) for h in find_entities(network, "venture").hits]
    [('vc', 'prefix')]
    """
    P, truncated = network.matching(terms or network.terms, text, types)
    return Found(P, search(P, text, types), truncated)


@dataclass(frozen=True)
class Changes:
    """Who ``joined`` and who ``left`` the circle of ``center`` between the days ``start``
    and ``end`` (as :func:`~graph.network.history.circle_changes` gives them), and the
    description of every ``sources`` graph that states the last hop to one of them."""

    projection: Projection
    center: str
    start: str
    end: str
    depth: int
    joined: list[Change]
    left: list[Change]
    sources: list[SourceDescription]


def changes_of(network: Lookups, iri: str, start: str, end: str, *,
               terms: Projection | None = None, depth: int = 1,
               relations: Collection[str] | None = None,
               roles: Collection[str] | None = None) -> Changes:
    """What changed in the circle of ``iri`` between the days ``start`` and ``end``, over the
    whole projection (``terms``, by default the current one; a remote store has none).

    Examples
    --------
    >>> network = example_network()
    >>> found = changes_of(network, "https://w3id.org/aikg/id/vc", "2020-01-01",
    ...                    "2025-01-01")
    >>> found.joined, found.left
    ([], [])
    """
    P = terms or network.current
    found = circle_changes(P.graph, iri, start, end, depth=depth, relations=relations,
                           roles=roles) if iri in P.graph else {"joined": [], "left": []}
    named = {s for members in found.values() for m in members
             for e in m["path"][-1]["edges"] for s in e["sources"]}
    return Changes(P, iri, start, end, depth, found["joined"], found["left"],
                   describe_sources(network.kg, sorted(named)))
