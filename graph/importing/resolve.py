"""Entity resolution: which entity of the graph a name in a table means, or a new one.

A name matches an entity when their normalised forms are equal (:func:`name_key`): Unicode
NFKC, case folded, punctuation and spaces dropped, with a dot kept between two numbers so that
"Qwen2.5" and "Qwen25" stay apart, and "+" kept ("PointNet++" is not "PointNet"). Every label
counts: ``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel`` and ``skos:hiddenLabel``, in every
language. An entity only matches a name expected to be of its class (an organization never
matches a model). Several entities for one name is ambiguous: nothing is merged, the name is
reported.

Organization names carry alternatives (:func:`parse_name`): "Beijing Academy of Artificial
Intelligence / BAAI", "Carnegie Mellon University (CMU)" (an acronym in parentheses) and
"Meituan Inc" (a legal form dropped) match through any of their names. Any other part in
parentheses may be a qualifier ("Northeastern University (China)" is not Northeastern
University): it matches only when both the name and the part name the same entity, as "Z.ai
(Zhipu AI)" does for Zhipu AI. A Chinese part in parentheses ("ERNIE-4.5-VL-424B-A47B
(文心大模型4.5)") is the Chinese label, never a match.

A name the graph does not hold becomes a new entity with a slug id (``kg:`` + slug of its English
name; ``-2``, ``-3`` ... when the slug is taken), the same on every run over the same graph.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

import ontology

from ..rdf.terms import fold, short_id
from ..store import KnowledgeGraph

__all__ = ["Family", "Name", "Outcome", "LabelIndex", "Resolver", "begins", "families",
           "is_chinese", "name_key", "parse_name", "slugify", "words"]

LABEL_PROPERTIES = tuple(
    ontology.PREFIXES[p] + n for p, n in (("rdfs", "label"), ("skos", "prefLabel"),
                                           ("skos", "altLabel"), ("skos", "hiddenLabel")))
_TOKENS = re.compile(r"[^\W_]+|\++")
_TRAILING_PART = re.compile(r"(.*?\S)\s*\(([^()]+)\)")
_ACRONYM = re.compile(r"(?=(?:.*[A-Z0-9]){2})[A-Za-z0-9&.-]{2,8}")
_LEGAL_FORM = re.compile(r",?\s+(inc|incorporated|ltd|limited|llc|corp|corporation|co|plc|gmbh|ag)"
                         r"\.?$", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def name_key(name: str) -> str:
    """The form two names must share to mean the same entity.

    >>> name_key("Ernie 4.0 Turbo") == name_key("ERNIE-4.0-Turbo")
    True
    >>> name_key("Qwen2.5-72B"), name_key("Qwen25-72B")
    ('qwen2.5.72b', 'qwen25.72b')
    >>> name_key("文心大模型 4.0")
    '文心大模型4.0'
    """
    tokens = words(name)
    key = tokens[0] if tokens else ""
    for token in tokens[1:]:
        key += "." if key[-1].isdigit() and token[0].isdigit() else ""
        key += token
    return key


def words(name: str) -> list[str]:
    """The words of a name as :func:`name_key` compares them: NFKC, case folded.

    >>> words("Nvidia H100 80G")
    ['nvidia', 'h100', '80g']
    """
    return _TOKENS.findall(fold(name))


def is_chinese(text: str) -> bool:
    """Whether ``text`` has Chinese characters in it.

    >>> is_chinese("文心大模型4.5"), is_chinese("ERNIE 4.5")
    (True, False)
    """
    return bool(_CJK.search(text))


def slugify(name: str) -> str:
    """A lower-case ASCII slug of a name, as entity ids are.

    >>> slugify("ERNIE 4.0 Turbo"), slugify("Z.ai (Zhipu AI)"), slugify("NÜWA")
    ('ernie-4-0-turbo', 'z-ai-zhipu-ai', 'nuwa')
    """
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


@dataclass(frozen=True)
class Name:
    """What a cell calls an entity: its text, English and Chinese labels, the keys that match
    it, keys that match only together (``weak``) and its other names (``alternatives``)."""

    text: str
    en: str
    zh: str | None
    keys: tuple[str, ...]
    weak: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()


def parse_name(text: str, *, alternatives: bool = False) -> Name:
    """Read a name cell. ``alternatives``: the cell may give other names (organizations).

    >>> name = parse_name("ERNIE-4.5-VL (文心大模型4.5)")
    >>> name.en, name.zh
    ('ERNIE-4.5-VL', '文心大模型4.5')
    >>> parse_name("Carnegie Mellon University (CMU)", alternatives=True).alternatives
    ('Carnegie Mellon University', 'CMU')
    >>> parse_name("Northeastern University (China)", alternatives=True).weak
    ('northeasternuniversity', 'china')
    >>> parse_name("GPT-4o (May 2024)").keys
    ('gpt4omay2024',)
    """
    text = " ".join(text.split())
    trailing = _TRAILING_PART.fullmatch(text)
    outer, inner = trailing.groups() if trailing else (text, None)
    zh = inner if inner and is_chinese(inner) and not is_chinese(outer) else None
    en = outer if zh else text
    others: list[str] = []
    weak: list[str] = []
    if alternatives and not zh:
        acronym = bool(inner and _ACRONYM.fullmatch(inner))
        parts = [p.strip() for p in (outer if acronym else text).split(" / ") if p.strip()]
        others = (parts if len(parts) > 1 else []) + ([outer, inner] if acronym else [])
        weak = [outer, inner] if inner and not acronym else []
    stripped = [_LEGAL_FORM.sub("", n) for n in (text, *others)] if alternatives else []
    keys = tuple(dict.fromkeys(k for k in map(name_key, [text, en, *others, *stripped]) if k))
    alts = tuple(dict.fromkeys(o for o in others if o not in (text, en)))
    return Name(text, en, zh, keys, tuple(name_key(w) for w in weak), alts)


@dataclass
class Outcome:
    """How a name was resolved: ``merged``, ``created`` or ``unresolved`` (``iri`` None)."""

    status: str
    iri: str | None
    reason: str = ""
    #: names the cell gives a known entity that it did not have yet: (text, language) pairs
    new_labels: tuple[tuple[str, str], ...] = ()


@dataclass
class LabelIndex:
    """Normalised labels of the graph's entities, per class, and the ids already taken."""

    keys: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    taken: set[str] = field(default_factory=set)

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph, classes: Iterable[str],
                   exclude_graph: str | None = None) -> LabelIndex:
        """Read the labels of the entities of ``classes`` (and of their subclasses) from ``kg``,
        leaving out what ``exclude_graph`` says (the graph an import is about to replace)."""
        index = cls()
        skip = f"FILTER (?g != {NamedNode(exclude_graph)})" if exclude_graph else ""
        labels = " ".join(str(NamedNode(p)) for p in LABEL_PROPERTIES)
        wanted = " ".join(str(NamedNode(c)) for c in set(classes))
        if wanted:
            rows = kg.query(f"""
                SELECT DISTINCT ?e ?label ?class WHERE {{
                    VALUES ?class {{ {wanted} }} VALUES ?p {{ {labels} }}
                    GRAPH ?g {{ ?e ?p ?label }} {skip}
                    ?e a/<{ontology.PREFIXES['rdfs']}subClassOf>* ?class .
                    FILTER (isIRI(?e) && isLiteral(?label))
                }}""").rows
            for entity, label, klass in rows:
                index.add(klass.value, entity.value, [name_key(label.value)])
        rows = kg.query(f"""
            SELECT DISTINCT ?e WHERE {{
                GRAPH ?g {{ ?e <{LABEL_PROPERTIES[0]}> ?label }} {skip}
                FILTER (STRSTARTS(STR(?e), "{ontology.KG}"))
            }}""").rows
        index.taken = {e.value[len(ontology.KG):] for (e,) in rows}
        return index

    def add(self, klass: str, iri: str, keys: Iterable[str]) -> None:
        """Record that ``iri``, of ``klass``, is called by each of ``keys``."""
        table = self.keys[klass]
        for key in keys:
            table.setdefault(key, set()).add(iri)

    def lookup(self, klass: str, keys: Iterable[str]) -> set[str]:
        """Every entity of ``klass`` that one of ``keys`` names."""
        table = self.keys.get(klass, {})
        return set().union(*(table.get(k, set()) for k in keys))

    def knows(self, klass: str, iri: str, key: str) -> bool:
        """Whether ``key`` is already a name of ``iri``."""
        return iri in self.keys.get(klass, {}).get(key, ())


