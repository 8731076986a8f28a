"""Several server processes over one graph, in memory or on disk: a write is seen by whichever
answers next.

Each request opens a new connection, so gunicorn hands it to whichever process accepts first;
many requests reach both processes.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from .servers import aikg_server

pytestmark = pytest.mark.server  # every test starts aikg serve

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://example.org/workers"
ASK = f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"


def _children(pid: int) -> set[int]:
    """The server's worker processes (its direct children)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _all_up(pid: int, count: int = 2) -> set[int]:
    """The server's worker processes, once ``count`` of them run (the first answers before the
    others have booted on a busy machine)."""
    deadline = time.monotonic() + 60
    while len(_children(pid)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    children = _children(pid)
    assert len(children) == count
    return children


@contextmanager
def _only(answering: int, *others: int) -> Iterator[None]:
    """Requests in the block are answered by process ``answering``: the ``others`` are stopped
    meanwhile (a few seconds, well within gunicorn's 30 s before it replaces a silent one)."""
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)


def _ask(url: str) -> requests.Response:
    """A cheap query on a connection of its own (no keep-alive: any process may answer)."""
    return requests.get(f"{url}/sparql", params={"query": "ASK {}"},
                        headers={"Connection": "close"}, timeout=60)


@pytest.fixture(params=["memory", "disk"])
def store(request, tmp_path) -> tuple[str, ...]:
    """The options of ``aikg serve`` for a graph in memory, or in a new on-disk store."""
    return () if request.param == "memory" else ("--store", str(tmp_path / "db"))


def _insert(url: str, n: int) -> None:
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:s{n}> <urn:p> {n} }} }}"
    answer = requests.post(f"{url}/sparql", data={"update": update}, headers=AUTH, timeout=60)
    assert answer.status_code == 204, answer.text


