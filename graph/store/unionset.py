"""A pyoxigraph store whose union default graph is a set: each triple once, however many graphs
hold it.

pyoxigraph 0.5.13 reads a default graph made of several graphs (the union of all of them, or
``FROM <a> FROM <b>``, or several ``default-graph-uri``) one graph after another, so a triple
held by three sources matches three times (Oxigraph issue 1919, fixed on its main branch after
0.5.13). SPARQL says the default graph is a graph: a set. This module is the whole workaround.

:class:`SetUnionStore` wraps a :class:`~pyoxigraph.Store` and keeps one copy of every triple of
the dataset (the store's own default graph and every named graph) in the reserved named graph
:data:`UNION_GRAPH`; a query for the union reads that graph as its default graph, so the engine
sees one set. Every write keeps it exact in the same transaction as the write itself:

- a load or ``extend`` adds each quad and its copy in the union graph;
- an ``INSERT DATA`` also writes its triples into the union graph; ``DELETE DATA`` and the
  ``DELETE``/``INSERT`` templates of an update with ``WHERE`` also write theirs, for every
  solution, into the scratch graph :data:`CHANGED_GRAPH`;
- any other update (``CLEAR``, ``DROP``, ``COPY``, ``MOVE``, ``ADD``, or one that inserts
  ``[]`` blank nodes) notes what the graphs it writes (``graph.sparql.written``) held before and
  after it; one that does not say which graphs it writes rebuilds the union graph;
- the noted triples then stay in the union graph if a graph still holds them, and leave it if
  none does; the scratch graph is dropped.

The reserved graphs are hidden: ``GRAPH ?g``, the list of named graphs, ``quads_for_pattern``
over all graphs, the size and the dumps leave them out, and an update may not name them.
A default graph merged from several graphs by ``FROM`` or ``default-graph-uri`` is evaluated
on an in-memory copy of the query's dataset, where the merge is a set.

When a pyoxigraph release ships the fix, :func:`graph.store.open_graph` stops wrapping its
store, the query passes ``use_default_graph_as_union`` as it did, and this module goes; stores
made meanwhile lose their union graph with ``DROP GRAPH <urn:x-aikg:union>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, cast

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    parse,
    serialize,
)

from ..sparql.dataset import dataset_clauses
from ..sparql.guard import Token, tokens
from ..sparql.outbound import unescape
from ..sparql.written import written_graphs
from .engine import DEFAULT_GRAPH

__all__ = ["CHANGED_GRAPH", "UNION_GRAPH", "SetUnionStore", "maintained"]

#: The named graph holding one copy of each triple of the dataset: the queries' default graph.
UNION_GRAPH = "urn:x-aikg:union"
#: Where an update notes the triples whose place in the union graph must be checked again.
CHANGED_GRAPH = "urn:x-aikg:union-changes"
RESERVED = frozenset({UNION_GRAPH, CHANGED_GRAPH})
_UNION, _CHANGED = NamedNode(UNION_GRAPH), NamedNode(CHANGED_GRAPH)
_HIDDEN = (_UNION, _CHANGED)

#: A graph a query may read as its default graph.
GraphName = NamedNode | BlankNode | DefaultGraph
#: What pyoxigraph answers a query with, whatever its kind.
Answer = QuerySolutions | QueryBoolean | QueryTriples

_REBUILD = f"""DROP SILENT GRAPH {_UNION} ; CREATE SILENT GRAPH {_UNION} ;
INSERT {{ GRAPH {_UNION} {{ ?s ?p ?o }} }} WHERE {{
  {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != {_UNION} && ?g != {_CHANGED}) }}
}} ; DROP SILENT GRAPH {_CHANGED}"""
_RECONCILE = f"""DELETE {{ GRAPH {_UNION} {{ ?s ?p ?o }} }}
WHERE {{ GRAPH {_CHANGED} {{ ?s ?p ?o }} }} ;
INSERT {{ GRAPH {_UNION} {{ ?s ?p ?o }} }} WHERE {{
  GRAPH {_CHANGED} {{ ?s ?p ?o }}
  FILTER EXISTS {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != {_CHANGED}) }} }}
}} ; DROP SILENT GRAPH {_CHANGED}"""


class SetUnionStore:
    """A :class:`~pyoxigraph.Store` whose union default graph is a set (see the module).

    It offers the methods of ``Store`` that aikg uses, with the same signatures.

    >>> store = SetUnionStore(Store())
    >>> store.update("INSERT DATA { GRAPH <urn:g1> { <urn:s> <urn:p> 10 } "
    ...              "GRAPH <urn:g2> { <urn:s> <urn:p> 10 } }")
    >>> q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    >>> next(iter(store.query(q, use_default_graph_as_union=True)))[0].value
    '1'
    >>> len(store), sorted(g.value for g in store.named_graphs())
    (2, ['urn:g1', 'urn:g2'])
    >>> store.update("DELETE DATA { GRAPH <urn:g1> { <urn:s> <urn:p> 10 } }")
    >>> next(iter(store.query(q, use_default_graph_as_union=True)))[0].value
    '1'
    >>> store.update("DROP GRAPH <urn:g2>")
    >>> next(iter(store.query(q, use_default_graph_as_union=True)))[0].value
    '0'
    """

    #: The graph to read the merge of the dataset's graphs from (each triple once): exports in
    #: a syntax without graphs use it.
    merged_graph = _UNION

    def __init__(self, store: Store) -> None:
        self._store = store
        if not store.contains_named_graph(_UNION) and _any(store):
            store.update(_REBUILD)  # a store written before this module: built once

    # -- reading -----------------------------------------------------------------------------

    def query(self, query: str, *, use_default_graph_as_union: bool = False,
              default_graph: GraphName | list[GraphName] | None = None,
              named_graphs: list[NamedNode | BlankNode] | None = None,
              base_iri: str | None = None, **options: Any) -> Answer:
        """``Store.query``; the union default graph, or one merged from several, is a set."""
        if use_default_graph_as_union:
            default_graph = _UNION
        elif default_graph is None:
            defaults, from_named = dataset_clauses(query, base_iri)
            named: list[NamedNode | BlankNode] = [*from_named]
            if len(defaults) > 1:
                return self._merged(defaults, named).query(
                    query, default_graph=[DefaultGraph()], named_graphs=named,
                    base_iri=base_iri, **options)
        if default_graph is not None:
            graphs = default_graph if isinstance(default_graph, list) else [default_graph]
            if len(graphs) > 1:
                # without named graphs: the store's, copied only if the query reads them
                named = named_graphs if named_graphs is not None else (
                    self.named_graphs() if _mentions(r"graph", query) else [])
                return self._merged(graphs, named).query(
                    query, default_graph=[DefaultGraph()], named_graphs=named,
                    base_iri=base_iri, **options)
            if len(graphs) == 1:
                # one graph rather than a list of one: pyoxigraph 0.5.13 reads a list through
                # a slower view (a GROUP BY over 100k triples in memory: 6.4-6.9 ms, not 4.9-5.3)
                default_graph = graphs[0]
            if named_graphs is None and _mentions(r"graph\s*[?$]", query):
                named_graphs = self.named_graphs()  # GRAPH ?g: the sources, not the union
        return self._store.query(query, default_graph=default_graph, named_graphs=named_graphs,
                                 base_iri=base_iri, **options)

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph_name: Any = None
                          ) -> Iterator[Quad]:
        """``Store.quads_for_pattern``; over all graphs, without the reserved ones."""
        found = self._store.quads_for_pattern(subject, predicate, obj, graph_name)
        if graph_name is not None:
            return iter(found)
        return (q for q in found if q.graph_name != _UNION and q.graph_name != _CHANGED)

    def __iter__(self) -> Iterator[Quad]:
        return self.quads_for_pattern(None, None, None)

    def named_graphs(self) -> list[NamedNode | BlankNode]:
        """The named graphs, without the reserved ones."""
        return [g for g in self._store.named_graphs() if g not in _HIDDEN]

    def contains_named_graph(self, graph_name: Any) -> bool:
        return graph_name not in _HIDDEN and self._store.contains_named_graph(graph_name)

    def __len__(self) -> int:
        """The number of quads, without the union graph's copies (a full scan, as Store's)."""
        copies = next(iter(_solutions(self._store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_UNION} {{ ?s ?p ?o }} }}"))))[0]
        return len(self._store) - int(copies.value)

    def dump(self, output: IO[bytes] | None = None, format: Any = None, *,
             from_graph: Any = None, **options: Any) -> bytes | None:
        """``Store.dump``; the whole dataset without the reserved graphs."""
        if from_graph is not None:
            return self._store.dump(output, format, from_graph=from_graph, **options)
        return serialize(self.quads_for_pattern(None, None, None), output, format, **options)

    def backup(self, target_directory: str) -> None:
        """``Store.backup``: a copy of an on-disk store, its union graph included."""
        self._store.backup(target_directory)

    # -- writing -----------------------------------------------------------------------------

    def update(self, update: str, **options: Any) -> None:
        """``Store.update``, keeping the union graph exact in the same transaction."""
        self._store.update(maintained(update), **options)

    def extend(self, quads: Iterable[Quad]) -> None:
        """Add quads, and their copies in the union graph, in one transaction."""
        self._store.extend(_with_copies(quads))

    def bulk_extend(self, quads: Iterable[Quad]) -> None:
        """Add quads, and their copies in the union graph, with the bulk loader."""
        self._store.bulk_extend(_with_copies(quads))

    def load(self, input: Any, format: Any, *, base_iri: str | None = None,
             to_graph: Any = None) -> None:
        """``Store.load`` (one transaction, blank nodes renamed), the copies included."""
        self.extend(_parsed(input, format, base_iri, to_graph))

    def bulk_load(self, input: Any, format: Any, *, base_iri: str | None = None,
                  to_graph: Any = None) -> None:
        """``Store.bulk_load``, the copies included."""
        self.bulk_extend(_parsed(input, format, base_iri, to_graph))

    def _merged(self, defaults: Sequence[GraphName], named: Sequence[NamedNode | BlankNode]
                ) -> Store:
        """An in-memory store holding the merge of ``defaults`` as its default graph (a set,
        since a store holds each quad once) and the graphs ``named``."""
        merged = Store()
        merged.extend(Quad(q.subject, q.predicate, q.object, DefaultGraph())
                      for graph in defaults
                      for q in self._store.quads_for_pattern(None, None, None, graph))
        merged.extend(q for graph in named
                      for q in self._store.quads_for_pattern(None, None, None, graph))
        return merged


# -- keeping the union graph exact ---------------------------------------------------------------


def maintained(update: str) -> str:
    """The update followed, in the same request, by what keeps the union graph exact.

    >>> edited = maintained("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }")
    >>> edited.count("<urn:a> <urn:b> 1"), "GRAPH <urn:x-aikg:union>" in edited
    (2, True)
    """
    written = written_graphs(update)
    if written is not None and written & RESERVED:
        raise ValueError(f"the graphs {', '.join(sorted(RESERVED))} are aikg's own: "
                         "an update may not write them")
    text = unescape(update)
    found = list(tokens(text))
    operations = _operations(found)
    if not operations:
        return update
    text = text[:operations[-1][-1].end]  # without a trailing ";" or prologue
    edited = _edits(text, operations)
    if edited is not None:
        return f"{edited[0]} ;\n{_RECONCILE}" if edited[1] else edited[0]
    if written is None:
        return f"{text} ;\n{_REBUILD}"
    notes = " ;\n".join(_note_graph(g) for g in sorted(written))
    if not notes:
        return text
    # After the prologue: Oxigraph reads PREFIX and BASE only at the start of the request.
    start = operations[0][0].start
    return f"{text[:start]}{notes} ;\n{text[start:]} ;\n{notes} ;\n{_RECONCILE}"


def _operations(found: list[Token]) -> list[list[Token]]:
    """The tokens of each operation of the request, past its prologue; none for empty ones."""
    operations: list[list[Token]] = []
    current: list[Token] = []
    for token in [*found, Token("other", ";", 0, -1, -1)]:
        if token.depth == 0 and token.text == ";":
            body = _past_prologue(current)
            if body:
                operations.append(body)
            current = []
        else:
            current.append(token)
    return operations


def _past_prologue(found: list[Token]) -> list[Token]:
    i = 0
    while i < len(found) and found[i].kind == "name" and found[i].text in ("PREFIX", "BASE"):
        i += 3 if found[i].text == "PREFIX" else 2
    return found[i:]


def _edits(text: str, operations: list[list[Token]]) -> tuple[str, bool] | None:
    """The request with each statement it writes also written where the union graph needs it:
    an inserted triple of ``INSERT DATA`` into the union graph; the triples of ``DELETE DATA``
    and of the templates of ``DELETE``/``INSERT ... WHERE`` noted in the scratch graph, by the
    same operation, for every solution. Also whether any was noted. None for a request with
    another operation (``CLEAR``, ``COPY``...), or that inserts anonymous blank nodes (``[]``,
    lists), whose copies would be other blank nodes."""
    edits: list[tuple[int, str]] = []
    for operation in operations:
        words = [t.text for t in operation[:3]]
        if words[:2] == ["INSERT", "DATA"]:
            block = operation[2:]
            if _anonymous(block):
                return None
            edits.append((block[-1].start, _copies(text, block, _UNION)))
        elif words[:2] == ["DELETE", "DATA"]:
            block = operation[2:]
            edits.append((block[-1].end, f" ;\nINSERT DATA {{{_copies(text, block, _CHANGED)}}}"))
        elif words[:2] == ["DELETE", "WHERE"]:  # DELETE WHERE {Q}: DELETE {Q} INSERT ... WHERE {Q}
            block = operation[2:]
            pattern = text[block[0].start:block[-1].end]
            edits.append((operation[1].start, f"{pattern} INSERT {{"
                                              f"{_copies(text, block, _CHANGED)}}} "))
        elif words[0] in ("WITH", "DELETE", "INSERT"):
            templates = _templates(operation)
            if "INSERT" in templates and _anonymous(templates["INSERT"]):
                return None
            notes = "".join(_copies(text, block, _CHANGED) for block in templates.values())
            if "INSERT" in templates:
                edits.append((templates["INSERT"][-1].start, notes))
            else:
                edits.append((templates["DELETE"][-1].end, f" INSERT {{{notes}}}"))
        else:
            return None
    for position, addition in sorted(edits, reverse=True):
        text = text[:position] + addition + text[position:]
    return text, any(not (o[0].text == "INSERT" and o[1].text == "DATA") for o in operations)


def _templates(operation: list[Token]) -> dict[str, list[Token]]:
    """The ``DELETE`` and ``INSERT`` template blocks of a ``DELETE/INSERT ... WHERE``."""
    found: dict[str, list[Token]] = {}
    i = 0
    while i < len(operation) - 1:
        token, following = operation[i], operation[i + 1]
        if token.depth == 0 and token.text in ("DELETE", "INSERT") and following.text == "{":
            end = next(j for j in range(i + 2, len(operation))
                       if operation[j].text == "}" and operation[j].depth == 0)
            found[token.text] = operation[i + 1:end + 1]
            i = end
        elif token.depth == 0 and token.text == "WHERE":
            break
        i += 1
    return found


def _anonymous(block: list[Token]) -> bool:
    """True if the block writes anonymous blank nodes (``[ ]``, lists)."""
    return any(t.text in ("[", "(") for t in block)


def _copies(text: str, block: list[Token], graph: NamedNode) -> str:
    """The triples of a quad block (``{ ... GRAPH g { ... } ... }``), each run of them in a
    ``GRAPH graph { }`` block of its own (a run may end without a dot)."""
    inner = block[0].depth + 1
    runs, start, i = [], block[0].end, 1
    while i < len(block) - 1:
        token = block[i]
        if token.depth == inner and token.kind == "name" and token.text == "GRAPH":
            runs.append(text[start:token.start])
            opening = block[i + 2]
            close = next(j for j in range(i + 3, len(block))
                         if block[j].text == "}" and block[j].depth == inner)
            runs.append(text[opening.end:block[close].start])
            start, i = block[close].end, close + 1
            if i < len(block) - 1 and block[i].text == ".":
                start, i = block[i].end, i + 1
        else:
            i += 1
    runs.append(text[start:block[-1].start])
    return "".join(f"\nGRAPH {graph} {{\n{run}\n}}\n" for run in runs if run.strip())


def _note_graph(graph: str) -> str:
    """An operation noting every triple of ``graph`` (an IRI or DEFAULT_GRAPH)."""
    pattern = "?s ?p ?o" if graph == DEFAULT_GRAPH else f"GRAPH {NamedNode(graph)} {{ ?s ?p ?o }}"
    return f"INSERT {{ GRAPH {_CHANGED} {{ ?s ?p ?o }} }} WHERE {{ {pattern} }}"


def _with_copies(quads: Iterable[Quad]) -> Iterator[Quad]:
    for quad in quads:
        yield quad
        yield Quad(quad.subject, quad.predicate, quad.object, _UNION)


def _parsed(input: Any, format: Any, base_iri: str | None, to_graph: Any) -> Iterator[Quad]:
    for quad in parse(input, format=format, base_iri=base_iri, rename_blank_nodes=True):
        if to_graph is not None and isinstance(quad.graph_name, DefaultGraph):
            quad = Quad(quad.subject, quad.predicate, quad.object, to_graph)
        if quad.graph_name in _HIDDEN:
            raise ValueError(f"{quad.graph_name.value} is aikg's own graph: data may not name it")
        yield quad


def _mentions(pattern: str, query: str) -> bool:
    """True if the query may hold ``pattern`` (or an escape that could spell it). The list of
    named graphs is passed only for ``GRAPH ?g``: it makes the engine read each graph in turn."""
    return re.search(pattern + r"|\\u", query, re.IGNORECASE) is not None


def _solutions(answer: Answer) -> QuerySolutions:
    return cast(QuerySolutions, answer)  # the answer of a SELECT


def _any(store: Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, None)), None) is not None
