"""The current request's URL, built once from the WSGI environ and kept in it.

werkzeug's ``request.url`` quotes the whole URL again and decodes it back to an IRI
(``uri_to_iri``): on a cheap query that costs as much as the evaluation. The base IRI of SPARQL
operations and the keys of the ETag and of the response cache need less: the parts werkzeug has
already read, and the query string as sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

__all__ = ["RequestURL", "request_url"]

_ENVIRON_KEY = "aikg.url"


@dataclass(frozen=True, slots=True)
class RequestURL:
    """``base``: scheme, host, root path and path (the IRI the request names, without its query);
    ``query``: the query string exactly as sent."""

    base: str
    query: str

    @property
    def key(self) -> str:
        """The whole URL, its query undecoded: the same for the same request."""
        return f"{self.base}?{self.query}" if self.query else self.base


def request_url() -> RequestURL:
    """The URL of the current request (read once; behind trusted proxies, as they forwarded it)."""
    environ = request.environ
    url = environ.get(_ENVIRON_KEY)
    if url is None:
        url = environ[_ENVIRON_KEY] = RequestURL(
            f"{request.scheme}://{request.host}{request.root_path}{request.path}",
            environ.get("QUERY_STRING", ""))
    return url
