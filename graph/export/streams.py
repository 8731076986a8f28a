"""Binary writers that sit between a pyoxigraph serializer and the output and fix its bytes.

Each is exact on pyoxigraph's output and costs a few byte scans per chunk, far cheaper than
handling the statements one by one in Python.
"""

from __future__ import annotations

import json
import re
from typing import IO, Protocol, cast

from ..errors import BadInput

__all__ = ["AfterPrefixes", "CompactJsonLd", "Copied", "Sink", "Unframed", "XmlText",
           "as_output", "prefix_lines"]

_CHUNK = 256 * 1024  # bytes of JSON-LD gathered before a pass over them


class Sink(Protocol):
    """Where a serializer's bytes go: a binary file or one of the writers here."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


def as_output(sink: Sink) -> IO[bytes]:
    """``sink`` as the output of a pyoxigraph serializer, which only writes and flushes it (its
    stub asks for a whole ``IO[bytes]``)."""
    return cast(IO[bytes], sink)


class Copied:
    """Passes the bytes on to ``out`` and keeps a copy of them (:attr:`copy`) while they are
    at most ``limit`` bytes; None past it.

    >>> import io
    >>> writer = Copied(io.BytesIO(), 4)
    >>> _ = writer.write(b"abc"); bytes(writer.copy)
    b'abc'
    >>> _ = writer.write(b"de"); writer.copy is None
    True
    """

    def __init__(self, out: Sink, limit: int) -> None:
        self.out, self.limit = out, limit
        self.copy: bytearray | None = bytearray()

    def write(self, data: bytes, /) -> int:
        if self.copy is not None:
            self.copy += data
            if len(self.copy) > self.limit:
                self.copy = None
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def prefix_lines(prefixes: dict[str, str]) -> bytes:
    """Turtle and TriG ``@prefix`` declarations.

    >>> prefix_lines({"kg": "https://w3id.org/aikg/id/"})
    b'@prefix kg: <https://w3id.org/aikg/id/> .\\n'
    """
    return "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in prefixes.items()).encode()


class AfterPrefixes:
    """Passes a Turtle dump on without its leading ``@prefix`` lines, so that dumps of several
    graphs share the one declaration written at the top of the file.

    >>> import io
    >>> out = io.BytesIO(); writer = AfterPrefixes(out)
    >>> for part in (b"@prefix kg: <urn:k#> .\\n@pre", b"fix a: <urn:a#> .\\nkg:x a:p kg:y .\\n"):
    ...     _ = writer.write(part)
    >>> writer.close(); out.getvalue()
    b'kg:x a:p kg:y .\\n'
    """

    _DIRECTIVE = b"@prefix "

    def __init__(self, out: Sink) -> None:
        self._out = out
        self._head: bytes | None = b""  # None once past the declarations

    def write(self, data: bytes) -> int:
        if self._head is None:
            self._out.write(data)
            return len(data)
        head = self._head + bytes(data)
        while head.startswith(self._DIRECTIVE) and b"\n" in head:
            head = head[head.index(b"\n") + 1:]
        if head.startswith(self._DIRECTIVE) or self._DIRECTIVE.startswith(head):
            self._head = head  # a declaration, or the start of one: wait for more
        else:
            self._out.write(head)
            self._head = None
        return len(data)

    def flush(self) -> None:
        """Nothing to do: bytes held back are part of a declaration."""

    def close(self) -> None:
        """Write what is held back, unless it is a declaration."""
        if self._head and not self._head.startswith(self._DIRECTIVE):
            self._out.write(self._head)
        self._head = None


class Unframed:
    """Passes a serialization on without its frame: everything up to the end of the first match
    of ``opening``, and the ``closing`` bytes at the very end. Dumps of several graphs then
    share one frame (one JSON array, one ``rdf:RDF`` element).

    >>> import io
    >>> out = io.BytesIO(); inner = Unframed(out, rb"\\[", b"]")
    >>> for part in (b"[{", b'"@id":"a"}', b",{}]"):
    ...     _ = inner.write(part)
    >>> inner.close(); out.getvalue(), inner.empty
    (b'{"@id":"a"},{}', False)
    """

    def __init__(self, out: Sink, opening: bytes, closing: bytes) -> None:
        self._out = out
        self._opening = re.compile(opening)
        self._closing = closing
        self._head: bytes | None = b""  # None once the opening has gone by
        self._tail = b""
        self.empty = True  # nothing inside the frame so far

    def write(self, data: bytes) -> int:
        size = len(data)
        if self._head is not None:
            self._head += bytes(data)
            opened = self._opening.search(self._head)
            if opened is None:
                return size
            data, self._head = self._head[opened.end():], None
        buffer = self._tail + bytes(data)
        cut = max(len(buffer) - len(self._closing), 0)
        if cut:
            self._out.write(buffer[:cut])
            self.empty = False
        self._tail = buffer[cut:]
        return size

    def flush(self) -> None:
        """Nothing to do: the held-back bytes may be the closing."""

    def close(self) -> None:
        """Check that the serialization ended with its closing, and drop it."""
        if self._head is not None or self._tail != self._closing:
            raise RuntimeError(f"a serialization did not end with {self._closing!r}")


class CompactJsonLd:
    """A binary writer that turns pyoxigraph's expanded JSON-LD into compact JSON-LD.

    It opens ``{"@context": {prefixes}, "@graph": `` before the first byte, writes each full IRI
    under a namespace as ``prefix:rest`` where JSON-LD reads compact IRIs (keys, ``@id`` and
    ``@type`` values; never ``@value``), and closes the object on :meth:`close`.

    Why byte replacement is exact: a ``"`` followed by a namespace either opens a string or is
    escaped (``\\"``) inside one. pyoxigraph opens strings only as keys and as ``@id``,
    ``@type``, ``@value`` and ``@language`` values, so where neither ``"@value":"namespace`` nor
    ``\\"namespace`` occurs, every ``"namespace`` can be replaced at once; where one does, only
    the four compact places are (``{"`` and ``,"`` never occur inside a string).
    An IRI whose rest starts with ``//`` stays expanded (JSON-LD would read ``kg://x`` as an
    absolute IRI), and an IRI that would itself read as a compact IRI (scheme ``kg:``) is
    refused. Chunks are cut before a ``{`` or ``,``, which no replaced text contains, so no
    replacement straddles two chunks.

    >>> import io
    >>> out = io.BytesIO()
    >>> writer = CompactJsonLd(out, {"kg": "https://w3id.org/aikg/id/"})
    >>> _ = writer.write(b'[{"@id":"https://w3id.org/aikg/id/a","https://w3id.org/aikg/id/p":'
    ...                  b'[{"@value":"https://w3id.org/aikg/id/b"}]}]')
    >>> writer.close(); print(out.getvalue().decode())
    {"@context": {"kg": "https://w3id.org/aikg/id/"}, "@graph": [{"@id":"kg:a","kg:p":[{"@value":"https://w3id.org/aikg/id/b"}]}]}
    <BLANKLINE>
    """

    _PLACES = (b'{"', b',"', b'"@id":"', b'"@type":"')

    def __init__(self, out: Sink, prefixes: dict[str, str], chunk: int = _CHUNK) -> None:
        self._out = out
        self._pending = b""
        self._chunk = chunk  # bytes gathered before a pass
        self._rules = [
            (ns.encode(), name.encode() + b":")
            for name, ns in sorted(prefixes.items(), key=lambda item: -len(item[1]))
        ]  # the longest namespace first: it wins over a shorter one it starts with
        names = b"|".join(re.escape(name.encode()) for name in prefixes)
        self._looks_compact = re.compile(rb'"(?:' + names + rb"):(?!//)")
        head = json.dumps({"@context": prefixes}, ensure_ascii=False)[:-1]
        out.write(head.encode("utf-8") + b', "@graph": ')

    def write(self, data: bytes) -> int:
        buffer = self._pending + bytes(data)
        cut = max(buffer.rfind(b","), buffer.rfind(b"{")) if len(buffer) >= self._chunk else -1
        if cut > 0:
            self._out.write(self._compact(buffer[:cut]))
            buffer = buffer[cut:]
        self._pending = buffer
        return len(data)

    def flush(self) -> None:
        """Nothing to do: pending bytes wait for the next cut point."""

    def close(self) -> None:
        """Write what is pending and close the JSON object."""
        self._out.write(self._compact(self._pending) + b"}\n")
        self._pending = b""

    def _compact(self, chunk: bytes) -> bytes:
        self._refuse_ambiguous(chunk)
        # Namespaces start with "http" and end with "/" or "#": four scans tell whether a
        # literal or an IRI with a "//" rest might need care at all.
        suspect = any(mark in chunk for mark in (b'"@value":"http', b'\\"http', b"#//", b"///"))
        for namespace, prefix in self._rules:
            quoted = b'"' + namespace
            if suspect and (b'"@value":' + quoted in chunk or b"\\" + quoted in chunk
                            or namespace + b"//" in chunk):
                for place in self._PLACES:  # the careful path: the four places only
                    pattern = re.escape(place + namespace) + rb"(?!//)"
                    chunk = re.sub(pattern, place + prefix, chunk)  # no backslash in either
            else:  # returns the same bytes, uncopied, when the namespace is absent
                chunk = chunk.replace(quoted, b'"' + prefix)
        return chunk

    def _refuse_ambiguous(self, chunk: bytes) -> None:
        for match in self._looks_compact.finditer(chunk):
            before = chunk[max(0, match.start() - 7):match.start()]
            if before.endswith((b"{", b",", b'"@id":', b'"@type":')):
                end = chunk.find(b'"', match.end())
                iri = chunk[match.start() + 1:end].decode("utf-8", "replace")
                raise BadInput(f"the IRI {iri!r} would read as a compact IRI in JSON-LD; "
                               "export this data in another RDF format")


class XmlText:
    """A binary writer that keeps XML text exact: ``\\r`` becomes ``&#13;``; a control character
    XML 1.0 cannot carry is refused (UTF-8 never hides these bytes inside another character).

    >>> import io
    >>> out = io.BytesIO(); _ = XmlText(out).write(b"<p>a\\r\\nb</p>"); out.getvalue()
    b'<p>a&#13;\\nb</p>'
    """

    _FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

    def __init__(self, out: Sink) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if self._FORBIDDEN.search(data):
            raise BadInput("a literal holds a control character that XML 1.0 cannot carry; "
                           "export this data in another RDF format")
        self._out.write(data.replace(b"\r", b"&#13;"))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here."""
