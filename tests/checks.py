"""What HTTP tests check of an answer: the one error shape and a successful ``/api`` page.

Both take the app's test client's responses and real servers' (``requests``) alike.
"""

from __future__ import annotations

from typing import Any

__all__ = ["assert_error", "get_ok"]


def assert_error(response: Any, status: int, *words: str) -> dict[str, Any]:
    """The DESIGN error shape, JSON ``{"error": message, "status": status}``, with the answer's
    status and a message that says what is wrong: it holds each of ``words``."""
    assert response.status_code == status, _text(response)[:500]
    body = _json(response)
    assert body["status"] == status and isinstance(body["error"], str) and body["error"], body
    for word in words:
        assert word in body["error"]
    return body


def get_ok(client: Any, url: str) -> dict[str, Any]:
    """The body of a 200 answer from ``/api``: data, and maybe the graph version and a page."""
    response = client.get(url)
    assert response.status_code == 200, _text(response)
    body = _json(response)
    assert set(body) <= {"data", "version", "page"}
    return body


def same_answer(local: Any, remote: Any, url: str) -> dict[str, Any]:
    """The 200 answers of two clients (a local store's and a remote one's) to ``url``, equal
    but for the graph version (each counts its own writes); returns the local one."""
    expected, found = get_ok(local, url), get_ok(remote, url)
    del expected["version"], found["version"]
    assert found == expected
    return expected


def _json(response: Any) -> Any:
    # werkzeug's test response has get_json(); a requests.Response has json().
    return response.get_json() if hasattr(response, "get_json") else response.json()


def _text(response: Any) -> str:
    return response.get_data(as_text=True) if hasattr(response, "get_data") else response.text
