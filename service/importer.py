"""``POST /import``: import a CSV table with a CSVW mapping, for holders of the write token."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from flask import Blueprint, Response, jsonify, request

from graph import BadInput

from .auth import require_token
from .state import get_graph

if TYPE_CHECKING:
    from graph.importing.tabular import Mapping

bp = Blueprint("importer", __name__)


@bp.route("/import", methods=["POST"])
@require_token
def import_() -> Response:
    """Import the table (a ``table`` file field, or a ``text/csv`` body) with the mapping named
    by ``mapping`` (bundled in ontology/mappings/) or uploaded as a ``mapping`` file field.
    ``graph``, ``accessed`` (YYYY-MM-DD) and ``dry_run`` as in ``aikg import``."""
    # Imported here: the importer brings csvw and pyshacl, a third of the server's start-up
    # imports, for a request that few servers ever answer.
    from graph.importing.importer import import_table

    report = import_table(get_graph(), _table(), _mapping(), graph=request.values.get("graph"),
                          accessed=_date(request.values.get("accessed")),
                          dry_run=request.values.get("dry_run", "").lower() in ("1", "true"))
    return jsonify(report.to_dict())


def _table() -> bytes:
    if "table" in request.files:
        return request.files["table"].read()
    body = request.get_data()  # past the size limit: 413
    if request.mimetype == "text/csv" and body:
        return body
    raise BadInput("send the table as a 'table' file field or as a text/csv body")


def _mapping() -> Mapping:
    from graph.importing.mappings import bundled_mapping, load_mapping

    if "mapping" in request.files:
        return load_mapping(request.files["mapping"].read())
    name = request.values.get("mapping")
    if not name:
        raise BadInput("name a bundled mapping (mapping=...) or upload one as a 'mapping' file")
    return bundled_mapping(name)


def _date(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"accessed is a date such as 2026-01-26, not {text!r}") from None
