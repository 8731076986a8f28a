"""Text a client sends must be UTF-8, however it is sent.

werkzeug decodes the query string and form bodies with ``errors="replace"``: a query with a
stray ``%FF`` would run with U+FFFD in its place, a different query from the one sent. A direct
POST of SPARQL is already refused with 400 when it is not UTF-8 (:mod:`service.sparql`); the
same holds here for the query string of every route and for form bodies.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from werkzeug.exceptions import BadRequest

__all__ = ["init_app"]

_FORM = "application/x-www-form-urlencoded"


def init_app(app: Flask) -> None:
    """Refuse (400) a query string or form body whose percent-decoded bytes are not UTF-8."""
    app.before_request(_require_utf8)


def _require_utf8() -> None:
    if not _is_utf8(request.query_string):
        raise BadRequest("the query string is not UTF-8 once percent-decoded")
    # The body is cached: the form parser reads these bytes again instead of the socket.
    is_form = request.method in ("POST", "PUT") and request.mimetype == _FORM
    if is_form and not _is_utf8(request.get_data(cache=True)):
        raise BadRequest("the form body is not UTF-8 once percent-decoded")


#: A percent-escape of a byte past ASCII: text without one (and without raw such bytes) is ASCII.
_HIGH_ESCAPE = re.compile(rb"%[89a-fA-F]")


def _is_utf8(encoded: bytes) -> bool:
    """True when ``encoded`` (application/x-www-form-urlencoded) decodes as UTF-8."""
    if encoded.isascii() and _HIGH_ESCAPE.search(encoded) is None:
        return True  # ASCII once decoded (most queries): no need to decode it
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
