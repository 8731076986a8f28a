"""Big values made without the cyclic garbage collector walking them over and over."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

__all__ = ["without_collector"]

T = TypeVar("T")


def without_collector(make: Callable[[], T]) -> T:
    """``make()`` with the cyclic garbage collector held off, its result then frozen out of it.

    A projection and the values derived from it (rankings, the search index) are up to
    millions of objects without reference cycles that live until the next write. While they
    are made, the collector's full passes would walk them again and again (the projection of
    1M triples took 9 to 15 s with it, 4 s without); left in its oldest generation, every full
    pass would stall requests for up to half a second. Frozen, they are still freed by
    reference counting once no longer used.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        made = make()
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return made
