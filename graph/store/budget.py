"""The time a request has left, and the graph's own upkeep, which spends none of it.

A request to the service may run several queries (an entity's page runs five); each has the
query budget, and together they have it too: :func:`begin` starts a deadline for everything
the current thread (or task) runs until :func:`end`, and
:class:`graph.store.executor.Executor` gives each query no more than what is left
(:func:`remaining`). Work the graph does to keep itself whole,
such as rebuilding the relationship projection after a commit, is not the request's: it runs
inside :func:`upkeep`, without the deadline and in place, since stopping it half way would
leave the projection behind the store.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

__all__ = ["begin", "end", "in_upkeep", "remaining", "upkeep"]

_deadline: ContextVar[float | None] = ContextVar("aikg_deadline", default=None)
_upkeep: ContextVar[bool] = ContextVar("aikg_upkeep", default=False)


def begin(seconds: float) -> Token[float | None]:
    """Give what runs from now on in this context ``seconds`` at most; pass the token to
    :func:`end`.

    >>> token = begin(5)
    >>> 4 < remaining() <= 5
    True
    >>> end(token); remaining() is None
    True
    """
    return _deadline.set(time.monotonic() + seconds)


def end(token: Token[float | None]) -> None:
    """Drop the deadline :func:`begin` set."""
    _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (0 or less once past it); None: no deadline."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


@contextmanager
def upkeep() -> Iterator[None]:
    """The graph's own work: no request deadline, queries evaluated in place."""
    deadline, busy = _deadline.set(None), _upkeep.set(True)
    try:
        yield
    finally:
        _upkeep.reset(busy)
        _deadline.reset(deadline)


def in_upkeep() -> bool:
    """True inside :func:`upkeep`."""
    return _upkeep.get()
