"""Does SPARQL text call another endpoint (``SERVICE``) or fetch a document (``LOAD``)?

Answered in two steps, so that the common case costs one linear scan and the hard case is read
by a complete parser, never by a lexer that must track every escape of the grammar:

1. :func:`may_name` scans for the keyword's letters, in any case, before and after replacing
   ``\\uXXXX`` escapes. A text without them cannot hold the keyword, however it is spelled:
   SPARQL keywords are plain letters (Oxigraph does not even unescape them). Linear time,
   a few copies of the text in memory.
2. Only a text that holds the letters (in a string, an IRI, a name or the keyword itself) is
   parsed by a complete SPARQL 1.1 parser, rdflib's, and the parse tree is searched for the
   operation. A text that parser cannot read is refused: it might hold the keyword in a form
   no check has read. The parse is slow (seconds per 100 KB): the service runs it inside a
   query's time and memory budget, in a worker process (:mod:`graph.store.executor`).

This check gives a clear refusal. The fence itself is the kernel's: the processes that evaluate
SPARQL cannot open a network socket (:mod:`graph.store.sandbox`).
"""

from __future__ import annotations

import re
import threading

__all__ = ["NETWORK_OPERATIONS", "PARSER_LOCK", "may_name", "network_operations"]

#: The operations that would reach the network, by the name rdflib's parse tree gives them.
NETWORK_OPERATIONS = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}
#: Held by whoever runs rdflib's SPARQL parser: pyparsing's grammar is not thread-safe, and
#: threads reading at once fail on texts it reads alone.
PARSER_LOCK = threading.Lock()
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape(text: str) -> str:
    r"""Replace ``\uXXXX`` and ``\UXXXXXXXX`` escapes, as the SPARQL grammar does first.

    >>> unescape(r"\u0053ERVICE")
    'SERVICE'
    """
    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _UNICODE_ESCAPE.sub(char, text)


def may_name(text: str, keyword: str) -> bool:
    r"""False only when ``text`` cannot hold ``keyword`` (upper case) in any spelling.

    >>> may_name(r"SELECT * { \u0073ervice <x> {} }", "SERVICE")
    True
    >>> may_name("SELECT * { ?s ?p ?o }", "SERVICE")
    False
    """
    variants = (text, unescape(text)) if "\\" in text else (text,)
    lower = keyword.lower()
    # upper() maps look-alikes such as U+017F (long s) to S, lower() U+212A (Kelvin) to k.
    return any(keyword in v.upper() or lower in v.lower() for v in variants)


def network_operations(text: str, *, update: bool) -> set[str] | str:
    """The network operations (``SERVICE``, ``LOAD``) in a query or update, read by a complete
    SPARQL 1.1 parser; or, when that parser cannot read the text, its reason (a string).

    >>> sorted(network_operations("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", update=False))
    ['SERVICE']
    >>> network_operations('SELECT * { ?s ?p "SERVICE <http://e/>" }', update=False)
    set()
    """
    # Imported here, where a text names the operation: rdflib's SPARQL grammar is a tenth of a
    # second of every server's start, for the few queries that spell out its letters.
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        with PARSER_LOCK:
            tree = parseUpdate(text) if update else parseQuery(text)
    except ParseBaseException as error:
        return f"line {error.lineno}, column {error.col}: {error.msg}"
    except RecursionError:
        return "it is nested or chained too deeply"
    return _operations_in(tree)


def _operations_in(tree: object) -> set[str]:
    """The network operations named anywhere in an rdflib parse tree (walked without
    recursion: the tree is as deep as the query is nested)."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str | bytes | int | float):  # terms are str subclasses
            continue
        name = getattr(node, "name", None)
        if isinstance(name, str) and name in NETWORK_OPERATIONS:
            found.add(NETWORK_OPERATIONS[name])
        if isinstance(node, dict):
            stack.extend(node.values())
        elif hasattr(node, "__iter__"):
            stack.extend(node)
    return found
