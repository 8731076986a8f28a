"""The shared log of writes: each committed write is applied once in every process."""

from __future__ import annotations

import threading

from graph import open_graph
from graph.store.sharedlog import SharedLog

INSERT = 'INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> "1" } }'


def test_a_reader_meeting_the_log_as_it_grows_does_not_replay_the_write_of_its_own_process(
        tmp_path, monkeypatch):
    kg = open_graph("memory", bundled=False)
    log = SharedLog(kg, tmp_path)
    advance = log._advance
    readers: list[threading.Thread] = []

    def advance_after_a_reader(offset: int) -> None:
        # The entry is in the file, the offset not yet moved: a request arrives meanwhile.
        if threading.current_thread() is threading.main_thread() and not readers:
            readers.append(threading.Thread(target=log.catch_up))
            readers[0].start()
            readers[0].join(timeout=1)
        advance(offset)

    monkeypatch.setattr(log, "_advance", advance_after_a_reader)
    with log.writing():
        kg.update(INSERT)
    readers[0].join(timeout=10)
    assert kg.version == 1  # applied once: by the write, not again by the reader
