"""The class diagram of the aikg ontology, drawn from ``ontology/aikg.ttl`` as Mermaid text.

``docs/ontology.md`` embeds it through cog, so the picture always matches the ontology file.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.collection import Collection

import ontology

__all__ = ["mermaid_class_diagram"]

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
    g = Graph().parse(path, format="turtle")
    a, owl_class = URIRef(_RDF + "type"), URIRef(_OWL + "Class")
    classes = sorted(c for c in g.subjects(a, owl_class) if _ours(c))
    lines = ["classDiagram"] + [f"    class {_name(c)}" for c in classes]
    for cls in classes:
        for parent in sorted(g.objects(cls, URIRef(_RDFS + "subClassOf"))):
            if _ours(parent):
                lines.append(f"    {_name(parent)} <|-- {_name(cls)}")
    ecosystem = _ecosystem_relations(g)
    edges: dict[tuple[str, str, str], list[str]] = {}
    for prop in sorted(g.subjects(a, URIRef(_OWL + "ObjectProperty"))):
        arrow = "-->" if prop in ecosystem else "..>"
        for source in _classes_of(g, prop, "domain"):
            for target in _classes_of(g, prop, "range"):
                edges.setdefault((_name(source), arrow, _name(target)), []).append(_name(prop))
    for (source, arrow, target), names in sorted(edges.items()):
        lines.append(f"    {source} {arrow} {target} : {', '.join(names)}")
    return "\n".join(lines)


def _ecosystem_relations(g: Graph) -> set[URIRef]:
    top = URIRef(ontology.AIKG + "ecosystemRelation")
    sub = URIRef(_RDFS + "subPropertyOf")
    return {p for p in g.transitive_subjects(sub, top) if p != top}


def _classes_of(g: Graph, prop: URIRef, which: str) -> list[URIRef]:
    """The aikg classes of a property's domain or range, with unions spelled out."""
    found = []
    for value in g.objects(prop, URIRef(_RDFS + which)):
        union = g.value(value, URIRef(_OWL + "unionOf"))
        found.extend(Collection(g, union) if union is not None else [value])
    return sorted(c for c in found if _ours(c))


def _ours(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(ontology.AIKG)


def _name(term: URIRef) -> str:
    return str(term)[len(ontology.AIKG):]
