"""A thread-safe least-recently-used cache bounded by the bytes its values hold."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

__all__ = ["BytesCache"]


class BytesCache:
    """Values by key, the least recently used dropped first once ``max_bytes`` is passed.

    A value bigger than a sixteenth of the cache is not kept: one huge answer should not
    empty the cache of the small ones. ``max_bytes=0`` keeps nothing.

    >>> cache = BytesCache(64)
    >>> cache.put("a", b"1", size=1)
    >>> cache.get("a"), cache.get("b")
    (b'1', None)
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: object, *, size: int) -> None:
        """Keep ``value`` under ``key``, in place of the value kept there before, if any."""
        if size > self.max_bytes // 16:
            return
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._bytes -= replaced[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, old) = self._entries.popitem(last=False)
                self._bytes -= old

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
