"""Whole responses to repeated ``GET /sparql`` queries, answered before Flask runs.

A repeated query (the same URL, Accept, Origin and Host) at the same graph version gets the
bytes of its first successful response. Under gunicorn most of a cheap request's time is Flask's
own work, so this is what lets a repeated query be answered at the speed of the HTTP server.
A committed write empties the cache; the key holds the graph version too, so an answer computed
while a write commits is never served after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask

from graph.cache import BytesCache

__all__ = ["ResponseCache"]

_PATH = "/sparql"


class ResponseCache:
    """A WSGI middleware in front of the app; ``max_bytes=0`` leaves the app as it is."""

    def __init__(self, app: Flask, max_bytes: int) -> None:
        self.app = app.wsgi_app
        self.kg = app.extensions["aikg"]
        self.cache = BytesCache(max_bytes)
        self.kg.on_commit(lambda kg: self.cache.clear())

    @classmethod
    def install(cls, app: Flask, max_bytes: int) -> None:
        """Wrap ``app.wsgi_app`` when ``max_bytes`` is positive."""
        if max_bytes > 0:
            app.wsgi_app = cls(app, max_bytes)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != _PATH
                or not environ.get("QUERY_STRING")):
            return self.app(environ, start_response)
        key = (self.kg.version, environ["QUERY_STRING"], environ.get("HTTP_ACCEPT"),
               environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST"), environ["wsgi.url_scheme"])
        hit = self.cache.get(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, headers)
            return [body]
        seen: list = []

        def capture(status: str, headers: list, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        if not seen or not seen[0].startswith("200"):
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        self.cache.put(key, (seen[0], seen[1], body), size=len(body))
        return [body]
