"""Backups of a local store: a streamed dump to N-Quads or TriG, and a restore from one.

A dump holds every quad with its named graph, so restoring it into an empty store gives the
same dataset (blank nodes get new labels, as with any RDF load). The dump reads one snapshot
of the store, so writes made while it runs are wholly in it or wholly out of it.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO, cast

from ..errors import BadInput, Unsupported
from ..rdf.formats import RdfSyntax, rdf_syntax, syntax_for_path
from .knowledge import KnowledgeGraph, LoadReport

__all__ = ["dump", "restore"]


def dump(kg: KnowledgeGraph, target: str | Path, *, format: str | None = None) -> None:
    """Write every quad of the store to the file ``target``, streamed (gzip for ``.gz``).

    ``format`` is ``nquads`` or ``trig``; by default, the file's suffix says which.

    Raises :class:`~graph.errors.BadInput` for a syntax without named graphs, and
    :class:`~graph.errors.Unsupported` for a remote store (use the store's own backup tool).
    """
    if not kg.capabilities.local:
        raise Unsupported(f"back up the remote store {kg.location} with its own tools")
    path = Path(target)
    syntax = _dataset_syntax(format, path)
    with gzip.open(path, "wb") if path.suffix == ".gz" else path.open("wb") as out:
        # a GzipFile takes bytes like any binary file; typeshed does not call it an IO[bytes]
        kg.dump(cast(IO[bytes], out), syntax.oxigraph)


def restore(kg: KnowledgeGraph, source: str | Path, *, format: str | None = None
            ) -> LoadReport:
    """Load a dump into an empty store, in one atomic bulk load.

    Raises :class:`~graph.errors.BadInput` if the store holds anything: a restore recreates
    a store, it does not merge into one.
    """
    if len(kg):
        raise BadInput(f"{kg.location} is not empty ({len(kg):,} quads); restore into a new "
                       "store, or add files with load")
    path = Path(source)
    return kg.load(path, format=_dataset_syntax(format, path).name, bulk=True)


def _dataset_syntax(format: str | None, path: Path) -> RdfSyntax:
    syntax = rdf_syntax(format) if format else syntax_for_path(path)
    if syntax.name not in ("nquads", "trig"):
        raise BadInput(f"a backup keeps the named graphs: use nquads or trig, not {syntax.name}")
    return syntax
