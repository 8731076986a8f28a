"""Operations routes: liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .observe import probe
from .state import get_graph

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@probe
def healthz():
    """Liveness and readiness: the store answers, with its size and graph version."""
    kg = get_graph()
    return jsonify(
        status="ok",
        triples=len(kg),
        graphs=len(kg.named_graphs()),
        version=kg.version,
        store=kg.location,
    )
