"""RDF statements to a network of the projection's shape, and a network back to RDF quads.

The network has the shape of ``graph.network``'s projection (a ``MultiDiGraph``; node key = IRI;
node attributes ``iri``, ``id``, ``label_en``, ``label_zh``, ``types``; edge key = predicate;
edge attributes ``predicate``, ``label_en``, ``label_zh``, ``sources``), built from any
statements:

- a statement whose object is an IRI or blank node is an edge (blank nodes keyed ``_:id``);
- ``rdf:type`` with an IRI object adds to ``types``;
- ``rdfs:label`` in English or Chinese fills ``label_en`` or ``label_zh`` (when there are
  several: an exact ``en``/``zh`` tag before a regional one, then the first in code point order);
- any other literal becomes a node attribute named by the compact predicate (``aikg:valuation``),
  with ``@lang`` appended for a language-tagged literal; integers, doubles and booleans keep their
  type, every other literal its lexical form (a decimal keeps all its digits); several values
  make a sorted list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import networkx as nx
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

import ontology

from ..errors import BadInput

__all__ = ["Description", "Labels", "add_descriptions", "compact_iri", "network_quads",
           "rdf_network", "undescribed"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + name for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_DOUBLES = {_XSD + "double", _XSD + "float"}

#: What the store knows of a node or predicate: ``label_en``, ``label_zh`` and ``types``.
Description = Mapping[str, Any]


def rdf_network(statements: Iterable[Triple | Quad], version: int | None = None
                ) -> nx.MultiDiGraph[str]:
    """The network of ``statements``; a quad's named graph joins its edge's ``sources``.

    Examples
    --------
    >>> from pyoxigraph import Literal, NamedNode, Quad
    >>> kg, aikg = "https://w3id.org/aikg/id/", "https://w3id.org/aikg/ontology#"
    >>> G = rdf_network([
    ...     Quad(NamedNode(kg + "vc"), NamedNode(aikg + "investsIn"), NamedNode(kg + "alpha"),
    ...          NamedNode("https://w3id.org/aikg/graph/news")),
    ...     Quad(NamedNode(kg + "alpha"), NamedNode(RDFS_LABEL), Literal("阿尔法", language="zh")),
    ...     Quad(NamedNode(kg + "alpha"), NamedNode(aikg + "valuation"),
    ...          Literal("1300000000000", datatype=NamedNode(_XSD + "integer"))),
    ... ])
    >>> {k: v for k, v in G.nodes[kg + "alpha"].items() if k not in ("iri", "types")}
    {'id': 'alpha', 'label_en': '', 'label_zh': '阿尔法', 'aikg:valuation': 1300000000000}
    >>> G.edges[kg + "vc", kg + "alpha", aikg + "investsIn"]["sources"]
    ['https://w3id.org/aikg/graph/news']
    """
    nodes: dict[str, None] = {}  # an ordered set
    edges: dict[tuple[str, str, str], set[str]] = {}  # (subject, object, predicate) -> sources
    types: dict[str, set[str]] = defaultdict(set)
    labels = Labels()
    values: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for statement in statements:
        subject, predicate, obj = _key(statement.subject), statement.predicate.value, \
            statement.object
        nodes[subject] = None
        if isinstance(obj, Literal):
            if predicate != RDFS_LABEL or not labels.offer(subject, obj):
                name = compact_iri(predicate) + (f"@{obj.language}" if obj.language else "")
                if (value := _python_value(obj)) not in values[subject][name]:
                    values[subject][name].append(value)  # once, however many sources say it
        elif predicate == RDF_TYPE and isinstance(obj, NamedNode):
            types[subject].add(obj.value)
        else:
            target = _key(obj)
            nodes[target] = None
            sources = edges.setdefault((subject, target, predicate), set())
            graph = getattr(statement, "graph_name", None)
            if isinstance(graph, NamedNode):
                sources.add(graph.value)
    G: nx.MultiDiGraph[str] = (nx.MultiDiGraph() if version is None
                               else nx.MultiDiGraph(version=version))
    G.add_nodes_from((node, _node_attributes(node, labels, types, values)) for node in nodes)
    # types-networkx lacks the multigraph's (u, v, key, data) edges: hence the ignore
    G.add_edges_from(
        (u, v, p, {"predicate": p, **labels.of(p), "sources": sorted(sources)})  # type: ignore[misc]
        for (u, v, p), sources in edges.items()
    )
    return G


def _node_attributes(node: str, labels: Labels, types: Mapping[str, set[str]],
                     values: Mapping[str, Mapping[str, list[Any]]]) -> dict[str, Any]:
    data = {"iri": node, "id": _local_id(node), **labels.of(node),
            "types": sorted(types.get(node, ()))}
    for name, found in values.get(node, {}).items():
        data[name] = found[0] if len(found) == 1 else sorted(found, key=str)
    return data


class Labels:
    """The English and Chinese label to show for each IRI, chosen among all offered.

    An exact ``en`` or ``zh`` tag wins over a regional one (``en-GB``); then code point order.

    >>> labels = Labels()
    >>> for text, tag in [("Zeta", "en"), ("Alpha", "en-GB"), ("Beta", "en"), ("Ja", "ja")]:
    ...     _ = labels.offer("urn:x", Literal(text, language=tag))
    >>> labels.of("urn:x")
    {'label_en': 'Beta', 'label_zh': ''}
    """

    def __init__(self) -> None:
        self._best: dict[str, dict[str, tuple[bool, str]]] = defaultdict(dict)

    def offer(self, iri: str, literal: Literal) -> bool:
        """Consider ``literal`` as a label of ``iri``; False when it is no English or Chinese."""
        tag = (literal.language or "").lower()
        language = tag.split("-")[0]
        if language not in ("en", "zh"):
            return False
        candidate = (tag != language, literal.value)
        best = self._best[iri]
        if language not in best or candidate < best[language]:
            best[language] = candidate
        return True

    def of(self, iri: str) -> dict[str, str]:
        """``label_en`` and ``label_zh`` of ``iri`` ("" when it has none)."""
        best = self._best.get(iri, {})
        return {f"label_{lang}": best[lang][1] if lang in best else "" for lang in ("en", "zh")}


def undescribed(G: nx.MultiDiGraph[str]) -> set[str]:
    """The IRIs of nodes without label or types and of predicates without label in ``G``."""
    missing = {n for n, d in G.nodes(data=True)
               if not (d.get("label_en") or d.get("label_zh")) or not d.get("types")}
    missing.update(key for _, _, key, d in G.edges(keys=True, data=True)
                   if not (d.get("label_en") or d.get("label_zh")))
    return {iri for iri in missing if not iri.startswith("_:")}


def add_descriptions(G: nx.MultiDiGraph[str], descriptions: Mapping[str, Description]) -> None:
    """Fill the labels and types ``G``'s statements lacked from ``descriptions`` (by IRI)."""
    for node, data in G.nodes(data=True):
        found = descriptions.get(node, {})
        for name in ("label_en", "label_zh", "types"):
            if not data.get(name) and found.get(name):
                data[name] = found[name]
    for _, _, predicate, data in G.edges(keys=True, data=True):
        found = descriptions.get(predicate, {})
        for name in ("label_en", "label_zh"):
            if not data.get(name) and found.get(name):
                data[name] = found[name]


