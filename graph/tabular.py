"""Tables described by W3C CSV on the Web (CSVW) metadata: the mapping and the typed rows.

A mapping is a CSVW table description (``*.csv-metadata.json``) read with the ``csvw`` package:
each column has ``titles`` (its header in the file), a ``datatype``, ``null`` values, a
``separator`` for lists, and ``propertyUrl`` (the predicate); ``tableSchema.aboutUrl`` names the
column whose entity each row describes, and a column's own ``aboutUrl`` the column whose entities
its values describe. What CSVW cannot say is written as common properties under ``aikg:``, which
other CSVW processors ignore (docs/import.md lists them): ``aikg:entity`` (the cell names
entities to resolve), ``aikg:values`` (a fixed reading of each text), ``aikg:derive`` (a second
property read from the same cell), ``aikg:split``, ``aikg:yearIfJanuaryFirst``,
``aikg:roundTo``; on the table ``aikg:graph``, ``aikg:site`` and ``aikg:evidenceKind``.

Nothing is fetched: a mapping that refers to another document (a ``tableSchema`` or ``dialect``
given by URL) is refused, and the ``@context`` is only checked, never loaded.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from csvw.metadata import Table, URITemplate
from pyoxigraph import Literal, NamedNode

import ontology

from .errors import BadInput, NotFound
from .resolve import Name, parse_name, words

__all__ = ["MAPPINGS_DIR", "Column", "EntitySpec", "Mapping", "OwnerSpec", "Row",
           "bundled_mapping", "load_mapping", "mapping_names", "read_rows"]

MAPPINGS_DIR = ontology.ONTOLOGY_DIR / "mappings"
SUFFIX = ".csv-metadata.json"
XSD = ontology.PREFIXES["xsd"]
CSVW = "http://www.w3.org/ns/csvw"
#: Prefixes of the CSVW context that mappings use, beside aikg's own.
PREFIXES = {**ontology.PREFIXES, "dc": ontology.PREFIXES["dcterms"],
            "cc": "http://creativecommons.org/ns#"}
_INTEGERS = {"integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
             "unsignedShort", "unsignedByte"}

Item = Literal | NamedNode | Name | None


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
class EntitySpec:
    """A column whose cells name entities: the ``kind`` reported, the class they are matched
    among, the class of those it creates (None: never create), whether names give alternatives
    ("Z.ai (Zhipu AI)"), whether a row without one that resolves is left out (a model with no
    developer breaks the shapes), ``aliases`` (a name of the table that means another name of
    the graph: "Google DeepMind" means Google) and the ``owner`` of the entities it creates."""

    kind: str
    match: str
    create: str | None
    alternatives: bool = False
    skip_row_without: bool = False
    aliases: dict[str, str] = field(default_factory=dict, hash=False)
    owner: OwnerSpec | None = None

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
    split: re.Pattern | None = None
    lang: str | None = None
    value_url: URITemplate | None = None
    entity: EntitySpec | None = None
    values: dict[str, Literal | NamedNode] | None = None
    year_if_january_first: bool = False
    round_to_integer: bool = False
    required: bool = False
    keep: re.Pattern | None = None  # list items that do not match it are left out
    #: (pattern, value): the value of the first pattern the text starts with; none: no value
    patterns: tuple[tuple[re.Pattern, Literal | NamedNode], ...] | None = None
    #: (column, pattern): read only in rows where that column's text matches the pattern
    only_where: tuple[str, re.Pattern] | None = None

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
            return NamedNode(_expand(self.value_url.expand(**{self.name: text})))
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


def load_mapping(source: Path | bytes) -> Mapping:
    """Read a mapping from a file, or from the JSON document itself (bytes)."""
    if isinstance(source, bytes):
        name, text = "uploaded mapping", source
    else:
        path = Path(source)
        name = path.name.removesuffix(SUFFIX).removesuffix(".json")
        try:
            text = path.read_bytes()
        except OSError as error:
            raise BadInput(f"cannot read the mapping {source}: {error.strerror}") from None
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput(f"mapping {name}: not JSON ({error})") from None
    try:
        return _mapping(name, document)
    except KeyError as error:
        raise BadInput(f"mapping {name}: {error} is missing") from None
    except (ValueError, TypeError, AttributeError, re.error, Warning) as error:
        raise BadInput(f"mapping {name}: {error}") from None


def bundled_mapping(name: str) -> Mapping:
    """A mapping shipped in ``ontology/mappings/``, by name (``epoch-notable-ai-models``)."""
    if name not in mapping_names():
        raise NotFound(f"no bundled mapping {name!r}; there are: {', '.join(mapping_names())}")
    return load_mapping(MAPPINGS_DIR / f"{name}{SUFFIX}")


def mapping_names() -> list[str]:
    """The names of the bundled mappings."""
    return sorted(p.name.removesuffix(SUFFIX) for p in MAPPINGS_DIR.glob(f"*{SUFFIX}"))


def read_rows(table: bytes | str | Path | IO[bytes], mapping: Mapping) -> Iterator[Row]:
    """The typed rows of a table; a cell that does not read raises :class:`BadInput` naming
    its row (as in the file: the header is row 1) and its column."""
    dialect = mapping.dialect
    encoding = "utf-8-sig" if dialect.encoding == "utf-8" else dialect.encoding
    with contextlib.ExitStack() as stack:
        if isinstance(table, str | Path):
            stream = stack.enter_context(open(table, "rb"))
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

    cells = {}
    for column in mapping.columns:
        if column.only_where and not column.only_where[1].search(text(column.only_where[0])):
            cells[column.name] = [None]
            continue
        try:
            cells[column.name] = column.read(text(column.name))
        except ValueError as error:
            raise BadInput(f"row {number}, column {column.title}: {error}") from None
    return cells


# -- reading the CSVW metadata ----------------------------------------------------------------


def _mapping(name: str, document: dict) -> Mapping:
    if not isinstance(document, dict) or "tables" in document:
        raise ValueError("give one CSVW table description (a TableGroup is not supported)")
    context = document.get("@context")
    if (context if isinstance(context, str) else (context or [None])[0]) != CSVW:
        raise ValueError(f"@context must be {CSVW!r}, or a list of it and a local context")
    for key in ("tableSchema", "dialect"):
        if isinstance(document.get(key), str):
            raise ValueError(f"{key} must be given inline: aikg fetches no other document")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # csvw warns on invalid metadata: refuse it instead
        try:
            table = Table.fromvalue({"url": "table.csv", **document})
        except AssertionError:  # csvw's check of a local context
            raise ValueError("the local @context may only set @base and @language") from None
    schema = table.tableSchema
    about = _about(schema.aboutUrl, "tableSchema")
    if about is None:
        raise ValueError("tableSchema.aboutUrl must name the column of the row's entity")
    aliases = _aliases(table.common_props.get("aikg:aliases", {}))
    columns: list[Column] = []
    for csvw_column in schema.columns:
        if csvw_column.virtual:
            raise ValueError(f"column {csvw_column.name}: virtual columns are not supported")
        if not csvw_column.suppressOutput:
            columns.extend(_columns(csvw_column, aliases))
    entities = {c.name for c in columns if c.entity}
    for column in columns:
        if (column.about or about) not in entities:
            raise ValueError(f"column {column.name}: its aboutUrl names no entity column")
        if column.only_where and column.only_where[0] not in {c.name for c in columns}:
            raise ValueError(f"column {column.name}: aikg:onlyWhere names no column the "
                             f"mapping reads")
    props = table.common_props
    if not table._get_dialect().header:
        raise ValueError("the table must start with a header row (dialect.header true)")
    return Mapping(name=name, graph=props.get("aikg:graph"), row_column=about,
                   columns=tuple(columns), source=props, dialect=table._get_dialect())


def _columns(col: Any, aliases: dict[str, dict[str, str]]) -> list[Column]:
    props = col.common_props
    title = col.titles.getfirst() if col.titles else col.name
    separator = col.inherit("separator")
    split = props.get("aikg:split") or (re.escape(separator) if separator else None)
    lang = col.inherit("lang")
    entity = props.get("aikg:entity")
    value_url = col.valueUrl
    if value_url is not None and _template_names(value_url) != {col.name}:
        raise ValueError(f"column {col.name}: valueUrl must be a template of the column's own "
                         f"value, such as '{{+{col.name}}}'")
    column = Column(
        name=str(col), title=title,
        property=_expand(str(col.propertyUrl)) if col.propertyUrl else None,
        about=_about(col.aboutUrl, f"column {col.name}"),
        datatype=col.inherit("datatype"), null=tuple(col.inherit_null()),
        split=re.compile(split) if split else None,
        lang=None if lang in (None, "und") else lang,
        value_url=value_url,
        entity=_entity(entity, aliases) if entity else None,
        values=_values(props["aikg:values"]) if "aikg:values" in props else None,
        year_if_january_first=bool(props.get("aikg:yearIfJanuaryFirst")),
        round_to_integer=props.get("aikg:roundTo") == "xsd:integer",
        required=bool(col.inherit("required")),
        keep=re.compile(props["aikg:keep"]) if "aikg:keep" in props else None,
        patterns=_patterns(props["aikg:patterns"]) if "aikg:patterns" in props else None,
        only_where=_only_where(props["aikg:onlyWhere"]) if "aikg:onlyWhere" in props else None)
    derive = props.get("aikg:derive", [])
    if not isinstance(derive, list) or not all(isinstance(d, dict) for d in derive):
        raise ValueError(f"column {col.name}: aikg:derive is a list of "
                         f"{{'propertyUrl': ..., 'values': {{...}}}}")
    derived = [Column(name=f"{col}/{i}", title=title, property=_expand(d["propertyUrl"]),
                      about=column.about, null=column.null, split=column.split,
                      values=_values(d["values"]))
               for i, d in enumerate(derive)]
    return [column, *derived]


def _entity(spec: Any, aliases: dict[str, dict[str, str]]) -> EntitySpec:
    if not isinstance(spec, dict):
        raise ValueError(f"aikg:entity is an object with kind, match and create, not {spec!r}")
    create = spec.get("create")
    return EntitySpec(kind=spec["kind"], match=_expand(spec["match"]),
                      create=_expand(create) if create else None,
                      alternatives=bool(spec.get("alternatives")),
                      skip_row_without=bool(spec.get("skipRowWithout")),
                      aliases=aliases.get(spec["kind"], {}),
                      owner=_owner(spec["owner"], aliases) if "owner" in spec else None)


def _owner(spec: Any, aliases: dict[str, dict[str, str]]) -> OwnerSpec:
    if not isinstance(spec, dict) or not isinstance(spec.get("byFirstWord"), dict):
        raise ValueError("the owner of aikg:entity is an object with propertyUrl, kind, match, "
                         "create and byFirstWord")
    return OwnerSpec(property=_expand(spec["propertyUrl"]), entity=_entity(spec, aliases),
                     by_first_word={" ".join(words(k)): str(v)
                                    for k, v in spec["byFirstWord"].items()})


def _aliases(table: Any) -> dict[str, dict[str, str]]:
    """The table's ``aikg:aliases``: per kind of entity, a name of the table and the name of the
    graph it means."""
    if not isinstance(table, dict) or not all(
            isinstance(names, dict) and all(isinstance(v, str) for v in names.values())
            for names in table.values()):
        raise ValueError("aikg:aliases maps each kind of entity to {name in the table: name in "
                         "the graph}")
    return {kind: {" ".join(k.split()): v for k, v in names.items()}
            for kind, names in table.items()}


def _values(table: Any) -> dict[str, Literal | NamedNode]:
    def term(value: Any) -> Literal | NamedNode:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return NamedNode(_expand(value["@id"]))
        if isinstance(value, bool | int | float | str):
            return Literal(value)
        raise ValueError(f"a value of aikg:values is a string, number, boolean or "
                         f"{{'@id': ...}}, not {value!r}")

    if not isinstance(table, dict):
        raise ValueError(f"aikg:values maps each text to a value, not {table!r}")
    return {str(text): term(value) for text, value in table.items()}


def _patterns(spec: Any) -> tuple[tuple[re.Pattern, Literal | NamedNode], ...]:
    if not isinstance(spec, list) or not all(isinstance(s, dict) and "pattern" in s
                                             and "value" in s for s in spec):
        raise ValueError("aikg:patterns is a list of {'pattern': ..., 'value': ...}")
    return tuple((re.compile(s["pattern"]), _values({"": s["value"]})[""]) for s in spec)


def _only_where(spec: Any) -> tuple[str, re.Pattern]:
    if not isinstance(spec, dict) or set(spec) != {"column", "pattern"}:
        raise ValueError("aikg:onlyWhere is {'column': ..., 'pattern': ...}")
    return str(spec["column"]), re.compile(spec["pattern"])


def _about(template: URITemplate | None, where: str) -> str | None:
    if template is None:
        return None
    names = _template_names(template)
    if len(names) != 1:
        raise ValueError(f"{where}: aboutUrl must name exactly one column, as in "
                         f"'{ontology.KG}{{model}}'")
    return next(iter(names))


def _template_names(template: URITemplate) -> set[str]:
    return set(template.variable_names)


def _expand(name: str) -> str:
    """An absolute IRI from an IRI or a prefixed name."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if re.match(r"https?://", name):
        NamedNode(name)  # raises ValueError if it is no IRI
        return name
    raise ValueError(f"{name!r} is neither an http(s) IRI nor a prefixed name "
                     f"({', '.join(sorted(PREFIXES))})")
