"""Node-link JSON (D3) and Cytoscape.js JSON, written one element per line as they stream out.

Both keep lists as JSON arrays; an integer beyond 2**53 - 1 and a NaN are strings
(:func:`~graph.export.values.json_value`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from typing import IO, Any

import networkx as nx

from .values import display_label, edge_rows, json_attributes, json_value, node_rows

__all__ = ["write_cytoscape", "write_node_link"]


def write_node_link(G: nx.Graph[str], out: IO[bytes]) -> None:
    """Write ``G`` as node-link JSON: nodes keyed by ``iri``, edges under ``links``.

    D3 reads it with ``d3.forceLink(data.links).id(d => d.iri)``; networkx with
    ``nx.node_link_graph(data, name="iri", edges="links")`` (the IRI comes back as the node key).

    Examples
    --------
    >>> import io
    >>> G = nx.MultiDiGraph(version=1)
    >>> G.add_node("https://w3id.org/aikg/id/vc", id="vc", types=["https://w3id.org/aikg/ontology#Company"])
    >>> out = io.BytesIO(); write_node_link(G, out)
    >>> json.loads(out.getvalue())["nodes"]
    [{'iri': 'https://w3id.org/aikg/id/vc', 'id': 'vc', 'types': ['https://w3id.org/aikg/ontology#Company']}]
    """
    head = {"directed": G.is_directed(), "multigraph": G.is_multigraph(),
            "graph": json_value(G.graph)}
    nodes = ({"iri": key, **json_attributes(data)} for key, data in node_rows(G))
    links = (_link(G, u, v, data) for u, v, data in edge_rows(G))
    _write_document(out, head, {"nodes": nodes, "links": links})


def write_cytoscape(G: nx.Graph[str], out: IO[bytes]) -> None:
    """Write ``G`` as Cytoscape.js JSON (``elements.nodes`` and ``elements.edges``).

    A node's ``data.id`` is its IRI, as Cytoscape needs for edges to find it, so the entity id
    moves to ``data.entity_id``; ``data.name`` is the label to show and ``data.value`` the IRI
    again, the shape ``nx.cytoscape_graph`` reads. Edges get ids ``e0``, ``e1``... and carry the
    predicate as ``key`` and ``predicate``.

    Examples
    --------
    >>> import io
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://w3id.org/aikg/id/baidu", id="baidu", label_zh="百度")
    >>> out = io.BytesIO(); write_cytoscape(G, out)
    >>> json.loads(out.getvalue())["elements"]["nodes"][0]["data"]["name"]
    '百度'
    """
    head = {"data": json_value(G.graph), "directed": G.is_directed(),
            "multigraph": G.is_multigraph()}
    nodes = ({"data": _cytoscape_node(key, data)} for key, data in node_rows(G))
    edges = ({"data": {"id": f"e{number}", **_link(G, u, v, data)}}
             for number, (u, v, data) in enumerate(edge_rows(G)))
    _write_document(out, head, {"nodes": nodes, "edges": edges}, inside="elements")


def _link(G: nx.Graph[str], u: str, v: str, data: dict[str, Any]) -> dict[str, Any]:
    link = {"source": u, "target": v}
    if G.is_multigraph() and "predicate" in data:
        link["key"] = data["predicate"]
    return {**link, **json_attributes(data)}


def _cytoscape_node(key: str, data: dict[str, Any]) -> dict[str, Any]:
    attrs = json_attributes(data)
    entity_id = attrs.pop("id", None)
    node = {"id": key, "value": key, "name": display_label(data, key)}
    if entity_id is not None:
        node["entity_id"] = entity_id
    return {**node, **{k: v for k, v in attrs.items() if k not in ("name", "value")}}


def _write_document(out: IO[bytes], head: dict[str, Any], arrays: dict[str, Iterable[Any]],
                    inside: str | None = None) -> None:
    """Write ``head``'s members, then each array one item per line (nested in ``inside``)."""
    write, encode = out.write, json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    write(encode(head)[:-1].encode("utf-8"))
    if inside:
        write(f', "{inside}": {{'.encode())
    for number, (name, items) in enumerate(arrays.items()):
        write(f'{", " if number or not inside else ""}"{name}": ['.encode())
        lines, separator = ("\n" + encode(item) for item in items), ""
        while batch := list(islice(lines, 1000)):  # one write per thousand items
            write((separator + ",".join(batch)).encode("utf-8"))
            separator = ","
        write(b"\n]")
    write(b"}}\n" if inside else b"}\n")
