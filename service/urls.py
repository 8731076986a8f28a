"""The current request's URL, built once from the WSGI environ and kept in it.

werkzeug's ``request.url`` quotes the whole URL again and decodes it back to an IRI
(``uri_to_iri``): on a cheap query that costs as much as the evaluation. The base IRI of SPARQL
operations and the keys of the ETag and of the response cache need less: the parts werkzeug has
already read, and the query string as sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

__all__ = ["RequestURL", "own_base", "query_arg", "request_url"]

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
        current = request._get_current_object()  # type: ignore[attr-defined]  # one lookup
        url = environ[_ENVIRON_KEY] = RequestURL(
            f"{current.scheme}://{current.host}{current.root_path}{current.path}",
            environ.get("QUERY_STRING", ""))
    return url


def query_arg(name: str) -> str | None:
    """The first value of a query string parameter, None if absent (``request.args.get``
    answers a miss by raising and catching an exception: most requests name no ``format``)."""
    values = request.args.getlist(name)
    return values[0] if values else None


def own_base() -> str:
    """The service's own base URL, ending in ``/``, for IRIs it mints (a new graph's, in
    ``Location``): ``BASE_URL`` when set (``aikg serve --base-url``, else the address it listens
    on), else the address the WSGI server was bound to. Never the ``Host`` header, which any
    client may forge."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base if base.endswith("/") else base + "/"
    environ = request.environ
    scheme, port = environ["wsgi.url_scheme"], environ.get("SERVER_PORT", "")
    default = port == {"http": "80", "https": "443"}.get(scheme)
    host = environ["SERVER_NAME"] + ("" if default or not port else f":{port}")
    return f"{scheme}://{host}{request.root_path}/"
