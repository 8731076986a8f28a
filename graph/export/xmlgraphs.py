"""GraphML and GEXF, written element by element so a large network streams out.

networkx's own writers build the whole XML tree in memory, type every Python ``int`` as
``long`` (a 2**70 breaks Java readers) and repeat the edge key as edge id (Gephi drops edges whose
id it has seen). These writers give each edge its own id (``e0``, ``e1``...; the predicate is the
``predicate`` attribute) and fit every column as :mod:`graph.export.values` says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

import networkx as nx

from ..rdf.terms import short_id
from .values import column_types, display_label, edge_rows, node_rows, text_value

__all__ = ["write_gexf", "write_graphml"]

_GRAPHML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
_GEXF_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gexf xmlns="http://www.gexf.net/1.2draft"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd"'
    ' version="1.2">\n'
)
_GEXF_TYPES = {"int": "integer"}  # GEXF's name for a 32-bit integer; the rest are the same

# XML 1.0 cannot carry these even escaped; they become U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile('[&<>"\n\r\t]')
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
            "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def write_graphml(G: nx.Graph[str], out: IO[bytes]) -> None:
    """Write ``G`` as GraphML: node id = node key (the IRI), edge ids ``e0``, ``e1``...

    Each node also has ``label`` (its English label, else Chinese, else id) and ``type`` (its
    first class, short), and each edge a ``label`` (its relation): the attributes Gephi shows as
    names and colours by, and yEd maps to labels (Edit > Properties Mapper).

    Parameters
    ----------
    G : networkx.Graph
        Any networkx graph; aikg's projection and its subgraphs are MultiDiGraphs.
    out : binary file
        Where the UTF-8 document goes.

    Examples
    --------
    >>> import io
    >>> G = nx.MultiDiGraph(version=3)
    >>> G.add_edge("https://w3id.org/aikg/id/vc", "https://w3id.org/aikg/id/alpha",
    ...            key="https://w3id.org/aikg/ontology#investsIn", sources=["g1", "g2"])
    'https://w3id.org/aikg/ontology#investsIn'
    >>> out = io.BytesIO(); write_graphml(G, out)
    >>> H = nx.read_graphml(io.BytesIO(out.getvalue()), force_multigraph=True)
    >>> list(H.edges(data="sources")), H.graph["version"]
    ([('https://w3id.org/aikg/id/vc', 'https://w3id.org/aikg/id/alpha', 'g1 g2')], 3)
    >>> H.nodes["https://w3id.org/aikg/id/vc"]["label"]
    'https://w3id.org/aikg/id/vc'
    """
    def nodes() -> Iterator[tuple[str, dict[str, Any]]]:
        for key, data in node_rows(G):
            types = data.get("types") or ()
            yield key, {"label": display_label(data, key),
                        **({"type": short_id(sorted(types)[0])} if types else {}), **data}

    def edges() -> Iterator[tuple[str, str, dict[str, Any]]]:
        for u, v, data in edge_rows(G):
            yield u, v, {"label": display_label(data, short_id(str(data.get("predicate", "")))),
                         **data}

    write = _writer(out)
    keys: dict[tuple[str, str], tuple[str, str]] = {}  # (scope, name) -> (key id, type)
    scopes = (("graph", [G.graph]), ("node", (d for _, d in nodes())),
              ("edge", (d for _, _, d in edges())))
    write(_GRAPHML_HEAD)
    for scope, rows in scopes:
        for name, kind in column_types(rows).items():
            key_id = f"d{len(keys)}"
            keys[scope, name] = (key_id, kind)
            write(f'<key id="{key_id}" for="{scope}" attr.name="{_esc(name)}"'
                  f' attr.type="{kind}"/>\n')
    direction = "directed" if G.is_directed() else "undirected"
    write(f'<graph id="G" edgedefault="{direction}">\n')
    write(_graphml_data(keys, "graph", G.graph))
    for key, data in nodes():
        write(f'<node id="{_esc(key)}">{_graphml_data(keys, "node", data)}</node>\n')
    for number, (u, v, data) in enumerate(edges()):
        write(f'<edge id="e{number}" source="{_esc(u)}" target="{_esc(v)}">'
              f'{_graphml_data(keys, "edge", data)}</edge>\n')
    write("</graph>\n</graphml>\n")


def write_gexf(G: nx.Graph[str], out: IO[bytes]) -> None:
    """Write ``G`` as GEXF 1.2 (Gephi): node label = English label, else Chinese, else id.

    Edge label = the predicate's English label; edge ids are ``0``, ``1``...; the graph's
    ``version`` goes in ``<meta>``, the only place GEXF has for it. When edges are dated (their
    ``start`` and ``end``, :mod:`graph.network.periods`), the graph is dynamic: each edge has
    ``start`` and ``end`` and each node starts with its earliest edge (when all its edges are
    dated), so that Gephi's timeline plays the ecosystem's growth.

    Examples
    --------
    >>> import io
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://w3id.org/aikg/id/baidu", label_en="Baidu", label_zh="百度")
    >>> out = io.BytesIO(); write_gexf(G, out)
    >>> dict(nx.read_gexf(io.BytesIO(out.getvalue())).nodes(data="label"))
    {'https://w3id.org/aikg/id/baidu': 'Baidu'}
    """
    write = _writer(out)
    write(_GEXF_HEAD)
    version = G.graph.get("version")
    about = "aikg graph" + ("" if version is None else f", version {version}")
    write(f"<meta><creator>aikg</creator><description>{_esc(about)}</description></meta>\n")
    direction = "directed" if G.is_directed() else "undirected"
    starts = _node_starts(G)
    mode = 'mode="dynamic" timeformat="date"' if starts is not None else 'mode="static"'
    write(f'<graph defaultedgetype="{direction}" {mode}>\n')
    node_columns = _gexf_attributes(write, "node", (d for _, d in node_rows(G)))
    edge_columns = _gexf_attributes(write, "edge", (d for _, _, d in edge_rows(G)))
    write("<nodes>\n")
    for key, data in node_rows(G):
        when = _spell({"start": starts.get(key)}) if starts else ""
        write(f'<node id="{_esc(key)}" label="{_esc(display_label(data, key))}"{when}>'
              f"{_attvalues(node_columns, data)}</node>\n")
    write("</nodes>\n<edges>\n")
    for number, (u, v, data) in enumerate(edge_rows(G)):
        label = display_label(data, str(data.get("predicate", "")))
        when = _spell(data) if starts is not None else ""
        write(f'<edge id="{number}" source="{_esc(u)}" target="{_esc(v)}"'
              f' label="{_esc(label)}"{when}>{_attvalues(edge_columns, data)}</edge>\n')
    write("</edges>\n</graph>\n</gexf>\n")


def _node_starts(G: nx.Graph[str]) -> dict[str, str] | None:
    """Each node's first day, the earliest ``start`` of its edges when every one of its edges has
    one; None when no edge is dated (the graph is static)."""
    if not any("start" in data for *_, data in G.edges(data=True)):
        return None
    starts: dict[str, str] = {}
    undated: set[str] = set()
    for u, v, data in G.edges(data=True):
        for node in (u, v):
            if "start" not in data:
                undated.add(node)
            elif node not in starts or data["start"] < starts[node]:
                starts[node] = data["start"]
    return {node: day for node, day in starts.items() if node not in undated}


def _spell(data: Mapping[str, Any]) -> str:
    """The GEXF ``start`` and ``end`` attributes of a dated node or edge."""
    return "".join(f' {name}="{data[name]}"' for name in ("start", "end") if data.get(name))


def _graphml_data(keys: Mapping[tuple[str, str], tuple[str, str]], scope: str,
                  data: Mapping[str, Any]) -> str:
    parts = []
    for name, value in data.items():
        if value is not None:
            key_id, kind = keys[scope, name]
            parts.append(f'<data key="{key_id}">{_esc(text_value(value, kind))}</data>')
    return "".join(parts)


def _gexf_attributes(write: Callable[[str], None], scope: str, rows: Iterable[Mapping[str, Any]]
                     ) -> dict[str, tuple[str, str]]:
    columns = {name: (str(i), kind) for i, (name, kind) in enumerate(column_types(rows).items())}
    if columns:
        write(f'<attributes class="{scope}">\n')
        for name, (number, kind) in columns.items():
            write(f'<attribute id="{number}" title="{_esc(name)}"'
                  f' type="{_GEXF_TYPES.get(kind, kind)}"/>\n')
        write("</attributes>\n")
    return columns


def _attvalues(columns: Mapping[str, tuple[str, str]], data: Mapping[str, Any]) -> str:
    values = [
        f'<attvalue for="{columns[name][0]}" value="{_esc(text_value(value, columns[name][1]))}"/>'
        for name, value in data.items() if value is not None
    ]
    return f"<attvalues>{''.join(values)}</attvalues>" if values else ""


def _esc(text: str) -> str:
    text = _NOT_XML.sub("\ufffd", text)
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group()], text)


def _writer(out: IO[bytes]) -> Callable[[str], None]:
    def write(text: str) -> None:
        out.write(text.encode("utf-8"))

    return write
