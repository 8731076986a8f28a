"""Checks on RDF input before it goes into the graph."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import parse

from ..errors import BadInput
from .formats import open_rdf_input, rdf_parse_error, rdf_syntax, syntax_for_path

__all__ = ["check_syntax"]


def check_syntax(path: Path, syntax: str | None = None) -> int:
    """Parse a file without storing it and return its number of statements.

    Raises :class:`~graph.errors.ParseError` naming the file, line and column of the first error.
    """
    fmt = (rdf_syntax(syntax) if syntax else syntax_for_path(path)).oxigraph
    with open_rdf_input(path) as stream:
        try:
            return sum(1 for _ in parse(stream, format=fmt, base_iri=path.resolve().as_uri()))
        except SyntaxError as error:
            raise rdf_parse_error(error, str(path)) from None
        except OSError as error:
            raise BadInput(f"{path}: {error}") from None
