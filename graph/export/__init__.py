"""Every export format, for the whole graph or any part of it.

Formats (:data:`EXPORT_FORMATS`): Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML; GraphML,
GEXF, node-link JSON, Cytoscape.js JSON, CSV (a zip of ``nodes.csv`` and ``edges.csv``) and DOT.

Scopes, each a function that checks its input at once and returns an :class:`Export` whose
``write(out)`` streams the file later (over HTTP, after the headers are sent):

- :func:`dataset_export`: the whole dataset, or one named graph (a source);
- :func:`result_export`: the result of a CONSTRUCT or DESCRIBE query;
- :func:`statements_export`: given triples or quads (an entity's description, with its sources);
- :func:`network_export`: a networkx graph of the projection's shape: a circle of friends, a path
  result, the projection itself.

RDF formats of a network get :func:`~graph.export.convert.network_quads`; network formats of RDF
get :func:`~graph.export.convert.rdf_network`, with the labels and types the statements lack
looked up in the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import IO, TypeGuard, cast

import networkx as nx
from pyoxigraph import NamedNode, Quad, Triple

import ontology

from ..errors import BadInput, NotFound
from ..network.periods import date_edges
from ..rdf.formats import EXPORT_FORMATS, ExportFormat, export_format
from ..sparql.depends import Pattern
from ..store import KnowledgeGraph
from ..store.changes import scoped_cache
from ..store.results import QueryResult
from .convert import Labels, add_descriptions, network_quads, rdf_network, undescribed
from .jsongraphs import write_cytoscape, write_node_link
from .rdf import dataset_quads, write_quads, write_store, write_triples
from .streams import Copied, as_output
from .tables import write_csv_zip, write_dot
from .xmlgraphs import write_gexf, write_graphml

__all__ = [
    "EXPORT_FORMATS",
    "Export",
    "ExportFormat",
    "dataset_export",
    "export_format",
    "network_export",
    "result_export",
    "statements_export",
    "write_network",
]

Writer = Callable[[IO[bytes]], None]

_NETWORK_WRITERS: dict[str, Callable[[nx.Graph[str], IO[bytes]], None]] = {
    "graphml": write_graphml,
    "gexf": write_gexf,
    "nodelink": write_node_link,
    "cytoscape": write_cytoscape,
    "csv": write_csv_zip,
    "dot": write_dot,
}
_BATCH = 500  # IRIs per lookup query


@dataclass(frozen=True)
class Export:
    """A file ready to be written: its format, its name without suffix, and its writer.

    ``truncated`` is True when the row cap cut the query result the file holds.
    """

    format: ExportFormat
    stem: str
    write: Writer
    truncated: bool = False

    @property
    def filename(self) -> str:
        """The file name to offer: ``aikg-test-source.ttl``."""
        return self.stem + self.format.suffix


def write_network(G: nx.MultiGraph[str], fmt: ExportFormat, out: IO[bytes]) -> None:
    """Write a networkx graph in any format (RDF formats get its edges, types and labels)."""
    if fmt.is_rdf:
        write_quads(network_quads(G), fmt, out)
    else:
        _NETWORK_WRITERS[fmt.name](G, out)


def dataset_export(kg: KnowledgeGraph, fmt: str | ExportFormat, *, graph: str | None = None
                   ) -> Export:
    """The whole dataset, or the named graph ``graph`` (an IRI, or a slug under ``GRAPH``).

    Raises :class:`~graph.errors.BadInput` for an unknown format and
    :class:`~graph.errors.NotFound` for a graph that is not in the store.
    """
    fmt = _format(fmt)
    name = None if graph is None else _named_graph(kg, graph)
    stem = "aikg" if name is None else "aikg-" + _slug(name.value.rstrip("/#").rsplit("/")[-1])
    if fmt.is_rdf:
        write = partial(write_store, kg, fmt, graph=name)
        return Export(fmt, stem, write if name is None else _kept_file(kg, fmt, name, write))
    # The whole dataset holds every label and type already: nothing to look up.
    return Export(fmt, stem, _as_network(kg, lambda: dataset_quads(kg, name), fmt,
                                         look_up=name is not None))


#: A named graph's file is kept when it is at most this many bytes; at most
#: :data:`KEPT_FILES` bytes of them are kept in all.
KEPT_FILE = 1024 * 1024
KEPT_FILES = 32 * 1024 * 1024


def _kept_file(kg: KnowledgeGraph, fmt: ExportFormat, name: NamedNode, write: Writer
               ) -> Writer:
    """``write``, the file of the named graph ``name``, kept when it is small and written
    again from memory until a write changes a statement of that graph (on a local store: a
    remote one, which others may write, keeps none)."""
    if not kg.capabilities.local:
        return write
    kept = scoped_cache(kg, "graph files", KEPT_FILES)
    key = (name.value, fmt.name)

    def kept_or_written(out: IO[bytes]) -> None:
        found = kept.get(key)
        if isinstance(found, bytes):
            out.write(found)
            return
        version = kg.version  # read first: a write landing meanwhile is checked later
        copy = Copied(out, KEPT_FILE)
        write(as_output(copy))
        if copy.copy is not None:
            kept.put(key, bytes(copy.copy), version=version, size=len(copy.copy),
                     depends=(Pattern(name.value, None, None, None),))

    return kept_or_written


def result_export(kg: KnowledgeGraph, result: QueryResult, fmt: str | ExportFormat) -> Export:
    """The result of a CONSTRUCT or DESCRIBE query (run where its budgets hold:
    :meth:`graph.store.executor.Executor.result`).

    Raises :class:`~graph.errors.BadInput` for the result of a query of another kind.
    """
    fmt = _format(fmt)
    if result.kind != "graph":
        raise BadInput("export needs a CONSTRUCT or DESCRIBE query, which returns triples")
    return statements_export(kg, result.triples, fmt, "aikg-query", truncated=result.truncated)


def statements_export(kg: KnowledgeGraph, statements: Sequence[Triple] | Sequence[Quad],
                      fmt: str | ExportFormat, stem: str, *, truncated: bool = False) -> Export:
    """Statements already at hand, as the file ``stem`` + suffix. Quads keep their named graphs
    in the quads syntaxes; network formats get the labels and types they lack from ``kg``."""
    fmt = _format(fmt)
    if not fmt.is_rdf:
        write = _as_network(kg, lambda: statements, fmt, look_up=True)
    elif _are_quads(statements):
        write = partial(write_quads, statements, fmt)
    else:
        write = partial(write_triples, cast(Sequence[Triple], statements), fmt)  # or nothing
    return Export(fmt, _slug(stem), write, truncated)


def network_export(G: nx.MultiGraph[str], fmt: str | ExportFormat, stem: str) -> Export:
    """A networkx graph (a circle, a path result) in any format, as the file ``stem`` + suffix.

    >>> import io
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("urn:a", "urn:b", key="urn:partnerOf")
    'urn:partnerOf'
    >>> export = network_export(G, "nt", "aikg-path-a-b")
    >>> out = io.BytesIO(); export.write(out); export.filename, out.getvalue().decode()
    ('aikg-path-a-b.nt', '<urn:a> <urn:partnerOf> <urn:b> .\\n')
    """
    fmt = _format(fmt)
    return Export(fmt, _slug(stem), partial(write_network, G, fmt))


def _are_quads(statements: Sequence[Triple] | Sequence[Quad]) -> TypeGuard[Sequence[Quad]]:
    return bool(statements) and isinstance(statements[0], Quad)


def _format(fmt: str | ExportFormat) -> ExportFormat:
    return fmt if isinstance(fmt, ExportFormat) else export_format(fmt)


def _named_graph(kg: KnowledgeGraph, graph: str) -> NamedNode:
    iri = graph if ":" in graph else ontology.GRAPH + graph
    try:
        name = NamedNode(iri)
    except ValueError:
        raise BadInput(f"not a graph IRI or slug: {graph!r}") from None
    if not kg.contains_named_graph(name):
        raise NotFound(f"no named graph {iri}")
    return name


def _as_network(kg: KnowledgeGraph, statements: Callable[[], Iterable[Triple | Quad]],
                fmt: ExportFormat, *, look_up: bool) -> Writer:
    """A writer of the network of ``statements()``, with the labels and types they lack looked
    up in the store when ``look_up``; the network is built when the file is written."""

    def write(out: IO[bytes]) -> None:
        network = rdf_network(statements(), version=kg.version)
        missing = sorted(undescribed(network)) if look_up else []
        for start in range(0, len(missing), _BATCH):
            add_descriptions(network, _descriptions(kg, missing[start:start + _BATCH]))
        if kg.capabilities.local:
            date_edges(network, kg)
        _NETWORK_WRITERS[fmt.name](network, out)

    return write


def _descriptions(kg: KnowledgeGraph, iris: Iterable[str]) -> dict[str, dict[str, object]]:
    values = " ".join(str(NamedNode(iri)) for iri in iris)
    result = kg.query(
        "SELECT ?x ?label ?type WHERE { VALUES ?x { " + values + " } "
        "{ ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        "  FILTER(langMatches(lang(?label), 'en') || langMatches(lang(?label), 'zh')) } "
        "UNION { ?x a ?type FILTER(isIRI(?type)) } }"
    )
    types: dict[str, set[str]] = {}
    labels = Labels()
    for x, label, kind in result.rows:
        types.setdefault(x.value, set())
        if kind is not None:
            types[x.value].add(kind.value)
        else:
            labels.offer(x.value, label)
    return {iri: {**labels.of(iri), "types": sorted(found)} for iri, found in types.items()}


def _slug(text: str) -> str:
    """A file-name-safe form: ASCII letters, digits, ``.``, ``_`` and ``-``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "aikg"
