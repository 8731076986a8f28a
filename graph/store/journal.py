"""An append-only file of records that several server processes share: each appends under a lock
of its own, and each reads what was appended since it last looked.

A record is a length-prefixed pickle. A process killed in the middle of an append leaves a cut
record at the end: readers stop before it, and the next append (by a process that has read every
whole record) cuts it off first. Whether anything new arrived is one ``stat``.
"""

from __future__ import annotations

import os
import pickle
import struct
from pathlib import Path

__all__ = ["append", "grown", "read"]

_LENGTH = struct.Struct("<Q")


def grown(path: Path, offset: int) -> bool:
    """Whether ``path`` holds more than the ``offset`` bytes read so far (one ``stat``)."""
    return os.stat(path).st_size != offset


def read(path: Path, offset: int) -> tuple[list[object], int]:
    """The whole records after ``offset``, and the offset after the last of them."""
    records: list[object] = []
    with open(path, "rb") as journal:
        journal.seek(offset)
        while True:
            header = journal.read(_LENGTH.size)
            if len(header) < _LENGTH.size:
                break
            (size,) = _LENGTH.unpack(header)
            payload = journal.read(size)
            if len(payload) < size:
                break  # still being written, or cut by a killed writer
            records.append(pickle.loads(payload))
            offset = journal.tell()
    return records, offset


def append(path: Path, offset: int, record: object) -> int:
    """Append ``record`` where the whole records end (``offset``: the caller has read them all
    and holds the writers' lock); the offset after it."""
    payload = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    with open(path, "r+b") as journal:
        journal.truncate(offset)  # what a writer killed in the middle left
        journal.seek(offset)
        journal.write(_LENGTH.pack(len(payload)) + payload)
    return offset + _LENGTH.size + len(payload)
