"""The one error shape of the service, ``{"error": ..., "status": ...}``, built in one place."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from graph import errors

__all__ = ["error_response", "register_error_handlers", "STATUS_BY_ERROR"]

log = logging.getLogger(__name__)

#: Each graph error's HTTP status, most specific first.
STATUS_BY_ERROR: tuple[tuple[type[errors.AikgError], int], ...] = (
    (errors.NotFound, 404),
    (errors.ValidationFailed, 422),
    (errors.BadInput, 400),
    (errors.Refused, 400),
    (errors.ReadOnly, 403),
    (errors.QueryTimeout, 503),
    (errors.Unsupported, 501),
    (errors.StoreUnavailable, 503),
)


def error_response(message: str, status: int, **extra: object) -> Response:
    """The error body every route answers with: JSON; a page for a browser, which prefers HTML;
    plain text for a client that takes text but not JSON. The request log records the message."""
    g.aikg_error = message
    accept = request.accept_mimetypes
    if accept.best_match(["application/json", "text/html"]) == "text/html":
        page = render_template("error.html", message=message, status=status, **extra)
        return Response(page, status, mimetype="text/html")
    wants_text = (
        accept and not accept.accept_json and accept.best_match(["text/plain", "text/html"])
    )
    if wants_text:
        response = Response(f"Error {status}: {message}\n", status, mimetype="text/plain")
    else:
        response = jsonify({"error": message, "status": status, **extra})
        response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Map graph errors and werkzeug's HTTP errors to :func:`error_response`, on the app."""

    @app.errorhandler(errors.AikgError)
    def graph_error(error: errors.AikgError) -> Response:
        status = next((s for cls, s in STATUS_BY_ERROR if isinstance(error, cls)), 500)
        extra: dict[str, object] = {}
        if isinstance(error, errors.EntityNotFound) and error.suggestions:
            extra["suggestions"] = error.suggestions
        if isinstance(error, errors.AmbiguousName):
            extra["candidates"] = error.candidates
        return error_response(str(error), status, **extra)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = error_response(error.description or error.name, error.code or 500)
        for name, value in error.get_headers():  # Allow (405), WWW-Authenticate (401)
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response("internal server error", 500)
