"""Tables described by W3C CSV on the Web (CSVW) metadata: what a mapping says, and the typed rows.

A mapping (:mod:`graph.importing.mappings` reads it) is a CSVW table description
(``*.csv-metadata.json``): each column has ``titles`` (its header in the file), a ``datatype``,
``null`` values, a ``separator`` for lists, and ``propertyUrl`` (the predicate);
``tableSchema.aboutUrl`` names the column whose entity each row describes, and a column's own
``aboutUrl`` the column whose entities its values describe. What CSVW cannot say is written as
common properties under ``aikg:``, which other CSVW processors ignore (docs/import.md lists them):
``aikg:entity`` (the cell names entities to resolve), ``aikg:values`` (a fixed reading of each
text), ``aikg:derive`` (a second property read from the same cell), ``aikg:split``, ``aikg:keep``,
``aikg:patterns``, ``aikg:onlyWhere``, ``aikg:yearIfJanuaryFirst``, ``aikg:roundTo``; on the table
``aikg:graph``, ``aikg:site``, ``aikg:evidenceKind`` and ``aikg:aliases``. :func:`read_rows` reads a
table's cells into RDF terms and entity names, naming the row and column of a cell that does not
read.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import regex
from pyoxigraph import Literal, NamedNode

import ontology

from ..errors import BadInput
from .resolve import Name, parse_name, words

if TYPE_CHECKING:
    from csvw.metadata import URITemplate  # a mapping's value template, made by .mappings

__all__ = ["Column", "EntitySpec", "FamilySpec", "Mapping", "OwnerSpec", "Row", "expand_name",
           "read_rows"]

XSD = ontology.PREFIXES["xsd"]
#: Seconds a mapping's pattern may take on one cell.
CELL_SECONDS = 0.2
#: Prefixes of the CSVW context that mappings use, beside aikg's own.
PREFIXES = {**ontology.PREFIXES, "dc": ontology.PREFIXES["dcterms"],
            "cc": "http://creativecommons.org/ns#"}
_INTEGERS = {"integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
             "unsignedShort", "unsignedByte"}

Item = Literal | NamedNode | Name | None
_T = TypeVar("_T")


@dataclass(frozen=True)
class OwnerSpec:
    """Who owns each entity a column creates (the maker of a chip), read from the first word of
    its name ("NVIDIA H100 SXM5 80GB": NVIDIA): ``by_first_word`` maps that word (case-folded) to
    the owner's name, resolved as ``entity`` says; ``property`` links the two."""

    property: str
    entity: EntitySpec
    by_first_word: dict[str, str] = field(hash=False)

    def owner_word(self, text: str) -> str | None:
        """The owner's name for an entity called ``text``, or None."""
        first = next(iter(words(text)), "")
        return self.by_first_word.get(first)


@dataclass(frozen=True)
class FamilySpec:
    """The line each entity a column creates belongs to: an entity of class ``match`` in the
    graph whose name begins the entity's name at a word or number boundary ("Qwen" begins
    "Qwen3-Max", "ChatGLM" begins "ChatGLM3-6B") and which shares a value of ``sharing`` with it
    in its row (the same developer), or whose value is tied to it by one of ``via`` (a family
    developed by Alibaba Cloud, a unit of Alibaba); ``property`` links the two."""

    property: str
    match: str
    sharing: str
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntitySpec:
    """A column whose cells name entities: the ``kind`` reported, the class they are matched
    among, the class of those it creates (None: never create), whether names give alternatives
    ("Z.ai (Zhipu AI)"), whether a row without one that resolves is left out (a model with no
    developer breaks the shapes), ``aliases`` (a name of the table that means another name of
    the graph: "Google DeepMind" means Google), the ``owner`` of the entities it creates and
    the ``family`` they belong to."""

    kind: str
    match: str
    create: str | None
    alternatives: bool = False
    skip_row_without: bool = False
    aliases: dict[str, str] = field(default_factory=dict, hash=False)
    owner: OwnerSpec | None = None
    family: FamilySpec | None = None

    def name(self, text: str) -> Name:
        """The name a cell gives; raise ValueError for an entity whose owner is not known."""
        name = parse_name(text, alternatives=self.alternatives)
        if self.owner is not None and self.owner.owner_word(name.text) is None:
            known = ", ".join(sorted(self.owner.by_first_word))
            raise ValueError(f"{text!r}: its first word names no maker the mapping knows "
                             f"({known})")
        if name.text in self.aliases:
            meant = parse_name(self.aliases[name.text], alternatives=self.alternatives)
            name = replace(name, keys=meant.keys, weak=meant.weak, alternatives=())
        return name


