"""Big Graph Store writes: streamed to a temporary file and loaded from there, with their own
size limit (STORE_MAX_UPLOAD); a failed upload changes nothing and leaves no file behind."""

from __future__ import annotations

import io
import tempfile
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import pytest
from pyoxigraph import RdfFormat, parse

from tests.checks import assert_error

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "http://example.org/g"
AT = "/store?graph=" + quote(GRAPH, safe="")
BODY_LIMIT = 4096  # MAX_CONTENT_LENGTH of these tests
UPLOAD_LIMIT = 1 << 20  # STORE_MAX_UPLOAD of these tests


def ntriples(count: int, start: int = 0) -> bytes:
    return b"".join(b"<http://example.org/s%d> <http://example.org/p> \"value %d\" .\n" % (i, i)
                    for i in range(start, start + count))


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the uploads are spooled to, watched by the tests."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def client(make_client, spool):
    return make_client(token=TOKEN, bundled=False, max_content_length=BODY_LIMIT,
                       store_max_upload=UPLOAD_LIMIT)


def triples_in(client, path: str = AT) -> int:
    response = client.get(path, headers={"Accept": "application/n-triples"})
    if response.status_code != 200:
        return 0
    return len(list(parse(response.data, format=RdfFormat.N_TRIPLES)))


def test_a_body_past_max_content_length_but_within_the_upload_limit_loads(client, spool):
    body = ntriples(2000)
    assert BODY_LIMIT < len(body) < UPLOAD_LIMIT
    assert client.post(AT, data=body, content_type="application/n-triples",
                       headers=AUTH).status_code == 201
    assert triples_in(client) == 2000
    assert not list(spool.iterdir())


def test_a_put_replaces_from_memory_in_one_update_so_it_keeps_max_content_length(client):
    client.put(AT, data=ntriples(3), content_type="application/n-triples", headers=AUTH)
    response = client.put(AT, data=ntriples(2000), content_type="application/n-triples",
                          headers=AUTH)
    assert_error(response, 413, str(BODY_LIMIT))
    assert triples_in(client) == 3


def test_other_routes_keep_max_content_length(client):
    response = client.post("/sparql", data=b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * BODY_LIMIT,
                           content_type="application/sparql-query")
    assert_error(response, 413)


def test_a_body_past_the_upload_limit_is_413_and_changes_nothing(client, spool):
    client.put(AT, data=ntriples(3), content_type="application/n-triples", headers=AUTH)
    body = ntriples(20_000)
    assert len(body) > UPLOAD_LIMIT
    response = client.post(AT, data=body, content_type="application/n-triples", headers=AUTH)
    assert_error(response, 413, str(UPLOAD_LIMIT))
    assert triples_in(client) == 3
    assert not list(spool.iterdir())


def chunked(client, body: bytes, method: str = "POST"):
    """A request whose body declares no length, as a chunked one reaches the app."""
    return client.open(AT, method=method, input_stream=io.BytesIO(body),
                       headers={**AUTH, "Content-Type": "application/n-triples"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_loads_and_is_cut_with_413_past_the_upload_limit(client, spool):
    assert chunked(client, ntriples(2000)).status_code == 201
    assert_error(chunked(client, ntriples(20_000, start=5000)), 413)
    assert triples_in(client) == 2000
    assert not list(spool.iterdir())


@pytest.mark.parametrize("method, count", [("PUT", 20), ("POST", 2000)])
def test_a_body_that_breaks_late_changes_nothing_and_leaves_no_file(client, spool, method,
                                                                     count):
    client.put(AT, data=ntriples(3), content_type="application/n-triples", headers=AUTH)
    body = ntriples(count) + b"<http://example.org/s> oops .\n"
    response = client.open(AT, method=method, data=body, content_type="application/n-triples",
                           headers=AUTH)
    assert_error(response, 400, f"request body:{count + 1}:")
    assert triples_in(client) == 3
    assert not list(spool.iterdir())


def test_a_late_error_changes_nothing_on_disk_where_no_copy_tries_the_write(make_client,
                                                                             tmp_path):
    client = make_client(token=TOKEN, bundled=False, store=str(tmp_path / "store"))
    client.put(AT, data=ntriples(3), content_type="application/n-triples", headers=AUTH)
    small = ntriples(20) + b"<http://example.org/s> oops .\n"
    assert_error(client.put(AT, data=small, content_type="application/n-triples", headers=AUTH),
                 400)
    body = ntriples(2000) + b"<http://example.org/s> oops .\n"
    assert_error(client.post(AT, data=body, content_type="application/n-triples",
                             headers=AUTH), 400)
    assert triples_in(client) == 3


def test_a_big_multipart_upload_is_spooled_and_loads(client, spool):
    files = {"a": (io.BytesIO(ntriples(6000)), "a.nt")}
    response = client.post(AT, data=files, content_type="multipart/form-data", headers=AUTH)
    assert response.status_code == 201
    assert triples_in(client) == 6000
    assert not list(spool.iterdir())


def test_several_files_go_in_together_from_memory_within_max_content_length(client):
    files = {"a": (io.BytesIO(ntriples(20)), "a.nt"),
             "b": (io.BytesIO(ntriples(10, start=20)), "b.nt")}
    response = client.post(AT, data=files, content_type="multipart/form-data", headers=AUTH)
    assert response.status_code == 201
    big = {"a": (io.BytesIO(ntriples(2000, start=100)), "a.nt"),
           "b": (io.BytesIO(ntriples(10, start=3000)), "b.nt")}
    response = client.post(AT, data=big, content_type="multipart/form-data", headers=AUTH)
    assert_error(response, 413, "one per request")
    assert triples_in(client) == 30


def test_a_compressed_body_is_415_saying_so(client):
    response = client.post(AT, data=b"\x1f\x8b...", content_type="application/n-triples",
                           headers={**AUTH, "Content-Encoding": "gzip"})
    assert_error(response, 415, "Content-Encoding gzip")


@pytest.mark.slow
def test_the_body_is_never_held_in_memory(make_client, spool, tmp_path):
    client = make_client(token=TOKEN, bundled=False, max_content_length=BODY_LIMIT,
                         store_max_upload=64 << 20)
    body = tmp_path / "big.nt"
    body.write_bytes(ntriples(100_000))
    size = body.stat().st_size
    with body.open("rb") as stream:
        tracemalloc.start()
        try:
            response = client.post(AT, input_stream=stream, content_length=size,
                                   content_type="application/n-triples", headers=AUTH)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert response.status_code == 201
    assert peak < size / 4, f"{peak} bytes of Python objects at most for a {size}-byte body"
    assert triples_in(client) == 100_000
