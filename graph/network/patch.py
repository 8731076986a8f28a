"""The projection patched after a write, from what the write changed, instead of rebuilt.

Before a write applies, :func:`read_statements` reads, in each graph it may change, the
statements a projection is built from (ecosystem relations, types, names, dates, terms); after
it, the same again. Their difference is what the write changed: :func:`patch` re-reads from the
store only the edges and nodes those statements are about, and makes the next projection from
the last one with those edges and nodes replaced. Its networkx graph shares every adjacency
dict of the old one but the touched nodes' (copy-on-write: a request holding the old version
sees it whole), and its arrays are patched the same way (:mod:`.overlay`).

A write that changes the ontology's terms (relations, roles, classes), a statement a derived
edge may rest on (a link of a property chain), or a graph holding more than
:data:`STATEMENT_LIMIT` such statements is not patched: it is rebuilt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

import networkx as nx
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

import ontology

from ..rdf.terms import label_language
from ..store import DEFAULT_GRAPH, KnowledgeGraph
from .edges import edge_data
from .nxdicts import Attributes, dicts
from .overlay import patched
from .periods import DCTERMS_ISSUED, SINCE, STATEMENT_PARTS, UNTIL, edge_period
from .projection import (
    NAME_PREDICATES,
    RDF_TYPE,
    TERM_PREDICATES,
    Projection,
    _node_attributes,
    edge_ends,
    name_order,
)

__all__ = ["STATEMENT_LIMIT", "Change", "changes", "patch", "read_statements"]

#: Statements of the written graphs read around a write, beyond which it is rebuilt instead.
STATEMENT_LIMIT = 20_000

_OWL_CLASS = NamedNode(ontology.PREFIXES["owl"] + "Class")
_RDFS_CLASS = NamedNode(ontology.PREFIXES["rdfs"] + "Class")
_SUBCLASS = NamedNode(ontology.PREFIXES["rdfs"] + "subClassOf")
_NAMES = dict((p.value, kind) for p, kind in NAME_PREDICATES)
_DATED = {p.value for p in (SINCE, UNTIL, *STATEMENT_PARTS)}
_TERMS = {p.value for p in TERM_PREDICATES}

Triple = tuple[str, str, str]
#: A node's name: its text, kind and language.
Name = tuple[str, str, str | None]


def read_statements(kg: KnowledgeGraph, graphs: Iterable[str], projection: Projection
                    ) -> frozenset[Quad] | None:
    """The statements in ``graphs`` that ``projection`` could be built from; None when there
    are more than :data:`STATEMENT_LIMIT` (a rebuild is then about as cheap)."""
    found: set[Quad] = set()
    predicates = projection.read_predicates()
    for name in graphs:
        graph = DefaultGraph() if name == DEFAULT_GRAPH else NamedNode(name)
        for predicate in predicates:
            for quad in kg.quads(None, predicate, None, graph):
                found.add(quad)
                if len(found) > STATEMENT_LIMIT:
                    return None
    return frozenset(found)


@dataclass(frozen=True)
class Change:
    """The edges ``(subject, predicate, object)`` and the nodes a write may have changed."""

    edges: frozenset[Triple]
    nodes: frozenset[str]


def changes(kg: KnowledgeGraph, projection: Projection, before: frozenset[Quad],
            after: frozenset[Quad]) -> Change | None:
    """What the statements changed from ``before`` to ``after`` (in the written graphs) can
    have changed in ``projection``; None when it needs a rebuild (a term changed)."""
    terms = set(projection.relations) | set(projection.classes) | {
        role.iri for relation in projection.relations.values()
        for role in (relation.subject_role, relation.object_role)}
    # A derived edge rests on chains of statements (:mod:`.chains`): what changes one is rebuilt.
    chained = set(projection.chains) | {p for chain in projection.chains.values() for p in chain}
    edges: set[Triple] = set()
    nodes: set[str] = set()
    parts = (_statement_parts(before), _statement_parts(after))
    typed: list[tuple[str, NamedNode]] = []
    for quad in before ^ after:
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if predicate in _TERMS or predicate in chained or (
                getattr(subject, "value", None) in terms):
            return None
        named = subject.value if type(subject) is NamedNode else None  # not a blank node
        if predicate in projection.relations:
            if named is not None and type(obj) is NamedNode:
                edges.add((named, predicate, obj.value))
        elif predicate == RDF_TYPE.value:
            if named is not None and type(obj) is NamedNode:
                typed.append((named, obj))
        elif predicate in _NAMES:
            if named is not None:
                nodes.add(named)
        elif predicate == DCTERMS_ISSUED.value and named is not None:  # a source graph's date
            stated = _stated_in(kg, projection, named)
            if stated is None:
                return None
            edges |= stated
        elif predicate in _DATED:
            edges |= {t for t in _reified(parts[0], quad) | _reified(parts[1], quad)
                      if t[1] in projection.relations}
    if any(p in chained for _, p, _ in edges):  # its dates changed
        return None
    nodes |= {end for s, _, o in edges for end in (s, o)}
    for node, cls in typed:
        # The types of a node (one under kg:, or an end of an edge) make the classes.
        if node.startswith(ontology.KG) or node in nodes or node in projection.graph:
            if not _class_stays(kg, projection, cls):
                return None
            nodes.add(node)
    return Change(frozenset(edges), frozenset(nodes))


def _class_stays(kg: KnowledgeGraph, projection: Projection, cls: NamedNode) -> bool:
    """Whether the classes of a projection built afresh still hold ``cls`` (as its own do),
    whoever has it as a type: it is declared in the ontology."""
    if cls.value not in projection.classes:
        return False
    patterns: list[tuple[NamedNode | None, NamedNode, NamedNode | None]] = [
        (cls, RDF_TYPE, _OWL_CLASS), (cls, RDF_TYPE, _RDFS_CLASS),
        (cls, _SUBCLASS, None), (None, _SUBCLASS, cls)]
    return any(next(kg.quads(s, p, o), None) is not None for s, p, o in patterns)


def _stated_in(kg: KnowledgeGraph, projection: Projection, graph: str) -> set[Triple] | None:
    """The edges a source graph states (their dates follow its date); None when too many."""
    found: set[Triple] = set()
    for predicate in projection.relations:
        for quad in kg.quads(None, NamedNode(predicate), None,
                                               NamedNode(graph)):
            if type(quad.subject) is NamedNode and type(quad.object) is NamedNode:
                found.add((quad.subject.value, predicate, quad.object.value))
                if len(found) > STATEMENT_LIMIT:
                    return None
    return found


Parts = dict[tuple[object, object], dict[str, set[str]]]


def _statement_parts(statements: frozenset[Quad]) -> Parts:
    """The subjects, predicates and objects of each reified statement, by statement and
    graph (a statement may be given two of each: the projection reads the first it finds)."""
    parts: Parts = {}
    wanted = {p.value for p in STATEMENT_PARTS}
    for quad in statements:
        if quad.predicate.value in wanted and type(quad.object) is NamedNode:
            parts.setdefault((quad.subject, quad.graph_name), {}).setdefault(
                quad.predicate.value, set()).add(quad.object.value)
    return parts


def _reified(parts: Parts, quad: Quad) -> set[Triple]:
    """Every edge the reified statement of ``quad`` (its subject) may be about, in its graph."""
    found = parts.get((quad.subject, quad.graph_name), {})
    subjects, predicates, objects = (found.get(p.value, set()) for p in STATEMENT_PARTS)
    return set(product(subjects, predicates, objects))


def patch(projection: Projection, kg: KnowledgeGraph, change: Change,
          written: Iterable[str]) -> Projection:
    """The projection of ``kg``'s current version: ``projection`` with the edges and nodes of
    ``change`` read again from the store. ``written``: the graphs the write changed."""
    fork = _Fork(projection.graph, kg.version)
    ends = edge_ends(projection.relations)
    added: Counter[str] = Counter()  # edges by predicate, taken away ones counting -1
    for s, p, o in sorted(change.edges):
        graphs = [q.graph_name for q in kg.quads(
            NamedNode(s), NamedNode(p), NamedNode(o), None)]
        sources = sorted({g.value for g in graphs if type(g) is NamedNode})
        data = edge_data(p, ends[p], sources, edge_period(kg, (s, p, o), sources)
                         ) if graphs else None
        added[p] += fork.set_edge(s, o, p, data)
    names: dict[str, list[Name]] = {}  # the touched nodes' names; [] for none
    for node in sorted(change.nodes):
        types = {q.object.value for q in kg.quads(
            NamedNode(node), RDF_TYPE, None, None) if type(q.object) is NamedNode}
        found = _names_of(kg, node)
        if (types and node.startswith(ontology.KG)) or fork.has_edges(node):
            fork.set_node(*_node_attributes(node, found, types))
            names[node] = found
        else:
            fork.remove_node(node)
            names[node] = []
    if any(projection.names.get(n, []) != found for n, found in names.items()):
        names = {n: found for n, found in {**projection.names, **names}.items() if found}
    else:
        names = projection.names  # shared: most writes name no one new
    read = projection.read_graphs | frozenset(written)
    made = Projection(fork.graph, projection.relations, projection.classes, names, read,
                      chains=projection.chains)
    if "predicate counts" in projection._cache:
        made._cache["predicate counts"] = projection.predicate_counts() + added  # drops zeros
    if "arrays" in projection._cache:
        made.use_arrays(patched(projection.arrays(), fork.graph, change.nodes))
    return made


def _names_of(kg: KnowledgeGraph, node: str) -> list[Name]:
    """The node's names as :func:`~.projection.project` lists them."""
    found: dict[Name, None] = {}
    for predicate, kind in NAME_PREDICATES:
        for quad in kg.quads(NamedNode(node), predicate, None, None):
            if type(quad.object) is Literal:
                found[(quad.object.value, kind, label_language(quad.object))] = None
    return sorted(found, key=name_order)


