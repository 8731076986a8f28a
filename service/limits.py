"""Limits on what a client may send: requests per second (429) and bytes per body (413).

A body declared longer than ``MAX_CONTENT_LENGTH`` is refused with 413 before any view runs, on
every route, whether or not the view would read it (werkzeug alone refuses it only when read).
A Graph Store POST (on ``/store``) streams its body from disk instead of memory, so it has its
own, larger limit, ``STORE_MAX_UPLOAD``. A body that declares no length (chunked) is refused
with 413 as soon as reading passes the limit, whichever route reads it. (Werkzeug's own guard
stops reading exactly at the limit and hands the view the body cut short, silently.)

With ``RATE_LIMIT`` = r requests per second (None: off), each client may send bursts of up to
``RATE_BURST`` requests, then r per second. A client is its address (an IPv6 address counts by
its /64, which one host usually holds whole); behind a reverse proxy, set ``TRUSTED_PROXIES`` so
that the address is read from ``X-Forwarded-For``, or every client shares the proxy's bucket.
Probes (``/healthz``, ``/metrics``) are never limited. ``RATE_BUCKETS`` names a file through
which the server processes of ``aikg serve --workers N`` keep one bucket per client between them.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import math
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from graph.store import budget

from .errors import error_response
from .observe import is_probe

__all__ = ["TokenBuckets", "client_key", "init_app"]


class TokenBuckets:
    """One token bucket per client key, refilled at ``rate`` per second up to ``burst``.

    The buckets sit in a table of ``max_clients`` slots: in this process's memory, or, with
    ``path``, in that file mapped into every process that opens it, so that the server
    processes of one ``aikg serve`` keep one bucket per client between them, whichever answers
    (and a process that replaces a dead one finds them as they were). A process takes a token
    under a lock on the file (``lockf``, which the kernel releases when a process dies holding
    it) and, among its threads, under a lock of its own.

    A key's bucket lives in one set of :data:`_WAYS` slots, chosen by a hash of the key, most
    recently seen first. A new key takes the front of its set and pushes out the least
    recently seen bucket of that set, which comes back full, as an idle client's bucket would be
    by then: the table never grows, however many clients come.
    """

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 65_536, path: Path | None = None) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"a rate limit needs rate > 0 and burst >= 1, not {rate}, {burst}")
        self.rate, self.burst = rate, burst
        self._clock = clock
        self._ways = min(_WAYS, max_clients)
        self._sets = max(1, max_clients // self._ways)
        self._set = struct.Struct("<" + _SLOT.format[1:] * self._ways)  # one set's slots
        self._lock = threading.Lock()
        self._file: int | None = None
        size = self._sets * self._set.size
        if path is None:
            self._table = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)
        else:
            self._file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(self._file).st_size < size:  # new: zeros, every slot free
                os.ftruncate(self._file, size)
            self._table = mmap.mmap(self._file, size)

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if it had one, else the seconds until it will."""
        tag = _tag(key)
        start = tag % self._sets * self._set.size
        with self._lock:
            if self._file is not None:
                fcntl.lockf(self._file, fcntl.LOCK_EX)
            try:
                return self._take(tag, start)
            finally:
                if self._file is not None:
                    fcntl.lockf(self._file, fcntl.LOCK_UN)

    def _take(self, tag: int, start: int) -> float:
        now = self._clock()
        at, tokens, then = self._find(tag, start)
        if at is None:  # the last slot goes: a free one, or the least recently seen
            at, tokens, then = self._ways - 1, float(self.burst), now
        tokens = min(float(self.burst), tokens + max(0.0, now - then) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        if at:  # the buckets seen since move back one slot; this one goes first
            size = _SLOT.size
            self._table[start + size:start + (at + 1) * size] = self._table[start:start + at * size]
        _SLOT.pack_into(self._table, start, tag, max(0.0, tokens), now)
        return wait

    def _find(self, tag: int, start: int) -> tuple[int | None, float, float]:
        """Where in its set ``tag`` is (None: nowhere), its tokens and when last taken from."""
        found, tokens, then = _SLOT.unpack_from(self._table, start)
        if found == tag:  # a client that keeps sending is first in its set
            return 0, tokens, then
        slots = self._set.unpack_from(self._table, start)
        tags = slots[0::3]
        if tag not in tags:
            return None, 0.0, 0.0
        at = tags.index(tag)
        return at, slots[3 * at + 1], slots[3 * at + 2]


@lru_cache(maxsize=4096)
def _tag(key: str) -> int:
    """64 bits of a cryptographic hash of ``key`` (never 0, which marks a free slot): no client
    can pick an address whose bucket is another's. Kept for the clients seen lately."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1


#: A bucket's slot: a hash of its key (0: free), its tokens, when it was last taken from.
_SLOT = struct.Struct("<Qdd")
#: The slots of a set: a new key pushes out one of its set's buckets, never one elsewhere.
_WAYS = 8


@lru_cache(maxsize=4096)
def client_key(address: str | None) -> str:
    """The bucket of an address: itself for IPv4, its /64 network for IPv6 (clients come
    again and again: cached)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def init_app(app: Flask) -> None:
    """Rate-limit each client if ``RATE_LIMIT`` is set; refuse bodies over the size limit."""
    rate = app.config.get("RATE_LIMIT")
    if rate:
        buckets = TokenBuckets(float(rate), int(app.config.get("RATE_BURST") or 1),
                               path=app.config.get("RATE_BUCKETS"))
        app.before_request(partial(_limit_rate, buckets))
    app.before_request(_limit_body)
    app.before_request(_start_budget)
    app.teardown_request(_end_budget)


def _limit_rate(buckets: TokenBuckets) -> Response | None:
    if is_probe():
        return None
    wait = buckets.take(client_key(request.remote_addr))
    if not wait:
        return None
    retry = max(1, math.ceil(wait))
    response = error_response(
        f"too many requests: at most {buckets.rate:g} per second per client, in bursts of "
        f"{buckets.burst}; retry in {retry} s", 429)
    response.headers["Retry-After"] = str(retry)
    return response


def _start_budget() -> None:
    """Every query the request runs, together, has the query budget (:mod:`graph.store.budget`)."""
    g.aikg_budget = budget.begin(float(current_app.config["QUERY_TIMEOUT"]))


def _end_budget(_error: BaseException | None) -> None:
    token = g.pop("aikg_budget", None)
    if token is not None:
        budget.end(token)


def _limit_body() -> None:
    current = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
    environ = current.environ
    if current.endpoint == "store.graph_store" and current.method == "POST":
        current.max_content_length = current_app.config["STORE_MAX_UPLOAD"]
    declared = current.content_length
    limit = current.max_content_length
    if declared is None:  # most requests, or a chunked body: refused once it passes the limit
        if limit is not None and "wsgi.input_terminated" in environ:
            environ["wsgi.input"] = _CappedInput(environ["wsgi.input"], limit)
            # Werkzeug stops reading at its limit without a word: let it read one byte more,
            # which the cap refuses.
            current.max_content_length = limit + 1
        return
    if limit is not None and declared > limit:
        raise RequestEntityTooLarge(
            f"the request body is {declared} bytes; the limit is {limit} bytes")


class _CappedInput:
    """A chunked request body that raises 413 when more than ``limit`` bytes arrive."""

    def __init__(self, stream, limit: int) -> None:
        self._stream, self._limit, self._left = stream, limit, limit

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._count(len(data))
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._stream.readline(size)
        self._count(len(data))
        return data

    def _count(self, size: int) -> None:
        self._left -= size
        if self._left < 0:
            raise RequestEntityTooLarge(f"the chunked request body passed the limit of "
                                        f"{self._limit} bytes; it was refused, not cut")
