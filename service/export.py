"""``GET /export``: the whole graph, one named graph or a CONSTRUCT result, streamed as a file.

Other routes offer ``format=`` the same way: :func:`requested_format` reads ``format=`` or the
Accept header, :func:`export_response` streams any :class:`~graph.export.Export`.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import IO

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import NotAcceptable

from graph import BadInput
from graph.export import (
    EXPORT_FORMATS,
    Export,
    ExportFormat,
    dataset_export,
    export_format,
    result_export,
)
from graph.export.streams import as_output

from .negotiation import unknown_format
from .state import get_graph

__all__ = ["bp", "export_response", "requested_format"]

bp = Blueprint("export", __name__)

_CHUNK = 64 * 1024  # bytes per chunk handed to the server
_IN_FLIGHT = 8  # chunks queued at most: what one export holds in memory
_END = object()


@bp.get("/export")
def export() -> Response:
    """The dataset (TriG unless asked), one named graph (``graph=``, Turtle unless asked) or the
    result of a CONSTRUCT query (``query=``), in ``format=`` or the format the Accept header asks.
    """
    graph, query = request.args.get("graph"), request.args.get("query")
    if graph and query:
        raise BadInput("give graph= or query=, not both")
    kg = get_graph()
    fmt = requested_format("trig" if graph is None and query is None else "turtle")
    if query:
        result = kg.query(query, max_rows=current_app.config["MAX_ROWS"])
        download = result_export(kg, result, fmt)
    else:
        download = dataset_export(kg, fmt, graph=graph)
    return export_response(download)


def requested_format(default: str) -> ExportFormat:
    """``format=`` when given (a 400 lists the valid names), else the best match of Accept
    (a 406 when nothing matches), else ``default``."""
    name = request.args.get("format")
    if name:
        try:
            return export_format(name)
        except BadInput:
            raise unknown_format(name, [f.name for f in EXPORT_FORMATS]) from None
    if not request.accept_mimetypes:
        return export_format(default)
    preferred = export_format(default)
    offered = [preferred.media_type] + [f.media_type for f in EXPORT_FORMATS if f != preferred]
    media_type = request.accept_mimetypes.best_match(offered)
    if media_type is None:
        raise NotAcceptable(f"no export format matches the Accept header; offered: "
                            f"{', '.join(offered)} (or name one with format=)")
    return preferred if media_type == preferred.media_type else export_format(media_type)


def export_response(export: Export) -> Response:
    """Stream ``export`` as an attachment; its writer runs in a thread through a bounded pipe,
    so a large file is never built in memory. An error mid-way aborts the transfer."""
    response = Response(_stream(export.write), content_type=export.format.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=export.filename)
    response.vary.add("Accept")
    if export.truncated:
        response.headers["X-Aikg-Truncated"] = "true"
    return response


class _Pipe:
    """The file a writer thread writes to: chunks of ``_CHUNK`` bytes go through a bounded
    queue, so the writer waits while the client is slow, and fails once the client is gone."""

    def __init__(self, chunks: queue.Queue, gone: threading.Event) -> None:
        self._chunks, self._gone = chunks, gone
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= _CHUNK:
            self.put(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Chunks leave when full; :meth:`close` sends the rest."""

    def close(self) -> None:
        if self._buffer:
            self.put(bytes(self._buffer))
        self.put(_END)

    def put(self, item: object) -> None:
        while True:
            if self._gone.is_set():
                raise BrokenPipeError("the client went away")
            try:
                self._chunks.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


def _stream(write: Callable[[IO[bytes]], None]) -> Iterator[bytes]:
    chunks: queue.Queue = queue.Queue(maxsize=_IN_FLIGHT)
    gone = threading.Event()
    pipe = _Pipe(chunks, gone)

    def run() -> None:
        try:
            write(as_output(pipe))
            pipe.close()
        except Exception as error:  # handed to the reader, which raises it in the request
            with contextlib.suppress(BrokenPipeError):  # unless the client left: nobody reads
                pipe.put(error)

    threading.Thread(target=run, name="aikg-export", daemon=True).start()
    try:
        while (item := chunks.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        gone.set()
