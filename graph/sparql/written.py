"""Which graphs a SPARQL update can change, read from its text before it runs.

Listeners of a commit (the relationship projection, the write validation) only need to redo
their work for the graphs a write may have changed. An update says which ones in its templates
(``INSERT``/``DELETE`` blocks, ``GRAPH`` and ``WITH``) and in its graph operations (``CLEAR``,
``DROP``, ``ADD``, ``MOVE``, ``COPY``). When the text leaves it open (``GRAPH ?g`` in a
template, ``DROP ALL``, a relative graph IRI), the answer is None: any graph.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..rdf.terms import DEFAULT_GRAPH
from .guard import Token, is_one_pattern, tokens
from .outbound import unescape

__all__ = ["pattern_graphs", "written_graphs"]

_GRAPH_OPERATIONS = frozenset({"CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"})


class _Open(Exception):
    """The text does not pin down the graphs it writes."""


def written_graphs(update: str) -> frozenset[str] | None:
    """The graphs ``update`` may change: IRIs, and :data:`~graph.store.engine.DEFAULT_GRAPH` for the
    default graph; None when any graph may change.

    >>> sorted(written_graphs("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 1 } }"))
    ['http://e/g']
    >>> sorted(written_graphs("PREFIX e: <http://e/> DELETE { GRAPH e:a { ?s ?p ?o } } "
    ...                       "INSERT { GRAPH e:b { ?s ?p ?o } } WHERE { GRAPH e:a { ?s ?p ?o } }"))
    ['http://e/a', 'http://e/b']
    >>> sorted(written_graphs("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    ['http://e/g']
    >>> written_graphs("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }") is None
    True
    """
    text = unescape(update)
    try:
        return frozenset(_Reader(text, tokens(text)).graphs())
    except _Open:
        return None


def pattern_graphs(update: str) -> list[str] | None:
    """The graph each ``WHERE`` of ``update`` matches its one triple pattern in (an IRI, or
    :data:`~graph.store.engine.DEFAULT_GRAPH` for the default graph), when every operation is
    ``INSERT DATA``, ``DELETE DATA`` or a ``DELETE``/``INSERT`` whose ``WHERE`` holds one
    triple pattern (perhaps in ``GRAPH <iri>``, or under ``WITH <iri>``); None for any other
    update. Its cost is then that of the data and templates times the statements matched.

    >>> pattern_graphs("DELETE { GRAPH <http://e/a> { ?s ?p ?o } } INSERT { GRAPH <http://e/b> "
    ...                "{ ?s ?p ?o } } WHERE { GRAPH <http://e/a> { ?s ?p ?o } }")
    ['http://e/a']
    >>> pattern_graphs("INSERT DATA { <http://e/a> <http://e/p> 1 }")
    []
    >>> pattern_graphs("DELETE WHERE { ?s ?p ?o . ?o ?q ?r }") is None
    True
    """
    found: list[str] = []
    operation: list[Token] = []
    for token in [*tokens(unescape(update), strings=True), Token("other", ";", 0, -1, -1)]:
        if token.depth or token.text != ";":
            operation.append(token)
            continue
        while operation[:1] and operation[0].text == "PREFIX":
            del operation[:3]
        if operation and not _one_pattern_operation(operation, found):
            return None
        operation = []
    return found


def _one_pattern_operation(operation: list[Token], found: list[str]) -> bool:
    """Whether ``operation`` has no ``WHERE`` or one of one pattern; its graph goes to
    ``found``."""
    words = [t.text for t in operation[:2]]
    if len(words) < 2:
        return False
    if words[0] in ("INSERT", "DELETE") and words[1] == "DATA":
        return True
    graph = DEFAULT_GRAPH
    if words[0] == "WITH" and operation[1].kind == "iri" and ":" in operation[1].text:
        graph, operation = operation[1].text[1:-1], operation[2:]
    top = [i for i, t in enumerate(operation) if t.depth == 0 and t.kind == "name"]
    if not operation or operation[0].text not in ("INSERT", "DELETE") or any(
            operation[i].text in ("USING", "BASE") for i in top):
        return False
    where = next((i for i in top if operation[i].text == "WHERE"), None)
    if where is None or not is_one_pattern(operation[where + 1:]):
        return False
    if operation[where + 2].text == "GRAPH":
        if operation[where + 3].kind != "iri" or ":" not in operation[where + 3].text:
            return False  # a variable, a prefixed name or a relative IRI
        graph = operation[where + 3].text[1:-1]
    found.append(graph)
    return True


class _Reader:
    """One pass over the top level of the update's tokens, operation by operation."""

    def __init__(self, text: str, found: Iterator[Token]) -> None:
        self.text, self.found = text, found  # one pass: an update may be megabytes of data
        self.ahead: Token | None = None
        self.prefixes: dict[str, str] = {}
        self.written: set[str] = set()

    def graphs(self) -> set[str]:
        with_graph = DEFAULT_GRAPH
        while self._peek() is not None:
            token = self._next()
            if token.depth != 0:
                continue
            word = token.text if token.kind in ("name", "other") else ""
            if word == ";":
                with_graph = DEFAULT_GRAPH
            elif word == "PREFIX":
                name, iri = self._next(), self._next()
                self.prefixes[self.text[name.start:name.end - 1]] = self._absolute(iri)
            elif word in ("BASE", "LOAD"):
                raise _Open  # relative graph IRIs would resolve against BASE
            elif word == "WITH":
                with_graph = self._graph(self._next())
            elif word in ("INSERT", "DELETE"):
                if self._peek_word() in ("DATA", "WHERE"):
                    self._next()  # a quad block: its triples outside GRAPH are in the default
                    self._template(DEFAULT_GRAPH)
                else:
                    self._template(with_graph)
            elif word in _GRAPH_OPERATIONS:
                self._graph_operation()
        return self.written

    def _template(self, with_graph: str) -> None:
        """Read a ``{ ... }`` block of triples and ``GRAPH g { ... }`` blocks after the keyword."""
        opening = self._next()
        if opening.text != "{":
            raise _Open
        inner = opening.depth + 1
        while True:
            token = self._next()
            if token.text == "}" and token.depth == opening.depth:
                return
            if token.depth != inner:
                continue
            if token.kind == "name" and token.text == "GRAPH":
                self.written.add(self._graph(self._next()))
            elif token.text not in ("{", "}", "."):
                self.written.add(with_graph)  # a triple outside GRAPH: the default or WITH graph

    def _graph_operation(self) -> None:
        """``CLEAR``, ``DROP``, ``CREATE`` take one graph; ``ADD``, ``MOVE``, ``COPY`` two."""
        ends = 0
        while self._peek_word() not in ("", ";"):
            token = self._next()
            if token.kind == "name" and token.text in ("ALL", "NAMED"):
                raise _Open
            if token.kind == "name" and token.text == "DEFAULT":
                self.written.add(DEFAULT_GRAPH)
                ends += 1
            elif token.kind == "iri" or (token.kind == "name" and ":" in token.text):
                self.written.add(self._graph(token))
                ends += 1
        if not ends:
            raise _Open

    def _graph(self, token: Token) -> str:
        if token.kind == "iri":
            return self._absolute(token)
        if token.kind == "name" and ":" in token.text:
            raw = self.text[token.start:token.end]
            prefix, _, local = raw.partition(":")
            if prefix in self.prefixes and "\\" not in local:
                return self.prefixes[prefix] + local
        raise _Open  # a variable, or a name this reader cannot expand

    def _absolute(self, token: Token) -> str:
        iri = token.text[1:-1]
        if ":" not in iri:
            raise _Open
        return iri

    def _peek(self) -> Token | None:
        if self.ahead is None:
            self.ahead = next(self.found, None)
        return self.ahead

    def _next(self) -> Token:
        token = self._peek()
        if token is None:
            raise _Open  # the text ends in the middle of an operation
        self.ahead = None
        return token

    def _peek_word(self) -> str:
        token = self._peek()
        return "" if token is None else token.text
