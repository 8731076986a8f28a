"""A real aikg server on 127.0.0.1 for end-to-end tests: ``aikg serve`` (gunicorn) in a
subprocess on a free port, stopped by its PID; and a raw HTTP client that sends paths as given."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.w3c_protocol import Reply

__all__ = ["Server", "serve"]

REPO = Path(__file__).resolve().parents[1]


class Server:
    """A running server: its base URL and a ``send`` that keeps the path exactly as given."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes | None
             ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()


@contextmanager
def serve(*options: str) -> Iterator[Server]:
    """Run ``aikg serve`` with ``options`` until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *options],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    server = Server(port)
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stderr.close()


def _wait_until_up(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"aikg serve exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if server.send("GET", "/healthz", {}, None).status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("aikg serve did not answer within 60 s")
