"""Names of things: entity ids and their IRIs, short ids of terms, labels and text matching.

An entity's id in the API is its local name under ``kg:`` (a lower-case slug); any other IRI
is its own id. Ontology terms are named by their local name under ``aikg:``, a CURIE of a
known prefix, or their IRI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from pyoxigraph import Literal, NamedNode

import ontology

from ..errors import BadInput

__all__ = [
    "DEFAULT_GRAPH",
    "SLUG",
    "entity_iri",
    "fold",
    "short_id",
    "resolve_terms",
    "normalize",
    "label_language",
    "pick_label",
    "iri_values",
    "sparql_prefixes",
]

#: Pass as ``graph=`` to write into the store's own default graph (Graph Store ``?default``).
DEFAULT_GRAPH = "default"
#: What an entity id looks like. Only ids that match it are turned into IRIs.
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$")


def entity_iri(entity_id: str) -> str | None:
    """The IRI of the entity with this id, or None when the id is not a valid slug.

    >>> entity_iri("ernie-4-0-turbo")
    'https://w3id.org/aikg/id/ernie-4-0-turbo'
    >>> entity_iri("Baidu> ?x") is None
    True
    """
    return ontology.KG + entity_id if SLUG.match(entity_id) else None


def short_id(iri: str, *, prefixed: bool = False) -> str:
    """The short id of an IRI: a ``kg:`` slug, an ``aikg:`` local name, else a CURIE or the IRI.

    ``prefixed`` keeps the prefix of an entity, as the import's reports write it (``kg:baidu``),
    and leaves any other IRI whole.

    >>> short_id("https://w3id.org/aikg/id/baidu"), short_id(ontology.AIKG + "investsIn")
    ('baidu', 'investsIn')
    >>> short_id("http://www.w3.org/2004/02/skos/core#altLabel")
    'skos:altLabel'
    >>> short_id("https://w3id.org/aikg/id/baidu", prefixed=True)
    'kg:baidu'
    """
    if prefixed:
        return "kg:" + iri[len(ontology.KG):] if iri.startswith(ontology.KG) else iri
    for namespace in (ontology.KG, ontology.AIKG):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return iri[len(namespace):]
    for prefix, namespace in ontology.PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def resolve_terms(names: Iterable[str], known: Iterable[str], what: str) -> set[str]:
    """The IRIs among ``known`` that ``names`` (short ids, CURIEs or IRIs) stand for.

    Raises :class:`~graph.errors.BadInput` naming ``what`` for a name that stands for none.

    >>> known = [ontology.AIKG + "investsIn", ontology.AIKG + "poweredBy"]
    >>> found = resolve_terms(["investsIn", "aikg:poweredBy"], known, "relation")
    >>> sorted(short_id(i) for i in found)
    ['investsIn', 'poweredBy']
    >>> resolve_terms(["investIn"], known, "relation")
    Traceback (most recent call last):
    ...
    graph.errors.BadInput: relation: unknown 'investIn'; known: investsIn, poweredBy
    """
    by_name: dict[str, str] = {}
    for iri in known:
        by_name[iri] = by_name[short_id(iri)] = iri
        by_name.setdefault("aikg:" + short_id(iri), iri)
    found = set()
    for name in names:
        if name not in by_name:
            choices = ", ".join(sorted(short_id(i) for i in set(by_name.values())))
            raise BadInput(f"{what}: unknown {name!r}; known: {choices}")
        found.add(by_name[name])
    return found


def fold(text: str) -> str:
    """Text folded for matching, the one folding of aikg: compatibility forms (full width
    letters) and case. Search adds spaces to it (:func:`normalize`), the import's resolution
    its words (:func:`graph.importing.resolve.name_key`).

    >>> fold("ＢａｉＤＵ Straße")
    'baidu strasse'
    """
    return unicodedata.normalize("NFKC", text).casefold()


def normalize(text: str) -> str:
    """Text as search compares it: :func:`fold`, runs of spaces made one.

    >>> normalize("  ＢａｉＤＵ   Inc ")
    'baidu inc'
    """
    return " ".join(fold(text).split())


def label_language(literal: Literal) -> str | None:
    """``en`` or ``zh`` for a label in one of those languages (any region), ``en`` for a plain
    string, None for others.

    >>> label_language(Literal("百度", language="zh-Hans")), label_language(Literal("Baidu"))
    ('zh', 'en')
    """
    language = (literal.language or "").lower()
    if not language:
        return "en" if literal.datatype.value.endswith("#string") else None
    base = language.split("-", 1)[0]
    return base if base in ("en", "zh") else None


def pick_label(labels: Mapping[str, Iterable[str]]) -> str:
    """One label to show from the candidates of one language, by preference then text order.

    ``labels`` maps a label kind (``pref``, ``label``) to its texts; ``pref`` wins.

    >>> pick_label({"label": ["Baidu", "Baidu Inc."], "pref": ["Baidu, Inc."]})
    'Baidu, Inc.'
    """
    for kind in ("pref", "label"):
        texts = sorted(labels.get(kind, ()))
        if texts:
            return texts[0]
    return ""


def iri_values(iris: Iterable[str]) -> str:
    """The terms of a SPARQL ``VALUES`` block, each IRI escaped by :class:`NamedNode`.

    >>> iri_values(["https://w3id.org/aikg/id/a"])
    '<https://w3id.org/aikg/id/a>'
    """
    return " ".join(str(NamedNode(iri)) for iri in iris)


def sparql_prefixes(*names: str) -> str:
    """``PREFIX`` lines for the named prefixes of :data:`ontology.PREFIXES`."""
    return "".join(f"PREFIX {n}: <{ontology.PREFIXES[n]}>\n" for n in names)
