"""Read SPARQL text without evaluating it: refuse what would reach the network, name the query
form, see dataset clauses and add the protocol's ``USING`` graphs to an update.

pyoxigraph's engine fetches over HTTP for ``SERVICE`` and ``LOAD <http...>``, so both are refused
here, by :mod:`graph.sparql.outbound`: a linear scan for the keyword's letters, then a complete
SPARQL parser when they are there. The rest (the form, ``FROM``, where ``USING`` goes) is read by a
small lexer that skips strings, IRIs and comments. It takes linear time and constant memory
whatever the text: an unterminated string ends at the end of its line (or, for a long string,
of the text), so no position is scanned twice. ``FROM`` never fetches in Oxigraph (it picks
stored graphs), so it is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from ..errors import BadInput, Refused
from .outbound import may_name, network_operations, unescape

__all__ = [
    "Outline",
    "Token",
    "check_query",
    "check_update",
    "may_reach_network",
    "has_dataset_clause",
    "is_bounded",
    "is_one_pattern",
    "outline",
    "query_form",
    "tokens",
    "with_using",
]

_NAME_END = r"\w\-\u00B7-\uFFFF"  # a prefixed name may hold dots, but not end with one
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"  # PN_LOCAL_ESC: ex:\# is a name, not a comment
_PREFIX = rf"[A-Za-z_\u00C0-\uFFFF](?:[{_NAME_END}]++|\.++(?=[{_NAME_END}]))*+"
_LOCAL = rf"(?:[{_NAME_END}:%]++|{_LOCAL_ESCAPE}|\.++(?=[{_NAME_END}:%\\]))*+"
# Every repetition is possessive (never given back): the lexer takes linear time and constant
# memory, where backtracking kept a frame per character (a 15 MiB string took 2.9 GB).
# Spaces and comments are taken with the token they precede, or with the end of the text.
# An unterminated string runs to the end of its line (a long one, of the text).
_TOKEN = re.compile(
    rf"""
    (?:\s++|\#[^\n\r]*+)*+
    (?:
    (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*+>)
  | (?P<string>'''(?:[^'\\]++|\\.|'(?!''))*+'''|\"\"\"(?:[^"\\]++|\\.|"(?!""))*+\"\"\"
              |'(?:[^'\\\n\r]++|\\.)*+'|"(?:[^"\\\n\r]++|\\.)*+"
              |'''.*+|\"\"\".*+|'[^\n\r]*+|"[^\n\r]*+)
  | (?P<var>[?$][\w\u00B7-\uFFFF]++)
  | (?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
  | (?P<number>\d++(?:\.\d++)?+(?:[eE][+-]?+\d++)?+)
  | (?P<name>{_PREFIX}(?::{_LOCAL})?+|:{_LOCAL})
  | (?P<other>.)
  | \Z
    )""",
    re.X | re.S,
)
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


#: The terms of a query's one triple pattern: its ``GRAPH``'s (None: none), subject, predicate
#: and object (for a literal, its string's token).
PatternTerms = tuple[Token | None, Token, Token, Token]


@dataclass(frozen=True)
class Outline:
    """What the server reads of a query before its budget starts, once: its ``form``
    (``select``, ``construct``, ``describe``, ``ask`` or None), whether it is ``bounded``
    (:func:`is_bounded`), whether it ``may_reach_network`` (:func:`may_reach_network`) and, for
    a bounded query with a pattern, that ``pattern``'s terms."""

    form: str | None
    bounded: bool
    may_reach_network: bool
    pattern: PatternTerms | None = field(default=None, repr=False, compare=False)


#: Tokens read to find the form: a prologue longer than this leaves the form unknown. The head
#: of the text is all the server reads before a query's budget starts.
_HEAD_TOKENS = 4096
#: Tokens of a query's body read for :func:`is_bounded`: a one-pattern query has fewer.
_BOUNDED_TOKENS = 24


@lru_cache(maxsize=4096)
def _cached_outline(text: str) -> Outline:
    return _read_outline(text)


def outline(text: str) -> Outline:
    """What the checks need from the head of the text (linear time, the head's tokens only;
    the keyword scan is one pass at C speed); cached for short texts.

    >>> outline("SELECT ?o WHERE { <http://e/a> ?p ?o }")
    Outline(form='select', bounded=True, may_reach_network=False)
    """
    return _cached_outline(text) if len(text) < 4096 else _read_outline(text)


def _read_outline(text: str) -> Outline:
    body = _skip_prologue(islice(tokens(unescape(text), strings=True), _HEAD_TOKENS))
    head = list(islice(body, _BOUNDED_TOKENS + 1))
    first = head[0].text if head and head[0].kind == "name" else ""
    form = first.lower() if first in _FORMS else None
    terms = _pattern_terms(head) if len(head) <= _BOUNDED_TOKENS else None
    return Outline(form, terms is not None, may_reach_network(text), terms or None)


def _skip_prologue(found: Iterator[Token]) -> Iterator[Token]:
    """The tokens after the ``PREFIX`` and ``BASE`` declarations."""
    for token in found:
        if token.kind == "name" and token.text in ("PREFIX", "BASE"):
            for _ in range(2 if token.text == "PREFIX" else 1):
                next(found, None)
            continue
        yield token
        yield from found
        return


def is_one_pattern(group: list[Token]) -> bool:
    """Whether the tokens of a group graph pattern (``{ ... }``, from :func:`tokens` with
    strings) hold one triple pattern, perhaps inside ``GRAPH g { }``, with no variable twice:
    one index scan, one step per solution.

    >>> is_one_pattern(list(tokens("{ GRAPH <http://e/g> { ?s ?p ?o } }", strings=True)))
    True
    >>> is_one_pattern(list(tokens("{ ?s ?p ?o . ?o ?q ?r }", strings=True)))
    False
    """
    return _pattern_terms([Token("name", "ASK", 0, 0, 0), *group]) is not None


def _pattern_terms(body: list[Token]) -> PatternTerms | tuple[()] | None:
    """The pattern's terms if ``body`` is ``SELECT ?v... [WHERE] { s p o [.] } [LIMIT n]`` or
    the same ``ASK``, the pattern perhaps inside ``GRAPH g { }``, with no variable twice (its
    evaluation is one index scan, one step per result row); ``()`` for ``ASK {}``; None for
    anything else."""
    rest = list(body)
    head = rest.pop(0).text if rest else ""
    if head == "SELECT":
        if rest and rest[0].text == "*":
            rest.pop(0)
        elif not rest or rest[0].kind != "var":
            return None
        while rest and rest[0].kind == "var":
            rest.pop(0)
    elif head != "ASK":
        return None
    if rest and rest[0].text == "WHERE":
        rest.pop(0)
    if not rest or rest.pop(0).text != "{":
        return None
    if len(rest) == 1 and rest[0].text == "}":  # ASK {}: no pattern at all (a liveness probe)
        return ()
    graph = None
    if rest and rest[0].kind == "name" and rest[0].text == "GRAPH":
        rest.pop(0)
        graph = _term(rest, predicate=True)
        if graph is None or graph.text == "A" or not rest or rest.pop(0).text != "{":
            return None
    terms = [_term(rest, predicate=position == 1) for position in range(3)]
    if rest and rest[0].text == ".":
        rest.pop(0)
    for _ in range(1 if graph is None else 2):
        if not rest or rest.pop(0).text != "}":
            return None
    if len(rest) == 2 and rest[0].text == "LIMIT" and rest[1].kind == "number":
        rest = []
    subject, predicate, obj = terms
    if rest or subject is None or predicate is None or obj is None:
        return None
    variables = [t.text[1:] for t in (graph, subject, predicate, obj) if t and t.kind == "var"]
    return (graph, subject, predicate, obj) if len(set(variables)) == len(variables) else None


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


def check_query(text: str) -> None:
    """Refuse a query that would call a remote endpoint (see :mod:`graph.sparql.outbound`).

    >>> check_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.errors.Refused: SERVICE is refused here: this endpoint does not query other endpoints
    """
    _refuse_network(text, ("SERVICE",), update=False)


def check_update(text: str) -> None:
    """Refuse an update that would call a remote endpoint or fetch a document (``LOAD``)."""
    _refuse_network(text, ("SERVICE", "LOAD"), update=True)


_REFUSALS = {
    "SERVICE": "SERVICE is refused here: this endpoint does not query other endpoints",
    "LOAD": "LOAD is refused here: this endpoint fetches no documents; send the data to the "
            "Graph Store Protocol endpoint (/store) instead",
}


def _refuse_network(text: str, keywords: tuple[str, ...], *, update: bool) -> None:
    named = [k for k in keywords if may_name(text, k)]
    if not named:
        return
    found = network_operations(text, update=update)
    if isinstance(found, str):
        raise Refused(f"{' or '.join(named)} may be in this {'update' if update else 'query'}, "
                      f"and the complete SPARQL 1.1 parser that checks for it cannot read it "
                      f"({found}); operations that reach other servers are refused here")
    for keyword in keywords:
        if keyword in found:
            raise Refused(_REFUSALS[keyword])


def may_reach_network(text: str) -> bool:
    """False when the text cannot hold ``SERVICE`` or ``LOAD`` in any spelling (linear time).

    >>> may_reach_network("SELECT * { ?s ?p ?o }")
    False
    """
    return may_name(text, "SERVICE") or may_name(text, "LOAD")


def query_form(text: str) -> str | None:
    """``select``, ``construct``, ``describe`` or ``ask``; None when the text names none.

    >>> query_form("PREFIX select: <http://e/> ASK { select:a ?p ?o }")
    'ask'
    """
    return outline(text).form


def is_bounded(text: str) -> bool:
    """True for a query that cannot run away: one triple pattern, no variable twice, no
    modifier but ``LIMIT``. Each result row is one step of an index scan, so a budget checked
    between rows and the row cap bound its work; it may run in the request thread.

    >>> is_bounded("SELECT ?p ?o WHERE { <http://e/a> ?p ?o } LIMIT 10")
    True
    >>> is_bounded("SELECT ?p ?o ?g WHERE { GRAPH ?g { <http://e/a> ?p ?o } }")
    True
    >>> is_bounded("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    False
    >>> is_bounded("ASK {}")
    True
    """
    return outline(text).bounded


def has_dataset_clause(text: str) -> bool:
    """True when a query names its own dataset with ``FROM`` or ``FROM NAMED``. (Reads the
    whole text: called where the query's budget runs.)

    >>> has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }")
    True
    """
    return any(t.kind == "name" and t.text == "FROM" and t.depth == 0
               for t in tokens(unescape(text)))


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
    found = _no_dataset_of_its_own(tokens(text))
    out, last, previous = [], 0, None
    for token in found:
        if token.kind == "name" and token.text == "WHERE" and token.depth == 0:
            if previous is not None and previous.kind == "name" and previous.text == "DELETE":
                start, end = _group(found)
                pattern = text[start:end]
                out.append(text[last:token.start] + pattern + " " + clauses + "WHERE " + pattern)
                last = end
            else:
                out.append(text[last:token.start] + clauses)
                last = token.start
        previous = token
    return "".join(out) + text[last:]


def _no_dataset_of_its_own(found: Iterator[Token]) -> Iterator[Token]:
    """The tokens; :class:`BadInput` at a ``USING`` or ``WITH``, which conflict with the
    protocol's ``using-graph-uri``."""
    for token in found:
        if token.kind == "name" and token.text in ("USING", "WITH"):
            raise BadInput("the update names its dataset with USING or WITH: it cannot also "
                           "take using-graph-uri or using-named-graph-uri")
        yield token


def _group(found: Iterator[Token]) -> tuple[int, int]:
    """The start and end offsets of the ``{ ... }`` group that opens with the next token."""
    opening = next(found, None)
    if opening is None or opening.text != "{":
        raise BadInput("DELETE WHERE must be followed by a { ... } pattern")
    for token in found:
        if token.text == "}" and token.depth == opening.depth:
            return opening.start, token.end
    raise BadInput("DELETE WHERE pattern is not closed by }")


def _iri(value: str) -> str:
    if not value or re.search(r'[<>"{}|^`\\\x00-\x20]', value):
        raise BadInput(f"not an IRI: {value!r}")
    return value
