"""The labels of the ontology's terms (classes, relations, roles) in English and Chinese."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import cast

from pyoxigraph import Literal, NamedNode

import ontology

from ..rdf.terms import iri_values, label_language, pick_label
from ..sparql.depends import Pattern
from ..store import KnowledgeGraph
from ..store.changes import scoped_cache

__all__ = ["LABEL_KINDS", "LABEL_PREDICATES", "term_labels"]

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
    if not kg.capabilities.local:
        return _labels(_queried_labels(kg, iris, LABEL_KINDS[inverse]))
    # Each IRI's labels are kept until a write changes them: a hub's description names
    # thousands of terms, most of them named by the descriptions around it too.
    kept = scoped_cache(kg, "term labels", KEPT_LABELS)
    found: dict[str, tuple[str, str]] = {}
    missing = []
    for iri in iris:
        pair = kept.get((iri, inverse))
        if pair is None:
            missing.append(iri)
        elif pair != _UNLABELLED:
            found[iri] = cast(tuple[str, str], pair)
    version = kg.version  # read first: a write landing meanwhile is checked later
    read = _labels(_stored_labels(kg, missing, LABEL_KINDS[inverse]))
    for iri in missing:
        kept.put((iri, inverse), read.get(iri, _UNLABELLED), version=version, size=256,
                 depends=(Pattern(None, iri, LABEL_PREDICATES[inverse], None),))
    return found | read


#: Bytes of kept labels (about 256 an IRI).
KEPT_LABELS = 16 * 1024 * 1024
_UNLABELLED = ("", "")


def _labels(found: Iterable[tuple[str, str, object]]) -> dict[str, tuple[str, str]]:
    """The English and Chinese label of each IRI of ``(iri, kind, label)`` that has one."""
    by_iri: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: {"en": {}, "zh": {}})
    for x, kind, label in found:
        if isinstance(label, Literal) and (language := label_language(label)):
            by_iri[x][language].setdefault(kind, []).append(label.value)
    return {x: (pick_label(by["en"]), pick_label(by["zh"])) for x, by in by_iri.items()}


#: The label predicates :func:`term_labels` reads, and the kind of name each gives: the names
#: (``inverse`` False) and how a relation reads from its object's side (True).
LabelKinds = tuple[tuple[NamedNode, str], ...]
LABEL_KINDS: dict[bool, LabelKinds] = {
    False: ((NamedNode(SKOS + "prefLabel"), "pref"), (RDFS_LABEL, "label")),
    True: ((NamedNode(ontology.AIKG + "inverseLabel"), "label"),),
}
#: The IRIs of the predicates of :data:`LABEL_KINDS`.
LABEL_PREDICATES = {inverse: frozenset(p.value for p, _ in kinds)
                    for inverse, kinds in LABEL_KINDS.items()}


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
