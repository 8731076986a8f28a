"""The export formats: RDF syntaxes and network formats, by name, alias or media type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput
from ..rdf.formats import RDF_SYNTAXES, RdfSyntax, rdf_syntax

__all__ = ["EXPORT_FORMATS", "ExportFormat", "export_format", "format_for_path"]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its short name, media type and file suffix.

    RDF formats carry their :class:`~graph.formats.RdfSyntax`; network formats have none.
    """

    name: str
    media_type: str
    suffix: str
    syntax: RdfSyntax | None = None
    aliases: tuple[str, ...] = ()

    @property
    def is_rdf(self) -> bool:
        """True for the RDF syntaxes, False for the network formats."""
        return self.syntax is not None

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header: text formats say they are UTF-8."""
        text = self.media_type.startswith("text/") or self.media_type.endswith(
            ("json", "xml", "n-triples", "n-quads", "trig"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


_NETWORK_FORMATS = (
    ExportFormat("graphml", "application/graphml+xml", ".graphml"),
    ExportFormat("gexf", "application/gexf+xml", ".gexf"),
    ExportFormat("nodelink", "application/json", ".json", aliases=("node-link", "d3", "json")),
    ExportFormat("cytoscape", "application/vnd.cytoscape+json", ".cyjs",
                 aliases=("cyjs", "cytoscape.js")),
    ExportFormat("csv", "application/zip", ".zip", aliases=("zip",)),
    ExportFormat("dot", "text/vnd.graphviz", ".dot", aliases=("gv", "graphviz")),
)

#: Every export format: the RDF syntaxes first, then the network formats.
EXPORT_FORMATS: tuple[ExportFormat, ...] = tuple(
    ExportFormat(s.name, s.media_type, s.suffixes[0], syntax=s) for s in RDF_SYNTAXES
) + _NETWORK_FORMATS


def export_format(name_or_media_type: str) -> ExportFormat:
    """Find an export format by name, alias or media type; unknown names list the valid ones.

    >>> export_format("ttl").name
    'turtle'
    >>> export_format("application/graphml+xml").suffix
    '.graphml'
    >>> export_format("xlsx")
    Traceback (most recent call last):
    ...
    graph.errors.BadInput: unknown export format 'xlsx'; use one of: turtle, ntriples, nquads, \
trig, jsonld, rdfxml, graphml, gexf, nodelink, cytoscape, csv, dot
    """
    key = name_or_media_type.split(";")[0].strip().lower()
    for fmt in _NETWORK_FORMATS:
        if key in (fmt.name, fmt.media_type, *fmt.aliases):
            return fmt
    try:
        syntax = rdf_syntax(key)
    except BadInput:
        names = ", ".join(f.name for f in EXPORT_FORMATS)
        raise BadInput(
            f"unknown export format {name_or_media_type!r}; use one of: {names}") from None
    return next(f for f in EXPORT_FORMATS if f.syntax == syntax)


def format_for_path(path: str | Path) -> ExportFormat:
    """The export format a file name asks for by its suffix (``.json`` is node-link JSON).

    >>> format_for_path("circle.graphml").name, format_for_path("aikg.owl").name
    ('graphml', 'rdfxml')
    """
    suffix = Path(path).suffix.lower()
    for fmt in EXPORT_FORMATS:
        if suffix == fmt.suffix or suffix[1:] in fmt.aliases:
            return fmt
    for fmt in EXPORT_FORMATS:
        if fmt.syntax and suffix in fmt.syntax.suffixes:
            return fmt
    known = ", ".join(sorted({f.suffix for f in EXPORT_FORMATS}))
    raise BadInput(f"{path}: cannot tell the export format from the suffix {suffix!r}; give "
                   f"--format, or end the file name with one of {known}")
