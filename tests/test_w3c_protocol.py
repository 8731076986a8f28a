"""The W3C SPARQL 1.1 Protocol (34 tests) and Graph Store Protocol (13 tests) suites, in process
through the Flask test client and end to end against a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live import serve
from tests.w3c_protocol import Reply, find_suite, load_tests, run_test

SUITE = find_suite(Path(__file__).resolve().parents[1])
TESTS = load_tests(SUITE) if SUITE else []
TOKEN = "w3c-secret"

pytestmark = pytest.mark.skipif(
    SUITE is None, reason="the W3C suite (shared/w3c-protocol beside the repository) is missing")
by_id = pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])


def test_the_suites_hold_47_tests():
    assert len(TESTS) == 47


@by_id
def test_w3c_in_process(test, make_client):
    client = make_client(token=TOKEN, bundled=False)  # the suite brings its own data

    def send(method: str, path: str, headers: dict[str, str], body: bytes | None) -> Reply:
        response = client.open(path, method=method, headers=headers, data=body)
        return Reply(response.status_code,
                     {k.lower(): v for k, v in response.headers.items()}, response.data)

    run_test(test, send, TOKEN)


@pytest.fixture(scope="module")
def server():
    with serve("--token", TOKEN, "--timeout", "10") as running:
        yield running


@by_id
def test_w3c_over_http(test, server):
    run_test(test, server.send, TOKEN)
