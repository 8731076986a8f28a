"""The networkx projection of the store: entities as nodes, ecosystem statements as edges.

Which predicates form the ecosystem, and the roles their two ends play, is read from the
ontology in the store (sub-properties of ``aikg:ecosystemRelation`` with ``aikg:subjectRole``
and ``aikg:objectRole``), never listed in Python. Only statements between two IRIs whose
predicate is such a relation become edges, so hubs such as countries or categories do not
swamp paths and rankings.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TypeVar, cast

import networkx as nx
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode

import ontology

from ..errors import BadInput
from ..rdf.terms import label_language, pick_label, resolve_terms, sparql_prefixes
from ..store import DEFAULT_GRAPH, KnowledgeGraph
from .answers import NodeData
from .arrays import Adjacency, adjacency, keep
from .chains import CHAIN_AXIOM, chain_period, derive, property_chains
from .collector import without_collector
from .edges import EdgeEnds, edge_data
from .labels import RDFS_LABEL, SKOS, term_labels
from .periods import DATE_PREDICATES, edge_periods

__all__ = ["Role", "Relation", "TermInfo", "Projection", "edge_ends", "name_order", "project",
           "term_labels"]

RDF_TYPE = NamedNode(ontology.PREFIXES["rdf"] + "type")
#: Label predicates and the kind of name each gives; hidden labels are searched, never shown.
NAME_PREDICATES = (
    (NamedNode(SKOS + "prefLabel"), "pref"),
    (RDFS_LABEL, "label"),
    (NamedNode(SKOS + "altLabel"), "alt"),
    (NamedNode(SKOS + "hiddenLabel"), "hidden"),
)
#: The predicates of the ontology statements a projection reads (relations, roles, classes,
#: property chains)
#: besides types and names.
TERM_PREDICATES = tuple(NamedNode(iri) for iri in (
    ontology.PREFIXES["rdfs"] + "subPropertyOf", ontology.PREFIXES["rdfs"] + "subClassOf",
    ontology.AIKG + "subjectRole", ontology.AIKG + "objectRole", ontology.AIKG + "roleKey",
    CHAIN_AXIOM.value))

T = TypeVar("T")


@dataclass(frozen=True)
class Role:
    """A role an entity plays at one end of an ecosystem relation (``investor``, ...)."""

    key: str
    label_en: str = ""
    label_zh: str = ""
    iri: str = ""


#: The role of an end whose relation declares none.
RELATED = Role("related", "related", "相关")


@dataclass(frozen=True)
class Relation:
    """An ecosystem relation: its predicate, labels and the roles of subject and object."""

    iri: str
    subject_role: Role
    object_role: Role
    label_en: str = ""
    label_zh: str = ""
    broader: frozenset[str] = frozenset()  # the ecosystem relations it is a sub-property of
    #: How it reads from the object's side (``aikg:inverseLabel``): "invested in by".
    inverse_label_en: str = ""
    inverse_label_zh: str = ""


@dataclass(frozen=True)
class TermInfo:
    """A class of the ontology: its labels and every class below it, itself included."""

    iri: str
    label_en: str
    label_zh: str
    descendants: frozenset[str]


@dataclass
class Projection:
    """The relationship graph of one version of the store, with what it was built from.

    ``graph`` follows the project's interface 2 (node and edge attributes); each edge also
    carries the role keys of its two ends, ``subject_role`` and ``object_role``. ``names``
    holds every searchable name of each node as ``(text, kind, language)``. Derived values
    (rankings, the search index) are computed once per projection by :meth:`cached`.
    ``degrees``, when given, is each node's degree in the whole graph, for a projection that
    holds nodes without all their edges (a remote store's search candidates).
    """

    graph: nx.MultiDiGraph[str]
    relations: dict[str, Relation]
    classes: dict[str, TermInfo]
    names: dict[str, list[tuple[str, str, str | None]]]
    #: The graphs holding a statement of :meth:`read_predicates`: what it was built from.
    read_graphs: frozenset[str] = frozenset()
    #: The links of each relation derived by a property chain (:mod:`.chains`).
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    degrees: dict[str, int] | None = None
    _cache: dict[str, object] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> int:
        return int(self.graph.graph["version"])

    @property
    def roles(self) -> dict[str, Role]:
        """Every role by key: those the relations declare, and ``related`` if an edge has it
        (made once per projection: a circle names its roles many times)."""
        def compute() -> dict[str, Role]:
            used = self.predicate_counts()
            found: dict[str, Role] = {}
            for relation in self.relations.values():
                for role in (relation.subject_role, relation.object_role):
                    if role is not RELATED or used[relation.iri]:
                        found.setdefault(role.key, role)
            return dict(sorted(found.items()))

        return self.cached("roles", compute)

    def predicate_counts(self) -> Counter[str]:
        """The number of edges of each predicate, counted once per projection (a patch
        carries the counts over, :mod:`.patch`)."""
        return self.cached("predicate counts",
                           lambda: Counter(k for _, _, k in self.graph.edges(keys=True)))

    def relation_filter(self, names: Iterable[str]) -> set[str] | None:
        """The predicates that relation ``names`` (ids, CURIEs or IRIs) stand for, with those
        below them; None (no filter) for no names. Raises BadInput for an unknown name."""
        names = list(names)
        return self.narrower(resolve_terms(names, self.relations, "relation")) if names else None

    def role_filter(self, names: Iterable[str]) -> set[str] | None:
        """The role keys ``names``, checked; None (no filter) for no names."""
        names = list(names)
        unknown = [n for n in names if n not in self.roles]
        if unknown:
            raise BadInput(f"role: unknown {unknown[0]!r}; known: {', '.join(self.roles)}")
        return set(names) or None

    def type_filter(self, names: Iterable[str]) -> set[str] | None:
        """The class IRIs that type ``names`` stand for; None (no filter) for no names."""
        names = list(names)
        return resolve_terms(names, self.classes, "type") if names else None

    def narrower(self, relations: Iterable[str]) -> set[str]:
        """The relations with every relation below them (``supplierRelation``: each supplier)."""
        found = set(relations)
        grew = True
        while grew:
            below = {r.iri for r in self.relations.values() if r.broader & found}
            grew = not below <= found
            found |= below
        return found

    def read_predicates(self) -> list[NamedNode]:
        """The predicates of every statement the projection may be built from."""
        links = {link for chain in self.chains.values() for link in chain} - set(self.relations)
        return ([NamedNode(p) for p in [*self.relations, *sorted(links)]]
                + [RDF_TYPE, *TERM_PREDICATES]
                + [p for p, _ in NAME_PREDICATES] + list(DATE_PREDICATES))

    def outlives(self, kg: KnowledgeGraph) -> bool:
        """True when the last commit of ``kg`` cannot have changed this projection.

        That is when the commit names the graphs it changed (``kg.changed_graphs``), none of
        them is one the projection was built from, and none holds a statement it would read
        now: each a few index lookups, where a rebuild scans the whole store.
        """
        changed = kg.changed_graphs
        if changed is None or changed & self.read_graphs:
            return False
        predicates = self.read_predicates()
        for name in changed:
            graph = DefaultGraph() if name == DEFAULT_GRAPH else NamedNode(name)
            for predicate in predicates:
                if next(kg.quads(None, predicate, None, graph), None) is not None:
                    return False
        return True

    def cached(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per projection; later calls return the same value.

        Each name has its own lock, so a slow value (betweenness) is computed once while
        other values stay available, and a computation may use other cached values.
        """
        if name in self._cache:
            return self._cache[name]  # type: ignore[return-value]
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._cache:
                self._cache[name] = without_collector(compute)
        return self._cache[name]  # type: ignore[return-value]

    def nodes_of_types(self, types: Iterable[str]) -> frozenset[str]:
        """The nodes having one of ``types`` or a subclass of one among their types."""
        types = sorted(types)

        def compute() -> frozenset[str]:
            wanted: set[str] = set()
            for iri in types:
                wanted |= self.classes[iri].descendants if iri in self.classes else {iri}
            return frozenset(n for n, t in self.graph.nodes(data="types") if
                             wanted.intersection(t))

        return self.cached("types " + " ".join(types), compute)

    def degree(self, node: str) -> int:
        """The node's number of ecosystem statements, both ways, in the whole graph."""
        return self.graph.degree(node) if self.degrees is None else self.degrees[node]

    def arrays(self) -> Adjacency:
        """The graph as integer arrays for fast walks (:mod:`.arrays`), made once."""
        return self.cached("arrays", lambda: keep(self.graph, adjacency(self.graph)))

    def use_arrays(self, A: Adjacency) -> None:
        """Make ``A`` (patched or compacted arrays of this graph) the ones walks read."""
        self._cache["arrays"] = keep(self.graph, A)

    def node_data(self, node: str) -> NodeData:
        """The node's display attributes: ``id``, ``iri``, labels and types."""
        data = self.graph.nodes[node]
        return cast(NodeData, {k: data[k] for k in ("id", "iri", "label_en", "label_zh", "types")})


def project(kg: KnowledgeGraph) -> Projection:
    """Build the projection of the current version of ``kg`` with a few bulk scans.

    Nodes are the typed entities under ``kg:`` and every end of an ecosystem statement.
    Relations derived by a property chain (:mod:`.chains`) are edges too, each with the nodes
    it goes through as ``via``.
    """
    relations = ecosystem_relations(kg)
    read = {quad.graph_name for p in TERM_PREDICATES
            for quad in kg.quads(None, p, None, None)}
    edge_sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for predicate in relations:
        for quad in kg.quads(None, NamedNode(predicate), None, None):
            subject, obj, graph = quad.subject, quad.object, quad.graph_name
            read.add(graph)
            if type(subject) is NamedNode and type(obj) is NamedNode:
                sources = edge_sources[(subject.value, predicate, obj.value)]
                if type(graph) is NamedNode:
                    sources.add(graph.value)
    chains = property_chains(kg, relations)
    derived = derive(kg, chains, read)
    for statement, found in derived.items():
        edge_sources[statement] |= found.sources
    types: dict[str, set[str]] = defaultdict(set)
    for quad in kg.quads(None, RDF_TYPE, None, None):
        subject, obj = quad.subject, quad.object
        read.add(quad.graph_name)
        if type(subject) is NamedNode and type(obj) is NamedNode:
            types[subject.value].add(obj.value)
    nodes = {s for s in types if s.startswith(ontology.KG)}
    nodes.update(end for s, _, o in edge_sources for end in (s, o))
    names = _names(kg, nodes, read)

    G: nx.MultiDiGraph[str] = nx.MultiDiGraph(version=kg.version)
    G.add_nodes_from(_node_attributes(iri, names.get(iri, ()), types.get(iri, ()))
                     for iri in sorted(nodes))
    ends = edge_ends(relations)
    periods = edge_periods(kg, edge_sources, read)
    for statement, found in derived.items():
        if (period := chain_period(found, periods)) is None:  # no statement of it is dated
            periods.pop(statement, None)
        else:
            periods[statement] = period
    add_edge = G.add_edge  # one call per edge: add_edges_from looks each edge up again
    # By predicate, subject and object, so that the order walks follow does not hang on the
    # store's, and a patch can keep it: a node's neighbours (out, and in) by the first
    # predicate joining them, then key; each pair's predicates sorted.
    for s, p, o in sorted(edge_sources, key=itemgetter(1, 0, 2)):
        through = derived.get((s, p, o))
        add_edge(s, o, p, **edge_data(p, ends[p], edge_sources[(s, p, o)],
                                      periods.get((s, p, o)), through.via if through else None))
    read_graphs = frozenset(g.value if type(g) is NamedNode else DEFAULT_GRAPH for g in read)
    return Projection(G, relations, _classes(kg, types, nodes), names, read_graphs, chains=chains)


def edge_ends(relations: dict[str, Relation]) -> dict[str, EdgeEnds]:
    """Each relation's labels and role keys, as its edges carry them."""
    return {p: (r.label_en, r.label_zh, r.subject_role.key, r.object_role.key)
            for p, r in relations.items()}


def _node_attributes(iri: str, names: Iterable[tuple[str, str, str | None]],
                     types: Iterable[str]) -> tuple[str, dict[str, object]]:
    shown: dict[str, dict[str, list[str]]] = {"en": {}, "zh": {}}
    for text, kind, language in names:
        if language and kind != "alt" and kind != "hidden":
            shown[language].setdefault(kind, []).append(text)
    local = iri[len(ontology.KG):] if iri.startswith(ontology.KG) else iri
    return iri, {"iri": iri, "id": local, "label_en": pick_label(shown["en"]),
                 "label_zh": pick_label(shown["zh"]), "types": sorted(types)}


def ecosystem_relations(kg: KnowledgeGraph) -> dict[str, Relation]:
    """The ecosystem relations declared in the store, with their roles, by predicate IRI.

    A sub-property that declares no role (an intermediate grouping) is still a relation; its
    ends play the role ``related``.
    """
    result = kg.query(sparql_prefixes("aikg", "rdfs") + """
        SELECT DISTINCT ?p ?sr ?sk ?or ?ok WHERE {
          ?p rdfs:subPropertyOf+ aikg:ecosystemRelation .
          OPTIONAL { ?p aikg:subjectRole ?sr . ?sr aikg:roleKey ?sk }
          OPTIONAL { ?p aikg:objectRole ?or . ?or aikg:roleKey ?ok }
        } ORDER BY ?p""")
    rows = [(p.value, sr, sk, o_r, ok) for p, sr, sk, o_r, ok in result.rows
            if isinstance(p, NamedNode)]
    broader: dict[str, set[str]] = defaultdict(set)
    for p, q in kg.query(sparql_prefixes("aikg", "rdfs") + """
            SELECT ?p ?q WHERE {
              ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf+ aikg:ecosystemRelation
            }""").rows:
        broader[p.value].add(q.value)
    labels = term_labels(kg, {t.value for row in rows for t in row[1:] if
                              isinstance(t, NamedNode)} | {row[0] for row in rows})
    inverse = term_labels(kg, {row[0] for row in rows}, inverse=True)

    def role(iri: object, key: object) -> Role:
        if not isinstance(iri, NamedNode) or not isinstance(key, Literal | NamedNode):
            return RELATED
        return Role(key.value, *labels.get(iri.value, ("", "")), iri=iri.value)

    relations: dict[str, Relation] = {}
    for predicate, sr, sk, o_r, ok in rows:
        relations.setdefault(predicate, Relation(
            predicate, role(sr, sk), role(o_r, ok), *labels.get(predicate, ("", "")),
            frozenset(broader[predicate]), *inverse.get(predicate, ("", ""))))
    return relations


def _names(kg: KnowledgeGraph, nodes: set[str], read: set[NamedNode | BlankNode | DefaultGraph]
           ) -> dict[str, list[tuple[str, str, str | None]]]:
    """Each node's names as ``(text, kind, language)``, once each, in a stable order; the
    graphs of every name statement go into ``read``."""
    names: dict[str, dict[tuple[str, str, str | None], None]] = defaultdict(dict)
    for predicate, kind in NAME_PREDICATES:
        for quad in kg.quads(None, predicate, None, None):
            subject, label = quad.subject.value, quad.object  # type: ignore[union-attr]
            read.add(quad.graph_name)
            if subject in nodes and type(label) is Literal:
                names[subject][(label.value, kind, label_language(label))] = None
    return {n: sorted(found, key=name_order) for n, found in names.items()}


def name_order(name: tuple[str, str, str | None]) -> tuple[str, str, str]:
    """The order of a node's names, which the search follows to pick the label it shows."""
    text, kind, language = name
    return text, kind, language or ""


def _classes(kg: KnowledgeGraph, types: dict[str, set[str]], nodes: set[str]
             ) -> dict[str, TermInfo]:
    result = kg.query(sparql_prefixes("owl", "rdfs") + """
        SELECT DISTINCT ?c ?super WHERE {
          { ?c a owl:Class } UNION { ?c a rdfs:Class } UNION { ?c rdfs:subClassOf ?any }
          OPTIONAL { ?c rdfs:subClassOf ?super FILTER(isIRI(?super)) }
          FILTER(isIRI(?c))
        }""")
    children: dict[str, set[str]] = defaultdict(set)
    classes = {t for n in nodes for t in types.get(n, ())}
    for c, sup in result.rows:
        classes.add(c.value)
        if sup is not None:
            classes.add(sup.value)
            children[sup.value].add(c.value)
    labels = term_labels(kg, classes)

    def below(iri: str) -> frozenset[str]:
        seen, stack = {iri}, [iri]
        while stack:
            for child in children[stack.pop()] - seen:
                seen.add(child)
                stack.append(child)
        return frozenset(seen)

    return {c: TermInfo(c, *labels.get(c, ("", "")), below(c)) for c in sorted(classes)}
