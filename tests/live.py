"""A real aikg server on 127.0.0.1 for end-to-end tests (:func:`tests.servers.aikg_server`), and
a raw HTTP client that sends paths as given."""

from __future__ import annotations

import http.client
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.servers import aikg_server
from tests.w3c_protocol import Reply

__all__ = ["Server", "serve"]


class Server:
    """A running server: its base URL and a ``send`` that keeps the path exactly as given."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.port = urlsplit(url).port

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes | None
             ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()


@contextmanager
def serve(*options: str) -> Iterator[Server]:
    """Run ``aikg serve`` with ``options`` until the block ends."""
    with tempfile.TemporaryDirectory(prefix="aikg-live-") as folder, \
            aikg_server(*options, log=Path(folder) / "serve.log") as (url, _):
        yield Server(url)