class Resolver:
    """Resolve names against a :class:`LabelIndex`, creating entities for unknown names.

    Each created entity is recorded in :attr:`created` (IRI to its :class:`Name` and class) and
    added to the index, so that the table's later rows find it.

    >>> index = LabelIndex()
    >>> index.add("C", "https://w3id.org/aikg/id/zhipu", ["zhipuai", "zai"])
    >>> resolver = Resolver(index)
    >>> resolver.resolve(parse_name("Z.ai (Zhipu AI)", alternatives=True), "C", "C").status
    'merged'
    >>> resolver.resolve(parse_name("Upstage"), "C", "C").iri
    'https://w3id.org/aikg/id/upstage'
    >>> resolver.resolve(parse_name("UPSTAGE"), "C", None).iri
    'https://w3id.org/aikg/id/upstage'
    """

    def __init__(self, index: LabelIndex) -> None:
        self.index = index
        self.created: dict[str, tuple[Name, str]] = {}
        self._memo: dict[tuple[str, str, str | None], Outcome] = {}

    def resolve(self, name: Name, match: str, create: str | None) -> Outcome:
        """Resolve ``name`` among entities of ``match``; create one of class ``create`` (if
        given) when the graph has none."""
        memo = (name.text, match, create)
        if memo in self._memo:
            return self._memo[memo]
        found = sorted(self.index.lookup(match, name.keys))
        if not found and name.weak:
            each = [self.index.lookup(match, [key]) for key in name.weak]
            if all(len(e) == 1 for e in each) and len(set.union(*each)) == 1:
                found = sorted(each[0])
        if len(found) == 1:
            status = "created" if found[0] in self.created else "merged"
            fresh = tuple((text, lang) for text, lang in ((name.en, "en"), (name.zh, "zh"))
                          if text and not self.index.knows(match, found[0], name_key(text)))
            outcome = Outcome(status, found[0], new_labels=fresh)
        elif found:
            outcome = Outcome("unresolved", None, "ambiguous: " + ", ".join(
                short_id(iri, prefixed=True) for iri in found))
        elif create is None:
            outcome = Outcome("unresolved", None, "not in the graph")
        else:
            iri = ontology.KG + self._free_slug(name.en)
            self.created[iri] = (name, create)
            outcome = Outcome("created", iri)
        if outcome.iri:
            self.index.add(match, outcome.iri, name.keys)
        self._memo[memo] = outcome
        return outcome

    def forget(self, iri: str) -> None:
        """Undo the creation of ``iri`` (its row is left out); its slug stays taken."""
        del self.created[iri]
        for table in self.index.keys.values():
            for entities in table.values():
                entities.discard(iri)
        self._memo = {k: o for k, o in self._memo.items() if o.iri != iri}

    def _free_slug(self, label: str) -> str:
        base = slugify(label) or "e-" + hashlib.sha1(label.encode()).hexdigest()[:10]
        slug, n = base, 1
        while slug in self.index.taken:
            n += 1
            slug = f"{base}-{n}"
        self.index.taken.add(slug)
        return slug


