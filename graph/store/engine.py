"""Between pyoxigraph and aikg: results held to a row cap, errors translated, readers counted.

Both backends use these: the local store (:mod:`graph.store.local`) and a remote one
(:mod:`graph.store.remote`), whose answers pyoxigraph parses into the same result objects.
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Callable, Iterable
from typing import IO, cast

from pyoxigraph import DefaultGraph, NamedNode, Quad, QueryBoolean, QuerySolutions, Triple

from ..errors import AikgError, BadInput, ParseError, QueryTimeout, StoreUnavailable
from ..rdf.terms import DEFAULT_GRAPH
from .results import QueryResult

__all__ = ["DEFAULT_GRAPH", "CountingReader", "check_deadline", "collect", "counted", "graphs_of",
           "insert_data", "named_node", "sparql_error", "write_error"]


ProgressCallback = Callable[[int, int], None]


def collect(raw: QuerySolutions | QueryBoolean | Iterable[Triple], deadline: float | None,
            max_rows: int | None) -> QueryResult:
    """Hold a pyoxigraph result in a :class:`QueryResult`, up to ``max_rows`` rows."""
    if isinstance(raw, QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    if isinstance(raw, QuerySolutions):
        variables = [v.value for v in raw.variables]
        result = QueryResult("select", variables=variables)
        sink = result.rows
        for solution in raw:
            if max_rows is not None and len(sink) >= max_rows:
                result.truncated = True
                break
            sink.append(tuple(solution))  # its values in the order of the variables
            check_deadline(deadline)
        return result
    result = QueryResult("graph")
    for triple in raw:
        if max_rows is not None and len(result.triples) >= max_rows:
            result.truncated = True
            break
        result.triples.append(triple)
        check_deadline(deadline)
    return result


def write_error(error: Exception, what: str) -> AikgError:
    """A failed write's error: the store's own I/O failure (RocksDB's "IO error", such as a full
    disk) is the server's, a 503 that says nothing was written; anything else is the input's."""
    if isinstance(error, OSError) and str(error).startswith("IO error"):
        return StoreUnavailable(f"{what}: the store could not write, so nothing was changed "
                                f"({error}); it refuses writes until aikg is restarted, once "
                                "the disk has room")
    return BadInput(f"{what}: {error}")


def check_deadline(deadline: float | None) -> None:
    """Raise :class:`QueryTimeout` once ``deadline`` (``time.monotonic``) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise QueryTimeout("the query ran past its time budget")


def named_node(iri: str) -> NamedNode:
    """An IRI as a term, or :class:`BadInput` for one that is not absolute."""
    try:
        return NamedNode(iri)
    except ValueError:
        raise BadInput(f"not an absolute IRI: {iri!r}") from None


_POSITION = re.compile(r"^error at (\d+):(\d+): ")
_PREFIXED_NAME_BEFORE = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%-]*$")


def sparql_error(error: SyntaxError, query: str = "") -> ParseError:
    r"""pyoxigraph's SPARQL syntax error as a :class:`ParseError` with its line and column, in
    words a person reads: an undeclared prefix is named as such.

    >>> import pyoxigraph
    >>> query = "SELECT * WHERE {\n  ?s foo:bar ?o }"
    >>> try:
    ...     pyoxigraph.Store().query(query)
    ... except SyntaxError as error:
    ...     print(sparql_error(error, query))
    2:6: unknown prefix foo: declare it first, as in PREFIX foo: <http://example.org/foo#>
    """
    message = error.msg if error.msg else str(error)
    head, _, _ = message.partition(", [")  # drop the parser's long list of expected characters
    position = _POSITION.match(head)
    line, column = ((int(position.group(1)), int(position.group(2))) if position
                    else (error.lineno, error.offset))
    head = head[position.end():] if position else head
    if "Prefix not found" in head:
        return _unknown_prefix(query, line, column)
    expected = head.split(", ")
    if len(expected) > 8:
        head = ", ".join(expected[:8]) + f" (or {len(expected) - 8} more)"
    return ParseError(head, line=line, column=column)


def _unknown_prefix(query: str, line: int | None, column: int | None) -> ParseError:
    """The error of a prefixed name whose prefix is not declared, at the name's start (the
    parser reports its end)."""
    lines = query.splitlines()
    before = lines[line - 1][:max(column - 1, 0)] if line and column and line <= len(lines) else ""
    found = _PREFIXED_NAME_BEFORE.search(before)
    if found is None:
        return ParseError("unknown prefix: declare each prefix with PREFIX before the query",
                          line=line, column=column)
    prefix = found.group(1) or ""
    return ParseError(f"unknown prefix {prefix}: declare it first, as in PREFIX {prefix}: "
                      f"<http://example.org/{prefix}#>", line=line, column=found.start() + 1)


def counted(stream: IO[bytes], progress: ProgressCallback | None) -> IO[bytes]:
    """``stream``, reporting its progress to ``progress`` when there is one."""
    if progress is None:
        return stream
    # pyoxigraph's parsers only call read(); their stubs ask for a whole IO[bytes]
    return cast(IO[bytes], CountingReader(stream, progress))


class CountingReader:
    """A binary reader that reports bytes and lines read, for progress bars.

    The bytes are those of the file as stored: for a gzip stream, the compressed bytes, so
    that they can be set against the file's size.
    """

    def __init__(self, stream: IO[bytes], progress: ProgressCallback) -> None:
        self._stream, self._progress = stream, progress
        self._compressed = stream.fileobj if isinstance(stream, gzip.GzipFile) else None
        self._bytes = self._lines = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._bytes += len(chunk)
        self._lines += chunk.count(b"\n")
        self._progress(self._compressed.tell() if self._compressed else self._bytes,
                       self._lines)
        return chunk



def insert_data(quads: Iterable[Quad]) -> str:
    """One ``INSERT DATA`` update for the quads, grouped by graph.

    >>> a, g = NamedNode("http://example.org/a"), NamedNode("http://example.org/g")
    >>> print(insert_data([Quad(a, a, a, g), Quad(a, a, a)]))
    INSERT DATA {
    GRAPH <http://example.org/g> {
    <http://example.org/a> <http://example.org/a> <http://example.org/a> .
    }
    <http://example.org/a> <http://example.org/a> <http://example.org/a> .
    }
    """
    by_graph: dict[object, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(f"{quad.triple} .")
    parts = ["INSERT DATA {"]
    for graph, lines in by_graph.items():
        named = not isinstance(graph, DefaultGraph)
        parts += [f"GRAPH {graph} {{", *lines, "}"] if named else lines
    return "\n".join([*parts, "}"])


def graphs_of(quads: Iterable[Quad]) -> frozenset[str]:
    """The graphs the quads go into: IRIs, or :data:`DEFAULT_GRAPH`."""
    return frozenset(q.graph_name.value if isinstance(q.graph_name, NamedNode) else DEFAULT_GRAPH
                     for q in quads)
