"""Query processes shared so that a few long queries cannot make every short one wait.

A query's cost is known only once it runs. So the :class:`graph.store.executor.Executor` has two
kinds of places for a query process: ``general`` ones, where a query runs for its whole time
budget, and ``quick`` ones, kept for queries in their first :data:`QUICK_SECONDS`. A query takes
a general place when one is free, else a quick one; one that is still running in a quick place
after :data:`QUICK_SECONDS` is stopped there and waits for a general place, where it starts
again (it loses at most that much work). Eight heavy queries then hold the general places and
pass through a quick one once each, and a cheap query waits for a quick place at most
:data:`QUICK_SECONDS`, not for a heavy query's whole budget (issue 22).
"""

from __future__ import annotations

import threading
import time

__all__ = ["QUICK_SECONDS", "Lanes"]

#: Seconds a query may run in a place kept for quick queries.
QUICK_SECONDS = 0.5


class Lanes:
    """``general`` places for any query and ``quick`` places for a query's first seconds.

    >>> lanes = Lanes(general=1, quick=1)
    >>> lanes.take(time.monotonic() + 1, quick=True), lanes.take(time.monotonic() + 1, quick=True)
    ('general', 'quick')
    >>> lanes.take(time.monotonic() + 0.01, quick=True)
    Traceback (most recent call last):
    ...
    TimeoutError
    """

    def __init__(self, *, general: int, quick: int) -> None:
        self.sizes = {"general": general, "quick": quick}
        self._busy = {"general": 0, "quick": 0}
        self._changed = threading.Condition()

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    def take(self, deadline: float, *, quick: bool) -> str:
        """Wait for a free place until ``deadline`` (``time.monotonic``): a general one, or a
        quick one if ``quick``; its kind. Raises ``TimeoutError`` at the deadline."""
        kinds = ("general", "quick") if quick else ("general",)
        with self._changed:
            while True:
                kind = next((k for k in kinds if self._busy[k] < self.sizes[k]), None)
                if kind is not None:
                    self._busy[kind] += 1
                    return kind
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._changed.wait(remaining):
                    raise TimeoutError

    def give_back(self, kind: str) -> None:
        """Free a place taken by :meth:`take`."""
        with self._changed:
            self._busy[kind] -= 1
            self._changed.notify_all()
