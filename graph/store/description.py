"""The SPARQL 1.1 Service Description of the endpoint, with the size of each graph."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from .knowledge import KnowledgeGraph

__all__ = ["service_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG",
                   "N-Quads")


def service_description(kg: KnowledgeGraph, endpoint: str, *, writable: bool) -> list[Triple]:
    """Triples describing the endpoint at ``endpoint``: languages (SPARQL 1.1 Query, and Update
    when ``writable``), result formats, features, and the dataset with ``void:triples`` for the
    default graph (the union of all graphs) and each named graph.

    >>> from graph.store import open_graph
    >>> kg = open_graph("memory", bundled=False)
    >>> _ = kg.load(b"<http://e/a> <http://e/b> <http://e/c> .", format="nt", graph="http://e/g")
    >>> triples = service_description(kg, "http://localhost/sparql", writable=False)
    >>> sorted(t.object.value for t in triples if t.predicate.value == VOID + "triples")
    ['1', '1']
    """
    service = NamedNode(endpoint)
    out = [
        Triple(service, RDF_TYPE, NamedNode(SD + "Service")),
        Triple(service, NamedNode(SD + "endpoint"), service),
        Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
        Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "UnionDefaultGraph")),
    ]
    if writable:
        out.append(Triple(service, NamedNode(SD + "supportedLanguage"),
                          NamedNode(SD + "SPARQL11Update")))
    out += [Triple(service, NamedNode(SD + "resultFormat"), NamedNode(FORMATS + f))
            for f in _RESULT_FORMATS]
    dataset, default = BlankNode(), BlankNode()
    out += [
        Triple(service, NamedNode(SD + "defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, NamedNode(SD + "Dataset")),
        Triple(dataset, NamedNode(SD + "defaultGraph"), default),
        Triple(default, RDF_TYPE, NamedNode(SD + "Graph")),
        Triple(default, NamedNode(VOID + "triples"), _count(len(kg))),
    ]
    for iri, size in kg.graph_sizes().items():
        named, graph = BlankNode(), BlankNode()
        out += [
            Triple(dataset, NamedNode(SD + "namedGraph"), named),
            Triple(named, RDF_TYPE, NamedNode(SD + "NamedGraph")),
            Triple(named, NamedNode(SD + "name"), NamedNode(iri)),
            Triple(named, NamedNode(SD + "graph"), graph),
            Triple(graph, RDF_TYPE, NamedNode(SD + "Graph")),
            Triple(graph, NamedNode(VOID + "triples"), _count(size)),
        ]
    return out


def _count(n: int) -> Literal:
    return Literal(str(n), datatype=XSD_INTEGER)
