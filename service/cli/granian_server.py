"""``aikg serve --server granian``: the graph over HTTP with granian, a Rust HTTP server.

Kept to measure granian against gunicorn on aikg itself (``bench.sparql_http --aikg 2x8g``),
not to serve in public: granian reads a request's head in Rust but calls the WSGI app, in one
of its ``--threads`` blocking threads, before the body has arrived, and ``wsgi.input`` reads
then wait for the client without a time limit (granian 2.8, ``src/wsgi/types.rs``). So a client
that sends part of a body holds a request thread for as long as it likes, the attack that
:mod:`service.cli.worker` stops under gunicorn. docs/decisions.md ("The HTTP server") has the
measurements and what was tried.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .worker import HEAD_SECONDS

__all__ = ["granian_server"]

#: Seconds a process may take to finish its requests once told to stop (gunicorn's
#: graceful_timeout); then it is killed.
STOP_SECONDS = 30


def granian_server(bind: str, workers: int, threads: int, *, remote: bool,
                   shared_metrics: bool, make_app: Callable[[], Any]):
    """The granian server on ``bind`` (HOST:PORT) serving what ``make_app`` returns in each
    process (the app built in the parent, or one built there for an on-disk store); ``.run()``
    serves until SIGTERM. The arguments are those of ``serving._server`` (gunicorn)."""
    try:
        from granian.constants import HTTPModes, Interfaces
        from granian.http import HTTP1Settings
        from granian.log import LogLevels
        from granian.net import SocketSpec
        from granian.server import MPServer
    except ImportError:
        raise click.ClickException("granian is not installed: pip install 'granian>=2.8,<2.9'"
                                   ) from None

    class Server(MPServer):
        def _init_shared_socket(self) -> None:
            """One listening socket, made here and inherited by every process, as gunicorn
            does. On Linux granian would have each process open its own (SO_REUSEPORT): the
            process could not forbid itself the network before, and the connections queued
            at a killed one would be reset."""
            shared = SocketSpec(self.bind_addr, self.bind_port, self.backlog).build()
            # granian types _shd by its first value, None
            self._ssp, self._shd, self._sfd = None, shared, shared.get_fd()  # type: ignore[assignment]
            self._sso = socket.socket(fileno=self._sfd)

        def run(self) -> None:
            self.serve(target_loader=lambda: _worker_app(make_app, remote, shared_metrics),
                       wrap_loader=False)

    host, _, port = bind.rpartition(":")
    return Server(
        "aikg", address=host, port=int(port), interface=Interfaces.WSGI, workers=workers,
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
        return make_app()
    except click.ClickException as error:
        error.show()
        os._exit(3)  # a forked process leaves without its parent's clean-up


def _forget_dead_processes(directory: Path) -> None:
    """A dead process no longer counts in the gauges of what runs now."""
    from prometheus_client import multiprocess

    for pid in {int(m[1]) for f in directory.glob("gauge_live*.db")
                if (m := re.search(r"_(\d+)\.db$", f.name))}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(directory))
