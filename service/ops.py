"""Operations routes: liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from .observe import probe
from .state import get_graph

bp = Blueprint("ops", __name__)

#: Seconds a health check waits for the store, so that a store that hangs fails it quickly.
HEALTH_TIMEOUT = 5.0


@bp.get("/healthz")
@probe
def healthz():
    """Liveness and readiness: the store answers, with its size and graph version.

    The store is asked a trivial question first within :data:`HEALTH_TIMEOUT` (or the query
    budget, if lower): a remote store that hangs or resets makes this a 503 in bounded time.
    After the store's own write failed (a full disk), reads still work but writes do not until a
    restart: ``status`` is then ``degraded`` and ``write_error`` says why.
    """
    kg = get_graph()
    kg.ask("ASK {}", timeout=min(HEALTH_TIMEOUT, current_app.config["QUERY_TIMEOUT"]))
    failure = {} if kg.write_failure is None else {"write_error": kg.write_failure}
    return jsonify(
        status="degraded" if failure else "ok",
        triples=len(kg),
        graphs=len(kg.named_graphs()),
        version=kg.version,
        store=kg.location,
        **failure,
    )
