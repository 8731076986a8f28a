"""``GET /export`` and ``aikg export``: formats by name or Accept, scopes, file names, streaming."""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pyoxigraph
import pytest
from flask.testing import FlaskClient

from graph.export import EXPORT_FORMATS, Export, export_format
from service.export import export_response

SMALL = Path(__file__).parent / "data" / "small.trig"
SOURCE = "https://w3id.org/aikg/graph/test-source"


def statements_in_test_source() -> int:
    """The triples of the test source graph, counted straight from its file."""
    store = pyoxigraph.Store()
    store.load(path=SMALL, format=pyoxigraph.RdfFormat.TRIG)
    return len(list(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(SOURCE))))


@pytest.fixture
def client(make_app) -> FlaskClient:
    """A client of an app whose graph holds the small test ecosystem."""
    app = make_app()
    app.extensions["aikg"].load(SMALL)
    return app.test_client()


def quads(response, fmt: str) -> int:
    syntax = export_format(fmt).syntax.oxigraph
    return sum(1 for _ in pyoxigraph.parse(response.data, format=syntax))


@pytest.mark.parametrize("fmt", [f.name for f in EXPORT_FORMATS])
def test_every_format_is_served_as_an_attachment_with_its_media_type(client, fmt):
    response = client.get(f"/export?format={fmt}")
    expected = export_format(fmt)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == expected.media_type
    assert response.headers["Content-Disposition"] == f"attachment; filename=aikg{expected.suffix}"
    assert response.data


def test_the_whole_dataset_defaults_to_trig_and_keeps_its_graphs(client):
    response = client.get("/export")
    assert response.mimetype == "application/trig"
    names = {q.graph_name.value for q in pyoxigraph.parse(response.data,
                                                           format=pyoxigraph.RdfFormat.TRIG)}
    assert names == set(client.application.extensions["aikg"].named_graphs())
    assert SOURCE in names


@pytest.mark.parametrize(("accept", "fmt"), [
    ("application/n-quads", "nquads"),
    ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ("application/graphml+xml", "graphml"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "trig"),  # a browser: the default
])
def test_accept_chooses_the_format_when_none_is_named(client, accept, fmt):
    response = client.get("/export", headers={"Accept": accept})
    assert response.mimetype == export_format(fmt).media_type
    assert "Accept" in response.vary


def test_format_wins_over_accept(client):
    response = client.get("/export?format=nt", headers={"Accept": "application/trig"})
    assert response.mimetype == "application/n-triples"


def test_an_accept_header_no_format_matches_is_406(client):
    response = client.get("/export", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_json()["error"]


def test_an_unknown_format_is_400_listing_the_valid_ones(client):
    response = client.get("/export?format=xlsx")
    body = response.get_json()
    assert response.status_code == 400 and body["status"] == 400
    assert all(f.name in body["error"] for f in EXPORT_FORMATS)


def test_a_named_graph_is_exported_alone_under_its_own_file_name(client):
    response = client.get("/export?graph=test-source")
    assert response.mimetype == "text/turtle"
    assert response.headers["Content-Disposition"] == "attachment; filename=aikg-test-source.ttl"
    expected = statements_in_test_source()
    assert quads(response, "turtle") == expected
    assert client.get(f"/export?graph={SOURCE}&format=nt").data.count(b"\n") == expected


def test_an_unknown_named_graph_is_404(client):
    response = client.get("/export?graph=nowhere")
    assert response.status_code == 404
    assert "no named graph" in response.get_json()["error"]


def test_a_construct_query_is_exported_in_the_format_asked(client):
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <" + SOURCE + "> { ?s ?p ?o } "
             "FILTER(?p = <https://w3id.org/aikg/ontology#investsIn>) }")
    response = client.get("/export", query_string={"query": query, "format": "csv"})
    assert response.headers["Content-Disposition"] == "attachment; filename=aikg-query.zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        edges = archive.read("edges.csv").decode().splitlines()
    assert len(edges) == 3
    assert ",invests in,投资," in edges[1]  # the predicate's labels, looked up in the ontology


def test_a_query_result_cut_at_the_row_cap_says_so(make_client):
    client = make_client(max_rows=2)
    client.application.extensions["aikg"].load(SMALL)
    response = client.get("/export", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.headers["X-Aikg-Truncated"] == "true"
    assert quads(response, "turtle") == 2


@pytest.mark.parametrize("query", [
    {"query": "SELECT * WHERE { ?s ?p ?o }"},
    {"query": "CONSTRUCT {", "format": "nt"},
    {"query": "CONSTRUCT WHERE { ?s ?p ?o }", "graph": "test-source"},
])
def test_bad_export_requests_are_400(client, query):
    response = client.get("/export", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_a_large_export_streams_in_chunks(client):
    big = pyoxigraph.Store()
    for i in range(20_000):
        big.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:s{i}"), pyoxigraph.NamedNode("urn:p"),
                                pyoxigraph.Literal("x" * 20), pyoxigraph.NamedNode("urn:g")))
    export = Export(export_format("nquads"), "big",
                    lambda out: big.dump(out, format=pyoxigraph.RdfFormat.N_QUADS))
    with client.application.test_request_context():
        chunks = list(export_response(export).response)
    assert len(chunks) > 5 and max(len(c) for c in chunks) < 256 * 1024
    assert sum(len(c) for c in chunks) == len(big.dump(format=pyoxigraph.RdfFormat.N_QUADS))


def test_an_error_mid_stream_aborts_the_transfer(client):
    def failing(out):
        out.write(b"x" * 200_000)
        raise RuntimeError("disk on fire")

    with client.application.test_request_context():
        stream = iter(export_response(Export(export_format("nt"), "bad", failing)).response)
        next(stream)
        with pytest.raises(RuntimeError, match="disk on fire"):
            list(stream)


def test_a_client_that_leaves_stops_the_writer(client):
    stopped = threading.Event()

    def endless(out):
        try:
            while True:
                out.write(b"y" * 65536)
        except BrokenPipeError:
            stopped.set()
            raise

    with client.application.test_request_context():
        stream = export_response(Export(export_format("nt"), "endless", endless)).response
        next(stream)
        stream.close()  # what the server does when the client disconnects
    assert stopped.wait(timeout=10)


@pytest.mark.slow
def test_cli_exports_a_store_in_the_format_of_the_file_suffix(cli, tmp_path):
    store = tmp_path / "store"
    assert cli("load", SMALL, "--store", store).exit_code == 0
    target = tmp_path / "ecosystem.graphml"
    result = cli("export", "--store", store, "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("<?xml") and "graphml" in result.output
    assert not (tmp_path / "ecosystem.graphml.part").exists()


def test_cli_exports_one_named_graph_to_standard_output(cli, tmp_path):
    store = tmp_path / "store"
    cli("load", SMALL, "--store", store)
    result = cli("export", "--store", store, "--graph", "test-source", "--format", "ntriples",
                 "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == statements_in_test_source()


@pytest.mark.slow
def test_cli_export_errors_are_one_line_and_leave_no_file(cli, tmp_path):
    store = tmp_path / "store"
    cli("load", SMALL, "--store", store)
    target = tmp_path / "out.ttl"
    result = cli("export", "--store", store, "--graph", "nowhere", "-o", target)
    assert result.exit_code == 1 and "no named graph" in result.output
    assert not target.exists()
    assert cli("export", "--store", store, "-o", tmp_path / "out.xlsx").exit_code == 1
