"""The reference for "the limit of the stack": a bare Flask app over pyoxigraph, no checks, no
budget, no negotiation. ``gunicorn -w 2 'bench.bare_flask:create("data.nt")'``."""

from __future__ import annotations

from flask import Flask, Response, request
from pyoxigraph import QueryResultsFormat, RdfFormat, Store


def create(data: str) -> Flask:
    """A Flask app answering ``GET /sparql?query=`` in SPARQL JSON over ``data`` in memory."""
    store = Store()
    store.load(path=data, format=RdfFormat.N_TRIPLES)
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"])
        return Response(result.serialize(format=QueryResultsFormat.JSON),
                        mimetype="application/sparql-results+json")

    return app
