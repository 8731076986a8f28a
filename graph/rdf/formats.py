"""Every format aikg reads and writes, in one registry: the RDF syntaxes, the SPARQL results
formats and the network formats, by name, alias, media type and file suffix; and the checks on
RDF input (gzip, parse errors, documents built to blow up a parser)."""

from __future__ import annotations

import gzip
import io
import mmap
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from pyoxigraph import Quad, RdfFormat, Triple, serialize

from ..errors import BadInput, ParseError, Refused

__all__ = [
    "EXPORT_FORMATS",
    "FILE_NAME_ALIASES",
    "FORMAT_ALIASES",
    "RDF_SYNTAXES",
    "RESULTS_FORMATS",
    "ExportFormat",
    "RdfSyntax",
    "check_untrusted",
    "export_format",
    "format_for_path",
    "format_name",
    "open_rdf_input",
    "rdf_parse_error",
    "rdf_syntax",
    "serialized",
    "syntax_for_path",
]


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF syntax: its short name, media type, suffixes and pyoxigraph format."""

    name: str
    media_type: str
    suffixes: tuple[str, ...]
    oxigraph: RdfFormat

    @property
    def has_graphs(self) -> bool:
        """True for quad syntaxes (TriG, N-Quads), whose files name their own graphs."""
        return self.oxigraph.supports_datasets


RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", "text/turtle", (".ttl",), RdfFormat.TURTLE),
    RdfSyntax("ntriples", "application/n-triples", (".nt",), RdfFormat.N_TRIPLES),
    RdfSyntax("nquads", "application/n-quads", (".nq",), RdfFormat.N_QUADS),
    RdfSyntax("trig", "application/trig", (".trig",), RdfFormat.TRIG),
    RdfSyntax("jsonld", "application/ld+json", (".jsonld", ".json"), RdfFormat.JSON_LD),
    RdfSyntax("rdfxml", "application/rdf+xml", (".rdf", ".owl", ".xml"), RdfFormat.RDF_XML),
)

#: SPARQL results formats by name: their media types. ASK results have JSON and XML only.
RESULTS_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}

#: The one table of other names of formats: alias -> the format's name.
FORMAT_ALIASES: dict[str, str] = {
    "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "nq": "nquads",
    "n-quads": "nquads", "json-ld": "jsonld", "rdf/xml": "rdfxml", "rdf": "rdfxml",
    "xml": "rdfxml", "owl": "rdfxml",
    "node-link": "nodelink", "d3": "nodelink", "json": "nodelink", "cyjs": "cytoscape",
    "cytoscape.js": "cytoscape", "zip": "csv", "gv": "dot", "graphviz": "dot",
}
#: Aliases that are file suffixes and name their format only where a file's format is meant
#: (loads, exports, file names): on ``/sparql``, ``json``, ``xml`` and ``csv`` are results
#: formats, so ``?format=`` there takes the other aliases only.
FILE_NAME_ALIASES = frozenset({"xml", "owl", "json", "zip"})


def format_name(alias: str, *, file_names: bool = True) -> str:
    """The name a format goes by, from any of its aliases (lower case); others unchanged.

    >>> format_name("ttl"), format_name("xml"), format_name("xml", file_names=False)
    ('turtle', 'rdfxml', 'xml')
    """
    if not file_names and alias in FILE_NAME_ALIASES:
        return alias
    return FORMAT_ALIASES.get(alias, alias)


def rdf_syntax(name_or_media_type: str) -> RdfSyntax:
    """Find a syntax by short name (``turtle``, ``nt``...) or media type (``text/turtle``).

    >>> rdf_syntax("text/turtle").name
    'turtle'
    >>> rdf_syntax("NT").name
    'ntriples'
    """
    key = format_name(name_or_media_type.split(";")[0].strip().lower())
    for syntax in RDF_SYNTAXES:
        if key in (syntax.name, syntax.media_type):
            return syntax
    if key == "application/x-turtle":
        return RDF_SYNTAXES[0]
    names = ", ".join(s.name for s in RDF_SYNTAXES)
    raise BadInput(f"unknown RDF format {name_or_media_type!r}; use one of: {names}")


def syntax_for_path(path: str | Path) -> RdfSyntax:
    """The syntax of a file from its suffix, ignoring a trailing ``.gz``.

    >>> syntax_for_path("data/facts.trig.gz").name
    'trig'
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    for syntax in RDF_SYNTAXES:
        if suffix in syntax.suffixes:
            return syntax
    known = ", ".join(s for syntax in RDF_SYNTAXES for s in syntax.suffixes)
    raise BadInput(f"{path}: cannot tell the RDF format from the suffix {suffix!r}; give "
                   f"the format, or end the file name with one of {known}")


def open_rdf_input(source: str | Path | bytes | IO[bytes]) -> IO[bytes]:
    """A binary stream over a path (gunzipped for ``.gz``), bytes, or a stream as it is."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise BadInput(f"{path}: no such file")
        if path.suffix == ".gz":
            # a GzipFile reads bytes like any binary file; typeshed does not call it an IO[bytes]
            return cast(IO[bytes], gzip.open(path, "rb"))
        return path.open("rb")
    return source


def rdf_parse_error(error: SyntaxError, source: str) -> ParseError:
    """pyoxigraph's parser error as a :class:`ParseError` naming the source, line and column."""
    message = error.msg or str(error)
    if message.startswith("Parser error"):
        message = message.split(": ", 1)[-1]
    return ParseError(message, source=source, line=error.lineno, column=error.offset)


