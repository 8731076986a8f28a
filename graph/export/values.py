"""Attribute values of a network, fitted to each format's types without losing anything.

Network formats differ in what a value may be. The rules, in one place:

- a list (``types``, ``sources``) in a format of scalars (GraphML, GEXF, CSV, DOT) is one string:
  its items separated by single spaces when no item holds whitespace (IRIs never do; the
  ``xsd:list`` convention), else a JSON array;
- an attribute's column type covers all its values: ``boolean``, ``int`` (32 bits), ``long``
  (64 bits), ``double`` (mixed numbers within 2**53, where a double is exact) or ``string``;
  an integer too big for a long (or a mix that a double would round) is written as its digits;
- in JSON formats an integer beyond 2**53 - 1 (JavaScript's exact range) is a string, and so is
  a float that is not finite (JSON has no NaN).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import networkx as nx

__all__ = [
    "column_types",
    "display_label",
    "edge_rows",
    "json_attributes",
    "json_value",
    "node_rows",
    "text_value",
]

_INT32 = 2**31
_INT64 = 2**63
_EXACT_DOUBLE = 2**53


def node_rows(G: nx.Graph[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each node as ``(key, attributes)``, with ``iri`` set from the key when missing."""
    for node, data in G.nodes(data=True):
        key = str(node)
        yield key, data if "iri" in data else {"iri": key, **data}


def edge_rows(G: nx.Graph[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each edge as ``(source, target, attributes)``; a multigraph's string key is the predicate."""
    if isinstance(G, nx.MultiGraph):
        for u, v, key, data in G.edges(keys=True, data=True):
            if "predicate" not in data and isinstance(key, str):
                data = {"predicate": key, **data}
            yield str(u), str(v), data
    else:
        for u, v, data in G.edges(data=True):
            yield str(u), str(v), data


def display_label(data: Mapping[str, Any], fallback: str) -> str:
    """The name to show: the English label, else the Chinese one, else the id, else ``fallback``."""
    return data.get("label_en") or data.get("label_zh") or data.get("id") or fallback


def column_types(rows: Iterable[Mapping[str, Any]], skip: Iterable[str] = ()
                 ) -> dict[str, str]:
    """The column type of each attribute over all rows, in first-seen order.

    >>> column_types([{"a": 1, "b": True}, {"a": 2**40, "c": [1]}, {"a": 2.5}])
    {'a': 'double', 'b': 'boolean', 'c': 'string'}
    >>> column_types([{"n": 2**70}, {"n": 1}])
    {'n': 'string'}
    """
    kinds: dict[str, set[str]] = {}
    skipped = set(skip)
    for row in rows:
        for name, value in row.items():
            if value is not None and name not in skipped:
                kinds.setdefault(name, set()).add(_kind(value))
    return {name: _column(found) for name, found in kinds.items()}


def text_value(value: Any, column: str = "string") -> str:
    """A value as text in a column of the given type (lists joined as the module says).

    >>> text_value(["https://w3id.org/aikg/ontology#Company", "https://schema.org/Organization"])
    'https://w3id.org/aikg/ontology#Company https://schema.org/Organization'
    >>> text_value(["Alpha AI", "AA"])
    '["Alpha AI", "AA"]'
    >>> text_value(1_300_000_000_000, "long"), text_value(float("inf"), "double")
    ('1300000000000', 'Infinity')
    """
    if isinstance(value, list | tuple | set | frozenset):
        items = [text_value(item) for item in value]
        if all(item and not any(c.isspace() for c in item) and not item.startswith("[")
               for item in items):
            return " ".join(items)
        return json.dumps(items, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"  # what Java and Python both read
        return repr(value)
    if column == "double" and isinstance(value, int):
        return repr(float(value))
    return str(value)


def json_attributes(data: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes as JSON holds them exactly: as they are when all are text or lists of text
    (the projection's attributes: the fast path), else through :func:`json_value`."""
    if all(type(v) is str or (type(v) is list and all(type(i) is str for i in v))
           for v in data.values()):
        return dict(data)
    return {str(k): json_value(v) for k, v in data.items()}


def json_value(value: Any) -> Any:
    """A value that JSON and JavaScript hold exactly (big integers and NaN become strings).

    >>> json_value([2**60, 7, float("nan"), "x"])
    ['1152921504606846976', 7, 'NaN', 'x']
    """
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) < _EXACT_DOUBLE else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else text_value(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        size = abs(value)
        if size < _INT32:
            return "int"
        return "long53" if size < _EXACT_DOUBLE else "long" if size < _INT64 else "big"
    if isinstance(value, float):
        return "double"
    return "string"


def _column(kinds: set[str]) -> str:
    if kinds in ({"boolean"}, {"string"}, {"int"}, {"double"}):
        return next(iter(kinds))
    if kinds <= {"int", "long53", "long"}:
        return "long"
    if kinds <= {"int", "long53", "double"}:
        return "double"  # these integers are exact as doubles
    return "string"