def _count(url: str) -> tuple[int, int]:
    """The triples of GRAPH and the graph version, as one process answers them."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    with requests.Session() as fresh:  # a connection of its own
        answer = fresh.get(f"{url}/sparql", params={"query": query},
                           headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"]), answer.headers["ETag"]


def test_every_process_answers_with_the_last_acknowledged_write(tmp_path, store):
    with aikg_server(*store, "--workers", "2", "--token", TOKEN, "--threads", "4",
                     log=tmp_path / "serve.log") as (url, server):
        _all_up(server.pid)
        for n in range(1, 7):
            _insert(url, n)
            answers = {_count(url) for _ in range(6)}
            assert len(answers) == 1, answers  # the same count and ETag from each process
            assert next(iter(answers))[0] == n


def test_a_process_that_replaces_a_killed_one_has_every_write(tmp_path, store):
    with aikg_server(*store, "--workers", "2", "--token", TOKEN, "--threads", "4",
                     log=tmp_path / "serve.log") as (url, server):
        for n in range(1, 4):
            _insert(url, n)
        before = _all_up(server.pid)
        os.kill(min(before), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while len(_children(server.pid) - before) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _children(server.pid) - before, "gunicorn did not replace the killed process"
        assert {_count(url)[0] for _ in range(8)} == {3}
        _insert(url, 4)
        assert {_count(url)[0] for _ in range(8)} == {4}


def test_a_refused_write_reaches_no_process(tmp_path, store):
    with aikg_server(*store, "--workers", "2", "--token", TOKEN,
                     log=tmp_path / "serve.log") as (url, _):
        _insert(url, 1)
        broken = requests.post(f"{url}/sparql", data={"update": "INSERT DATA { <urn:a> }"},
                               headers=AUTH, timeout=60)
        assert broken.status_code == 400
        assert {_count(url)[0] for _ in range(6)} == {1}
        assert requests.get(f"{url}/sparql", params={"query": ASK}, timeout=60).ok


def test_metrics_count_the_requests_of_every_process(tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    with aikg_server("--workers", "2", log=tmp_path / "serve.log") as (url, server):
        _all_up(server.pid)
        for _ in range(12):
            _count(url)
        for _ in range(4):  # whichever process answers /metrics
            with requests.Session() as fresh:
                text = fresh.get(f"{url}/metrics", timeout=60).text
            counted = sum(s.value for family in text_string_to_metric_families(text)
                          if family.name == "aikg_requests"
                          for s in family.samples
                          if s.name == "aikg_requests_total" and s.labels["route"] == "/sparql")
            assert counted == 12, text


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_server_started_while_a_dying_process_holds_the_store_waits_for_it(tmp_path, workers):
    from .servers import python

    store = tmp_path / "db"
    holder = python("-c", "import sys, time, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
                    "print('held', flush=True); time.sleep(4)", str(store), stdout=-1)
    try:
        assert holder.stdout.readline().strip() == b"held"
        with aikg_server("--store", str(store), "--workers", workers,
                         log=tmp_path / "serve.log") as (url, _):
            assert requests.get(f"{url}/healthz", timeout=60).json()["status"] == "ok"
        assert "Worker failed to boot" not in (tmp_path / "serve.log").read_text()
    finally:
        holder.kill()
        holder.wait()


def test_an_upload_streamed_to_one_process_is_in_every_process(tmp_path, store):
    body = "".join(f'<urn:s{n}> <urn:p> "{n}" .\n' for n in range(500)).encode()
    with aikg_server(*store, "--workers", "2", "--token", TOKEN,
                     log=tmp_path / "serve.log") as (url, s):
        _all_up(s.pid)
        stored = requests.post(f"{url}/store", params={"graph": GRAPH}, data=body,
                               headers={**AUTH, "Content-Type": "application/n-triples"},
                               timeout=60)
        assert stored.status_code in (200, 201, 204), stored.text
        assert {_count(url)[0] for _ in range(8)} == {500}


def test_a_client_has_one_rate_bucket_whichever_process_answers(tmp_path):
    with aikg_server("--workers", "2", "--threads", "4", "--rate-limit", "0.01",
                     "--rate-burst", "3", log=tmp_path / "serve.log") as (url, server):
        first, second = sorted(_all_up(server.pid))
        with _only(first, second):
            assert [_ask(url).status_code for _ in range(3)] == [200, 200, 200]
        with _only(second, first):  # its own bucket would be full: the bucket is the client's
            refused = _ask(url)
            assert refused.status_code == 429, refused.text
            assert 1 <= int(refused.headers["Retry-After"]) <= math.ceil(1 / 0.01)
            assert {requests.get(f"{url}/healthz", timeout=60).status_code
                    for _ in range(5)} == {200}  # probes are never limited

        os.kill(second, signal.SIGKILL)  # its replacement finds the bucket as it was
        deadline = time.monotonic() + 60
        while _children(server.pid) == {first} | {second} and time.monotonic() < deadline:
            time.sleep(0.2)
        replacement = max(_all_up(server.pid) - {first})
        with _only(replacement, first):
            assert _ask(url).status_code == 429


def test_past_the_burst_several_processes_together_answer_at_the_rate(tmp_path):
    rate, burst = 2.0, 5
    with aikg_server("--workers", "2", "--threads", "4", "--rate-limit", str(rate),
                     "--rate-burst", str(burst), log=tmp_path / "serve.log") as (url, server):
        _all_up(server.pid)
        statuses = []
        started = time.monotonic()
        while time.monotonic() - started < 3:
            statuses.append(_ask(url).status_code)
        seconds = time.monotonic() - started
        allowed = statuses.count(200)
        assert set(statuses) <= {200, 429}
        assert allowed >= min(burst, len(statuses))
        # one bucket: burst + rate * t (not that per process), with a token of slack
        assert allowed <= burst + rate * seconds + 1, (allowed, len(statuses), seconds)


def test_every_process_walks_the_relationships_of_the_last_write(tmp_path):
    kg, aikg = "https://w3id.org/aikg/id/", "https://w3id.org/aikg/ontology#"
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{kg}baidu> <{aikg}partnerOf> <{kg}openai> }} }}"

    def partners(url: str) -> set[str]:
        answer = requests.get(f"{url}/api/entities/baidu/neighbors",
                              params={"relation": "partnerOf", "direction": "out"},
                              headers={"Connection": "close"}, timeout=60)
        assert answer.status_code == 200, answer.text
        return {n["node"]["id"] for n in answer.json()["data"]}

    with aikg_server("--workers", "2", "--token", TOKEN, "--threads", "4",
                     log=tmp_path / "serve.log") as (url, server):
        first, second = sorted(_all_up(server.pid))
        for answering, other in ((first, second), (second, first)):
            with _only(answering, other):
                assert "openai" not in partners(url)
        with _only(first, second):
            written = requests.post(f"{url}/sparql", data={"update": update}, headers=AUTH,
                                    timeout=60)
            assert written.status_code == 204, written.text
        for answering, other in ((first, second), (second, first)):
            with _only(answering, other):
                assert "openai" in partners(url)


def test_a_process_answers_no_cached_answer_after_another_process_wrote(tmp_path):
    with aikg_server("--workers", "2", "--token", TOKEN, "--threads", "4",
                     log=tmp_path / "serve.log") as (url, server):
        first, second = sorted(_all_up(server.pid))
        with _only(first, second):
            before = _count(url)
            assert _count(url) == before  # answered again from its cache, same ETag
        with _only(second, first):
            _insert(url, 1)
        with _only(first, second):
            after = _count(url)
        assert after[0] == before[0] + 1 and after[1] != before[1]

def test_every_process_walks_a_graph_loaded_at_start(tmp_path):
    from bench.generate import generate

    # Big enough that its walking arrays were still being made by a thread when gunicorn
    # forked: each process then inherited their lock, held, and every circle waited for ever.
    data = generate(100_000, tmp_path / "industry.nt")
    with aikg_server("--workers", "2", "--threads", "4", "--data", str(data),
                     log=tmp_path / "serve.log", timeout=180) as (url, server):
        first, second = sorted(_all_up(server.pid))
        for answering, other in ((first, second), (second, first)):
            with _only(answering, other):
                circle = requests.get(f"{url}/api/entities/company-1/circle",
                                      headers={"Connection": "close"}, timeout=25)
                assert circle.status_code == 200, circle.text
                assert circle.json()["data"]["size"] > 0


# -- an on-disk store: one writer at a time, every process reading the last published checkpoint

PARTNER = """PREFIX aikg: <https://w3id.org/aikg/ontology#> PREFIX kg: <https://w3id.org/aikg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <https://example.org/partners> {{
  kg:partner-{n} a aikg:Company ; rdfs:label "Partner {n}"@en .
  kg:baidu aikg:partnerOf kg:partner-{n}
}} }}"""


def _fresh_get(url: str, path: str) -> requests.Response:
    with requests.Session() as fresh:  # a connection of its own: any process may answer
        answer = fresh.get(url + path, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer


def test_on_disk_every_process_shows_a_write_in_circles_and_etags_at_once(tmp_path):
    with aikg_server("--store", str(tmp_path / "db"), "--workers", "2", "--token", TOKEN,
                     log=tmp_path / "serve.log") as (url, server):
        _all_up(server.pid)
        path = "/api/entities/baidu/circle"
        first = _fresh_get(url, path).json()["data"]["composition"]["distances"]["1"]
        for n in range(1, 16):
            written = requests.post(f"{url}/sparql", data={"update": PARTNER.format(n=n)},
                                    headers=AUTH, timeout=60)
            assert written.status_code == 204, written.text
            answers = [_fresh_get(url, path) for _ in range(6)]
            assert {a.json()["data"]["composition"]["distances"]["1"] for a in answers} == {
                first + n}
            assert len({a.headers["ETag"] for a in answers}) == 1  # one version everywhere
            assert {_fresh_get(url, "/healthz").json()["version"] for _ in range(4)} == {
                int(answers[0].headers["ETag"].split("-")[0].removeprefix('W/"v'))}


def test_on_disk_no_reader_sees_part_of_a_write(tmp_path):
    size = 3000
    triples = " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(size))
    insert = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}"
    with aikg_server("--store", str(tmp_path / "db"), "--workers", "2", "--token", TOKEN,
                     log=tmp_path / "serve.log") as (url, server):
        _all_up(server.pid)
        seen: list[int] = []
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                seen.append(_count(url)[0])

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            for _ in range(4):
                for update in (insert, f"CLEAR GRAPH <{GRAPH}>"):
                    answer = requests.post(f"{url}/sparql", data={"update": update},
                                           headers=AUTH, timeout=120)
                    assert answer.status_code == 204, answer.text
        finally:
            done.set()
            for reader in readers:
                reader.join()
        # both states, read while the writes went on, and nothing in between
        assert set(seen) == {0, size}, sorted(set(seen))


def test_on_disk_a_write_acknowledged_before_its_process_is_killed_stays(tmp_path):
    with aikg_server("--store", str(tmp_path / "db"), "--workers", "2", "--token", TOKEN,
                     log=tmp_path / "serve.log") as (url, server):
        for n in range(1, 4):
            before = _all_up(server.pid)
            _insert(url, n)
            for pid in before:  # whichever answered, and the other
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while len(_children(server.pid) - before) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert {_count(url)[0] for _ in range(6)} == {n}


def test_on_disk_a_server_killed_whole_restarts_with_every_acknowledged_write(tmp_path):
    store, log = tmp_path / "db", tmp_path / "serve.log"
    with aikg_server("--store", str(store), "--workers", "2", "--token", TOKEN,
                     log=log) as (url, server):
        _all_up(server.pid)
        for n in range(1, 6):
            _insert(url, n)
        os.killpg(server.pid, signal.SIGKILL)  # the master and its processes, at once
        server.wait()
    with aikg_server("--store", str(store), "--workers", "2", "--token", TOKEN,
                     log=log) as (url, server):
        _all_up(server.pid)
        assert {_count(url)[0] for _ in range(6)} == {5}
        _insert(url, 6)
        assert {_count(url)[0] for _ in range(6)} == {6}
        # the killed server's run directory was removed; only this one's is left
        assert len(list(tmp_path.glob(".db.serving-*"))) == 1
    assert "Worker failed to boot" not in log.read_text()


def test_on_disk_a_second_server_or_a_load_on_a_served_store_is_refused(tmp_path):
    from .servers import python

    store, data = tmp_path / "db", tmp_path / "more.nt"
    data.write_text("<urn:a> <urn:p> <urn:b> .\n")
    with aikg_server("--store", str(store), "--workers", "2", log=tmp_path / "serve.log"):
        for command in (["serve", "--store", str(store), "--port", "1", "--workers", "1"],
                        ["serve", "--store", str(store), "--port", "1", "--workers", "2"],
                        ["load", str(data), "--store", str(store)]):
            run = python("-m", "service.cli", *command, stderr=-1, stdout=-1)
            _, err = run.communicate(timeout=60)
            assert run.returncode != 0
            assert b"is being served by aikg serve" in err, err


def test_on_disk_files_given_at_start_are_loaded_once_for_every_process(tmp_path):
    data = tmp_path / "blank.nt"  # blank nodes: a second load would add 3 more statements
    data.write_text("".join(f'_:b{n} <urn:p> "{n}" .\n' for n in range(3)))
    with aikg_server("--store", str(tmp_path / "db"), "--workers", "2", "--data", str(data),
                     log=tmp_path / "serve.log") as (url, server):
        _all_up(server.pid)
        query = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <urn:p> ?o } }")
        counts = {_fresh_get(url, "/sparql?query=" + quote(query)).text for _ in range(6)}
        assert len(counts) == 1 and '"3"' in counts.pop()


def test_a_process_that_kept_answers_shows_a_write_another_made_to_what_they_read(tmp_path,
                                                                                store):
    """Each process keeps answers across writes that cannot change them (the shared log or the
    checkpoints tell it what each write changed); one that touches what they read replaces
    them, whichever process wrote."""
    kg = "https://w3id.org/aikg/id/"
    query = f"SELECT ?l WHERE {{ <{kg}baidu> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"

    def names(url: str) -> tuple[set[str], set[str]]:
        with requests.Session() as fresh:  # a connection of its own
            found = fresh.get(f"{url}/sparql", params={"query": query},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
            details = fresh.get(f"{url}/api/entities/baidu", timeout=60)
        assert found.status_code == 200 and details.status_code == 200
        return ({b["l"]["value"] for b in found.json()["results"]["bindings"]},
                set(details.json()["data"]["labels"]["en"]))

    renamed = (f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{kg}baidu> '
               f'<http://www.w3.org/2000/01/rdf-schema#label> "Baidu Two"@en }} }}')
    with aikg_server(*store, "--workers", "2", "--token", TOKEN, "--threads", "4",
                     log=tmp_path / "serve.log") as (url, server):
        first, second = sorted(_all_up(server.pid))
        with _only(first, second):
            before = names(url)
        with _only(second, first):
            _insert(url, 1)  # elsewhere: nothing either answer reads
        with _only(first, second):
            assert names(url) == before
        with _only(second, first):
            written = requests.post(f"{url}/sparql", data={"update": renamed}, headers=AUTH,
                                    timeout=60)
            assert written.status_code == 204, written.text
        with _only(first, second):
            after = names(url)
        assert "Baidu Two" in after[0] and "Baidu Two" in after[1]
        assert after[0] - {"Baidu Two"} == before[0]
