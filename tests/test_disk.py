"""The on-disk store: writes outlive the process, and a kill -9 never leaves half a write."""

from __future__ import annotations

import gc
import gzip
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from pyoxigraph import NamedNode

from bench.generate import generate
from graph import open_graph
from graph.rdf.formats import rdf_syntax
from tests.conftest import SMALL_SIZES
from tests.servers import free_port, python, start, stop

G = "https://example.org/graph/"
BEFORE, AFTER = G + "before", G + "after"
SOURCE = "https://w3id.org/aikg/graph/test-source"  # the graph of tests/data/small.trig
MOVED = 50_000  # statements the big update moves: most of a second of work

#: One update that deletes every statement of one graph and inserts a changed copy in another:
#: half of it applied would show as statements in both graphs, or in neither.
MOVE = f"""
DELETE {{ GRAPH <{BEFORE}> {{ ?s <{G}p> ?o }} }}
INSERT {{ GRAPH <{AFTER}> {{ ?s <{G}q> ?o }} }}
WHERE {{ GRAPH <{BEFORE}> {{ ?s <{G}p> ?o }} }}
"""

CHILD = """
import sys
from graph import open_graph
kg = open_graph(sys.argv[1], bundled=False)
print("updating", flush=True)
kg.update(sys.stdin.read())
print("done", flush=True)
"""


def sizes(location: Path) -> dict[str, int]:
    """The graph sizes of a closed store, which is closed again before returning."""
    kg = open_graph(str(location), bundled=False)
    result = kg.graph_sizes()
    del kg
    gc.collect()  # the store's lock goes with the last reference
    return result


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A closed store with MOVED statements in graph BEFORE."""
    location = tmp_path_factory.mktemp("prepared") / "store"
    kg = open_graph(str(location), bundled=False)
    data = "".join(f'<{G}s{i}> <{G}p> "{i}" .\n' for i in range(MOVED))
    kg.load(data.encode(), format="nt", graph=BEFORE)
    del kg
    gc.collect()
    return location


def test_update_outlives_the_process_and_bundled_files_load_once(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    kg = open_graph(location)
    count = len(kg)
    kg.update(f"INSERT DATA {{ GRAPH <{G}mine> {{ <{G}a> <{G}p> <{G}b> }} }}")
    del kg
    gc.collect()
    again = open_graph(location)
    assert len(again) == count + 1
    assert again.ask(f"ASK {{ <{G}a> <{G}p> <{G}b> }}")


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.1, 0.25, 0.5, None])
def test_kill_9_during_an_update_leaves_it_wholly_applied_or_wholly_absent(
        prepared: Path, tmp_path: Path, delay: float | None) -> None:
    location = tmp_path / "store"
    shutil.copytree(prepared, location)
    child = python("-c", CHILD, str(location), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                   text=True)
    child.stdin.write(MOVE)
    child.stdin.close()
    assert child.stdout.readline().strip() == "updating"
    if delay is None:
        assert child.stdout.readline().strip() == "done"
    else:
        time.sleep(delay)
    stop(child, signal.SIGKILL)
    after = sizes(location)
    assert after in ({BEFORE: MOVED}, {AFTER: MOVED}), after
    if delay is None:
        assert after == {AFTER: MOVED}  # a write that returned is on disk


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    return generate(200_000, tmp_path_factory.mktemp("big") / "industry.nt")


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.6, 1.2, 2.0])
def test_kill_9_during_a_bulk_load_leaves_the_file_wholly_loaded_or_absent(
        big_file: Path, tmp_path: Path, delay: float) -> None:
    location = tmp_path / "store"
    child = python("-m", "service.cli", "load", str(big_file), "--store", str(location),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    stop(child, signal.SIGKILL)
    if not location.exists():
        return  # killed before the store was created
    loaded = sizes(location).get("https://w3id.org/aikg/graph/industry", 0)
    assert loaded in (0, 200_000)


@pytest.mark.server
def test_server_keeps_what_is_written_over_http_across_restarts(tmp_path: Path) -> None:
    """``aikg serve --store DIR`` twice, with a SPARQL update over HTTP in the first run.

    Each run must also stop cleanly: RocksDB opened before gunicorn forks would leave its
    background threads behind in the parent and abort the worker at exit.
    """
    location, port, log = tmp_path / "store", free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "service.cli", "serve", "--token", "secret",
               "--store", str(location), "--port", str(port), "--threads", "2"]
    insert = f"INSERT DATA {{ GRAPH <{G}mine> {{ <{G}a> <{G}p> <{G}b> }} }}"

    def run_server(update: str | None = None) -> dict:
        server = start(command, base + "/healthz", log=log)
        try:
            if update:
                written = requests.post(base + "/sparql", data={"update": update}, timeout=30,
                                        headers={"Authorization": "Bearer secret"})
                assert written.status_code == 204, written.text
            health = requests.get(base + "/healthz", timeout=10).json()
            answer = requests.get(base + "/sparql", timeout=10, params={
                "query": f"ASK {{ <{G}a> <{G}p> <{G}b> }}"}).json()
        finally:
            stop(server)
        output = log.read_text(errors="replace")
        assert server.returncode == 0 and "SIGABRT" not in output, output
        assert "terminate called" not in output, output
        return {"triples": health["triples"], "written": answer["boolean"]}

    first = run_server(insert)
    assert first["written"] is True
    assert run_server() == first


@pytest.mark.server
def test_server_that_cannot_open_its_store_says_why_and_exits(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("not a store")
    server = python("-m", "service.cli", "serve", "--store", str(not_a_directory),
                    "--port", str(free_port()), stderr=subprocess.PIPE, text=True)
    _, errors = server.communicate(timeout=60)
    assert server.returncode != 0
    assert str(not_a_directory) in errors and "Traceback" not in errors, errors


@pytest.mark.parametrize("name", ["facts.nt.gz", "facts.nq.gz", "facts.ttl.gz", "facts.trig.gz"])
def test_load_reads_gzipped_files_of_every_streaming_syntax(cli, small_graph, tmp_path: Path,
                                                             name: str) -> None:
    syntax = rdf_syntax(name.split(".")[1])
    source = small_graph.backend.store.dump(format=syntax.oxigraph, **(
        {} if syntax.has_graphs else {"from_graph": NamedNode(SOURCE)}))
    (tmp_path / name).write_bytes(gzip.compress(source))
    result = cli("load", tmp_path / name, "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    del result
    gc.collect()
    graph = SOURCE if syntax.has_graphs else "https://w3id.org/aikg/graph/facts"
    assert sizes(tmp_path / "store")[graph] == SMALL_SIZES[SOURCE]


@pytest.mark.slow
def test_load_of_a_big_file_shows_progress_in_triples_per_second(cli, tmp_path: Path) -> None:
    path = generate(50_000, tmp_path / "big.nt")  # past the size that earns a progress bar
    result = cli("load", path, "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    assert re.search(r"big\.nt [\d,]+ triples/s", result.output), result.output
    assert "50,000 triples in" in result.output