class _Fork:
    """A new :class:`networkx.MultiDiGraph` sharing the adjacency and attribute dicts of
    another but those it changes, which it copies first. Neighbours and each pair's
    predicates stay in the order :func:`~.projection.project` adds them in."""

    def __init__(self, G: nx.MultiDiGraph[str], version: int) -> None:
        self.graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self.graph.graph.update(G.graph, version=version)
        old = dicts(G)
        H = self._dicts = dicts(self.graph)
        H._node = old._node.copy()
        H._adj = H._succ = old._succ.copy()
        H._pred = old._pred.copy()
        self._owned: set[str] = set()

    def _own(self, node: str) -> None:
        H = self._dicts
        if node not in H._node:
            H._node[node], H._succ[node], H._pred[node] = {}, {}, {}
        elif node not in self._owned:
            H._succ[node], H._pred[node] = dict(H._succ[node]), dict(H._pred[node])
        self._owned.add(node)

    def set_edge(self, u: str, v: str, key: str, data: Attributes | None) -> int:
        """Put (or with None, take away) the edge ``u -key-> v``; 1 if it is new, -1 if it is
        taken away, 0 otherwise."""
        H = self._dicts
        had = key in H._succ.get(u, {}).get(v, {})
        if data is None and not had:
            return 0
        self._own(u)
        self._own(v)
        keys = dict(H._succ[u].get(v, {}))
        if data is None:
            del keys[key]
        else:
            keys[key] = data
            keys = dict(sorted(keys.items()))
        _place(H._succ[u], v, keys)
        _place(H._pred[v], u, keys)
        return -1 if data is None else int(not had)

    def has_edges(self, node: str) -> bool:
        H = self._dicts
        return node in H._node and bool(H._succ[node] or H._pred[node])

    def set_node(self, node: str, attributes: Attributes) -> None:
        self._own(node)
        self._dicts._node[node] = attributes

    def remove_node(self, node: str) -> None:
        H = self._dicts
        if node in H._node:
            del H._node[node], H._succ[node], H._pred[node]


def _place(neighbours: dict[str, dict[str, Attributes]], node: str,
           keys: dict[str, Attributes]) -> None:
    """Set ``node``'s predicates among ``neighbours``, or drop it if none, keeping the order
    :func:`~.projection.project` adds them in: by first predicate, then key."""
    if not keys:
        neighbours.pop(node, None)
        return
    moves = node not in neighbours or next(iter(keys)) != next(iter(neighbours[node]))
    neighbours[node] = keys
    if moves:
        items = sorted(neighbours.items(), key=lambda item: (next(iter(item[1])), item[0]))
        neighbours.clear()
        neighbours.update(items)
