"""Slow and greedy clients against a real ``aikg serve`` (issue 22): half-sent requests hold
no request thread, a client too slow is cut off with 408, an answer sent before the body has
arrived closes the connection at once, and long queries leave room for a cheap one.

The budgets here are generous (a busy machine must pass); on the server before the fix, each
of these requests waited for as long as the attackers liked.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from service.cli.worker import HEAD_SECONDS
from tests.servers import aikg_server

TOKEN = "slow-test-token"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
CHEAP = ("SELECT ?label ?type WHERE { <https://w3id.org/aikg/id/baidu> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?label ; a ?type }")
BUDGET = 30.0


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """One process of four request threads and two general query workers: few, so that few
    attackers would take them all (over several processes, they might all reach one)."""
    log = tmp_path_factory.mktemp("slow") / "server.log"
    with aikg_server("--workers", "1", "--threads", "4", "--query-workers", "2",
                     "--timeout", str(BUDGET), "--token", TOKEN, log=log) as (url, _):
        yield url


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=60)


#: Half requests: a head; a head and a bit of a query; a head and a bit of an upload without
#: the token (answered 401 at once by gunicorn alone, whose thread then waited up to 5 s for
#: the rest of the body).
HALF_REQUESTS = [
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nSELECT",
    b"POST /store HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
    b"Content-Length: 40000\r\n\r\n" + b"#" * 30000]
#: A valid query stalled in its body: a server that hands a request to a thread before its
#: body has arrived (granian) lets it hold the thread.
HALF_QUERY = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
              b"Content-Length: 1000\r\n\r\nSELECT")


def half_sent(url: str, count: int, starts: list[bytes]) -> list[socket.socket]:
    """``count`` connections that sent the ``starts`` of requests in turn, and no more."""
    opened = []
    for i in range(count):
        sock = connect(url)
        sock.sendall(starts[i % len(starts)])
        opened.append(sock)
    return opened


@pytest.mark.parametrize("starts", [HALF_REQUESTS, [HALF_QUERY]], ids=["half", "valid-query"])
def test_half_sent_requests_hold_no_request_thread(server: str, starts: list[bytes]) -> None:
    stalled = half_sent(server, 9, starts)
    time.sleep(1)  # time for a server to hand them to threads, if it does
    try:
        answer = requests.get(f"{server}/sparql", params={"query": CHEAP}, timeout=HEAD_SECONDS,
                              headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200
    finally:
        for sock in stalled:
            sock.close()


def test_a_chunked_body_and_pipelined_requests_are_answered_in_order(server: str) -> None:
    """Reading ahead keeps HTTP/1.1's framing: chunks in pieces, two requests in one packet."""
    query = b"ASK { ?s ?p ?o }"
    chunks = b"".join(b"1\r\n%s\r\n" % query[i:i + 1] for i in range(len(query)))
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
            b"Content-Type: application/sparql-query\r\n")
    with connect(server) as sock:
        sock.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks[:7])
        time.sleep(0.5)
        sock.sendall(chunks[7:] + b"0\r\n\r\n" + head + b"Content-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (len(query), query))
        replies = b""
        while chunk := sock.recv(65536):
            replies += chunk
    assert replies.count(b"HTTP/1.1 200") == 2 and replies.count(b'"boolean": true') == 2


def test_a_client_too_slow_is_cut_off_with_408(server: str) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nASK")
        started = time.monotonic()
        reply = sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 408")
        assert time.monotonic() - started < HEAD_SECONDS + 20


def test_an_answer_sent_before_the_body_arrived_closes_the_connection_at_once(
        server: str) -> None:
    """A refused upload (401 here) past what is read ahead is answered without reading its
    body, and the server does not wait for the rest of it: the connection closes at once."""
    with connect(server) as sock:
        sock.sendall(b"POST /store?graph=http://e/g HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: text/turtle\r\nContent-Length: 100000000\r\n\r\n")
        sock.sendall(b"#" * (2 * 1024 * 1024))  # past what is read ahead; then it stalls
        reply = sock.recv(65536)
        answered = time.monotonic()
        while chunk := sock.recv(65536):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 401")
        assert time.monotonic() - answered < 3  # gunicorn may drain for 5 s, then linger 2 s
    assert requests.get(f"{server}/healthz", timeout=HEAD_SECONDS).status_code == 200


def ask_heavy(server: str) -> None:
    """A query that runs for the whole budget; the server may stop before it answers."""
    with contextlib.suppress(requests.RequestException):
        requests.get(f"{server}/sparql", params={"query": HEAVY}, timeout=BUDGET + 30)


def test_heavy_queries_leave_room_for_a_cheap_one(server: str) -> None:
    heavy = [threading.Thread(target=ask_heavy, args=(server,), daemon=True) for _ in range(3)]
    for thread in heavy:
        thread.start()
    time.sleep(2)  # both general query workers busy, one more heavy query waiting
    started = time.monotonic()
    answer = requests.get(f"{server}/sparql", timeout=BUDGET, headers={
        "Accept": "application/sparql-results+json"}, params={"query": CHEAP + " # fresh"})
    assert answer.status_code == 200
    assert time.monotonic() - started < BUDGET / 2  # not after the heavy queries' budget


def test_the_server_log_has_no_traceback(server: str, tmp_path_factory) -> None:
    logs = list(Path(tmp_path_factory.getbasetemp()).glob("slow*/server.log"))
    assert logs and "Traceback" not in logs[0].read_text(errors="replace")
