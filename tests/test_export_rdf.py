"""RDF exports read back, with rdflib and with pyoxigraph, to the data they were written from."""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

import ontology
from graph import BadInput, KnowledgeGraph, NotFound, open_graph
from graph.export import EXPORT_FORMATS, dataset_export, export_format, result_export
from graph.export.rdf import write_quads
from graph.export.streams import CompactJsonLd

DATA = Path(__file__).parent / "data"
RDF_FORMATS = [f.name for f in EXPORT_FORMATS if f.is_rdf]
QUAD_FORMATS = ["nquads", "trig", "jsonld"]
RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                "jsonld": "json-ld", "rdfxml": "xml"}
ONE = ontology.GRAPH + "one"


@pytest.fixture(scope="module")
def tricky() -> KnowledgeGraph:
    """Typed and tagged literals, escapes, blank nodes, odd IRIs, a triple in two graphs."""
    kg = open_graph("memory", bundled=False)
    kg.load(DATA / "export.trig")
    return kg


@pytest.fixture(scope="module", params=["export.trig", "small.trig"])
def dataset(request) -> KnowledgeGraph:
    """The hard cases, and the small ecosystem (nothing in the store's own default graph)."""
    kg = open_graph("memory", bundled=False)
    kg.load(DATA / request.param)
    return kg


def written(export) -> bytes:
    out = io.BytesIO()
    export.write(out)
    return out.getvalue()


def read_with_rdflib(data: bytes, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=RDFLIB_NAMES[fmt])
    return dataset


def read_with_oxigraph(data: bytes, fmt: str) -> rdflib.Dataset:
    """Parse with pyoxigraph, then hand its quads to rdflib to compare."""
    syntax = export_format(fmt).syntax.oxigraph
    quads = pyoxigraph.parse(data, format=syntax)
    if not syntax.supports_datasets:
        quads = (pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in quads)
    return read_with_rdflib(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS),
                            "nquads")


READERS = {"rdflib": read_with_rdflib, "pyoxigraph": read_with_oxigraph}


def graphs(dataset: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    """The non-empty graphs of a dataset by name (``default`` for the default graph)."""
    found = {}
    for graph in dataset.graphs():
        name = str(graph.identifier)
        key = "default" if name == str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID) else name
        if len(graph):
            found[key] = graph
    return found


def union(dataset: rdflib.Dataset) -> rdflib.Graph:
    merged = rdflib.Graph()
    for s, p, o, _ in dataset.quads():
        merged.add((s, p, o))
    return merged


def store_content(kg: KnowledgeGraph) -> rdflib.Dataset:
    """What the store holds, in pyoxigraph's own N-Quads: the reference every export must equal."""
    return read_with_rdflib(kg.backend.store.dump(format=pyoxigraph.RdfFormat.N_QUADS), "nquads")


def assert_same_graphs(got: dict[str, rdflib.Graph], expected: dict[str, rdflib.Graph]) -> None:
    assert got.keys() == expected.keys()
    for name, graph in expected.items():
        assert isomorphic(got[name], graph), name


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_the_dataset_exports_and_reads_back_to_the_same_statements(dataset, fmt, reader):
    back = READERS[reader](written(dataset_export(dataset, fmt)), fmt)
    source = store_content(dataset)
    if fmt in QUAD_FORMATS:
        assert_same_graphs(graphs(back), graphs(source))
    else:  # a triples format merges the graphs
        assert isomorphic(union(back), union(source))


def canonical(dataset: rdflib.Dataset, merged: bool = False) -> pyoxigraph.Dataset:
    """A dataset with canonical blank node ids (RDFC-1.0), all in the default graph if merged."""
    text = dataset.serialize(format="nquads").encode()
    quads = pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.N_QUADS)
    result = pyoxigraph.Dataset(pyoxigraph.Quad(q.subject, q.predicate, q.object)
                                for q in quads) if merged else pyoxigraph.Dataset(quads)
    result.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return result


@pytest.fixture(scope="module")
def bundled_export(bundled: KnowledgeGraph) -> Callable[[str], bytes]:
    """``bundled_export(fmt)``: the bundled graph exported in a format, once for both readers."""
    return functools.cache(lambda fmt: written(dataset_export(bundled, fmt)))


@pytest.fixture(scope="module")
def bundled_canonical(bundled: KnowledgeGraph) -> Callable[[bool], pyoxigraph.Dataset]:
    """``bundled_canonical(merged)``: what the bundled store holds, canonical, computed once."""
    return functools.cache(lambda merged: canonical(store_content(bundled), merged))


@pytest.mark.slow
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_the_bundled_graph_exports_and_reads_back_unchanged(bundled_export, bundled_canonical,
                                                            fmt, reader):
    """The real ontology, shapes (blank nodes) and sourced data in 100+ named graphs."""
    back = READERS[reader](bundled_export(fmt), fmt)
    merged = fmt not in QUAD_FORMATS
    assert canonical(back, merged) == bundled_canonical(merged)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_a_named_graph_exports_only_its_own_statements(tricky, fmt, reader):
    back = READERS[reader](written(dataset_export(tricky, fmt, graph="one")), fmt)
    expected = graphs(store_content(tricky))[ONE]
    if fmt in QUAD_FORMATS:
        assert_same_graphs(graphs(back), {ONE: expected})
    else:
        assert isomorphic(union(back), expected)


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_a_construct_result_exports_as_its_triples(tricky, fmt):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }" % (ontology.GRAPH + "two")
    export = result_export(tricky, tricky.query(query), fmt)
    back = union(read_with_rdflib(written(export), fmt))
    assert isomorphic(back, graphs(store_content(tricky))[ontology.GRAPH + "two"])
    assert export.filename == "aikg-query" + export.format.suffix


