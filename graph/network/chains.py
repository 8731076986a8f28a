"""Ecosystem relations derived by OWL property chains, materialised for the projection.

An ecosystem relation declared with ``owl:propertyChainAxiom ( p1 ... pn )`` holds from ``x`` to
``z`` wherever ``x p1 y1``, ..., ``yn-1 pn z`` are stated: ``aikg:runsOnHardwareOf`` is
``aikg:runsOn`` then ``aikg:ownedBy``, so a model trained on the H100 runs on NVIDIA's hardware.
The store never holds such a statement (the shapes refuse it); the projection gets one edge per
``(x, relation, z)``, carrying the nodes it goes through (``via``) and the sources of every
statement it rests on, so that an answer can show the chain it stands for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode

import ontology

from ..rdf.quadsource import QuadSource
from .periods import Period, start_day

__all__ = ["CHAIN_AXIOM", "Derived", "chain_period", "derive", "property_chains", "stated"]

OWL, RDF = ontology.PREFIXES["owl"], ontology.PREFIXES["rdf"]
CHAIN_AXIOM = NamedNode(OWL + "propertyChainAxiom")
_FIRST, _REST, _NIL = NamedNode(RDF + "first"), NamedNode(RDF + "rest"), NamedNode(RDF + "nil")


Triple = tuple[str, str, str]
Term = NamedNode | BlankNode | Literal | pyoxigraph.Triple


@dataclass
class Derived:
    """One derived edge: the sources of the statements it rests on, the nodes between, and
    each chain of statements that derives it."""

    sources: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)
    paths: list[tuple[Triple, ...]] = field(default_factory=list)


def property_chains(store: QuadSource, relations: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The property chain of each of ``relations`` that declares one, as its links in order.

    >>> from pyoxigraph import parse, RdfFormat
    >>> from graph.store import open_graph
    >>> store = open_graph("memory", bundled=False)
    >>> store.add(parse(b'''<http://e/c> <%s> ( <http://e/a> <http://e/b> ) .'''
    ...                    % CHAIN_AXIOM.value.encode(), format=RdfFormat.TURTLE))
    >>> property_chains(store, ["http://e/c", "http://e/a"])
    {'http://e/c': ('http://e/a', 'http://e/b')}
    """
    chains: dict[str, tuple[str, ...]] = {}
    for relation in relations:
        for quad in store.quads(NamedNode(relation), CHAIN_AXIOM, None, None):
            links = _list(store, quad.object)
            if len(links) >= 2:
                chains[relation] = tuple(links)
    return chains


def derive(store: QuadSource, chains: dict[str, tuple[str, ...]],
           read: set[NamedNode | BlankNode | DefaultGraph]) -> dict[tuple[str, str, str], Derived]:
    """The edges ``(x, relation, z)`` that ``chains`` derive from the statements of ``store``
    between IRIs; the graphs of the statements read go into ``read``.

    A link step joins on the node reached so far; a chain that comes back to where it started
    derives nothing.
    """
    derived: dict[tuple[str, str, str], Derived] = {}
    for relation, links in chains.items():
        reached: dict[tuple[str, str], Derived] = {
            (x, y): Derived(set(graphs), set(), [((x, links[0], y),)]) for (x, y), graphs in
            _statements(store, links[0], read).items()}
        for link in links[1:]:
            onward: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
            for (y, z), graphs in _statements(store, link, read).items():
                onward[y].append((z, graphs))
            joined: dict[tuple[str, str], Derived] = defaultdict(Derived)
            for (x, y), found in reached.items():
                for z, graphs in onward.get(y, ()):
                    step = joined[(x, z)]
                    step.sources |= found.sources | graphs
                    step.via |= found.via | {y}
                    step.paths += [(*path, (y, link, z)) for path in found.paths]
            reached = joined
        for (x, z), found in reached.items():
            if x != z:
                derived[(x, relation, z)] = found
    return derived


def chain_period(found: Derived, periods: Mapping[Triple, Period]) -> Period | None:
    """When a derived edge held: while every statement of one of its chains held. From the
    earliest day one chain began (its latest statement's ``since``) until the last day one
    held; None when no statement is dated.

    >>> a, b = ("m", "runsOn", "chip"), ("chip", "ownedBy", "maker")
    >>> chain_period(Derived(paths=[(a, b)]), {a: Period("2026-01-26"), b: Period("2023")})
    Period(since='2026-01-26', until=None, stated=False)
    """
    spans: list[tuple[str | None, str | None]] = []
    for path in found.paths:
        dated = [periods.get(statement, Period()) for statement in path]
        starts = [p.since for p in dated if p.since]
        ends = [p.until for p in dated if p.until]
        spans.append((max(starts, key=start_day) if starts else None,
                      min(ends, key=start_day) if ends else None))
    begun = [since for since, _ in spans if since is not None]
    ended = [until for _, until in spans if until is not None]
    since = min(begun, key=start_day) if len(begun) == len(spans) else None
    until = max(ended, key=start_day) if len(ended) == len(spans) else None
    return Period(since, until) if since or until else None


def _statements(store: QuadSource, predicate: str,
                read: set[NamedNode | BlankNode | DefaultGraph]
                ) -> dict[tuple[str, str], set[str]]:
    """The ``(subject, object)`` pairs of ``predicate`` between IRIs, with their source graphs."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for quad in store.quads(None, NamedNode(predicate), None, None):
        read.add(quad.graph_name)
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if type(subject) is NamedNode and type(obj) is NamedNode:
            sources = pairs[(subject.value, obj.value)]
            if type(graph) is NamedNode:
                sources.add(graph.value)
    return pairs


def _list(store: QuadSource, head: Term) -> list[str]:
    """The IRIs of an RDF list, in order; empty if it is not a list of IRIs."""
    items: list[str] = []
    seen: set[Term] = set()
    while head != _NIL and head not in seen:
        if not isinstance(head, NamedNode | BlankNode):
            return []  # a literal where a list node should be
        seen.add(head)
        first = next(store.quads(head, _FIRST, None, None), None)
        rest = next(store.quads(head, _REST, None, None), None)
        if first is None or rest is None or type(first.object) is not NamedNode:
            return []
        items.append(first.object.value)
        head = rest.object
    return items


def stated(G: nx.MultiDiGraph[str], derived: Iterable[str]) -> nx.MultiDiGraph[str]:
    """``G`` without the edges of the ``derived`` relations (a read-only view; ``G`` itself
    when there are none): what centralities count, so that a model trained on an NVIDIA chip
    adds to NVIDIA's score through the chip once, not once more through its derived edge.

    >>> G = nx.MultiDiGraph([("m", "chip", "runsOn"), ("chip", "maker", "ownedBy"),
    ...                      ("m", "maker", "runsOnHardwareOf")])
    >>> sorted(stated(G, {"runsOnHardwareOf"}).edges(keys=True))
    [('chip', 'maker', 'ownedBy'), ('m', 'chip', 'runsOn')]
    """
    derived = frozenset(derived)
    if not derived:
        return G
    # types-networkx types a multigraph's edge keys as int; ours are predicate IRIs
    return nx.subgraph_view(G, filter_edge=lambda u, v, key: key not in derived)  # type: ignore[comparison-overlap]
