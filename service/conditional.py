"""Conditional GET: a weak ETag from the graph version on read responses, 304 when it matches.

Every answer of a read route is a function of the graph, the URL and the negotiation headers, so
``W/"v<version>-<digest>"`` names it, where the digest hashes the server's boot id, the URL
as sent (:func:`service.urls.request_url`), ``Accept`` and ``Accept-Language``. The boot id
makes tags of an earlier run (whose version counter started again at 0) never match. The
version is read *before* the view runs: a write that lands while the view reads can only make
the tag older than the body, so a client may be sent a body again but never kept on a stale one.

A request whose ``If-None-Match`` holds the current tag is answered 304 before the view runs.
Probes (:func:`service.observe.probe`), static files, writes and errors get no tag.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from flask import Flask, Response, current_app, g, request

from .observe import is_probe
from .urls import request_url

__all__ = ["init_app"]

READS = frozenset({"GET", "HEAD"})


def init_app(app: Flask) -> None:
    """Tag read responses with an ETag and answer matching conditional requests with 304."""
    app.extensions["aikg.boot"] = app.config.get("BOOT_ID") or secrets.token_hex(8)
    app.before_request(_not_modified)
    app.after_request(_tag)


def _not_modified() -> Response | None:
    tag = g.aikg_etag = _current_tag()
    if tag is None or "HTTP_IF_NONE_MATCH" not in request.environ:
        return None
    if request.if_none_match.star_tag:
        return None  # "*" asks whether anything exists: only the view knows
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
        _describe(response, tag)
        return response
    return None


def _tag(response: Response) -> Response:
    tag = g.get("aikg_etag")
    if tag is not None and response.status_code == 200 and _header(response, "etag") is None:
        _describe(response, tag)
    return response


def _describe(response: Response, tag: str) -> None:
    headers = response.headers
    # add, not set, where the header is known to be absent: set scans every header
    headers.add("ETag", f'W/"{tag}"')  # the tag holds only letters, digits and "-"
    headers["Vary"] = _vary(_header(response, "vary"))
    if _header(response, "cache-control") is None:
        headers.add("Cache-Control", "no-cache")  # revalidate: any write changes it


def _header(response: Response, lowered: str) -> str | None:
    """A response header's value, None if absent (``headers.get`` answers a miss by raising
    and catching an exception, the costliest part of a header lookup)."""
    return next((v for k, v in response.headers.items() if k.lower() == lowered), None)


@lru_cache(maxsize=64)
def _vary(vary: str | None) -> str:
    """``vary`` with Accept and Accept-Language added (responses share a few values: cached).

    >>> _vary(None), _vary("Origin, accept")
    ('Accept, Accept-Language', 'Origin, accept, Accept-Language')
    """
    names = [v.strip() for v in (vary or "").split(",") if v.strip()]
    have = {n.lower() for n in names}
    return ", ".join(names + [n for n in ("Accept", "Accept-Language") if n.lower() not in have])


def _current_tag() -> str | None:
    current = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
    if (current.method not in READS or current.url_rule is None
            or current.endpoint == "static" or is_probe()):
        return None
    environ = current.environ
    extensions = current_app.extensions
    key = "\n".join((extensions["aikg.boot"], request_url().key,
                     environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_LANGUAGE", "")))
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"v{extensions['aikg'].version}-{digest}"
