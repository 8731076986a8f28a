"""The SPARQL 1.1 Protocol endpoint at ``/sparql``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from graph import BadInput

from .observe import timed_query
from .state import get_graph

bp = Blueprint("sparql", __name__)

SELECT_TYPES = {
    "application/sparql-results+json": "to_json",
    "application/json": "to_json",
    "text/csv": "to_csv",
    "text/tab-separated-values": "to_tsv",
}


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    """Answer a SPARQL query given as ``query=`` (GET or form POST) or as a direct POST body."""
    query = _query_text()
    config = current_app.config
    with timed_query(query) as record:
        result = get_graph().query(query, timeout=config["QUERY_TIMEOUT"],
                                   max_rows=config["MAX_ROWS"])
        record.rows, record.truncated = len(result), result.truncated
    media_type = request.accept_mimetypes.best_match(list(SELECT_TYPES)) or next(
        iter(SELECT_TYPES))
    if result.kind == "graph":
        return Response(result.to_rdf(), mimetype="text/turtle")
    body = getattr(result, SELECT_TYPES[media_type])()
    response = Response(body, mimetype=media_type)
    if result.truncated:
        response.headers["X-Aikg-Truncated"] = "true"
    return response


def _query_text() -> str:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        return request.get_data(as_text=True)
    query = request.values.get("query")
    if not query:
        raise BadInput("missing the 'query' parameter")
    return query
