"""``aikg serve`` for the benchmarks: on a free port of 127.0.0.1, stopped with its workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

__all__ = ["AikgServer"]


class AikgServer:
    """``with AikgServer(store, "--threads", "4") as base:`` yields the server's base URL.
    With ``log``, the server's stderr is appended to that file; with ``code``, the aikg of
    another checkout runs (``python -m service.cli`` in that directory).

    The server runs in a session of its own, so that stopping it also stops its gunicorn worker
    and query workers.
    """

    def __init__(self, store: Path | str, *options: str, log: Path | None = None,
                 code: Path | None = None) -> None:
        self.log = log  # where the server's stderr (its JSON request and query log) goes
        self.code = code  # the checkout whose aikg runs (default: this one)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.command = [sys.executable, "-m", "service.cli", "serve", "--store", str(store),
                        "--port", str(self.port), *options]

    def __enter__(self) -> str:
        with self.log.open("ab") if self.log else open(os.devnull, "wb") as sink:
            self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL,
                                            stderr=sink, start_new_session=True,
                                            cwd=self.code)
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=30).ok:
                    return base
            except (requests.ConnectionError, requests.Timeout):  # not up, or still building
                time.sleep(0.5)
        self.__exit__()
        raise SystemExit("the server did not start")

    def __exit__(self, *_: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
