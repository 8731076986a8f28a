"""CSV (``nodes.csv`` and ``edges.csv`` in one zip) and DOT for Graphviz, written as they go."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

import networkx as nx

from .values import column_types, display_label, edge_rows, node_rows, text_value

__all__ = ["NODE_COLUMNS", "EDGE_COLUMNS", "write_csv_zip", "write_dot"]

#: The first columns of ``nodes.csv``; other node attributes follow in the order first seen.
NODE_COLUMNS = ("iri", "id", "label_en", "label_zh", "types")
#: The first columns of ``edges.csv``; other edge attributes follow in the order first seen.
EDGE_COLUMNS = ("source", "target", "predicate", "label_en", "label_zh", "sources")

_PLAIN_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def write_csv_zip(G: nx.Graph[str], out: IO[bytes]) -> None:
    """Write ``G`` as a zip of ``nodes.csv`` and ``edges.csv`` (UTF-8, RFC 4180, no BOM).

    A list (``types``, ``sources``) is one cell, its IRIs separated by spaces; the graph's version
    is the zip comment.

    Examples
    --------
    >>> G = nx.MultiDiGraph(version=2)
    >>> G.add_edge("urn:vc", "urn:alpha", key="urn:investsIn", sources=["urn:g1", "urn:g2"])
    'urn:investsIn'
    >>> out = io.BytesIO(); write_csv_zip(G, out)
    >>> with zipfile.ZipFile(out) as z: print(z.read("edges.csv").decode().replace("\\r", ""))
    source,target,predicate,label_en,label_zh,sources
    urn:vc,urn:alpha,urn:investsIn,,,urn:g1 urn:g2
    <BLANKLINE>
    """
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        version = G.graph.get("version")
        if version is not None:
            archive.comment = f"aikg graph version {version}".encode()
        _write_table(archive, "nodes.csv", NODE_COLUMNS,
                     lambda: ({"iri": key, **data} for key, data in node_rows(G)))
        _write_table(archive, "edges.csv", EDGE_COLUMNS,
                     lambda: ({"source": u, "target": v, **data} for u, v, data in edge_rows(G)))


def write_dot(G: nx.Graph[str], out: IO[bytes]) -> None:
    """Write ``G`` in the DOT language: node ``label`` = the label to show, edge ``label`` = the
    predicate's English label, every other attribute as a quoted string.

    Examples
    --------
    >>> G = nx.MultiDiGraph(version=2)
    >>> G.add_node("urn:baidu", label_en="Baidu", label_zh="百度")
    >>> out = io.BytesIO(); write_dot(G, out); print(out.getvalue().decode())
    digraph "aikg" {
    version="2";
    "urn:baidu" [label="Baidu", iri="urn:baidu", label_en="Baidu", label_zh="百度"];
    }
    <BLANKLINE>
    """
    arrow = "->" if G.is_directed() else "--"
    out.write(f'{"digraph" if G.is_directed() else "graph"} "aikg" {{\n'.encode())
    out.write("".join(f"{item};\n" for item in _dot_attributes(G.graph)).encode("utf-8"))
    for key, data in node_rows(G):
        attributes = ", ".join(_dot_attributes({"label": display_label(data, key), **data}))
        out.write(f"{_dot_id(key)} [{attributes}];\n".encode())
    for u, v, data in edge_rows(G):
        label = display_label(data, str(data.get("predicate", "")))
        attributes = ", ".join(_dot_attributes({"label": label, **data}))
        out.write(f"{_dot_id(u)} {arrow} {_dot_id(v)} [{attributes}];\n".encode())
    out.write(b"}\n")


def _write_table(archive: zipfile.ZipFile, name: str, lead: tuple[str, ...],
                 rows: Callable[[], Iterable[Mapping[str, Any]]]) -> None:
    """One CSV member: a first pass over ``rows()`` fixes the columns, a second writes them."""
    types = column_types(rows())
    columns = [*lead, *(c for c in types if c not in lead)]
    with archive.open(name, "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows():
            writer.writerow(["" if row.get(c) is None else text_value(row[c], types[c])
                             for c in columns])
        text.flush()
        text.detach()  # the zip member closes itself; the wrapper must not close it twice


def _dot_attributes(data: Mapping[str, Any]) -> list[str]:
    return [f"{_dot_id(str(k))}={_dot_quote(text_value(v))}"
            for k, v in data.items() if v is not None]


def _dot_id(name: str) -> str:
    return name if _PLAIN_ID.match(name) else _dot_quote(name)


def _dot_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