def network_quads(G: nx.MultiGraph[str]) -> Iterator[Quad]:
    """The RDF of a network (a circle, a path): each edge in each of its ``sources`` graphs (the
    default graph when it has none), each node's types and labels in the default graph.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://w3id.org/aikg/id/a", label_en="A", types=[])
    >>> [str(q) for q in network_quads(G)]
    ['<https://w3id.org/aikg/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@en']
    """
    rdf_type, label = NamedNode(RDF_TYPE), NamedNode(RDFS_LABEL)
    for node, data in G.nodes(data=True):
        subject = _term(node)
        for iri in data.get("types") or ():
            yield Quad(subject, rdf_type, _term(iri))
        for language in ("en", "zh"):
            if data.get(f"label_{language}"):
                yield Quad(subject, label, Literal(data[f"label_{language}"], language=language))
    for u, v, key, data in G.edges(keys=True, data=True):
        predicate = NamedNode(str(data.get("predicate", key)))
        for source in data.get("sources") or [None]:
            graph = DefaultGraph() if source is None else _term(source)
            yield Quad(_term(u), predicate, _term(v), graph)


@lru_cache(maxsize=4096)  # called per literal statement, over a few predicates
def compact_iri(iri: str) -> str:
    """``prefix:rest`` for an IRI under one of :data:`ontology.PREFIXES`, else the IRI.

    >>> compact_iri("https://w3id.org/aikg/ontology#valuation")
    'aikg:valuation'
    """
    for prefix, namespace in ontology.PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _python_value(literal: Literal) -> Any:
    datatype = literal.datatype.value
    try:
        if datatype in _INTEGERS:
            return int(literal.value)
        if datatype in _DOUBLES:
            return float(literal.value)  # Python reads INF, -INF and NaN too
    except ValueError:
        return literal.value  # an ill-typed literal keeps its text
    if datatype == _XSD + "boolean":
        return literal.value in ("true", "1")
    return literal.value


def _key(term: object) -> str:
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode):
        return term.value
    raise BadInput(f"a network cannot hold {term} as a node")


def _term(key: str) -> NamedNode | BlankNode:
    try:
        return BlankNode(key[2:]) if key.startswith("_:") else NamedNode(key)
    except ValueError:
        raise BadInput(f"not an IRI: {key!r}") from None


def _local_id(key: str) -> str:
    if key.startswith(ontology.KG) and "/" not in key[len(ontology.KG):]:
        return key[len(ontology.KG):]
    return key
