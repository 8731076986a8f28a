"""The Graph Store Protocol's operations on the graph: read a graph or the whole dataset as a
stream of bytes, parse a request body into quads, and tell whether a graph exists."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from pyoxigraph import DefaultGraph, NamedNode, Quad, Triple, parse, serialize

import ontology

from .errors import BadInput, Refused
from .formats import RdfSyntax, check_untrusted, rdf_parse_error
from .store import DEFAULT_GRAPH, KnowledgeGraph

__all__ = ["delete_graph", "export", "graph_exists", "parse_quads"]

_BATCH = 10_000
# Syntaxes whose documents can be cut into parts that, put end to end, are one document.
_CONCATENABLE = ("ntriples", "nquads", "turtle", "trig")


def graph_exists(kg: KnowledgeGraph, graph: str) -> bool:
    """True for the default graph and for a named graph in the store (even empty)."""
    return graph == DEFAULT_GRAPH or kg.store.contains_named_graph(_node(graph))


def delete_graph(kg: KnowledgeGraph, graph: str) -> None:
    """Remove a named graph from the store, or empty the default graph, in one transaction."""
    kg.update("DROP DEFAULT" if graph == DEFAULT_GRAPH else f"DROP GRAPH {_node(graph)}")


def export(kg: KnowledgeGraph, graph: str | None, syntax: RdfSyntax) -> Iterator[bytes]:
    """A graph (an IRI or :data:`DEFAULT_GRAPH`), or the whole dataset (None, quad syntaxes
    only), serialized in parts of at most 10,000 statements where the syntax allows it."""
    if graph is None and not syntax.has_graphs:
        raise BadInput(f"{syntax.name} cannot hold several graphs: ask for TriG or N-Quads")
    name = None if graph is None else DefaultGraph() if graph == DEFAULT_GRAPH else _node(graph)
    quads = kg.store.quads_for_pattern(None, None, None, name)
    statements = quads if syntax.has_graphs else (
        Triple(q.subject, q.predicate, q.object) for q in quads)
    prefixes = {"prefixes": ontology.PREFIXES} if syntax.name in ("turtle", "trig") else {}
    if syntax.name not in _CONCATENABLE:
        yield serialize(list(statements), format=syntax.oxigraph, **prefixes)
        return
    first = True
    while True:
        batch = list(islice(statements, _BATCH))
        if batch or first:
            yield serialize(batch, format=syntax.oxigraph, **prefixes)
        if len(batch) < _BATCH:
            return
        first = False


def parse_quads(data: bytes, syntax: RdfSyntax, *, graph: str | None, base_iri: str,
                source: str = "request body") -> list[Quad]:
    """The statements of a document. With ``graph`` (an IRI or :data:`DEFAULT_GRAPH`) they all
    go into it, and a document that names its own graphs is refused. Raises
    :class:`ParseError` with the line and column of the first error, :class:`Refused` for a
    remote JSON-LD context (it would be fetched)."""
    if graph is None and not syntax.has_graphs:
        raise BadInput(f"{syntax.name} has no graph names: name the target graph "
                       "(?graph=IRI or ?default)")
    check_untrusted(data, syntax)
    try:
        quads = list(parse(data, format=syntax.oxigraph, base_iri=base_iri))
    except SyntaxError as error:
        if "remote context" in (error.msg or ""):
            raise Refused("remote JSON-LD contexts are refused here: put the @context inline"
                          ) from None
        raise rdf_parse_error(error, source) from None
    except ValueError as error:
        raise BadInput(f"{source}: {error}") from None
    if graph is None:
        return quads
    if any(not isinstance(q.graph_name, DefaultGraph) for q in quads):
        raise BadInput(f"{source} names its own graphs: send it without ?graph or ?default")
    target = DefaultGraph() if graph == DEFAULT_GRAPH else _node(graph)
    return [Quad(q.subject, q.predicate, q.object, target) for q in quads]


def _node(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError:
        raise BadInput(f"not an absolute IRI: {iri!r}") from None
