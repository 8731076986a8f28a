"""Servers for end-to-end tests, on 127.0.0.1: real ones (aikg, Oxigraph) started as child
processes and stopped by PID, and one SPARQL endpoint made by hand for what no real store does on
demand (hang, reset, demand credentials, count the requests it gets)."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def python(*args: str, **kwargs) -> subprocess.Popen:
    """A Python child process running in the project root, importing the project's packages."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, **kwargs)


def start(command: list[str], ready_url: str, *, log: Path, timeout: float = 30.0,
          preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen:
    """Start a server and return once ``ready_url`` answers (any status below 500).

    Its output is appended to ``log``, so the runs of a restarted server stay in one file;
    ``preexec_fn`` runs in the child before the server (to set a resource limit).
    """
    with log.open("ab") as out:
        # A session of its own, so that stop() ends the server's workers with it.
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)},
                                   start_new_session=True, preexec_fn=preexec_fn)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log.read_text(errors='replace')}")
        try:
            if requests.get(ready_url, timeout=1).status_code < 500:
                return process
        except requests.RequestException:  # not listening yet, or still opening its store
            pass
        time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"{command} did not answer at {ready_url}: {log.read_text()}")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a server started by :func:`start` and wait for it; whatever of its process group
    outlives it (a gunicorn worker stuck in its exit) is killed."""
    if process.poll() is None:
        os.kill(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def aikg_server(*options: str, log: Path, timeout: float = 60.0,
                preexec_fn: Callable[[], None] | None = None
                ) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``aikg serve`` with ``options`` on a free port until the block ends; yield its base
    URL and its process. See :func:`start` for ``log`` and ``preexec_fn``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start([sys.executable, "-m", "service.cli", "serve", "--port", str(port), *options],
                    url + "/healthz", log=log, timeout=timeout, preexec_fn=preexec_fn)
    try:
        yield url, process
    finally:
        stop(process)


@contextmanager
def oxigraph_server(directory: Path, *options: str) -> Iterator[str]:
    """Run ``oxigraph serve`` (the server from PyPI) on a free port; yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The server's own time limit stops queries a test gave up on, so they do not run on.
    server = start([str(VENV_BIN / "oxigraph"), "serve", "--location", str(directory / "db"),
                    "--bind", f"127.0.0.1:{port}", "--timeout-s", "5", *options],
                   base + "/query?query=ASK%7B%7D", log=directory / "oxigraph.log")
    try:
        yield base
    finally:
        stop(server)


# -- a SPARQL endpoint made by hand ---------------------------------------------------------------


def empty_answer(query: str) -> dict[str, Any]:
    """True to an ASK, no rows to anything else: an empty graph."""
    return ({"head": {}, "boolean": True} if query.lstrip().upper().startswith("ASK")
            else {"head": {"vars": []}, "results": {"bindings": []}})


class FakeEndpoint(ThreadingHTTPServer):
    """A SPARQL endpoint on 127.0.0.1 that answers GET and POST with ``answer(query)`` as SPARQL
    JSON results, and lists the paths it was sent in ``requests``.

    ``mode`` says how it answers: ``ok``, ``hang`` (reads the request and never answers, until
    the endpoint closes) or ``reset`` (drops the connection with RST). A request whose
    Authorization header fails ``check`` gets a 401 with the ``challenge`` header, if any.
    """

    daemon_threads = True

    def __init__(self, answer: Callable[[str], dict[str, Any]] = empty_answer) -> None:
        super().__init__(("127.0.0.1", 0), _FakeHandler)
        self.answer = answer
        self.mode = "ok"
        self.check: Callable[[str], bool] = lambda header: True
        self.challenge: str | None = None
        self.requests: list[str] = []
        self.released = threading.Event()  # set at the end, so hanging handlers return

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}/sparql"


class _FakeHandler(BaseHTTPRequestHandler):
    server: FakeEndpoint

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests.append(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode(errors="replace")
        if self.server.mode == "hang":
            self.server.released.wait()
            return
        if self.server.mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if not self.server.check(self.headers.get("Authorization", "")):
            self.send_response(401)
            if self.server.challenge:
                self.send_header("WWW-Authenticate", self.server.challenge)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        fields = {**parse_qs(urlsplit(self.path).query), **parse_qs(body)}
        answer = json.dumps(self.server.answer(fields.get("query", [""])[0])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def fake_endpoint(answer: Callable[[str], dict[str, Any]] = empty_answer
                  ) -> Iterator[FakeEndpoint]:
    """Run a :class:`FakeEndpoint` in a thread until the block ends."""
    server = FakeEndpoint(answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
