"""The aikg web service: a thin HTTP layer over :mod:`graph`. ``create_app`` builds it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from graph import open_graph

from . import conditional, importer, limits, observe, ops, sparql
from .errors import register_error_handlers

__all__ = ["DEFAULTS", "create_app"]

#: Settings and their defaults; ``aikg serve`` and the tests pass their own over these.
DEFAULTS: dict[str, Any] = {
    "STORE": "memory",  # memory, a directory, or (later) a SPARQL endpoint URL
    "TOKEN": None,  # bearer token that enables writes; None: read-only
    "QUERY_TIMEOUT": 30.0,  # seconds per query
    "MAX_ROWS": 10_000,  # rows per query result before it is cut
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,  # bytes per request body
    "RATE_LIMIT": None,  # requests per second per client; None: no limit
    "RATE_BURST": 20,  # requests a client may send at once before RATE_LIMIT applies
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* headers to believe
}


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, the graph (opened once), error handlers and blueprints."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(settings or {})
    app.json.ensure_ascii = False
    app.extensions["aikg"] = open_graph(app.config["STORE"])
    observe.init_app(app)  # first, so that its after-request hook sees the final response
    limits.init_app(app)
    conditional.init_app(app)
    register_error_handlers(app)
    for blueprint in (ops.bp, observe.bp, sparql.bp, importer.bp):
        app.register_blueprint(blueprint)
    return app