@dataclass(frozen=True)
class Column:
    """One mapped column: how its text becomes RDF terms, and the statements they make."""

    name: str
    title: str
    property: str | None
    about: str | None = None  # the entity column whose entities are the subjects; None: the row's
    datatype: Any = None  # a csvw Datatype
    null: tuple[str, ...] = ("",)
    split: CellPattern | None = None
    lang: str | None = None
    value_url: URITemplate | None = None
    entity: EntitySpec | None = None
    values: dict[str, Literal | NamedNode] | None = None
    year_if_january_first: bool = False
    round_to_integer: bool = False
    required: bool = False
    keep: CellPattern | None = None  # list items that do not match it are left out
    #: (pattern, value): the value of the first pattern the text starts with; none: no value
    patterns: tuple[tuple[CellPattern, Literal | NamedNode], ...] | None = None
    #: (column, pattern): read only in rows where that column's text matches the pattern
    only_where: tuple[str, CellPattern] | None = None

    def read(self, text: str) -> list[Item]:
        """The terms of a cell: one per list item (None for a null item); raise ValueError."""
        text = text.strip()
        items = [p.strip() for p in self.split.split(text)] if self.split and text else [text]
        if self.keep is not None:
            items = [item for item in items if self.keep.search(item)] or [""]
        terms = [None if item in self.null else self._term(item) for item in items]
        if self.required and not any(t is not None for t in terms):
            raise ValueError("a value is required")
        return terms

    def _term(self, text: str) -> Item:
        if self.entity:
            return self.entity.name(text)
        if self.patterns is not None:
            return next((value for pattern, value in self.patterns if pattern.match(text)), None)
        if self.values is not None:
            if text not in self.values:
                known = ", ".join(repr(v) for v in self.values)
                raise ValueError(f"{text!r} is none of the values the mapping reads: {known}")
            return self.values[text]
        if self.value_url is not None:
            return NamedNode(expand_name(self.value_url.expand(**{self.name: text})))
        if self.datatype is None:
            return Literal(text, language=self.lang) if self.lang else Literal(text)
        return self._typed(text, self.datatype.read(text))

    def _typed(self, text: str, value: Any) -> Literal:
        base = self.datatype.base
        if base == "date":
            if self.year_if_january_first and (value.month, value.day) == (1, 1):
                return Literal(f"{value.year:04d}", datatype=NamedNode(XSD + "gYear"))
            return Literal(value.date().isoformat(), datatype=NamedNode(XSD + "date"))
        if self.round_to_integer:
            whole = round(Decimal(value))
            if abs(Decimal(value) - whole) > abs(whole) * Decimal("1e-9"):
                raise ValueError(f"{text} is not a whole number")
            return Literal(whole)
        if base == "decimal":
            return Literal(format(value, "f"), datatype=NamedNode(XSD + "decimal"))
        if base in _INTEGERS:
            return Literal(str(int(value)), datatype=NamedNode(XSD + base))
        if base in ("double", "float", "number"):
            return Literal(float(value))
        if base == "boolean":
            return Literal(bool(value))
        if base == "string":
            return Literal(value, language=self.lang) if self.lang else Literal(value)
        xsd_name = {"datetime": "dateTime", "any": "anyAtomicType"}.get(base, base)
        return Literal(self.datatype.formatted(value), datatype=NamedNode(XSD + xsd_name))


