"""Read SPARQL text without evaluating it: refuse what would reach the network, name the query
form, see dataset clauses and add the protocol's ``USING`` graphs to an update.

pyoxigraph's engine fetches over HTTP for ``SERVICE`` and ``LOAD <http...>``, so both are refused
here, before the text reaches it. A small lexer skips strings, IRIs and comments, so a keyword
only counts where the parser would read it as one; like the parser, it first replaces
``\\uXXXX`` escapes, so ``\\u0053ERVICE`` is seen as ``SERVICE``. ``FROM`` never fetches in
Oxigraph (it picks stored graphs), so it is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .errors import BadInput, Refused

__all__ = [
    "Token",
    "check_query",
    "check_update",
    "has_dataset_clause",
    "is_bounded",
    "query_form",
    "tokens",
    "with_using",
]

_NAME_CHARS = r"\w\-.\u00B7-\uFFFF"
_NAME_END = r"\w\-\u00B7-\uFFFF"  # a prefixed name may hold dots, but not end with one
# Spaces and comments are taken (possessively: never given back) with the token they precede,
# or with the end of the text: half the matches of a token each.
_TOKEN = re.compile(
    rf"""
    (?:\s+|\#[^\n\r]*)*+
    (?:
    (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][\w\u00B7-\uFFFF]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_\u00C0-\uFFFF](?:[{_NAME_CHARS}]*[{_NAME_END}])?
            (?::(?:[{_NAME_CHARS}:%\\]*[{_NAME_END}:%])?)?
            |:(?:[{_NAME_CHARS}:%\\]*[{_NAME_END}:%])?)
  | (?P<other>.)
  | \Z
    )""",
    re.X | re.S,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


class Token(NamedTuple):
    """A keyword or punctuation of the text: ``kind`` (``name``, ``iri``, ``other``...),
    ``text`` (upper-cased for a name), ``depth`` (of ``{}`` nesting) and ``start``/``end``.
    (A named tuple: the lexer makes one per token of every query, and a tuple is made faster
    than a frozen dataclass.)"""

    kind: str
    text: str
    depth: int
    start: int
    end: int


def unescape(text: str) -> str:
    r"""Replace ``\uXXXX`` and ``\UXXXXXXXX`` escapes, as the SPARQL parser does first.

    >>> unescape(r"\u0053ERVICE")
    'SERVICE'
    """
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def tokens(text: str, *, strings: bool = False) -> Iterator[Token]:
    """The significant tokens of unescaped SPARQL text: no spaces or comments, and strings only
    when asked for.

    >>> [t.text for t in tokens('SELECT * { ?s ?p "SERVICE" } # SERVICE')]
    ['SELECT', '*', '{', '?s', '?p', '}']
    """
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None or (kind == "string" and not strings):  # the end of the text
            continue
        value = match.group(kind)
        if value == "}":
            depth -= 1
        yield Token(kind, value.upper() if kind == "name" else value, depth,
                    match.start(kind), match.end())
        if value == "{":
            depth += 1


@dataclass(frozen=True)
class _Outline:
    keywords: frozenset[str]
    form: str | None
    has_from: bool
    bounded: bool


@lru_cache(maxsize=4096)
def _cached_outline(text: str) -> _Outline:
    return _read_outline(text)


def _outline(text: str) -> _Outline:
    """What the checks need from one pass of the lexer; cached for short texts."""
    return _cached_outline(text) if len(text) < 4096 else _read_outline(text)


def _read_outline(text: str) -> _Outline:
    found = list(tokens(unescape(text), strings=True))
    keywords = frozenset(t.text for t in found if t.kind == "name")
    body = _skip_prologue(found)
    first = body[0].text if body and body[0].kind == "name" else ""
    form = first.lower() if first in _FORMS else None
    has_from = any(t.kind == "name" and t.text == "FROM" and t.depth == 0 for t in found)
    return _Outline(keywords, form, has_from, _one_pattern(body))


def _skip_prologue(found: list[Token]) -> list[Token]:
    i = 0
    while i < len(found) and found[i].kind == "name" and found[i].text in ("PREFIX", "BASE"):
        i += 3 if found[i].text == "PREFIX" else 2
    return found[i:]


def _one_pattern(body: list[Token]) -> bool:
    """``SELECT ?v... [WHERE] { s p o [.] } [LIMIT n]`` or the same ``ASK``, with no variable
    twice: its evaluation is one index scan, one step per result row."""
    rest = list(body)
    head = rest.pop(0).text if rest else ""
    if head == "SELECT":
        if rest and rest[0].text == "*":
            rest.pop(0)
        elif not rest or rest[0].kind != "var":
            return False
        while rest and rest[0].kind == "var":
            rest.pop(0)
    elif head != "ASK":
        return False
    if rest and rest[0].text == "WHERE":
        rest.pop(0)
    if not rest or rest.pop(0).text != "{":
        return False
    variables = []
    for position in range(3):
        term = _term(rest, predicate=position == 1)
        if term is None:
            return False
        if term.kind == "var":
            variables.append(term.text[1:])
    if rest and rest[0].text == ".":
        rest.pop(0)
    if not rest or rest.pop(0).text != "}":
        return False
    if len(rest) == 2 and rest[0].text == "LIMIT" and rest[1].kind == "number":
        rest = []
    return not rest and len(set(variables)) == len(variables)


def _term(rest: list[Token], *, predicate: bool) -> Token | None:
    """Take one RDF term or variable off ``rest``; None if the next tokens are something else."""
    if not rest:
        return None
    token = rest.pop(0)
    if token.kind in ("var", "iri") or (token.kind == "name" and ":" in token.text):
        return token
    if predicate:
        return token if token.kind == "name" and token.text == "A" else None
    if token.kind == "number" or (token.kind == "name" and token.text in ("TRUE", "FALSE")):
        return token
    if token.kind != "string":
        return None
    if rest and rest[0].kind == "lang":
        rest.pop(0)
    elif len(rest) >= 3 and rest[0].text == rest[1].text == "^":
        del rest[:2]
        return _term(rest, predicate=True) and token
    return token


def _keywords(text: str) -> frozenset[str]:
    return _outline(text).keywords


def check_query(text: str) -> None:
    """Refuse a query that would call a remote endpoint.

    >>> check_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.errors.Refused: SERVICE is refused here: this endpoint does not query other endpoints
    """
    if "SERVICE" in _keywords(text):
        raise Refused("SERVICE is refused here: this endpoint does not query other endpoints")


def check_update(text: str) -> None:
    """Refuse an update that would call a remote endpoint or fetch a document (``LOAD``)."""
    keywords = _keywords(text)
    if "SERVICE" in keywords:
        raise Refused("SERVICE is refused here: this endpoint does not query other endpoints")
    if "LOAD" in keywords:
        raise Refused("LOAD is refused here: this endpoint fetches no documents; "
                      "send the data to the Graph Store Protocol endpoint (/store) instead")


def query_form(text: str) -> str | None:
    """``select``, ``construct``, ``describe`` or ``ask``; None when the text names none.

    >>> query_form("PREFIX select: <http://e/> ASK { select:a ?p ?o }")
    'ask'
    """
    return _outline(text).form


def is_bounded(text: str) -> bool:
    """True for a query that cannot run away: one triple pattern, no variable twice, no
    modifier but ``LIMIT``. Each result row is one step of an index scan, so a budget checked
    between rows and the row cap bound its work; it may run in the request thread.

    >>> is_bounded("SELECT ?p ?o WHERE { <http://e/a> ?p ?o } LIMIT 10")
    True
    >>> is_bounded("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    False
    """
    return _outline(text).bounded


def has_dataset_clause(text: str) -> bool:
    """True when a query names its own dataset with ``FROM`` or ``FROM NAMED``.

    >>> has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }")
    True
    """
    return _outline(text).has_from


def with_using(text: str, graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> str:
    """The update with ``USING`` / ``USING NAMED`` clauses (the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri``) added to each ``INSERT``/``DELETE ... WHERE`` operation.

    A ``DELETE WHERE { P }`` becomes ``DELETE { P } USING ... WHERE { P }``. An update that has
    its own ``USING`` or ``WITH`` is a conflict the protocol forbids (:class:`BadInput`).

    >>> with_using("DELETE WHERE { ?s ?p ?o }", ["http://e/g"])
    'DELETE { ?s ?p ?o } USING <http://e/g> WHERE { ?s ?p ?o }'
    """
    clauses = "".join(f"USING <{_iri(g)}> " for g in graphs)
    clauses += "".join(f"USING NAMED <{_iri(g)}> " for g in named_graphs)
    if not clauses:
        return text
    text = unescape(text)
    found = list(tokens(text))
    if any(t.kind == "name" and t.text in ("USING", "WITH") for t in found):
        raise BadInput("the update names its dataset with USING or WITH: it cannot also take "
                       "using-graph-uri or using-named-graph-uri")
    out, last = [], 0
    for i, token in enumerate(found):
        if token.kind != "name" or token.text != "WHERE" or token.depth != 0:
            continue
        if i and found[i - 1].kind == "name" and found[i - 1].text == "DELETE":
            end = _group_end(found, i + 1)
            pattern = text[found[i + 1].start:end]
            out.append(text[last:token.start] + pattern + " " + clauses + "WHERE " + pattern)
            last = end
        else:
            out.append(text[last:token.start] + clauses)
            last = token.start
    return "".join(out) + text[last:]


def _group_end(found: list[Token], start: int) -> int:
    """The end offset of the ``{ ... }`` group that opens at ``found[start]``."""
    if start >= len(found) or found[start].text != "{":
        raise BadInput("DELETE WHERE must be followed by a { ... } pattern")
    depth = found[start].depth
    for token in found[start + 1:]:
        if token.text == "}" and token.depth == depth:
            return token.end
    raise BadInput("DELETE WHERE pattern is not closed by }")


def _iri(value: str) -> str:
    if not value or re.search(r'[<>"{}|^`\\\x00-\x20]', value):
        raise BadInput(f"not an IRI: {value!r}")
    return value
