"""Cross-origin requests: CORS headers on every response, errors included, per ``CORS_ORIGINS``."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

__all__ = ["init_cors"]

_ALLOW_HEADERS = "Accept, Authorization, Content-Type"
_EXPOSE_HEADERS = "Location, X-Aikg-Truncated"


def init_cors(app: Flask) -> None:
    """Add the CORS headers after each request. ``CORS_ORIGINS`` is ``"*"`` (any origin: the
    default, as writes need a bearer token and no cookie), a list of origins, or empty (off)."""
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    allowed = current_app.config.get("CORS_ORIGINS")
    if not allowed:
        return response
    # add, not set: only this hook writes these headers, and set scans every header
    headers = response.headers
    if allowed == "*" or allowed == ["*"]:
        headers.add("Access-Control-Allow-Origin", "*")
    elif (origin := request.environ.get("HTTP_ORIGIN")) and origin in allowed:
        headers.add("Access-Control-Allow-Origin", origin)
        response.vary.add("Origin")
    else:
        return response
    headers.add("Access-Control-Expose-Headers", _EXPOSE_HEADERS)
    if request.method == "OPTIONS":
        headers.add("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS")
        headers.add("Access-Control-Allow-Headers", _ALLOW_HEADERS)
        headers.add("Access-Control-Max-Age", "86400")
    return response