@dataclass(frozen=True)
class Mapping:
    """A table's mapping: its name, default graph, row entity column, columns and source."""

    name: str
    graph: str | None
    row_column: str
    columns: tuple[Column, ...]
    source: dict[str, Any]
    dialect: Any

    def column(self, name: str) -> Column:
        """The entity column called ``name``."""
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Row:
    """A row of the table: its number as in the file (the header is row 1) and its cells."""

    number: int
    cells: dict[str, list[Item]]


def read_rows(table: bytes | str | Path | IO[bytes], mapping: Mapping) -> Iterator[Row]:
    """The typed rows of a table; a cell that does not read raises :class:`BadInput` naming
    its row (as in the file: the header is row 1) and its column."""
    dialect = mapping.dialect
    encoding = "utf-8-sig" if dialect.encoding == "utf-8" else dialect.encoding
    with contextlib.ExitStack() as stack:
        if isinstance(table, str | Path):
            stream: IO[bytes] = stack.enter_context(open(table, "rb"))
        else:
            stream = io.BytesIO(table) if isinstance(table, bytes) else table
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        stack.callback(text.detach)  # leave the caller's stream open
        reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quoteChar)
        try:
            header = [h.strip() for h in next(reader, [])]
            where = {}
            for column in mapping.columns:
                if column.title not in header:
                    raise BadInput(f"the table has no column {column.title!r} "
                                   f"(mapping {mapping.name} reads it)")
                where[column.name] = header.index(column.title)
            for number, record in enumerate(reader, start=2):
                if any(cell.strip() for cell in record):
                    yield Row(number, _cells(record, mapping, where, number))
        except UnicodeDecodeError as error:
            raise BadInput(f"the table is not {dialect.encoding} text ({error.reason})") from None
        except csv.Error as error:
            raise BadInput(f"the table is not CSV: {error}") from None


def _cells(record: list[str], mapping: Mapping, where: dict[str, int], number: int
           ) -> dict[str, list[Item]]:
    def text(name: str) -> str:
        return record[where[name]] if where[name] < len(record) else ""

    cells: dict[str, list[Item]] = {}
    for column in mapping.columns:
        if column.only_where and not column.only_where[1].search(text(column.only_where[0])):
            cells[column.name] = [None]
            continue
        try:
            cells[column.name] = column.read(text(column.name))
        except ValueError as error:
            raise BadInput(f"row {number}, column {column.title}: {error}") from None
    return cells


class CellPattern:
    """A mapping's regular expression over one cell (``aikg:split``, ``aikg:keep``,
    ``aikg:patterns``, ``aikg:onlyWhere``): Python's syntax, checked by ``re`` (whose errors
    name the problem), run by the ``regex`` engine, which stops a match at a deadline. A pattern
    that backtracks (``(a+)+b`` on 27 characters froze the server for 9 s with Python's own
    engine) would cost as much on every row, so past :data:`CELL_SECONDS` on one cell the whole
    import is refused."""

    def __init__(self, text: str) -> None:
        re.compile(text)
        self.pattern = text
        self._compiled = regex.compile(text)

    def split(self, text: str) -> list[str]:
        return self._bounded(self._compiled.split, text)

    def search(self, text: str) -> regex.Match[str] | None:
        return self._bounded(self._compiled.search, text)

    def match(self, text: str) -> regex.Match[str] | None:
        return self._bounded(self._compiled.match, text)

    def _bounded(self, how: Callable[..., _T], text: str) -> _T:
        try:
            return how(text, timeout=CELL_SECONDS)
        except TimeoutError:
            raise BadInput(f"the pattern {self.pattern!r} took more than {CELL_SECONDS:g} s on "
                           f"one cell of {len(text)} characters: it backtracks; nothing was "
                           "imported") from None


def expand_name(name: str) -> str:
    """An absolute IRI from an IRI or a prefixed name."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if re.match(r"https?://", name):
        NamedNode(name)  # raises ValueError if it is no IRI
        return name
    raise ValueError(f"{name!r} is neither an http(s) IRI nor a prefixed name "
                     f"({', '.join(sorted(PREFIXES))})")
