"""The aikg ontology's shape: its class diagram, drawn from ``ontology/aikg.ttl`` as Mermaid text,
and its vocabulary as the store holds it (the terms the SPARQL editor completes).

``docs/ontology.md`` embeds the diagram through cog, so the picture always matches the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

import ontology

from ..rdf.terms import sparql_prefixes
from ..store import KnowledgeGraph

__all__ = ["mermaid_class_diagram", "vocabulary"]

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node

_RDF = ontology.PREFIXES["rdf"]
_RDFS = ontology.PREFIXES["rdfs"]
_OWL = ontology.PREFIXES["owl"]


def mermaid_class_diagram(path: Path = ontology.ONTOLOGY_FILE) -> str:
    """A Mermaid ``classDiagram`` of the aikg classes and the relations between them.

    Subclasses point to their superclass (``<|--``). An object property with an aikg domain and
    range draws an arrow from each domain class to each range class (unions member by member):
    solid for ecosystem relations, dotted for the others; parallel arrows share one label.

    Examples
    --------
    >>> text = mermaid_class_diagram()
    >>> text.splitlines()[0]
    'classDiagram'
    >>> "    Organization <|-- Company" in text
    True
    >>> "    AIModel --> AIChip : runsOn" in text
    True
    """
    from rdflib import Graph, URIRef  # here: a server, which never draws it, starts without

    g = Graph().parse(path, format="turtle")
    a, owl_class = URIRef(_RDF + "type"), URIRef(_OWL + "Class")
    classes = sorted(c for c in g.subjects(a, owl_class) if _ours(c))
    lines = ["classDiagram"] + [f"    class {_name(c)}" for c in classes]
    for cls in classes:
        for parent in sorted(p for p in g.objects(cls, URIRef(_RDFS + "subClassOf")) if _ours(p)):
            lines.append(f"    {_name(parent)} <|-- {_name(cls)}")
    ecosystem = _ecosystem_relations(g)
    edges: dict[tuple[str, str, str], list[str]] = {}
    for prop in sorted(p for p in g.subjects(a, URIRef(_OWL + "ObjectProperty"))
                       if isinstance(p, URIRef)):
        arrow = "-->" if prop in ecosystem else "..>"
        for source in _classes_of(g, prop, "domain"):
            for target in _classes_of(g, prop, "range"):
                edges.setdefault((_name(source), arrow, _name(target)), []).append(_name(prop))
    for (tail, arrow, head), names in sorted(edges.items()):
        lines.append(f"    {tail} {arrow} {head} : {', '.join(names)}")
    return "\n".join(lines)


def vocabulary(kg: KnowledgeGraph) -> list[dict[str, str]]:
    """The ``aikg:`` classes and properties in the store, each as ``curie``, ``kind``
    (``class`` or ``property``) and English and Chinese labels, sorted by CURIE.

    >>> from graph import open_graph
    >>> terms = {t["curie"]: t for t in vocabulary(open_graph("memory"))}
    >>> terms["aikg:investsIn"]["kind"], terms["aikg:investsIn"]["label_zh"]
    ('property', '投资')
    >>> terms["aikg:Company"]["kind"]
    'class'
    """
    result = kg.query(sparql_prefixes("rdf", "rdfs", "owl", "skos") + f"""
        SELECT ?term ?kind (SAMPLE(?en) AS ?label_en) (SAMPLE(?zh) AS ?label_zh) WHERE {{
          VALUES (?type ?kind) {{ (owl:Class "class") (rdfs:Class "class")
            (owl:ObjectProperty "property") (owl:DatatypeProperty "property")
            (owl:AnnotationProperty "property") (rdf:Property "property") }}
          ?term a ?type .
          FILTER (STRSTARTS(STR(?term), "{ontology.AIKG}"))
          OPTIONAL {{ ?term rdfs:label ?en FILTER (LANGMATCHES(LANG(?en), "en")) }}
          OPTIONAL {{ ?term rdfs:label ?zh FILTER (LANGMATCHES(LANG(?zh), "zh")) }}
        }} GROUP BY ?term ?kind ORDER BY ?term""")
    return [{"curie": "aikg:" + term.value[len(ontology.AIKG):], "kind": kind.value,
             "label_en": en.value if en else "", "label_zh": zh.value if zh else ""}
            for term, kind, en, zh in result.rows]


def _ecosystem_relations(g: Graph) -> set[URIRef]:
    from rdflib import URIRef

    top = URIRef(ontology.AIKG + "ecosystemRelation")
    sub = URIRef(_RDFS + "subPropertyOf")
    return {p for p in g.transitive_subjects(sub, top) if isinstance(p, URIRef) and p != top}


def _classes_of(g: Graph, prop: URIRef, which: str) -> list[URIRef]:
    """The aikg classes of a property's domain or range, with unions spelled out."""
    from rdflib import URIRef
    from rdflib.collection import Collection

    found: list[Node] = []
    for value in g.objects(prop, URIRef(_RDFS + which)):
        union = g.value(value, URIRef(_OWL + "unionOf"))
        found.extend(Collection(g, union) if union is not None else [value])
    return sorted(c for c in found if _ours(c))


def _ours(term: object) -> TypeGuard[URIRef]:
    from rdflib import URIRef

    return isinstance(term, URIRef) and str(term).startswith(ontology.AIKG)


def _name(term: URIRef) -> str:
    return str(term)[len(ontology.AIKG):]
