"""Bodies and uploads against a real served process: a chunked body past its limit is refused
(413) wherever it is read, never cut; RDF/XML cannot expand past a bound set by its own size; a
mapping's split pattern cannot freeze the server. Each write that is refused changes nothing.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.servers import aikg_server

TOKEN = "upload-limits-token"
DATA = Path(__file__).parent / "data"
MAX_UPLOAD = 1024 * 1024  # --max-upload of the test server: Graph Store POSTs
BODY_LIMIT = 16 * 1024 * 1024  # every other body


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    with aikg_server("--token", TOKEN, "--max-upload", str(MAX_UPLOAD), "--threads", "4",
                     log=log) as (url, _):
        yield url


def version(url: str) -> int:
    return requests.get(f"{url}/healthz", timeout=10).json()["version"]


def send_chunked(url: str, method: str, path: str, content_type: str, body: Iterator[bytes]
                 ) -> tuple[int, bytes]:
    """Send ``body`` with ``Transfer-Encoding: chunked`` while reading the answer, which may
    come before the body ends; the status and the first bytes of the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}"
                     f"\r\nTransfer-Encoding: chunked\r\nAccept: application/json\r\n"
                     f"Authorization: Bearer {TOKEN}\r\n\r\n".encode())

        def send() -> None:
            try:
                for chunk in filter(None, body):  # an empty chunk would end the body
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
            except OSError:  # the server answered and closed before the body ended
                pass

        threading.Thread(target=send, daemon=True).start()
        answer = sock.makefile("rb")
        status = int(answer.readline().split()[1])
        return status, answer.read(2000)


def repeated(unit: bytes, size: int, head: bytes = b"") -> Iterator[bytes]:
    chunk = unit * (64 * 1024 // len(unit))
    yield head
    for _ in range(size // len(chunk) + 1):
        yield chunk


def csv_rows(size: int) -> Iterator[bytes]:
    header = (DATA / "models.csv").read_bytes().splitlines()[0] + b"\n"
    row = b"Model %d,Baidu,2024-06-28,,,,API access,China,Industry\n"
    yield header
    sent, n = 0, 0
    while sent < size:
        chunk = b"".join(row % i for i in range(n, n + 1000))
        n += 1000
        sent += len(chunk)
        yield chunk


@pytest.mark.parametrize(("method", "path", "content_type", "body"), [
    ("POST", "/sparql", "application/sparql-query",
     lambda: repeated(b"?s ", BODY_LIMIT + 2**20, b"SELECT * WHERE { ")),
    ("POST", "/sparql", "application/sparql-update",
     lambda: repeated(b"<urn:a> <urn:b> <urn:c> . ", BODY_LIMIT + 2**20, b"INSERT DATA { ")),
    ("POST", "/import?mapping=models", "text/csv", lambda: csv_rows(18_000_000)),
    ("PUT", "/store?graph=urn:x:g", "application/n-triples",
     lambda: repeated(b"<urn:a> <urn:b> <urn:c> .\n", BODY_LIMIT + 2**20)),
    ("POST", "/store?graph=urn:x:g", "application/n-triples",
     lambda: repeated(b"<urn:a> <urn:b> <urn:c> .\n", 2 * MAX_UPLOAD)),
], ids=["query", "update", "import-csv", "store-put", "store-post"])
def test_a_chunked_body_past_its_limit_is_413_and_changes_nothing(
        server, method: str, path: str, content_type: str, body) -> None:
    before = version(server)
    status, answer = send_chunked(server, method, path, content_type, body())
    assert status == 413, answer
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["status"] == 413
    assert version(server) == before


def test_a_chunked_body_within_its_limit_is_read_whole(server) -> None:
    status, answer = send_chunked(server, "POST", "/sparql", "application/sparql-query",
                                  repeated(b" ", 2**20, b"ASK {}"))
    assert status == 200, answer


def test_rdfxml_whose_entities_expand_past_its_size_is_refused(server) -> None:
    """The issue's document: one 100 KB entity, used 30,000 times in 190 KB (2.9 GB)."""
    before = version(server)
    entity = "x" * 100_000
    uses = "&e;" * 30_000
    document = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "{entity}">]>'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns:ex="http://e/"><rdf:Description rdf:about="http://e/a">'
                f"<ex:p>{uses}</ex:p></rdf:Description></rdf:RDF>")
    response = requests.post(f"{server}/store?graph=urn:x:entities", data=document.encode(),
                             headers={"Content-Type": "application/rdf+xml",
                                      "Authorization": f"Bearer {TOKEN}",
                                      "Accept": "application/json"}, timeout=60)
    assert response.status_code == 400, response.text
    assert "expand" in response.json()["error"]
    assert version(server) == before


def test_rdfxml_with_plain_entities_used_often_is_accepted(server) -> None:
    """Protege's style: short entities for namespaces, on every line."""
    rows = "".join(f'<rdf:Description rdf:about="&ex;a{i}"><rdf:type rdf:resource="&ex;C"/>'
                   "</rdf:Description>" for i in range(2000))
    document = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY ex "http://example.org/x#">]>'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                f"{rows}</rdf:RDF>")
    response = requests.put(f"{server}/store?graph=urn:x:plain", data=document.encode(),
                            headers={"Content-Type": "application/rdf+xml",
                                     "Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert response.status_code in (200, 201, 204), response.text


@pytest.mark.parametrize(("pattern", "cell"), [
    ("(a+)+b", "a" * 27),  # the issue's: Python's engine took 9 s, doubling per character
    ("(a|aa)+b", "a" * 48),  # backtracks in the regex engine too: stopped at its time bound
])
def test_a_backtracking_split_pattern_cannot_freeze_the_server(server, pattern: str,
                                                               cell: str) -> None:
    mapping = json.loads((DATA / "models.csv-metadata.json").read_text())
    for column in mapping["tableSchema"]["columns"]:
        if column["name"] == "developer":
            column["aikg:split"] = pattern
    table = (DATA / "models.csv").read_text().replace("Baidu", cell, 1)
    before = version(server)
    started = time.monotonic()
    response = requests.post(f"{server}/import", headers={"Authorization": f"Bearer {TOKEN}",
                                                          "Accept": "application/json"},
                             files={"table": ("models.csv", table.encode()),
                                    "mapping": ("models.csv-metadata.json",
                                                json.dumps(mapping).encode())},
                             data={"dry_run": "1"}, timeout=60)
    assert time.monotonic() - started < 10
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert "backtracks" in response.json()["error"]
    assert version(server) == before