_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s*)?([^\s>]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')")
_REFERENCE = re.compile(rb"&([^;\s&<>]{1,256});")
# A string (skipped whole, brackets inside it included), an opening or a closing bracket.
_JSON_TOKEN = re.compile(rb'("(?:[^"\\]|\\.)*")|([\[{])|[\]}]', re.S)
_MAX_ENTITIES = 64
#: What entity references may add to an RDF/XML document: this many times its own size...
_EXPANSION_RATIO = 4
#: ...or this many bytes, if more (a small document may use ``&owl;`` on every line).
_EXPANSION_FLOOR = 1024 * 1024
MAX_NESTING = 256


def _check_expansion(data: bytes | mmap.mmap, sizes: dict[bytes, int]) -> None:
    """Refuse RDF/XML whose entity references would add more than the bound to it."""
    bound = max(_EXPANSION_RATIO * len(data), _EXPANSION_FLOOR)
    added = 0
    for reference in _REFERENCE.finditer(data):  # no copy: ``data`` may be a mapped file
        added += sizes.get(reference.group(1), 0)
        if added > bound:
            raise Refused(f"RDF/XML whose entity references expand to more than {bound:,} bytes "
                          f"(four times the document, at least 1 MiB) is refused")


def check_untrusted(data: bytes | mmap.mmap, syntax: RdfSyntax) -> None:
    """Refuse documents built to blow up the parser before they reach it.

    RDF/XML may declare plain entities (Protege writes ``<!ENTITY owl "http://...">``) but not
    entities made of other entities (the "billion laughs", 1 KB that expands to gigabytes),
    external ones (``SYSTEM``, ``PUBLIC``), more than 64, or references that would add more
    than four times the document's size (at least 1 MiB): a 190 KB document using one 100 KB
    entity 30,000 times asked for 2.9 GB. JSON-LD may nest at most 256 deep: pyoxigraph's
    parser overflows its stack a few thousand levels down.

    >>> check_untrusted(b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r/>',
    ...                 rdf_syntax("rdfxml"))
    Traceback (most recent call last):
    ...
    graph.errors.Refused: RDF/XML entities that refer to other entities are refused
    """
    if syntax.name == "rdfxml":
        declared = _ENTITY.findall(data)
        if len(declared) > _MAX_ENTITIES:
            raise Refused(f"RDF/XML with more than {_MAX_ENTITIES} entity declarations is refused")
        for _, value in declared:
            if value in (b"SYSTEM", b"PUBLIC"):
                raise Refused("RDF/XML external entities are refused")
            if b"&" in value or b"%" in value:
                raise Refused("RDF/XML entities that refer to other entities are refused")
        if declared:
            _check_expansion(data, {name: len(value) - 2 for name, value in declared})
    elif syntax.name == "jsonld":
        depth = deepest = 0
        for token in _JSON_TOKEN.finditer(data):  # no copy: ``data`` may be a mapped file
            if token.lastindex == 2:
                depth += 1
                deepest = max(deepest, depth)
            elif token.lastindex is None:
                depth -= 1
        if deepest > MAX_NESTING:
            raise Refused(f"JSON-LD nested {deepest} deep is refused (at most {MAX_NESTING})")


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its short name, media type and file suffix.

    RDF formats carry their :class:`RdfSyntax`; network formats have none.
    """

    name: str
    media_type: str
    suffix: str
    syntax: RdfSyntax | None = None

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
    ExportFormat("nodelink", "application/json", ".json"),
    ExportFormat("cytoscape", "application/vnd.cytoscape+json", ".cyjs"),
    ExportFormat("csv", "application/zip", ".zip"),
    ExportFormat("dot", "text/vnd.graphviz", ".dot"),
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
    key = format_name(name_or_media_type.split(";")[0].strip().lower())
    for fmt in _NETWORK_FORMATS:
        if key in (fmt.name, fmt.media_type):
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
        if suffix == fmt.suffix or FORMAT_ALIASES.get(suffix[1:]) == fmt.name:
            return fmt
    for fmt in EXPORT_FORMATS:
        if fmt.syntax and suffix in fmt.syntax.suffixes:
            return fmt
    known = ", ".join(sorted({f.suffix for f in EXPORT_FORMATS}))
    raise BadInput(f"{path}: cannot tell the export format from the suffix {suffix!r}; give "
                   f"--format, or end the file name with one of {known}")

def serialized(statements: Iterable[Triple] | Iterable[Quad], syntax: RdfFormat, *,
               prefixes: dict[str, str] | None = None) -> bytes:
    """The statements written in ``syntax``: :func:`pyoxigraph.serialize` without an output."""
    # serialize returns None only when it writes to an output; its stub says bytes | None
    return cast(bytes, serialize(statements, format=syntax, prefixes=prefixes))
