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
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
from pyoxigraph import NamedNode

import ontology

__all__ = ["CHAIN_AXIOM", "Derived", "derive", "property_chains", "stated"]

OWL, RDF = ontology.PREFIXES["owl"], ontology.PREFIXES["rdf"]
CHAIN_AXIOM = NamedNode(OWL + "propertyChainAxiom")
_FIRST, _REST, _NIL = NamedNode(RDF + "first"), NamedNode(RDF + "rest"), NamedNode(RDF + "nil")


@dataclass
class Derived:
    """One derived edge: the sources of the statements it rests on and the nodes between."""

    sources: set[str]
    via: set[str]


def property_chains(store, relations: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The property chain of each of ``relations`` that declares one, as its links in order.

    >>> from pyoxigraph import Store, parse, RdfFormat
    >>> store = Store()
    >>> store.extend(parse(b'''<http://e/c> <%s> ( <http://e/a> <http://e/b> ) .'''
    ...                    % CHAIN_AXIOM.value.encode(), format=RdfFormat.TURTLE))
    >>> property_chains(store, ["http://e/c", "http://e/a"])
    {'http://e/c': ('http://e/a', 'http://e/b')}
    """
    chains = {}
    for relation in relations:
        for quad in store.quads_for_pattern(NamedNode(relation), CHAIN_AXIOM, None, None):
            links = _list(store, quad.object)
            if len(links) >= 2:
                chains[relation] = tuple(links)
    return chains


def derive(store, chains: dict[str, tuple[str, ...]], read: set
           ) -> dict[tuple[str, str, str], Derived]:
    """The edges ``(x, relation, z)`` that ``chains`` derive from the statements of ``store``
    between IRIs; the graphs of the statements read go into ``read``.

    A link step joins on the node reached so far; a chain that comes back to where it started
    derives nothing.
    """
    derived: dict[tuple[str, str, str], Derived] = {}
    for relation, links in chains.items():
        reached: dict[tuple[str, str], Derived] = {
            (x, y): Derived(set(graphs), set()) for (x, y), graphs in
            _statements(store, links[0], read).items()}
        for link in links[1:]:
            onward: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
            for (y, z), graphs in _statements(store, link, read).items():
                onward[y].append((z, graphs))
            joined: dict[tuple[str, str], Derived] = {}
            for (x, y), found in reached.items():
                for z, graphs in onward.get(y, ()):
                    step = joined.setdefault((x, z), Derived(set(), set()))
                    step.sources |= found.sources | graphs
                    step.via |= found.via | {y}
            reached = joined
        for (x, z), found in reached.items():
            if x != z:
                derived[(x, relation, z)] = found
    return derived


def _statements(store, predicate: str, read: set) -> dict[tuple[str, str], set[str]]:
    """The ``(subject, object)`` pairs of ``predicate`` between IRIs, with their source graphs."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, NamedNode(predicate), None, None):
        read.add(quad.graph_name)
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if type(subject) is NamedNode and type(obj) is NamedNode:
            sources = pairs[(subject.value, obj.value)]
            if type(graph) is NamedNode:
                sources.add(graph.value)
    return pairs


def _list(store, head) -> list[str]:
    """The IRIs of an RDF list, in order; empty if it is not a list of IRIs."""
    items: list[str] = []
    seen = set()
    while head != _NIL and head not in seen:
        seen.add(head)
        first = next(store.quads_for_pattern(head, _FIRST, None, None), None)
        rest = next(store.quads_for_pattern(head, _REST, None, None), None)
        if first is None or rest is None or type(first.object) is not NamedNode:
            return []
        items.append(first.object.value)
        head = rest.object
    return items


def stated(G: nx.MultiDiGraph, derived: Iterable[str]) -> nx.MultiDiGraph:
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
    return nx.subgraph_view(G, filter_edge=lambda u, v, key: key not in derived)
