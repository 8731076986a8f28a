"""Bearer-token authorization of writes: ``require_token`` guards a view."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from graph import ReadOnly

__all__ = ["check_token", "require_token"]

F = TypeVar("F", bound=Callable[..., object])


def check_token() -> None:
    """Let the request write, or raise: 403 when writes are off (no TOKEN configured); 401 with
    ``WWW-Authenticate: Bearer`` without a bearer token or with a wrong one (RFC 6750: the
    credentials failed, so the client may authenticate again; 403 would say it never may)."""
    token = current_app.config.get("TOKEN")
    if not token:
        raise ReadOnly("writes are off: the server was started without a token (--token)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("writes need an 'Authorization: Bearer <token>' header",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "aikg"}))
    if not hmac.compare_digest(given.strip().encode(), str(token).encode()):
        raise Unauthorized("the bearer token is not valid", www_authenticate=WWWAuthenticate(
            "bearer", {"realm": "aikg", "error": "invalid_token"}))


def require_token(view: F) -> F:
    """A view decorator: :func:`check_token` before the view runs."""

    @wraps(view)
    def guarded(*args: object, **kwargs: object) -> object:
        check_token()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]
