"""Reading a mapping: a W3C CSVW table description (``*.csv-metadata.json``) into a
:class:`graph.importing.tabular.Mapping`, with the ``csvw`` package; and the mappings bundled in
``ontology/mappings/``.

Nothing is fetched: a mapping that refers to another document (a ``tableSchema`` or ``dialect``
given by URL) is refused, and the ``@context`` is only checked, never loaded. Invalid metadata,
which ``csvw`` only warns about, is refused with the reason.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode

import ontology
from ontology import MAPPING_SUFFIX as SUFFIX
from ontology import MAPPINGS_DIR, mapping_names

from ..errors import BadInput, NotFound
from .resolve import words
from .tabular import CellPattern, Column, EntitySpec, FamilySpec, Mapping, OwnerSpec, expand_name

if TYPE_CHECKING:
    from csvw.metadata import URITemplate

__all__ = ["MAPPINGS_DIR", "bundled_mapping", "load_mapping", "mapping_names"]

CSVW = "http://www.w3.org/ns/csvw"


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


def _mapping(name: str, document: dict[str, Any]) -> Mapping:
    if not isinstance(document, dict) or "tables" in document:
        raise ValueError("give one CSVW table description (a TableGroup is not supported)")
    context = document.get("@context")
    if (context if isinstance(context, str) else (context or [None])[0]) != CSVW:
        raise ValueError(f"@context must be {CSVW!r}, or a list of it and a local context")
    for key in ("tableSchema", "dialect"):
        if isinstance(document.get(key), str):
            raise ValueError(f"{key} must be given inline: aikg fetches no other document")
    # Imported here, not at the top: csvw (with its language tags and dates) costs about 0.1 s,
    # and every test run imports this module (for its doctests) while few read a mapping.
    from csvw.metadata import Table

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
        property=expand_name(str(col.propertyUrl)) if col.propertyUrl else None,
        about=_about(col.aboutUrl, f"column {col.name}"),
        datatype=col.inherit("datatype"), null=tuple(col.inherit_null()),
        split=CellPattern(split) if split else None,
        lang=None if lang in (None, "und") else lang,
        value_url=value_url,
        entity=_entity(entity, aliases) if entity else None,
        values=_values(props["aikg:values"]) if "aikg:values" in props else None,
        year_if_january_first=bool(props.get("aikg:yearIfJanuaryFirst")),
        round_to_integer=props.get("aikg:roundTo") == "xsd:integer",
        required=bool(col.inherit("required")),
        keep=CellPattern(props["aikg:keep"]) if "aikg:keep" in props else None,
        patterns=_patterns(props["aikg:patterns"]) if "aikg:patterns" in props else None,
        only_where=_only_where(props["aikg:onlyWhere"]) if "aikg:onlyWhere" in props else None)
    derive = props.get("aikg:derive", [])
    if not isinstance(derive, list) or not all(isinstance(d, dict) for d in derive):
        raise ValueError(f"column {col.name}: aikg:derive is a list of "
                         f"{{'propertyUrl': ..., 'values': {{...}}}}")
    derived = [Column(name=f"{col}/{i}", title=title, property=expand_name(d["propertyUrl"]),
                      about=column.about, null=column.null, split=column.split,
                      values=_values(d["values"]))
               for i, d in enumerate(derive)]
    return [column, *derived]


def _entity(spec: Any, aliases: dict[str, dict[str, str]]) -> EntitySpec:
    if not isinstance(spec, dict):
        raise ValueError(f"aikg:entity is an object with kind, match and create, not {spec!r}")
    create = spec.get("create")
    return EntitySpec(kind=spec["kind"], match=expand_name(spec["match"]),
                      create=expand_name(create) if create else None,
                      alternatives=bool(spec.get("alternatives")),
                      skip_row_without=bool(spec.get("skipRowWithout")),
                      aliases=aliases.get(spec["kind"], {}),
                      owner=_owner(spec["owner"], aliases) if "owner" in spec else None,
                      family=_family(spec["family"]) if "family" in spec else None)


def _family(spec: Any) -> FamilySpec:
    keys = {"propertyUrl", "match", "sharing"}
    if not isinstance(spec, dict) or not keys <= set(spec) <= keys | {"via"} \
            or not isinstance(spec.get("via", []), list):
        raise ValueError("the family of aikg:entity is {'propertyUrl': ..., 'match': ..., "
                         "'sharing': ..., 'via': [...]}")
    link, match, sharing = (expand_name(spec[k]) for k in ("propertyUrl", "match", "sharing"))
    return FamilySpec(link, match, sharing, via=tuple(expand_name(v) for v in spec.get("via", [])))


def _owner(spec: Any, aliases: dict[str, dict[str, str]]) -> OwnerSpec:
    if not isinstance(spec, dict) or not isinstance(spec.get("byFirstWord"), dict):
        raise ValueError("the owner of aikg:entity is an object with propertyUrl, kind, match, "
                         "create and byFirstWord")
    return OwnerSpec(property=expand_name(spec["propertyUrl"]), entity=_entity(spec, aliases),
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
            return NamedNode(expand_name(value["@id"]))
        if isinstance(value, bool | int | float | str):
            return Literal(value)
        raise ValueError(f"a value of aikg:values is a string, number, boolean or "
                         f"{{'@id': ...}}, not {value!r}")

    if not isinstance(table, dict):
        raise ValueError(f"aikg:values maps each text to a value, not {table!r}")
    return {str(text): term(value) for text, value in table.items()}


def _patterns(spec: Any) -> tuple[tuple[CellPattern, Literal | NamedNode], ...]:
    if not isinstance(spec, list) or not all(isinstance(s, dict) and "pattern" in s
                                             and "value" in s for s in spec):
        raise ValueError("aikg:patterns is a list of {'pattern': ..., 'value': ...}")
    return tuple((CellPattern(s["pattern"]), _values({"": s["value"]})[""]) for s in spec)


def _only_where(spec: Any) -> tuple[str, CellPattern]:
    if not isinstance(spec, dict) or set(spec) != {"column", "pattern"}:
        raise ValueError("aikg:onlyWhere is {'column': ..., 'pattern': ...}")
    return str(spec["column"]), CellPattern(spec["pattern"])


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
