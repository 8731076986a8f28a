"""Refuse input shaped to overflow a recursive parser's stack, before the parser sees it.

pyoxigraph 0.5.13 recurses on a SPARQL text's syntax tree and on a JSON-LD context's term
definitions; past a few thousand levels it overflows its stack and the kernel ends the whole
process (SIGSEGV), not just the request. Measured here on an 8 MiB stack: about 2,200 nested
``{``, 4,700 nested ``(``, 3,000 ``BIND`` or ``MINUS`` in one group, 10,000 JSON-LD terms each
defined as the next; a 1 MiB thread stack holds eight times fewer. A query evaluated in a worker
process only costs that worker, but an update on an on-disk store, and every parse in the server
process, would take the service down. Real queries and contexts stay far below the bounds here.

Both checks read the text once, in linear time, with a lexer that knows just enough: strings,
IRIs, comments and escaped local names, so that brackets inside them are not counted and no
spelling hides one.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator

from ..errors import Refused
from .guard import has_dataset_clause

__all__ = ["MAX_CHAIN", "MAX_DEPTH", "MAX_GROUP", "MAX_JSONLD", "check_contexts",
           "check_sparql"]

#: Brackets (``{``, ``(``, ``[``) open at once in a SPARQL text.
MAX_DEPTH = 128
#: Elements of one group that the engine nests one inside the other (``BIND``, ``MINUS``,
#: ``OPTIONAL``, ``FILTER``, ``UNION``, ``VALUES``, ``SERVICE`` and sub-groups, ``GRAPH``'s too).
MAX_GROUP = 512
#: JSON-LD terms defined through one another (``"a": "b"``, ``"b": "c"``, ...).
MAX_CHAIN = 64
#: Bytes of a JSON-LD document whose contexts can be checked (read whole, as Python objects).
MAX_JSONLD = 16 * 1024 * 1024

_SPARQL_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''  # long strings
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\''  # strings
    r'|<[^<>"{}|^`\\\x00-\x20]*>'  # an IRI (any other "<" is an operator)
    r"|#[^\n\r]*"  # a comment
    r"|\\."  # an escaped character of a local name (ex:\#): never a comment
    r"|[?$]\w+"  # a variable
    r"|(?P<word>[A-Za-z_][\w-]*(?P<prefixed>:)?)"  # a keyword, or a prefixed name
    r"|(?P<open>[{(\[])|(?P<close>[})\]])",
    re.S)
_CHAINED = frozenset({"bind", "minus", "optional", "filter", "union", "values", "service"})


def check_sparql(text: str) -> bool:
    """Raise :class:`~graph.errors.Refused` for a query or update nested past :data:`MAX_DEPTH`
    or with a group of more than :data:`MAX_GROUP` chained elements; else say, from the same
    pass over the text, whether it names its own dataset with ``FROM`` outside any bracket (a
    text with ``\\u`` escapes, which could spell it, is read again by
    :func:`graph.sparql.guard.has_dataset_clause`).

    >>> check_sparql("SELECT * WHERE { ?s ?p ?o FILTER(?o > 1) }")
    False
    >>> check_sparql("SELECT * FROM <http://e/g> { ?s ?p ?o }")
    True
    >>> check_sparql("SELECT * WHERE " + "{" * 200 + "}" * 200)
    Traceback (most recent call last):
    ...
    graph.errors.Refused: SPARQL nested more than 128 brackets deep is refused
    """
    groups = [0]  # chained elements counted per open bracket, the outermost first
    named = False
    for token in _SPARQL_TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "open":
            groups[-1] += token.group() == "{"
            _count(groups)
            groups.append(0)
            if len(groups) > MAX_DEPTH:
                raise Refused(f"SPARQL nested more than {MAX_DEPTH} brackets deep is refused")
        elif kind == "close" and len(groups) > 1:
            groups.pop()
        elif kind == "word":
            word = token.group().lower()
            if word in _CHAINED:
                groups[-1] += 1
                _count(groups)
            named = named or (word == "from" and len(groups) == 1)
    if "\\u" in text or "\\U" in text:
        return has_dataset_clause(text)
    return named


def _count(groups: list[int]) -> None:
    if groups[-1] > MAX_GROUP:
        raise Refused(f"a SPARQL group of more than {MAX_GROUP} BIND, MINUS, OPTIONAL, FILTER, "
                      "UNION, VALUES or sub-group elements is refused: split it")


def check_contexts(document: bytes | str | mmap.mmap) -> None:
    """Raise :class:`~graph.errors.Refused` for JSON-LD whose inline contexts define a term
    through more than :data:`MAX_CHAIN` others, or through itself, and for a document past
    :data:`MAX_JSONLD` bytes (send bulk data as N-Quads or Turtle). Call it after the nesting
    check of :func:`graph.rdf.formats.check_untrusted` (``json`` recurses on nesting too).

    >>> check_contexts('{"@context": {"a": "http://e/a", "b": "a:x"}, "b": 1}')
    >>> check_contexts('{"@context": {"a": "b", "b": "a"}}')
    Traceback (most recent call last):
    ...
    graph.errors.Refused: JSON-LD terms defined through themselves are refused
    """
    if len(document) > MAX_JSONLD:
        raise Refused(f"JSON-LD past {MAX_JSONLD} bytes is refused: its contexts could not be "
                      "checked; send bulk data as N-Quads, TriG or Turtle")
    try:
        parsed = json.loads(document[:])
    except (ValueError, RecursionError):
        return  # not JSON: the parser says where
    targets: dict[str, set[str]] = {}
    for context in _contexts(parsed):
        for term, definition in context.items():
            target = definition.get("@id") if isinstance(definition, dict) else definition
            if isinstance(target, str):
                targets.setdefault(term, set()).add(target)
    longest: dict[str, int] = {}
    for term in targets:
        _chain(term, targets, longest)


def _contexts(value: object) -> Iterator[dict[str, object]]:
    """Every context object in a JSON-LD document: top-level, embedded, scoped, in arrays."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            context = item.get("@context")
            for found in context if isinstance(context, list) else [context]:
                if isinstance(found, dict):
                    yield found
            stack.extend(v for k, v in item.items())


def _chain(start: str, targets: dict[str, set[str]], longest: dict[str, int]) -> None:
    """Fill ``longest[term]``: the terms ``start`` is defined through, iteratively."""
    visiting: set[str] = set()
    stack: list[tuple[str, bool]] = [(start, False)]
    while stack:
        term, done = stack.pop()
        if done:
            visiting.discard(term)
            below = [longest.get(t, 0) for t in _next(term, targets)]
            longest[term] = 1 + max(below, default=0)
            if longest[term] > MAX_CHAIN:
                raise Refused(f"JSON-LD terms defined through more than {MAX_CHAIN} others are "
                              "refused")
            continue
        if term in longest:
            continue
        if term in visiting:
            raise Refused("JSON-LD terms defined through themselves are refused")
        visiting.add(term)
        stack.append((term, True))
        stack.extend((t, False) for t in _next(term, targets) if t not in longest)


def _next(term: str, targets: dict[str, set[str]]) -> Iterator[str]:
    """The terms a term's definition refers to: itself a term, or a term as prefix."""
    for target in targets.get(term, ()):
        prefix = target.split(":", 1)[0] if ":" in target else None
        for name in (target, prefix):
            if name is not None and name != term and name in targets:
                yield name
