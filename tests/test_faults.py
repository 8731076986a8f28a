"""Faults, with real processes on 127.0.0.1: a remote store that hangs or resets, a disk that
fills up, and ``kill -9`` of the server in the middle of an HTTP write.

Each fault gets a clear error in the one error shape, loses nothing that was committed, and the
service keeps answering. (Kills of ``aikg load`` and of a KnowledgeGraph are in test_disk.py.)
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests

from graph import open_graph
from tests.checks import assert_error
from tests.servers import ROOT, FakeEndpoint, aikg_server, fake_endpoint, free_port

pytestmark = pytest.mark.server  # every test starts aikg serve

TOKEN = "fault-test-token"
BUDGET = 2.0  # the served query budget (--timeout): every fault must be answered well within
SLACK = 6.0  # seconds on top of the budget for a loaded machine
BIG = "urn:fault:big"


# -- servers -----------------------------------------------------------------------------------


@pytest.fixture(name="fake_endpoint")
def fake_endpoint_fixture() -> Iterator[FakeEndpoint]:
    """An endpoint that answers an empty graph until a test sets its ``mode``."""
    with fake_endpoint() as server:
        yield server


@contextmanager
def aikg_serve(*options: str, log: Path, limit_file_size: int | None = None
               ) -> Iterator[tuple[str, subprocess.Popen]]:
    """``aikg serve`` with the fault tests' budget; yield its URL and process.

    ``limit_file_size`` caps the size of any file the server writes (``ulimit -f``), with
    SIGXFSZ ignored so that a write past it fails like a full disk instead of killing it.
    """
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, resource.RLIM_INFINITY))

    with aikg_server("--timeout", str(BUDGET), "--threads", "4", *options, log=log,
                     preexec_fn=limit if limit_file_size else None) as running:
        yield running


def timed_get(url: str, **params: str) -> tuple[requests.Response, float]:
    start = time.monotonic()
    response = requests.get(url, params=params, headers={"Accept": "application/json"},
                            timeout=BUDGET + SLACK + 30)
    return response, time.monotonic() - start


# -- a remote store that hangs or resets --------------------------------------------------------


@pytest.mark.parametrize("mode", ["hang", "reset"])
def test_a_remote_store_that_fails_gets_a_503_in_time_and_the_service_recovers(
        fake_endpoint: FakeEndpoint, tmp_path: Path, mode: str) -> None:
    with aikg_serve("--store", fake_endpoint.url, log=tmp_path / "serve.log") as (url, _):
        assert requests.get(url + "/healthz", timeout=10).status_code == 200
        fake_endpoint.mode = mode
        for round_ in range(2):  # a second request, not only the first, is answered in time
            query = f"SELECT * {{ ?s ?p ?o }} LIMIT {round_ + 1}"  # not a cached answer
            answer, took = timed_get(url + "/sparql", query=query)
            assert "store" in assert_error(answer, 503)["error"] and took < BUDGET + SLACK
            health, took = timed_get(url + "/healthz")
            assert_error(health, 503)
            assert took < BUDGET + SLACK
        fake_endpoint.mode = "ok"
        assert requests.get(url + "/healthz", timeout=10).status_code == 200
        answer, _ = timed_get(url + "/sparql", query="SELECT * { ?s ?p ?o } LIMIT 9")
        assert answer.status_code == 200


def test_a_remote_store_that_hangs_at_start_is_reported_within_the_budget(
        fake_endpoint: FakeEndpoint, tmp_path: Path) -> None:
    fake_endpoint.mode = "hang"
    started = time.monotonic()
    server = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--store", fake_endpoint.url,
         "--port", str(free_port()), "--timeout", str(BUDGET)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=60)
    assert server.returncode != 0 and time.monotonic() - started < BUDGET + SLACK
    assert fake_endpoint.url in server.stderr and "Traceback" not in server.stderr, server.stderr


# -- a full disk ---------------------------------------------------------------------------------

LIMIT = 2_000_000  # bytes per file the server may write: the write-ahead log outgrows it
# (the bulk loader of `aikg load` writes sorted files, each under a tenth of that)


def seeded_store(folder: Path) -> str:
    """An on-disk store holding three statements in graph ``urn:fault:base``."""
    location = str(folder / "store")
    kg = open_graph(location, bundled=False)
    kg.update("INSERT DATA { GRAPH <urn:fault:base> { <urn:a> <urn:p> 1, 2, 3 } }")
    del kg  # release the store's lock for the server
    return location


def big_ntriples(statements: int) -> bytes:
    return b"".join(b'<urn:s%d> <urn:p> "%s" .\n' % (i, b"x" * 100)
                    for i in range(statements))


def count(url: str, graph: str) -> int:
    answer = requests.post(url + "/sparql", timeout=30, headers={"Accept": "text/csv"}, data={
        "query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
    assert answer.status_code == 200, answer.text
    return int(answer.text.split()[1])


def test_a_write_that_fills_the_disk_fails_clearly_and_the_store_keeps_its_content(
        tmp_path: Path) -> None:
    store, log = seeded_store(tmp_path), tmp_path / "serve.log"
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}
    upload = big_ntriples(7_000)  # 0.9 MB: its spooled copy fits, the write-ahead log does not
    with aikg_serve("--store", store, "--token", TOKEN, log=log,
                    limit_file_size=LIMIT) as (url, _):
        refused = requests.post(url + "/store", params={"graph": BIG}, data=upload,
                                headers=auth, timeout=60)
        message = assert_error(refused, 503)["error"]  # from the store, not from spooling the body
        assert "temporary file" not in message and "could not write" in message
        assert count(url, BIG) == 0 and count(url, "urn:fault:base") == 3
        # The write fails on the checkpoint it is validated on: the store itself is untouched.
        health = requests.get(url + "/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
    with aikg_serve("--store", store, "--token", TOKEN, log=log) as (url, _):  # space is back
        assert "write_error" not in requests.get(url + "/healthz", timeout=10).json()
        assert count(url, BIG) == 0 and count(url, "urn:fault:base") == 3
        written = requests.post(url + "/store", params={"graph": BIG}, data=upload,
                                headers=auth, timeout=60)
        assert written.status_code in (200, 201, 204), written.text
        assert count(url, BIG) == 7_000


def test_aikg_load_on_a_full_disk_fails_clearly_and_loads_nothing(tmp_path: Path) -> None:
    store, data = seeded_store(tmp_path), tmp_path / "big.nt"
    data.write_bytes(big_ntriples(30_000))

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT // 10, resource.RLIM_INFINITY))

    loaded = subprocess.run(
        [sys.executable, "-m", "service.cli", "load", str(data), "--store", store],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, preexec_fn=limit, timeout=120)
    assert loaded.returncode == 1, loaded.stdout + loaded.stderr
    assert "Error:" in loaded.stderr and "Traceback" not in loaded.stderr
    kg = open_graph(store, bundled=False)
    assert kg.graph_sizes() == {"urn:fault:base": 3}


# -- kill -9 in the middle of an HTTP write --------------------------------------------------------

MOVED = 40_000  # statements the update inserts, while it deletes one: long enough to kill mid-way


def move_update() -> str:
    inserted = "".join(f'<urn:s{i}> <urn:p> "{"x" * 50}" .\n' for i in range(MOVED))
    return ("DELETE DATA { GRAPH <urn:fault:base> { <urn:a> <urn:p> 1 } } ;\n"
            f"INSERT DATA {{ GRAPH <{BIG}> {{ {inserted} }} }}")


@pytest.mark.parametrize("after", [0.3, 0.8, 2.0])  # the update takes about 1 s here
def test_kill_9_during_an_http_update_leaves_it_wholly_there_or_wholly_absent(
        tmp_path: Path, after: float) -> None:
    store, log = seeded_store(tmp_path), tmp_path / "serve.log"
    update = move_update()
    with aikg_serve("--store", store, "--token", TOKEN, log=log) as (url, server):
        def send() -> None:
            with suppress(requests.ConnectionError):  # the server dies under it, on purpose
                requests.post(url + "/sparql", data={"update": update}, timeout=60,
                              headers={"Authorization": f"Bearer {TOKEN}"})

        writer = threading.Thread(target=send)
        writer.start()
        time.sleep(after)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        writer.join()
    with aikg_serve("--store", store, log=log) as (url, _):
        state = count(url, "urn:fault:base"), count(url, BIG)
        assert state in {(3, 0), (2, MOVED)}
        assert requests.get(url + "/healthz", timeout=10).status_code == 200
