"""The labels of the ontology's terms (classes, relations, roles) in English and Chinese."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode

import ontology

from ..rdf.terms import iri_values, label_language, pick_label
from ..store import KnowledgeGraph

__all__ = ["LABEL_KINDS", "term_labels"]

RDFS_LABEL = NamedNode(ontology.PREFIXES["rdfs"] + "label")
SKOS = ontology.PREFIXES["skos"]


def term_labels(kg: KnowledgeGraph, iris: Iterable[str], *, inverse: bool = False
                ) -> dict[str, tuple[str, str]]:
    """The English and Chinese labels of each IRI that has one; with ``inverse``, the labels
    of relations read from the object's side (``aikg:inverseLabel``).

    A local store is read by index lookups; a remote one in one query.
    """
    iris = sorted(set(iris))
    if not iris:
        return {}
    kinds = LABEL_KINDS[inverse]
    found: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: {"en": {}, "zh": {}})
    for x, kind, label in (_stored_labels if kg.capabilities.local else _queried_labels)(
            kg, iris, kinds):
        if isinstance(label, Literal) and (language := label_language(label)):
            found[x][language].setdefault(kind, []).append(label.value)
    return {x: (pick_label(by["en"]), pick_label(by["zh"])) for x, by in found.items()}


#: The label predicates :func:`term_labels` reads, and the kind of name each gives: the names
#: (``inverse`` False) and how a relation reads from its object's side (True).
LabelKinds = tuple[tuple[NamedNode, str], ...]
LABEL_KINDS: dict[bool, LabelKinds] = {
    False: ((NamedNode(SKOS + "prefLabel"), "pref"), (RDFS_LABEL, "label")),
    True: ((NamedNode(ontology.AIKG + "inverseLabel"), "label"),),
}


def _stored_labels(kg: KnowledgeGraph, iris: list[str], kinds: LabelKinds
                   ) -> Iterator[tuple[str, str, object]]:
    """Each ``(iri, kind, label)`` once, however many graphs state it. (Not a query: an IRI
    such as ``schema:Service`` in its text would have it parsed twice, once to refuse
    ``SERVICE``.)"""
    for iri in iris:
        for predicate, kind in kinds:
            quads = kg.quads(NamedNode(iri), predicate)
            for label in dict.fromkeys(quad.object for quad in quads):
                yield iri, kind, label


def _queried_labels(kg: KnowledgeGraph, iris: list[str], kinds: LabelKinds
                    ) -> Iterator[tuple[str, str, object]]:
    which = " UNION ".join(f'{{ ?x {predicate} ?l BIND("{kind}" AS ?kind) }}'
                           for predicate, kind in kinds)
    result = kg.query(f"""SELECT DISTINCT ?x ?kind ?l WHERE {{
          VALUES ?x {{ {iri_values(iris)} }}
          {which}
        }}""")
    for x, kind, label in result.rows:
        yield x.value, kind.value, label
