"""What a store backend offers the knowledge graph, and what each kind of backend can do.

:class:`~graph.store.KnowledgeGraph` holds one backend and adds what every store shares: the
guard on SPARQL text, the version per write, the commit listeners, the write lock. A backend
only keeps quads and answers SPARQL:

- :class:`~graph.store.local.LocalBackend`: a pyoxigraph store in this process, in memory or
  on disk (the only module that touches pyoxigraph's ``Store``, with :mod:`graph.store.unionset`);
- :class:`~graph.store.remote.RemoteBackend`: a SPARQL 1.1 endpoint over HTTP.

Code that needs more than the protocol asks :attr:`Backend.capabilities`, never the type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat

from ..errors import AikgError
from ..rdf.formats import RdfSyntax
from ..rdf.quadsource import Subject, Term
from .results import QueryResult

__all__ = ["DISK", "MEMORY", "REMOTE", "Backend", "Capabilities", "GraphName", "LoadReport",
           "MaybeApplied"]

#: A graph as a term: a named graph, or the store's own default graph.
GraphName = NamedNode | DefaultGraph
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do beyond the protocol.

    Attributes
    ----------
    kind : str
        ``memory``, ``disk`` or ``remote``.
    local : bool
        The quads are in this process: read by pattern at index speed, projected into memory
        whole, dumped, and queried by forked worker processes.
    fork_copies : bool
        A forked process holds a private copy to try a write on (in memory only).
    checkpoints : bool
        A consistent copy can be made beside it on disk to try a write on.
    """

    kind: str
    local: bool
    fork_copies: bool
    checkpoints: bool


@dataclass(frozen=True)
class LoadReport:
    """What a load did: the triples added, the target graph (None: the file's own) and the time."""

    source: str
    triples: int
    graph: str | None
    seconds: float

    @property
    def rate(self) -> float:
        """Triples per second."""
        return self.triples / self.seconds if self.seconds else float(self.triples)


MEMORY = Capabilities("memory", local=True, fork_copies=True, checkpoints=False)
DISK = Capabilities("disk", local=True, fork_copies=False, checkpoints=True)
REMOTE = Capabilities("remote", local=False, fork_copies=False, checkpoints=False)


class MaybeApplied(Exception):  # noqa: N818 (a signal between backend and graph, never shown)
    """An update whose answer never came, so that it may have been applied: the graph counts
    it as a commit and raises :attr:`error`."""

    def __init__(self, error: AikgError) -> None:
        super().__init__(str(error))
        self.error = error


class Backend(Protocol):
    """The reading and writing surface of a store; see the module notes."""

    location: str
    capabilities: Capabilities
    #: Why writes fail since the store's own I/O failed (a full disk); None while they work.
    write_failure: str | None

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None,
              default_graphs: Iterable[str] | None, named_graphs: Iterable[str] | None,
              timeout: float | None, max_rows: int | None, base_iri: str | None
              ) -> QueryResult:
        """Evaluate a query that the guard has let through."""
        ...

    def update(self, sparql: str, *, base_iri: str | None) -> None:
        """Apply a user's update that the guard has let through (SyntaxError and
        PermissionError are left to the graph, which knows the text the user sent)."""
        ...

    def apply(self, sparql: str) -> None:
        """Apply an update of aikg's own, with no user text in it."""
        ...

    def extend(self, quads: list[Quad]) -> None:
        """Add quads in one transaction."""
        ...

    def load(self, source: str | Path | bytes | IO[bytes], syntax: RdfSyntax, *,
             to_graph: GraphName | None, base_iri: str | None, name: str,
             progress: ProgressCallback | None, bulk: bool) -> None:
        """Load RDF in one transaction: all of it, or nothing and an error."""
        ...

    def quads(self, subject: Subject | None = None, predicate: NamedNode | None = None,
              object: Term | None = None,
              graph: GraphName | BlankNode | None = None) -> Iterator[Quad]:
        """The quads matching a pattern; ``graph`` None: every graph."""
        ...

    def size(self) -> int:
        """The number of quads."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each named graph, largest first."""
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        ...

    def contains_named_graph(self, name: NamedNode) -> bool:
        """Whether the named graph is in the store."""
        ...

    def graph_terms(self) -> list[NamedNode | BlankNode]:
        """The named graphs as terms (blank nodes included), in the store's order."""
        ...

    @property
    def merged_graph(self) -> NamedNode:
        """The graph to dump the merge of the dataset's graphs from, each triple once."""
        ...

    def dump(self, out: IO[bytes], format: RdfFormat, *,
             from_graph: NamedNode | BlankNode | DefaultGraph | None = None,
             prefixes: dict[str, str] | None = None) -> None:
        """Serialize the dataset, or one graph, as pyoxigraph's ``Store.dump`` does
        (:class:`~graph.errors.Unsupported` where the quads are not local)."""
        ...

    def checkpoint(self, folder: str) -> Backend:
        """A consistent copy in ``folder``, opened (where :attr:`Capabilities.checkpoints`)."""
        ...

    def check_writable(self) -> None:
        """Raise :class:`~graph.errors.ReadOnly` if the backend cannot be written at all."""
        ...
