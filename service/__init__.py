"""The aikg web service: a thin HTTP layer over :mod:`graph`. ``create_app`` builds it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from graph import open_graph
from graph.network import Network
from graph.network.remote_walks import RemoteNetwork
from graph.store import KnowledgeGraph, is_remote
from graph.store.executor import Executor
from graph.store.sharedlog import Shared, SharedLog, SharedWrites
from graph.store.snapshots import Snapshots

from . import (
    api,
    conditional,
    export,
    history,
    importer,
    inputs,
    limits,
    observe,
    openapi,
    ops,
    pages,
    reconcile,
    sparql,
    store,
)
from .cors import init_cors
from .errors import register_error_handlers

__all__ = ["DEFAULTS", "create_app"]

#: Settings and their defaults; ``aikg serve`` and the tests pass their own over these.
DEFAULTS: dict[str, Any] = {
    "STORE": "memory",  # memory, a directory, or a SPARQL query endpoint URL
    "STORE_UPDATE_URL": None,  # a remote store's update endpoint; None: read-only
    "STORE_AUTH": None,  # a remote store's credentials: "user:password" or "Bearer TOKEN"
    "BUNDLED": True,  # load the files of ontology/ into an empty local store at start
    "TOKEN": None,  # bearer token that enables writes; None: read-only
    "QUERY_TIMEOUT": 30.0,  # seconds per query
    "MAX_ROWS": 10_000,  # rows per query result before it is cut
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,  # bytes per request body
    "STORE_MAX_UPLOAD": 1024 ** 3,  # bytes per Graph Store write (/store), spooled to disk
    "RATE_LIMIT": None,  # requests per second per client; None: no limit
    "RATE_BURST": 20,  # requests a client may send at once before RATE_LIMIT applies
    "RATE_BUCKETS": None,  # a file the server processes share the rate buckets in; None: memory
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* headers to believe
    "QUERY_WORKERS": 4,  # processes that evaluate queries (0: in the request thread, no hard stop)
    "QUERY_MEMORY": 1024 ** 3,  # bytes a query's worker process may allocate before it is stopped
    "RESULT_CACHE_BYTES": 64 * 1024 * 1024,  # query answers kept per graph version (0: off)
    "CORS_ORIGINS": "*",  # "*", a list of origins, or None (no CORS headers)
    "STORE_LOCK_WAIT": 30.0,  # seconds to wait for an on-disk store a dying process still holds
    "SHARED_LOG": None,  # a directory of writes shared by the server processes (graph.sharedlog)
    "SNAPSHOTS": None,  # the run directory of an on-disk store several processes serve
    "DATA_FILES": (),  # files the first of those processes loads (graph.store.snapshots)
    "BOOT_ID": None,  # the server's id in ETags, shared by its processes; None: drawn here
    "BASE_URL": None,  # the public URL, for IRIs the service mints; None: the bound address
    "RECONCILE_MAX_QUERIES": 100,  # queries per reconciliation batch (and ids per extension)
    "RECONCILE_MAX_BODY": 1024 * 1024,  # bytes per request body on /reconcile
}


class AikgFlask(Flask):
    """Flask, asking once per function, not on every call, whether a view or hook is a
    coroutine (``inspect.iscoroutinefunction``): a cheap request runs a dozen hooks. The
    answers kept are bounded, as a function made per request (``after_this_request``) would
    otherwise pile up."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        sync = self._sync.get(func)
        if sync is None:
            if len(self._sync) >= 512:
                self._sync.clear()
            sync = self._sync[func] = super().ensure_sync(func)
        return sync


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, the graph (opened once), error handlers and blueprints."""
    app = AikgFlask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(settings or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Flask's DefaultJSONProvider
    kg, shared = _open(app)
    app.extensions["aikg"] = kg
    executor = app.extensions["aikg.executor"] = Executor(
        kg, workers=app.config["QUERY_WORKERS"], timeout=float(app.config["QUERY_TIMEOUT"]),
        cache_bytes=app.config["RESULT_CACHE_BYTES"], memory_bytes=app.config["QUERY_MEMORY"])
    executor.observe = observe.timed_query  # every query of the graph is logged and counted
    app.extensions["aikg-network"] = Network(kg) if kg.capabilities.local else RemoteNetwork(kg)
    observe.init_app(app)  # first, so that its after-request hook sees the final response
    limits.init_app(app)
    inputs.init_app(app)
    conditional.init_app(app)
    register_error_handlers(app)
    init_cors(app)
    for blueprint in (ops.bp, observe.bp, sparql.bp, store.bp, export.bp, api.bp, history.bp,
                      openapi.bp, pages.bp, importer.bp, reconcile.bp):
        app.register_blueprint(blueprint)
    if shared is not None:
        _share_writes(app, shared)
    return app


def _open(app: Flask) -> tuple[KnowledgeGraph, Shared | None]:
    """The graph, and how the server's processes share it (None: they need not)."""
    config = app.config
    location = config["STORE"]
    if config["SNAPSHOTS"]:
        snapshots = Snapshots(location, config["SNAPSHOTS"], lock_wait=config["STORE_LOCK_WAIT"])
        return snapshots.open(bundled=config["BUNDLED"], files=config["DATA_FILES"]), snapshots
    kg = open_graph(
        location, bundled=config["BUNDLED"], lock_wait=config["STORE_LOCK_WAIT"],
        update_url=config["STORE_UPDATE_URL"], credentials=config["STORE_AUTH"],
        # a remote store that hangs stops each call at the query budget, the first one included
        timeout=config["QUERY_TIMEOUT"] if is_remote(location) else None)
    return kg, SharedLog(kg, config["SHARED_LOG"]) if config["SHARED_LOG"] else None


def _share_writes(app: Flask, log: Shared) -> None:
    """Writes go through ``log``, and every request first applies what other processes wrote:
    before anything else, the response cache included."""
    app.extensions["aikg.executor"] = SharedWrites(app.extensions["aikg.executor"], log)
    answer = app.wsgi_app

    def caught_up(environ, start_response):
        log.catch_up()
        return answer(environ, start_response)

    app.wsgi_app = caught_up  # type: ignore[method-assign]  # Flask's way to wrap its WSGI app