def test_a_triple_in_two_graphs_stays_in_both_in_quad_formats(tricky):
    nquads = written(dataset_export(tricky, "nquads")).decode()
    shared = "<https://w3id.org/aikg/id/alpha> <https://w3id.org/aikg/ontology#investsIn> " \
             "<https://w3id.org/aikg/id/beta>"
    assert nquads.count(shared) == 2


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_turtle_and_trig_write_the_ontology_prefixes(tricky, fmt):
    text = written(dataset_export(tricky, fmt)).decode()
    assert f"@prefix kg: <{ontology.KG}> ." in text
    # IRIs written with the prefixes (the merged Turtle lists alpha's investees in one line)
    assert re.search(r"kg:alpha aikg:investsIn [^.;]*kg:beta", text)


def test_jsonld_has_an_inline_compact_context_and_no_remote_one(tricky):
    document = json.loads(written(dataset_export(tricky, "jsonld")))
    assert document["@context"] == ontology.PREFIXES
    text = json.dumps(document)
    assert '"@id": "kg:alpha"' in text and '"aikg:investsIn"' in text
    assert '"https://w3id.org/aikg/id/not-an-iri"' in text  # a literal is never compacted


def test_jsonld_compaction_does_not_depend_on_where_chunks_end(tricky):
    expanded = tricky.backend.store.dump(format=pyoxigraph.RdfFormat.JSON_LD)

    def compacted(size: int) -> bytes:
        out = io.BytesIO()
        writer = CompactJsonLd(out, ontology.PREFIXES, chunk=size)
        for start in range(0, len(expanded), size):
            writer.write(expanded[start:start + size])
        writer.close()
        return out.getvalue()

    whole = compacted(len(expanded))
    assert all(compacted(size) == whole for size in (1, 2, 3, 5, 17, 64))


PIECES = ['"', "\\", ",", "{", "}", ":", "[", "//", '"@value":', ontology.KG, ontology.AIKG, "kg:"]


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=10))
def test_jsonld_keeps_any_literal_and_iri_exact(pieces):
    """Literals and IRIs that look like JSON structure or namespaces come back unchanged."""
    text = "".join(pieces)
    iri = ontology.KG + "".join(p for p in pieces if p in (",", ":", "//", ontology.KG, "kg:"))
    statements = [pyoxigraph.Quad(pyoxigraph.NamedNode(iri), pyoxigraph.NamedNode(iri + "p"),
                                  pyoxigraph.Literal(text), pyoxigraph.NamedNode(ONE))]
    out = io.BytesIO()
    write_quads(statements, export_format("jsonld"), out)
    back = list(pyoxigraph.parse(out.getvalue(), format=pyoxigraph.RdfFormat.JSON_LD))
    assert back == statements


def test_an_iri_that_would_read_as_a_compact_iri_is_refused_in_jsonld():
    kg = open_graph("memory", bundled=False)
    kg.load(b"<kg:alpha> <https://w3id.org/aikg/ontology#p> <urn:x> .", format="nt",
            graph=ontology.GRAPH + "odd")
    with pytest.raises(BadInput, match="compact IRI"):
        written(dataset_export(kg, "jsonld"))
    assert b"<kg:alpha>" in written(dataset_export(kg, "ntriples"))


def test_rdfxml_keeps_a_carriage_return_and_refuses_a_control_character():
    kg = open_graph("memory", bundled=False)
    kg.load(b'<urn:a> <urn:p#q> "line\\r\\nnext" .', format="nt", graph="urn:g")
    back = union(read_with_rdflib(written(dataset_export(kg, "rdfxml")), "rdfxml"))
    assert {str(o) for o in back.objects()} == {"line\r\nnext"}
    kg.load(b'<urn:a> <urn:p#q> "bell\\u0007" .', format="nt", graph="urn:g")
    with pytest.raises(BadInput, match="control character"):
        written(dataset_export(kg, "rdfxml"))


def test_a_named_graph_is_named_by_iri_or_by_slug_and_names_the_file(tricky):
    by_slug = dataset_export(tricky, "turtle", graph="one")
    by_iri = dataset_export(tricky, "turtle", graph=ONE)
    assert written(by_slug) == written(by_iri)
    assert by_slug.filename == "aikg-one.ttl"
    assert dataset_export(tricky, "trig").filename == "aikg.trig"


def test_an_unknown_named_graph_is_not_found(tricky):
    with pytest.raises(NotFound, match="no named graph"):
        dataset_export(tricky, "turtle", graph="nowhere")


def test_a_select_query_cannot_be_exported(tricky):
    with pytest.raises(BadInput, match="CONSTRUCT"):
        result_export(tricky, tricky.query("SELECT * WHERE { ?s ?p ?o }"), "turtle")


def test_an_unknown_format_lists_the_valid_ones(tricky):
    with pytest.raises(BadInput) as caught:
        dataset_export(tricky, "xlsx")
    assert all(f.name in str(caught.value) for f in EXPORT_FORMATS)
