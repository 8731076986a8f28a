"""Open a store backend by its location, and fill a new one with the bundled files."""

from __future__ import annotations

from pyoxigraph import NamedNode, Quad, parse

import ontology

from ..errors import BadInput
from ..rdf.formats import open_rdf_input, rdf_parse_error, syntax_for_path
from .knowledge import KnowledgeGraph
from .local import open_local, scratch_backend
from .runs import refuse_if_served

__all__ = ["is_remote", "open_graph", "scratch_graph", "seeded"]


def is_remote(location: str) -> bool:
    """True for the URL of a SPARQL endpoint, False for ``memory`` and a directory."""
    return location.startswith(("http://", "https://"))


def open_graph(
    location: str = "memory", *, bundled: bool = True, lock_wait: float = 0.0, **remote: object
) -> KnowledgeGraph:
    """Open a backend and, when asked, load the files bundled in :mod:`ontology`.

    ``location`` is ``memory`` (the default: rebuilt at each start), a directory (an on-disk
    store that keeps what is written; the bundled files go into it in one transaction when it
    is empty, so a crash on first open leaves it empty, never half-filled) or the ``http(s)``
    URL of a SPARQL endpoint, opened as a :class:`~graph.store.remote.RemoteGraph` with the
    keyword options in ``remote`` that are not None (``update_url``, ``credentials``,
    ``timeout``). It is never written to unasked: the bundled files are not loaded into it.

    An on-disk store that another process holds (its ``LOCK``) is tried again for up to
    ``lock_wait`` seconds: a server restarted right after a crash waits for the dying process
    to let go. One that a server of several processes serves is refused
    (:mod:`graph.store.runs`): they would not show what this opening writes.

    >>> kg = open_graph("memory", bundled=False)
    >>> kg.capabilities.kind, len(kg)
    ('memory', 0)
    """
    remote = {name: value for name, value in remote.items() if value is not None}
    if is_remote(location):
        # Imported here: the remote backend brings requests (~30 ms), which a server of a local
        # store never needs at start (issue 15: start-up time).
        from .remote import RemoteGraph

        return RemoteGraph(location, **remote)  # type: ignore[arg-type]
    if remote:
        raise BadInput(f"{', '.join(remote)}: only for a remote store, not {location}")
    if location != "memory":
        refuse_if_served(location)
    return seeded(KnowledgeGraph(open_local(location, lock_wait)), bundled)


def seeded(kg: KnowledgeGraph, bundled: bool = True) -> KnowledgeGraph:
    """``kg``, with the bundled files added in one transaction if ``bundled`` and it is empty."""
    if bundled and len(kg) == 0 and (seed := _bundled_quads()):
        kg.add(seed)
    return kg


def scratch_graph() -> KnowledgeGraph:
    """An empty in-memory graph for work in progress, read by pattern (an import's new
    statements and their validation context): it keeps no set-valued union."""
    return KnowledgeGraph(scratch_backend())


def _bundled_quads() -> list[Quad]:
    """The quads of the bundled files, each triples file in its own named graph. (Added as they
    are: writing them out as one document to load it would parse them twice.)"""
    quads: list[Quad] = []
    for path in ontology.bundled_files():
        syntax = syntax_for_path(path)
        graph = None if syntax.has_graphs else NamedNode(ontology.graph_for_file(path))
        with open_rdf_input(path) as stream:
            try:
                parsed = parse(stream, format=syntax.oxigraph, base_iri=path.resolve().as_uri(),
                               rename_blank_nodes=True)
                quads.extend(q if graph is None else Quad(q.subject, q.predicate, q.object, graph)
                             for q in parsed)
            except SyntaxError as error:
                raise rdf_parse_error(error, str(path)) from None
    return quads
