"""A remote SPARQL 1.1 endpoint as the store, with the reading and writing surface of the local one.

:class:`RemoteBackend` speaks the SPARQL 1.1 Protocol (form-encoded POST) to a query endpoint and,
when one is given, an update endpoint. Results stream back as SPARQL JSON (SELECT, ASK) or
N-Triples (CONSTRUCT, DESCRIBE) and pyoxigraph parses them into the same terms and the same
:class:`~graph.store.results.QueryResult` as the local store, reading no further than the row cap.

What differs from the local store, and why:

- The time budget is the HTTP client's: it bounds the wait for each part of the answer, and the
  rows are checked against the deadline as they arrive; the endpoint's own timeout is its setting.
- ``substitutions`` become a trailing ``VALUES`` row (the endpoint has no bound-variable API);
  the row is joined before projection, so the variables must be in scope at the top level.
- :attr:`KnowledgeGraph.version` counts the writes made through this object. Writes by other
  clients of the endpoint do not change it, and the sizes (``len``, :meth:`graph_sizes`) are
  cached for a minute or until this object writes.
- Queries are not parsed here (the guard aside): each engine has its own extensions, and the
  endpoint knows them.
- There is no local pyoxigraph store (:attr:`Capabilities.local` is False): statements are read
  by pattern with SPARQL, and analytics that need the whole graph in memory are not offered over
  a remote store (see :mod:`graph.network.remote_walks`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, cast, overload
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
import requests.auth
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    Variable,
    parse,
    parse_query_results,
)

from ..errors import BadInput, QueryTimeout, ReadOnly, StoreUnavailable, Unsupported
from ..rdf.formats import RdfSyntax, open_rdf_input, rdf_parse_error
from ..rdf.quadsource import Subject, Term
from .backend import REMOTE, GraphName, MaybeApplied, ProgressCallback
from .engine import collect, counted, insert_data, named_node
from .knowledge import KnowledgeGraph
from .results import QueryResult

__all__ = ["RemoteBackend", "RemoteGraph"]

log = logging.getLogger(__name__)

#: What a query asks for: results for SELECT and ASK, N-Triples (or Turtle) for graphs.
QUERY_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5, application/rdf+xml;q=0.4"
)
CONNECT_TIMEOUT = 10.0  # seconds to open a connection, whatever the query's budget
SIZES_TTL = 60.0  # seconds the graph sizes of the endpoint are kept
_RESULT_FORMATS = (QueryResultsFormat.JSON, QueryResultsFormat.XML)


class RemoteBackend:
    """A SPARQL endpoint as the store's backend; see the module notes and :class:`RemoteGraph`.
    """

    capabilities = REMOTE

    def __init__(self, query_url: str, *, update_url: str | None = None,
                 credentials: str | None = None, timeout: float = 120.0) -> None:
        query_url, from_url = _split_credentials(query_url)
        update_url, from_update_url = _split_credentials(update_url)
        self.location = query_url
        self.query_url, self.update_url, self.timeout = query_url, update_url, timeout
        self.write_failure: str | None = None
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "aikg"
        _authenticate(self._session, credentials or from_url or from_update_url)
        self._writes = 0  # the writes made through this object, for the sizes' cache
        self._sizes: tuple[int, float, dict[str, int]] | None = None
        try:
            self._check_union_default_graph()
        except (QueryTimeout, StoreUnavailable) as error:
            raise StoreUnavailable(f"{query_url} cannot be used as a store: {error}") from None

    # -- reading -----------------------------------------------------------------------------

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graphs: Iterable[str] | None = None,
              named_graphs: Iterable[str] | None = None, timeout: float | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> QueryResult:
        """Run a query on the endpoint. ``default_graphs`` and ``named_graphs`` are sent as the
        protocol's ``default-graph-uri`` and ``named-graph-uri``. Only up to ``max_rows`` rows
        are read; the rest of the answer is dropped with the connection."""
        sparql = _with_base(sparql, base_iri)
        budget = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + budget
        if substitutions:
            sparql += _values_row(substitutions)
        form = [("query", sparql)]
        form += [("default-graph-uri", named_node(g).value) for g in default_graphs or ()]
        form += [("named-graph-uri", named_node(g).value) for g in named_graphs or ()]
        response = self._post(self.query_url, form, QUERY_ACCEPT, budget, "query")
        try:
            return collect(_parse_answer(response), deadline, max_rows)
        except (OSError, SyntaxError, requests.RequestException) as error:
            if time.monotonic() > deadline:
                raise QueryTimeout(f"the store's answer ran past {budget:g} s") from None
            raise StoreUnavailable(f"the store's answer broke off: {error}") from None
        finally:
            response.close()

    def quads(self, subject: Subject | None = None, predicate: NamedNode | None = None,
              object: Term | None = None,
              graph: GraphName | BlankNode | None = None) -> Iterator[Quad]:
        """The matching quads, read with one SPARQL query. The default graph of the endpoint is
        the union of its named graphs (docs/storage.md), so ``DefaultGraph()`` reads that."""
        given = (subject, predicate, object)
        pattern = " ".join(f"?{k}" if v is None else str(v)  # N-Triples terms: escaped
                           for k, v in zip("spo", given, strict=True))
        if isinstance(graph, DefaultGraph):
            # DISTINCT: a store whose union repeats a triple per graph sends it once
            rows = self.query(f"SELECT DISTINCT ?s ?p ?o WHERE {{ {pattern} }}").rows
        else:
            name = "?g" if graph is None else str(graph)
            rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH {name} {{ {pattern} }} }}").rows
        for row in rows:
            yield Quad(subject if subject is not None else row[0],
                       predicate if predicate is not None else row[1],
                       object if object is not None else row[2],
                       graph if graph is not None else row[3])

    def size(self) -> int:
        """The number of quads in the endpoint's named graphs (cached, see the module notes)."""
        return sum(self.graph_sizes().values())

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each named graph, largest first (cached)."""
        now = time.monotonic()
        if self._sizes is None or self._sizes[0] != self._writes or now > self._sizes[1]:
            result = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                                "GROUP BY ?g ORDER BY DESC(?n)")
            sizes = {g.value: int(n.value) for g, n in result.rows}
            self._sizes = (self._writes, now + SIZES_TTL, sizes)
        return self._sizes[2]

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs that hold triples, sorted (cached)."""
        return sorted(self.graph_sizes())

    def contains_named_graph(self, name: NamedNode) -> bool:
        """A graph that holds statements: the endpoint may not keep empty graphs."""
        return bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }",
                               substitutions={"g": name}).boolean)

    def graph_terms(self) -> list[NamedNode | BlankNode]:
        return [NamedNode(g) for g in self.named_graphs()]

    @property
    def merged_graph(self) -> NamedNode:
        raise Unsupported(f"export the remote store {self.location} with its own tools")

    def dump(self, out: IO[bytes], format: RdfFormat, *,
             from_graph: NamedNode | BlankNode | DefaultGraph | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        raise Unsupported(f"back up or dump the remote store {self.location} with its own tools")

    def checkpoint(self, folder: str) -> RemoteBackend:
        raise Unsupported(f"the remote store {self.location} makes no checkpoints here")

    # -- writing -----------------------------------------------------------------------------

    def check_writable(self) -> None:
        if self.update_url is None:
            raise ReadOnly("this remote store has no update endpoint; give one to write")

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Send an update. When the answer does not come (timeout, broken connection) the
        update may still have been applied: :class:`MaybeApplied` says so."""
        self._writes += 1
        assert self.update_url is not None, "the graph asks check_writable() first"
        try:
            self._post(self.update_url, [("update", _with_base(sparql, base_iri))], "*/*",
                       self.timeout, "update").close()
        except (QueryTimeout, StoreUnavailable) as error:
            raise MaybeApplied(type(error)(f"{error} (the update may have been applied)")
                               ) from None

    def apply(self, sparql: str) -> None:
        self._writes += 1
        assert self.update_url is not None, "the graph asks check_writable() first"
        self._post(self.update_url, [("update", sparql)], "*/*", self.timeout, "update").close()

    def extend(self, quads: list[Quad]) -> None:
        self.apply(insert_data(quads))

    def load(self, source: str | Path | bytes | IO[bytes], syntax: RdfSyntax, *,
             to_graph: GraphName | None, base_iri: str | None, name: str,
             progress: ProgressCallback | None, bulk: bool) -> None:
        """Parse the whole input here, so bad input sends nothing, then send one INSERT DATA."""
        stream = open_rdf_input(source)
        try:
            reader = counted(stream, progress)
            quads = [q if to_graph is None else Quad(q.subject, q.predicate, q.object, to_graph)
                     for q in parse(reader, format=syntax.oxigraph, base_iri=base_iri)]
        except SyntaxError as error:
            raise rdf_parse_error(error, name) from None
        except (OSError, ValueError) as error:
            raise BadInput(f"{name}: {error}") from None
        finally:
            if stream is not source:
                stream.close()
        if quads:
            self.extend(quads)

    # -- helpers -----------------------------------------------------------------------------

    def _post(self, url: str, form: list[tuple[str, str]], accept: str, budget: float,
              what: str) -> requests.Response:
        try:
            response = self._session.post(url, data=form, headers={"Accept": accept},
                                          stream=True, timeout=(CONNECT_TIMEOUT, budget))
        except requests.Timeout:
            raise QueryTimeout(f"the store did not answer the {what} within {budget:g} s"
                               ) from None
        except requests.RequestException as error:
            raise StoreUnavailable(f"cannot reach the store at {url}: {error}") from None
        if response.status_code < 400:
            return response
        status, text = response.status_code, _error_text(response)
        response.close()
        if status in (401, 403):
            raise StoreUnavailable(f"the store refused the credentials (HTTP {status}): {text}")
        if 400 <= status < 500 and status not in (404, 405, 408, 429):
            raise BadInput(f"the store rejected the {what} (HTTP {status}): {text}")
        raise StoreUnavailable(f"the store failed on the {what} (HTTP {status}): {text}")

    def _check_union_default_graph(self) -> None:
        """Warn when a triple of a named graph is not in the default graph (decision 2)."""
        sample = self.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")
        if sample.rows and not isinstance(sample.rows[0][0], BlankNode) and not self.query(
                "ASK { ?s ?p ?o }",
                substitutions=dict(zip("spo", sample.rows[0], strict=True))).boolean:
            log.warning("%s: the default graph is not the union of the named graphs, so "
                        "queries without GRAPH miss data; see docs/storage.md", self.location)


class RemoteGraph(KnowledgeGraph):
    """The knowledge graph over a SPARQL endpoint: a :class:`KnowledgeGraph` whose backend is a
    :class:`RemoteBackend`, nothing else changed.

    Parameters
    ----------
    query_url : str
        The query endpoint. A ``user:password@`` in it becomes HTTP basic credentials and is
        removed from :attr:`location`.
    update_url : str, optional
        The update endpoint; without it the graph is read-only.
    credentials : str, optional
        ``user:password`` for HTTP basic authentication, ``Digest user:password`` (Virtuoso's
        ``/sparql-auth``) or ``Bearer TOKEN`` (QLever's access token, OAuth proxies).
    timeout : float
        Seconds granted to a query or update that brings no budget of its own.

    Raises
    ------
    StoreUnavailable
        If the endpoint cannot be reached or refuses the credentials.
    """

    def __init__(self, query_url: str, *, update_url: str | None = None,
                 credentials: str | None = None, timeout: float = 120.0) -> None:
        backend = RemoteBackend(query_url, update_url=update_url, credentials=credentials,
                                timeout=timeout)
        super().__init__(backend, read_only=update_url is None)


@overload
def _split_credentials(url: str) -> tuple[str, str | None]: ...
@overload
def _split_credentials(url: None) -> tuple[None, None]: ...
def _split_credentials(url: str | None) -> tuple[str | None, str | None]:
    """The URL without its ``user:password@`` part, and that part.

    >>> _split_credentials("https://me:s%40cret@example.org/sparql")
    ('https://example.org/sparql', 'me:s@cret')
    """
    if url is None:
        return None, None
    parts = urlsplit(url)
    if not parts.scheme.startswith("http") or not parts.hostname:
        raise BadInput(f"not an http(s) endpoint URL: {url!r}")
    if parts.username is None:
        return url, None
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return urlunsplit(parts._replace(netloc=netloc)), secret


def _authenticate(session: requests.Session, credentials: str | None) -> None:
    """``user:password`` (HTTP basic), ``Digest user:password`` or ``Bearer TOKEN``."""
    if not credentials:
        return
    scheme, _, rest = credentials.partition(" ")
    if scheme.lower() == "bearer" and rest:
        session.headers["Authorization"] = f"Bearer {rest.strip()}"
    elif scheme.lower() == "digest" and ":" in rest:
        session.auth = requests.auth.HTTPDigestAuth(*rest.strip().split(":", 1))
    elif ":" in credentials:
        user, _, password = credentials.partition(":")
        session.auth = (user, password)
    else:
        raise BadInput("store credentials are 'user:password', 'Digest user:password' or "
                       "'Bearer TOKEN'")


def _values_row(substitutions: Mapping[str, object]) -> str:
    """A trailing VALUES clause binding each variable to its term, in N-Triples syntax.

    >>> from pyoxigraph import Literal
    >>> _values_row({"name": Literal('Say "hi"', language="en")})
    '\\nVALUES (?name) { ("Say \\\\"hi\\\\""@en) }'
    """
    names, terms = [], []
    for name, term in substitutions.items():
        if isinstance(term, BlankNode | Triple) or not hasattr(term, "value"):
            raise BadInput(f"cannot bind ?{name} to {term!r} on a remote store")
        try:
            names.append(str(Variable(name)))
        except ValueError:
            raise BadInput(f"not a SPARQL variable name: {name!r}") from None
        terms.append(str(term))
    return f"\nVALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def _parse_answer(response: requests.Response
                  ) -> QuerySolutions | QueryBoolean | Iterator[Triple]:
    """The answer as pyoxigraph query results, or as an iterator of triples."""
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    response.raw.decode_content = True
    # urllib3's response reads bytes as a file does; its types do not call it an IO[bytes]
    body = cast(IO[bytes], response.raw)
    results_format = QueryResultsFormat.from_media_type(media_type)
    if results_format in _RESULT_FORMATS:
        return parse_query_results(body, results_format)
    rdf_format = RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise StoreUnavailable(f"the store answered with {media_type or 'no media type'}, "
                               "neither SPARQL results nor RDF")
    return _triples(parse(body, rdf_format))


def _triples(quads: Iterable[Quad]) -> Iterator[Triple]:
    for quad in quads:
        yield quad.triple


def _error_text(response: requests.Response) -> str:
    """The start of an error body, on one line."""
    try:
        body = response.raw.read(2000, decode_content=True).decode("utf-8", "replace")
    except (OSError, requests.RequestException):
        body = ""
    return re.sub(r"\s+", " ", body).strip()[:300] or response.reason or "no message"


def _with_base(sparql: str, base_iri: str | None) -> str:
    """The text with a ``BASE`` for its relative IRIs; the IRI is checked, never pasted raw."""
    return sparql if base_iri is None else f"BASE {named_node(base_iri)}\n{sparql}"
