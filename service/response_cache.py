"""Whole responses to repeated ``GET /sparql`` queries, kept per graph version.

A repeated query (the same query string, Accept, Origin and Host) at the same graph version gets
the bytes of its first successful response without running the query again. The lookup runs
after the rate limit and the conditional-GET check, so a cached answer is still limited, logged,
counted and tagged like any other. A committed write empties the cache; the key holds the graph
version read before the view ran, so an answer computed while a write commits is never served
after it.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from graph import KnowledgeGraph
from graph.store.cache import BytesCache

from .urls import request_url

__all__ = ["ResponseCache"]

_PATH = "/sparql"


class ResponseCache:
    """Request hooks that answer a repeated query from memory; install them last."""

    def __init__(self, kg: KnowledgeGraph, max_bytes: int) -> None:
        self.kg = kg
        self.cache = BytesCache(max_bytes)
        kg.on_commit(lambda _: self.cache.clear())

    @classmethod
    def install(cls, app: Flask, max_bytes: int) -> None:
        """Register the hooks when ``max_bytes`` is positive (0 turns the cache off)."""
        if max_bytes > 0:
            cache = cls(app.extensions["aikg"], max_bytes)
            app.before_request(cache.lookup)
            app.after_request(cache.keep)

    def lookup(self) -> Response | None:
        """Answer from the cache, or note the key so that :meth:`keep` stores the answer."""
        environ = request.environ
        if request.method != "GET" or request.path != _PATH:
            return None
        url = request_url()
        if not url.query:
            return None
        key = (self.kg.version, url.key, environ.get("HTTP_ACCEPT"), environ.get("HTTP_ORIGIN"))
        hit = self.cache.get(key)
        if hit is None:
            g.aikg_cache_key = key
            return None
        status, headers, body = hit
        return Response(body, status, headers)

    def keep(self, response: Response) -> Response:
        """Store a successful, whole answer under the key noted by :meth:`lookup`."""
        key = g.pop("aikg_cache_key", None)
        if key is not None and response.status_code == 200 and not response.is_streamed:
            body = response.get_data()
            self.cache.put(key, (200, list(response.headers.items()), body), size=len(body))
        return response
