"""Observability: a JSON request log, a SPARQL query log, metrics and Server-Timing.

:func:`init_app` hooks every request; views stay unaware of it, except that the code running a
user's SPARQL wraps it in :func:`timed_query` (or reports it with :func:`note_query`) and a view
may report the rows it answered with :func:`note_rows`. Two loggers write one JSON object per line:

- ``aikg.request``: time, method, route (the URL rule, not the raw path), path, status,
  duration_ms, rows, query_hash, bytes and client, for every request;
- ``aikg.query``: time, kind, query_hash, duration_ms, rows, truncated, timed_out, error, route,
  client and the query text (cut at :data:`QUERY_TEXT_CHARS`), for every query or update.

``query_hash`` is the first 16 hex digits of the text's SHA-256: it ties a request to its query.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from graph import QueryTimeout

from .metrics import CONTENT_TYPE, Metrics
from .state import get_graph

__all__ = [
    "QUERY_TEXT_CHARS",
    "QueryRecord",
    "bp",
    "configure_logging",
    "get_metrics",
    "init_app",
    "is_probe",
    "note_query",
    "note_rows",
    "probe",
    "query_hash",
    "timed_query",
]

request_log = logging.getLogger("aikg.request")
query_log = logging.getLogger("aikg.query")

#: Characters of a query's text kept in the query log; the hash names the whole text.
QUERY_TEXT_CHARS = 2000
#: Characters of an error's message kept in the request log of a 4xx or 5xx answer.
ERROR_CHARS = 500

#: Methods counted under their own name in the metrics; any other is counted as OTHER.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})

bp = Blueprint("observe", __name__)

_PROBE_KEY = "aikg.probe"  # where is_probe keeps its answer, in the request's WSGI environ


@dataclass
class _Stats:
    """What one request did, kept in ``g`` from its first hook to its last."""

    started: float
    rows: int | None = None
    query_hash: str | None = None
    query_seconds: float = 0.0
    queries: int = 0
    active: bool = True


def init_app(app: Flask) -> None:
    """Hook the request log, metrics and Server-Timing into ``app``; call it before other hooks.

    Its after-request hook is registered first so that it runs last and sees the final response
    (Flask runs after-request hooks in reverse order). With ``TRUSTED_PROXIES`` = n > 0, the
    client address, scheme, host and prefix are read from the ``X-Forwarded-*`` headers set by
    the n proxies in front (werkzeug's ProxyFix); with 0 those headers are ignored.
    """
    # aikg serve names a directory there when it runs several processes (prometheus_client's
    # multiprocess mode): their metrics are then summed.
    shared = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    app.extensions["aikg.metrics"] = Metrics(shared=bool(shared))
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        # Flask's documented way to wrap its WSGI app; its types call wsgi_app a method
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops, x_prefix=hops)
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_teardown)


def get_metrics() -> Metrics:
    """The metrics registry of the current app."""
    return current_app.extensions["aikg.metrics"]


def probe(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as a probe for machines (health, metrics): never rate-limited nor cached."""
    view.aikg_probe = True  # type: ignore[attr-defined]
    return view


def is_probe() -> bool:
    """Whether the current request is routed to a view marked with :func:`probe` (read once per
    request: several hooks ask)."""
    environ = request.environ
    found: bool | None = environ.get(_PROBE_KEY)
    if found is None:
        view = current_app.view_functions.get(request.endpoint or "")
        found = environ[_PROBE_KEY] = bool(getattr(view, "aikg_probe", False))
    return found


@bp.get("/metrics")
@probe
def metrics() -> Response:
    """The service's metrics in the Prometheus text format."""
    kg = get_graph()
    return Response(get_metrics().render(triples=len(kg), version=kg.version),
                    content_type=CONTENT_TYPE)


# -- what views and the query runner report ---------------------------------------------------


def query_hash(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of a query's text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def note_rows(rows: int) -> None:
    """Report the number of rows (results, entities, triples) the current request answers with."""
    if has_request_context() and (stats := g.get("aikg_stats")) is not None:
        stats.rows = rows


def note_query(text: str, *, seconds: float, kind: str = "query", rows: int | None = None,
               truncated: bool = False, timed_out: bool = False,
               error: str | None = None) -> None:
    """Log one SPARQL query or update that ran, count it, and add it to the current request.

    Call it once per query, after it ran, with how long it took; :func:`timed_query` does the
    timing and calls it for you. ``error`` names the exception of a query that failed.
    """
    digest = query_hash(text)
    outcome = ("timeout" if timed_out else "error" if error else
               "truncated" if truncated else "ok")
    record: dict[str, Any] = {"time": _now(), "log": "query", "kind": kind, "query_hash": digest,
                              "duration_ms": round(seconds * 1000, 3), "rows": rows,
                              "truncated": truncated, "timed_out": timed_out, "error": error}
    if has_request_context():
        current = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
        record.update(route=current.url_rule.rule if current.url_rule is not None else None,
                      client=current.remote_addr)
        if (stats := g.get("aikg_stats")) is not None:
            stats.queries += 1
            stats.query_seconds += seconds
            stats.query_hash = stats.query_hash or digest
            if rows is not None:
                stats.rows = (stats.rows or 0) + rows
        get_metrics().query_answered(outcome, seconds)
    if query_log.isEnabledFor(logging.INFO):
        record["query"] = text[:QUERY_TEXT_CHARS]
        _info(query_log, _json(record))


@dataclass
class QueryRecord:
    """What the code running a query tells :func:`timed_query` about its result."""

    rows: int | None = None
    truncated: bool = False


@contextmanager
def timed_query(text: str, *, kind: str = "query") -> Iterator[QueryRecord]:
    """Time a SPARQL query or update, count it as running, and log it with :func:`note_query`.

    ::

        with timed_query(text) as q:
            result = kg.query(text, timeout=..., max_rows=...)
            q.rows, q.truncated = len(result), result.truncated

    A :class:`~graph.QueryTimeout` raised inside is logged as timed out, any other exception as
    an error (by its class name); the exception goes on to the error handlers.
    """
    record = QueryRecord()
    metrics = get_metrics() if has_request_context() else None
    if metrics is not None:
        metrics.query_started()
    failure: BaseException | None = None
    started = time.perf_counter()
    try:
        yield record
    except BaseException as error:  # noted, then raised again
        failure = error
        raise
    finally:
        seconds = time.perf_counter() - started
        if metrics is not None:
            metrics.query_ended()
        timed_out = isinstance(failure, QueryTimeout)
        note_query(text, seconds=seconds, kind=kind, rows=record.rows,
                   truncated=record.truncated, timed_out=timed_out,
                   error=type(failure).__name__ if failure is not None and not timed_out
                   else None)


def configure_logging(stream: Any = None, level: int = logging.INFO) -> None:
    """Send the ``aikg`` loggers' lines, unadorned (they are JSON already), to ``stream``.

    For the process that serves (``aikg serve`` calls it), logging also stops noting each
    record's thread and multiprocessing names, which no line here writes: the logging HOWTO's
    "Optimization" section names these switches (two lines per request paid for them).
    """
    logging.logThreads = False
    logging.logMultiprocessing = False
    stream = stream or sys.stderr
    try:
        handler: logging.Handler = _LineHandler(stream)
    except (AttributeError, OSError, ValueError):  # io.StringIO and the like: no descriptor
        handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("aikg")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


class _LineHandler(logging.Handler):
    """Each record as one line, written with one ``write(2)`` to a file descriptor, and no lock.

    ``StreamHandler`` holds a lock while it writes, and the write lets go of the GIL: every
    other request thread that logs meanwhile queues on that lock, then for the GIL, behind the
    writer. With 16 request threads, a write of the graph spent three quarters of its time
    there (issue 17). The kernel keeps the lines of one write whole: on a file always, on a
    pipe up to ``PIPE_BUF`` bytes (4 KiB). A longer line (only a query line of a long query)
    may be cut on a pipe by another thread's or process's line, which the lock only prevented
    between the threads of one process.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.fd = stream.fileno()
        self.stream = stream  # held: a stream that goes closes its descriptor
        stream.flush()  # what was written to it before comes first

    def createLock(self) -> None:  # noqa: N802  # logging's name
        self.lock = None  # Handler.acquire and release do nothing without one

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = memoryview((self.format(record) + "\n").encode("utf-8", "replace"))
            while line:  # a pipe may take part of it (a signal, a full buffer)
                line = line[os.write(self.fd, line):]
        except Exception:  # logging's rule: a failed record never fails the caller
            self.handleError(record)


# -- the hooks ---------------------------------------------------------------------------------


def _start() -> None:
    g.aikg_stats = _Stats(started=time.perf_counter())
    get_metrics().request_started()


def _finish(response: Response) -> Response:
    stats = g.get("aikg_stats")
    if stats is None:  # a hook registered before ours failed; nothing was started
        return response
    seconds = time.perf_counter() - stats.started
    timing = f"total;dur={seconds * 1000:.1f}"
    if stats.queries:
        timing += (f', query;dur={stats.query_seconds * 1000:.1f};desc="{stats.queries} '
                   f'quer{"y" if stats.queries == 1 else "ies"}"')
    headers = response.headers
    headers.add("Server-Timing", timing)  # add, not set: only this hook writes it
    if is_probe():
        headers.setdefault("Cache-Control", "no-store")
    # one proxy lookup for the reads below (Flask types the proxy as the Request it stands for)
    current = request._get_current_object()  # type: ignore[attr-defined]
    route = current.url_rule.rule if current.url_rule is not None else None
    method = current.method
    get_metrics().request_answered(route or "unmatched", method if method in METHODS else "OTHER",
                                   response.status_code, seconds)
    if request_log.isEnabledFor(logging.INFO):
        _info(request_log, _json({
            "time": _now(), "log": "request", "method": method[:16], "route": route,
            "path": current.path[:256], "status": response.status_code,
            "duration_ms": round(seconds * 1000, 3), "rows": stats.rows,
            "query_hash": stats.query_hash, "bytes": response.content_length,
            "client": current.remote_addr,
            **({"error": g.get("aikg_error", "")[:ERROR_CHARS]}
               if response.status_code >= 400 else {}),
        }))
    return response


def _teardown(_error: BaseException | None) -> None:
    stats = g.get("aikg_stats")
    if stats is not None and stats.active:
        stats.active = False
        get_metrics().request_ended()


def _now() -> str:
    """The time in UTC, ISO 8601 to the millisecond: ``2025-01-31T12:00:00.123Z``."""
    now = time.time()
    second = int(now)
    return f"{_utc_second(second)}.{int((now - second) * 1000):03d}Z"


@lru_cache(maxsize=4)
def _utc_second(second: int) -> str:
    """The date and time of a second since the epoch (requests come many a second: cached)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)  # json.dumps makes one per call


def _json(record: dict[str, Any]) -> str:
    return _ENCODER.encode(record)


def _info(logger: logging.Logger, line: str) -> None:
    """``logger.info(line)`` without the search for the caller's file and line that logging
    makes for every record: these lines name their source themselves, and the search costs a
    cheap request as much as the line."""
    logger.handle(logger.makeRecord(logger.name, logging.INFO, "(aikg)", 0, line, (), None))
