"""The gunicorn worker of ``aikg serve``: a request reaches a thread only once it has arrived.

gunicorn's ``gthread`` worker hands a connection to one of its few threads as soon as it
accepts it; the thread then waits for the request head and the application waits for the body,
without a time limit. Eight clients that send half a request held every thread here for as long
as they liked (issue 22). This worker reads each request in its event loop instead, without
blocking, until the head and a body of up to :data:`BUFFER_BYTES` have arrived, and only then
gives it to a thread; a client that is too slow is cut off there (408). A longer body is read
by the thread at :data:`MIN_RATE` at least, else the request ends with 408. After the answer,
an unread body is never waited for: the connection is closed.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import time

from gunicorn import http
from gunicorn.workers.gthread import TConn, ThreadWorker
from werkzeug.exceptions import RequestTimeout

__all__ = ["BUFFER_BYTES", "HEAD_SECONDS", "MIN_RATE", "BufferingWorker"]

#: Seconds a client has to send a request's head (and a first part of its body).
HEAD_SECONDS = 10.0
#: Bytes per second a client must keep up beyond that, on average, while sending a body.
MIN_RATE = 64 * 1024
#: Bytes of a request read ahead in the event loop; a longer body is read by its thread.
BUFFER_BYTES = 1024 * 1024
_TIMEOUT_BODY = b'{"error": "the request did not arrive in time; send it faster", "status": 408}'
_TIMED_OUT = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
              % (len(_TIMEOUT_BODY), _TIMEOUT_BODY))


class BufferingWorker(ThreadWorker):
    """``gthread`` with requests read ahead in the event loop (see the module's docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.arriving: dict[int, _Arriving] = {}  # by socket file number

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self.enqueue_req(_Conn(self.cfg, client, address, listener.getsockname()))

    def enqueue_req(self, conn: TConn) -> None:
        """Read the connection's next request without blocking; a thread gets it once read."""
        if self.cfg.is_ssl or conn.is_http2:
            return super().enqueue_req(conn)
        held = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        arriving = self.arriving[conn.sock.fileno()] = _Arriving(conn, held)
        conn.sock.setblocking(False)
        self.poller.register(conn.sock, selectors.EVENT_READ,
                             lambda _sock: self._readable(arriving))
        if held and arriving.ready():  # pipelined: the next request may be here already
            self._stop_reading(arriving)
            self._hand_over(arriving)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for arriving in [a for a in self.arriving.values() if a.deadline < now]:
            self._stop_reading(arriving)
            if arriving.buffer:  # a client that said nothing gets no answer
                with contextlib.suppress(OSError):  # what fits in the buffer, never waiting
                    arriving.conn.sock.send(_TIMED_OUT)
            self.nr_conns -= 1
            arriving.conn.close()

    def _readable(self, arriving: _Arriving) -> None:
        conn = arriving.conn
        try:
            data = conn.sock.recv(64 * 1024)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._stop_reading(arriving)
            self.nr_conns -= 1
            conn.close()
            return
        arriving.buffer += data
        if arriving.ready():
            self._stop_reading(arriving)
            self._hand_over(arriving)

    def _stop_reading(self, arriving: _Arriving) -> None:
        self.arriving.pop(arriving.conn.sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(arriving.conn.sock)

    def _hand_over(self, arriving: _Arriving) -> None:
        conn = arriving.conn
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader.unread(bytes(arriving.buffer))
        conn.parser.unreader.chunk = _Paced(conn.sock, len(arriving.buffer)).chunk
        conn.data_ready = True  # do not wait for data in the thread: it is here
        super().enqueue_req(conn)

    def _keepalive_after(self, conn: TConn, keepalive: bool) -> bool:
        """Keep the connection only if the request's body was wholly read: never wait for the
        rest of a body after the answer (gunicorn would drain it for up to 5 s)."""
        if not keepalive:
            return False
        conn.parser.unreader.chunk = _nothing_more
        return bool(conn.parser.finish_body())


class _Conn(TConn):
    def close(self, graceful: bool = False) -> None:
        """Close without lingering: gunicorn's graceful close waits up to 2 s for the client,
        in the event loop that serves everyone."""
        if graceful:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_WR)
        super().close(graceful=False)


class _Arriving:
    """A request being read in the event loop: its bytes so far and its deadline."""

    def __init__(self, conn: TConn, held: bytes) -> None:
        self.conn, self.buffer = conn, bytearray(held)
        self.started = time.monotonic()
        self.framing: tuple[int, int | None] | None = None  # see framing()
        self.scanned = 0  # where the next chunk header of a chunked body starts

    @property
    def deadline(self) -> float:
        return self.started + HEAD_SECONDS + len(self.buffer) / MIN_RATE

    def ready(self) -> bool:
        """True once the head and the whole body are here, or enough to go on in a thread.
        Each byte is looked at about once, however the body arrives."""
        if len(self.buffer) >= BUFFER_BYTES:
            return True
        if self.framing is None:
            self.framing = framing(self.buffer)
            if self.framing is None:
                return False
            self.scanned = self.framing[0]
        body, length = self.framing
        if length == CHUNKED:
            end, self.scanned = chunked_end(self.buffer, self.scanned)
            return end is not None
        return length is None or len(self.buffer) >= body + length


#: The length :func:`framing` gives a chunked body.
CHUNKED = -1


def framing(data: bytes | bytearray) -> tuple[int, int | None] | None:
    """Where the body of the first HTTP/1.1 request in ``data`` starts and how long it is
    (:data:`CHUNKED` for a chunked one); None while the head is incomplete. A head that cannot
    be framed here (two lengths, an unknown coding, a 100-continue expectation, which waits for
    the server's answer) has length None: the thread's parser answers it as it is.

    >>> framing(b"POST / HTTP/1.1\\r\\nContent-Length: 3\\r\\n\\r\\nabc")
    (38, 3)
    >>> framing(b"POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n")
    (47, -1)
    """
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    body = head_end + 4
    lengths, codings, expect = [], [], False
    for line in bytes(data[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            lengths.append(value)
        elif name == b"transfer-encoding":
            codings.append(value)
        elif name == b"expect":
            expect = True
    if expect or len(lengths) > 1 or (codings and (lengths or codings != [b"chunked"])):
        return body, None
    if codings:
        return body, CHUNKED
    try:
        return body, int(lengths[0]) if lengths else 0
    except ValueError:
        return body, None


def chunked_end(data: bytes | bytearray, at: int) -> tuple[int | None, int]:
    """Where a chunked body whose next chunk header is at ``at`` ends (after its trailers),
    or None while it is incomplete; and where to go on looking when more has arrived.

    >>> chunked_end(b"3\\r\\nabc\\r\\n0\\r\\n\\r\\nGET", 0)
    (13, 8)
    >>> chunked_end(b"3\\r\\nabc\\r\\n", 0)
    (None, 8)
    """
    while True:
        line_end = data.find(b"\r\n", at)
        if line_end < 0:
            return None, at
        try:
            size = int(bytes(data[at:line_end]).split(b";")[0].strip(), 16)
        except ValueError:
            return line_end, at  # malformed: the thread's parser answers it
        if size == 0:  # then trailers, if any, and an empty line
            end = data.find(b"\r\n\r\n", line_end)
            return (None if end < 0 else end + 4), at
        if line_end + 2 + size + 2 > len(data):
            return None, at
        at = line_end + 2 + size + 2


class _Paced:
    """A socket's reads for a thread, failing with 408 when the client falls below
    :data:`MIN_RATE` (after :data:`HEAD_SECONDS` of grace)."""

    def __init__(self, sock: socket.socket, received: int) -> None:
        self.sock, self.received, self.started = sock, received, time.monotonic()

    def chunk(self, size_hint: int | None = None) -> bytes:
        remaining = self.started + HEAD_SECONDS + self.received / MIN_RATE - time.monotonic()
        if remaining <= 0:
            raise RequestTimeout("the request body arrived too slowly; send it faster")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(min(max(size_hint or 8192, 8192), 1024 * 1024))
        except TimeoutError:
            raise RequestTimeout("the request body arrived too slowly; send it faster") from None
        finally:
            self.sock.settimeout(None)
        self.received += len(data)
        return data



def _nothing_more(size_hint: int | None = None) -> bytes:
    """The reads after an answer: what is not here yet is not waited for."""
    raise TimeoutError
