"""What a SPARQL query's answer depends on: the quad patterns it matches, read from its text.

A query reads the store only through its triple patterns (and property paths); if no statement
added or removed by a write matches any of them, in any graph, its answer is the same after the
write as before. :func:`dependencies` names those patterns as :class:`Pattern` tuples of
``(graph, subject, predicate, object)``, each an IRI or None (anything), so that a cached answer
can outlive the writes that do not touch it (:mod:`graph.store.changes`).

The text is parsed by rdflib's SPARQL parser (milliseconds: the caller pays it only for an
answer worth keeping, once per text). Where the dependency cannot be stated it is None, "the
whole graph": a ``DESCRIBE``, ``EXISTS``/``NOT EXISTS``, a path that may have length zero
(``*``, ``?``: it matches every node), a ``GRAPH`` block around an empty pattern (it lists the
graphs, even empty ones), a text rdflib does not read. Literals, blank nodes, variables and
relative IRIs in a pattern are taken as anything: the reading may be wider than the truth,
never narrower.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from . import guard
from .outbound import PARSER_LOCK

__all__ = ["Part", "Pattern", "dependencies"]

_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


#: A part of a pattern: an IRI, a variable (``?name``), a set of IRIs (any of them) or None.
Part = str | frozenset[str] | None


class Pattern(NamedTuple):
    """Statements a query matches: each part an IRI, a variable (``?name``, bound by the
    query's substitutions if at all), a set of IRIs (for a caller that names what it read) or
    None (anything)."""

    graph: Part
    subject: Part
    predicate: Part
    object: Part

    def bound(self, values: Mapping[str, str]) -> Pattern:
        """The pattern with its variables bound to ``values`` (name: IRI), the others
        anything."""
        return Pattern(*(values.get(part[1:]) if isinstance(part, str) and part[0] == "?"
                         else part for part in self))


class _Whole(Exception):
    """The query may depend on any statement."""


def dependencies(sparql: str, substitutions: Mapping[str, str] | None = None
                 ) -> tuple[Pattern, ...] | None:
    """The patterns of the statements ``sparql`` reads, with the variables of
    ``substitutions`` (name: IRI; other terms are taken as anything) bound; None when the
    answer may depend on any statement.

    >>> dependencies("SELECT ?l WHERE { <http://e/a> <http://e/label> ?l }")
    (Pattern(graph=None, subject='http://e/a', predicate='http://e/label', object=None),)
    >>> dependencies("SELECT * WHERE { GRAPH ?g { ?e ?p ?o } }", {"e": "http://e/a"})
    (Pattern(graph=None, subject='http://e/a', predicate=None, object=None),)
    >>> dependencies("SELECT * WHERE { ?s <http://e/p>* ?o }") is None
    True
    """
    found = _patterns(sparql)
    if found is None:
        return None
    values = dict(substitutions or {})
    return tuple(dict.fromkeys(p.bound(values) for p in found))


@lru_cache(maxsize=4096)
def _patterns(sparql: str) -> tuple[Pattern, ...] | None:
    one = _one_pattern(sparql)
    return (one,) if one is not None else _parsed_patterns(sparql)


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _one_pattern(sparql: str) -> Pattern | None:
    """The pattern of a query of one triple pattern (:func:`graph.sparql.guard.is_bounded`'s
    shape), from the terms its outline read; None for any other text, which rdflib reads.
    (A prologue changes nothing here: a prefixed name is left to rdflib, a relative IRI is
    taken as anything.)

    >>> _one_pattern('SELECT ?p WHERE { GRAPH ?g { <http://e/a> ?p "x"@en } } LIMIT 3')
    Pattern(graph='?g', subject='http://e/a', predicate='?p', object=None)
    """
    terms = guard.outline(sparql).pattern
    if terms is None:
        return None
    graph, subject, predicate, obj = terms
    parts = (None if graph is None else _token_part(graph), _token_part(subject),
             _token_part(predicate), _token_part(obj))
    return None if _UNREADABLE in parts else Pattern(*parts)


_UNREADABLE = "\x00"


def _token_part(token: guard.Token) -> str | None:
    """A pattern's part from the token of a term: an absolute IRI, a variable, ``a``; None for
    a literal; :data:`_UNREADABLE` for a prefixed name."""
    if token.kind == "iri":
        iri = token.text[1:-1]
        return iri if _ABSOLUTE.match(iri) else None
    if token.kind == "var":
        return "?" + token.text[1:]
    if token.kind == "name":
        return _RDF_TYPE if token.text == "A" else None if token.text in ("TRUE", "FALSE") \
            else _UNREADABLE
    return None  # a string or a number


def _parsed_patterns(sparql: str) -> tuple[Pattern, ...] | None:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with PARSER_LOCK:
            query = translateQuery(parseQuery(sparql))
    except Exception:  # noqa: BLE001  # any text rdflib cannot read: the whole graph
        return None
    if query.algebra.name == "DescribeQuery":
        return None
    try:
        return tuple(_walk(query.algebra, graph=None, top=True))
    except _Whole:
        return None


def _walk(node: Any, *, graph: str | None, top: bool, projected: bool = False
          ) -> Iterator[Pattern]:
    """The patterns under ``node`` of rdflib's algebra, inside ``GRAPH graph``; ``top``: not
    in a subquery (a projection below the query's own), whose variables the query's
    substitutions do not bind."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item, graph=graph, top=top, projected=projected)
        return
    if not isinstance(node, CompValue):
        return
    name = node.name
    if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS", "ServiceGraphPattern"):
        raise _Whole
    if name == "BGP":
        for triple in node["triples"]:
            yield from _triple(triple, graph, top)
        return
    if name == "Project":
        top, projected = top and not projected, True
    if name == "Graph":
        inner = list(_walk(node["p"], graph=_part(node["term"], top), top=top,
                           projected=projected))
        if not inner or _has_empty_bgp(node["p"]):
            raise _Whole  # it lists graphs, perhaps empty ones
        yield from inner
        return
    for key, value in node.items():
        if key != "_vars":
            yield from _walk(value, graph=graph, top=top, projected=projected)


def _has_empty_bgp(node: Any) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "BGP" and not node["triples"]:
            return True
        return any(_has_empty_bgp(v) for k, v in node.items() if k != "_vars")
    if isinstance(node, list | tuple):
        return any(_has_empty_bgp(v) for v in node)
    return False


def _triple(triple: Iterable[Any], graph: str | None, top: bool) -> Iterator[Pattern]:
    from rdflib.paths import Path

    s, p, o = triple
    if isinstance(p, Path):
        for predicate in _path_predicates(p):
            yield Pattern(graph, None, predicate, None)
        return
    yield Pattern(graph, _part(s, top), _part(p, top), _part(o, top))


def _path_predicates(path: Any) -> Iterator[str | None]:
    """The predicates a path of length at least one follows (None: any); a path that may have
    length zero matches every node: the whole graph."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
    from rdflib.term import URIRef

    if isinstance(path, URIRef):
        yield _part(path, top=False)
    elif isinstance(path, MulPath):
        if path.mod != "+":
            raise _Whole
        yield from _path_predicates(path.path)
    elif isinstance(path, InvPath):
        yield from _path_predicates(path.arg)
    elif isinstance(path, SequencePath | AlternativePath):
        for arg in path.args:
            yield from _path_predicates(arg)
    elif isinstance(path, NegatedPath):
        yield None
    else:
        raise _Whole


def _part(term: Any, top: bool) -> str | None:
    """A pattern's part: an absolute IRI as it is, a variable by name (only ``top``-level
    ones: a subquery's are its own), anything else None."""
    from rdflib.term import URIRef, Variable

    if isinstance(term, URIRef):
        return str(term) if _ABSOLUTE.match(term) else None
    if isinstance(term, Variable) and top:
        return "?" + str(term)
    return None