@dataclass(frozen=True)
class Family:
    """A line of entities in the graph (a model family): its IRI, one of its names, and the
    values of the property its members share with it (its developers)."""

    iri: str
    name: str
    shared: frozenset[str]


def families(kg: KnowledgeGraph, klass: str, sharing: str, via: tuple[str, ...] = (),
             exclude_graph: str | None = None) -> list[Family]:
    """Every entity of ``klass`` (or a subclass) with each of its names and its ``sharing``
    values, and what each of those is tied to by a property of ``via``, leaving out what
    ``exclude_graph`` says."""
    skip = f"FILTER (?g != {NamedNode(exclude_graph)})" if exclude_graph else ""
    labels = " ".join(str(NamedNode(p)) for p in LABEL_PROPERTIES)
    up = f"/({'|'.join(str(NamedNode(v)) for v in via)})?" if via else ""
    rows = kg.query(f"""
        SELECT ?e ?label (GROUP_CONCAT(DISTINCT STR(?v); separator=" ") AS ?shared) WHERE {{
            VALUES ?p {{ {labels} }}
            ?e a/<{ontology.PREFIXES['rdfs']}subClassOf>* {NamedNode(klass)} ;
               {NamedNode(sharing)}{up} ?v .
            GRAPH ?g {{ ?e ?p ?label }} {skip}
            FILTER (isIRI(?e) && isLiteral(?label) && isIRI(?v))
        }} GROUP BY ?e ?label""").rows
    return [Family(e.value, label.value, frozenset(shared.value.split()))
            for e, label, shared in rows]


def begins(name: str, prefix: str) -> bool:
    """Whether ``prefix`` begins ``name`` and ends at a word or before a number in it.

    >>> begins("Qwen3-Max", "Qwen"), begins("ChatGLM3-6B", "ChatGLM"), begins("Llama 2", "Llama")
    (True, True, True)
    >>> begins("Stepwise-7B", "Step"), begins("Qwen", "Qwen"), begins("LLaVA-1.5", "Llama")
    (False, False, False)
    """
    key, start = name_key(name), name_key(prefix)
    if not start or len(key) <= len(start) or not key.startswith(start):
        return False
    head = words(prefix)
    return key[len(start)].isdigit() or words(name)[:len(head)] == head
