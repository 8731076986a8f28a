"""``aikg serve --server granian``: the graph over HTTP with granian, a Rust HTTP server.

granian reads each request's head in Rust (no Python thread waits for it) and calls the WSGI
app in one of its blocking threads once the head is here; the body is then read by that thread
through ``wsgi.input``, whose reads block for as long as the client takes (granian 2.8,
``src/wsgi/types.rs``). So the app reads it through :class:`PacedInput`, which holds a client
to the pace of :mod:`service.cli.worker` (the head within ``HEAD_SECONDS``, the body at
``MIN_RATE``) and answers 408 past it.

Its processes are forked (multiprocessing's ``fork``) after the parent built the app, as
gunicorn's are: an in-memory graph is loaded once and its pages shared. Each process runs
:func:`_worker_app` before its Rust threads start: it forbids the network there (over a local
store) and forgets the metrics gauges of processes that died, which gunicorn did in its
``post_fork`` and ``child_exit`` hooks.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from werkzeug.exceptions import RequestTimeout

from .worker import HEAD_SECONDS, MIN_RATE

__all__ = ["PacedInput", "granian_server"]

#: Seconds a process may take to finish its requests once told to stop (gunicorn's
#: graceful_timeout); then it is killed.
STOP_SECONDS = 30


def granian_server(host: str, port: int, workers: int, threads: int, *, remote: bool,
                   shared_metrics: bool, make_app: Callable[[], Any]):
    """The granian server serving what ``make_app`` returns in each process (the app built in
    the parent, or one built there for an on-disk store); ``.run()`` serves until SIGTERM."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.net import SocketSpec
    from granian.server import MPServer

    class Server(MPServer):
        def _init_shared_socket(self) -> None:
            """One listening socket, made here and inherited by every process, as gunicorn
            does. On Linux granian would have each process open its own (SO_REUSEPORT): the
            process could not forbid itself the network before, and the connections queued
            at a killed one would be reset."""
            self._ssp = None
            self._shd = SocketSpec(self.bind_addr, self.bind_port, self.backlog).build()
            self._sfd = self._shd.get_fd()
            self._sso = socket.socket(fileno=self._sfd)

        def run(self) -> None:
            self.serve(target_loader=lambda: _worker_app(make_app, remote, shared_metrics),
                       wrap_loader=False)

    return Server(
        "aikg", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
        blocking_threads=threads, http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(HEAD_SECONDS * 1000)),
        log_level=LogLevels.info, respawn_failed_workers=True,
        workers_kill_timeout=STOP_SECONDS)


def _worker_app(make_app: Callable[[], Any], remote: bool, shared_metrics: bool):
    """The app of a new server process, called in it before it serves."""
    if not remote:
        from graph.store import sandbox

        if not sandbox.forbid_network():
            click.echo("aikg: no seccomp filter here: only the SPARQL check refuses SERVICE, "
                       "LOAD", err=True)
    if shared_metrics:
        _forget_dead_processes(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
    try:
        app = make_app()
    except click.ClickException as error:
        error.show()
        os._exit(3)  # noqa: SLF001 (a forked process leaves without its parent's cleanup)
    app.wsgi_app = _paced(app.wsgi_app)
    return app


def _forget_dead_processes(directory: Path) -> None:
    """A dead process no longer counts in the gauges of what runs now."""
    from prometheus_client import multiprocess

    for pid in {int(m[1]) for f in directory.glob("gauge_live*.db")
                if (m := re.search(r"_(\d+)\.db$", f.name))}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(directory))


def _paced(wsgi_app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.input"] = PacedInput(environ["wsgi.input"])
        return wsgi_app(environ, start_response)
    return app


class PacedInput:
    """granian's ``wsgi.input``, read at :data:`MIN_RATE` at least after :data:`HEAD_SECONDS`
    of grace, else :class:`RequestTimeout` (408).

    granian's reads cannot be given a time limit, so each runs in a helper thread that the
    request thread waits for. One that times out is left to end with the connection (granian
    drops it once the answer is sent without the body read).
    """

    def __init__(self, inner: Any) -> None:
        self.inner, self.received, self.started = inner, 0, time.monotonic()

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(1024 * 1024), b""))
        data = self._within_pace(self.inner.read, size)
        self.received += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        line = self._within_pace(self.inner.readline)
        self.received += len(line)
        return line

    def __iter__(self):
        return iter(self.readline, b"")

    def _within_pace(self, read: Callable[..., bytes], *args: int) -> bytes:
        remaining = self.started + HEAD_SECONDS + self.received / MIN_RATE - time.monotonic()
        if remaining <= 0:
            raise RequestTimeout("the request body arrived too slowly; send it faster")
        result: list[bytes | BaseException] = []

        def run() -> None:
            try:
                result.append(read(*args))
            except BaseException as error:  # handed to the request thread  # noqa: BLE001
                result.append(error)

        reader = threading.Thread(target=run, daemon=True, name="aikg-body-read")
        reader.start()
        reader.join(remaining)
        if not result:
            raise RequestTimeout("the request body arrived too slowly; send it faster")
        if isinstance(result[0], BaseException):
            raise result[0]
        return result[0]
