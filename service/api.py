"""The relationship API under ``/api``: search, entities, neighbours, circles, paths, overlap,
rankings and counts. Every answer is ``{"data": ..., "version": ...}``, with ``"page"`` when it
holds a list (see docs/http-api.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from graph import BadInput
from graph.describe.lookups import (
    circle_of,
    describe_entity,
    find_entities,
    neighbours_of,
    paths_between,
    rank_entities,
)
from graph.export import ExportFormat, network_export
from graph.network import HUB_DEGREE, METRICS, overlap, stats

from . import render
from .export import export_response
from .negotiation import unknown_format
from .params import (
    ENTITY_PAGE,
    MAX_CIRCLE,
    MAX_COMPARE,
    MAX_DEPTH,
    MAX_PATH_LENGTH,
    MAX_PATHS,
    Page,
    at_arg,
    choice_arg,
    entity_or_404,
    format_arg,
    int_arg,
    list_arg,
    page_args,
    page_of,
    paginate,
    projection,
    relation_args,
    required_arg,
    role_args,
    terms,
    type_args,
)
from .state import get_graph, get_network

bp = Blueprint("api", __name__, url_prefix="/api")

#: The views that offer ``format=`` beyond JSON; the others take ``format=json`` or none.
_FORMATTED = {"api.entity_circle", "api.find_paths"}

@bp.before_request
def _only_json() -> None:
    """A ``format=`` other than json is a 400 on the JSON-only views, as on the others."""
    name = request.args.get("format")
    if name is not None and name != "json" and request.endpoint not in _FORMATTED:
        raise unknown_format(name, ["json"])


@bp.get("/entities")
def entities():
    """Search by name, or list every entity, most connected first."""
    T = terms()  # on a local store, the whole projection
    found = find_entities(get_network(), request.args.get("q", ""), terms=T,
                          types=type_args(T))
    items, page = paginate(found.hits)
    if found.truncated:
        page["truncated"] = True
    P = found.projection
    return envelope([{**render.node(P, h.node), "degree": P.degree(h.node), "match": h.match,
                      "matched_label": h.label} for h in items], page)


@bp.get("/entities/<entity_id>")
def entity(entity_id: str):
    """One entity: labels, types, counts, then the first ``ENTITY_PAGE`` of its properties,
    relations each way and sources; ``more`` links the rest of each longer list, so that a hub
    comes in pages of about 100 KB."""
    found = _described(entity_id)
    lists = _entity_lists(found)
    found["counts"] = {part: len(items) for part, items in lists.items()}
    found["more"] = {}
    for part, items in lists.items():
        if len(items) > ENTITY_PAGE:
            _put_part(found, part, items[:ENTITY_PAGE])
            found["more"][part] = (f"{request.script_root}/api/entities/{entity_id}/facts"
                                   f"?part={part}&offset={ENTITY_PAGE}&limit={ENTITY_PAGE}")
    return envelope(found)


@bp.get("/entities/<entity_id>/facts")
def entity_facts(entity_id: str):
    """One page of one list of an entity's details (``part``): properties, relations-out,
    relations-in or sources."""
    lists = _entity_lists(_described(entity_id))
    part = request.args.get("part", "")
    if part not in lists:
        raise BadInput(f"part: expected one of {', '.join(lists)}, got {part!r}")
    items, page = paginate(lists[part], default=ENTITY_PAGE)
    return envelope(items, page)


def _described(entity_id: str) -> dict[str, Any]:
    """The entity's details as of ``at``, with its degree."""
    T = terms()
    iri = entity_or_404(entity_id, T)
    found = describe_entity(get_network(), iri, terms=T, at=at_arg(T))
    return {**found.facts, "degree": found.degree}


def _entity_lists(found: dict[str, Any]) -> dict[str, list[Any]]:
    return {"properties": found["properties"], "relations-out": found["relations"]["out"],
            "relations-in": found["relations"]["in"], "sources": found["sources"]}


def _put_part(found: dict[str, Any], part: str, items: list[Any]) -> None:
    if part.startswith("relations-"):
        found["relations"] = {**found["relations"], part.removeprefix("relations-"): items}
    else:
        found[part] = items


@bp.get("/entities/<entity_id>/neighbors")
def entity_neighbors(entity_id: str):
    """The entities one ecosystem statement away, one item per statement."""
    T = terms()
    iri = entity_or_404(entity_id, T)
    direction = choice_arg("direction", ("both", "out", "in"))
    found = neighbours_of(get_network(), iri, terms=T, direction=direction,
                          relations=relation_args(T), roles=role_args(T), at=at_arg(T))
    items, page = paginate(found.edges)
    P = found.projection
    return envelope([{"node": render.node(P, e["node"]), **render.edge(P, e)} for e in items],
                    page)


@bp.get("/entities/<entity_id>/circle")
def entity_circle(entity_id: str):
    """The circle of friends, grouped by role, each member with the path that brings it in;
    or, with ``format=`` an export format, the whole circle's network as a file."""
    T = terms()
    iri = entity_or_404(entity_id, T)
    depth = int_arg("depth", 1, 1, MAX_DEPTH)
    output = format_arg(("json", "table"))
    relations, roles, at = relation_args(T), role_args(T), at_arg(T)
    found = circle_of(get_network(), iri, terms=T, depth=depth, relations=relations,
                      roles=roles, at=at, hub_roles=T.role_filter(request.args.getlist(
                          "hub_role")) or (), cap=MAX_CIRCLE)
    if isinstance(output, ExportFormat):
        name = f"aikg-circle-{entity_id}-{depth}" + (f"-{at}" if at else "")
        return export_response(network_export(found.network(), output, name))
    # The page is cut from the walk's entries, kept for the next page: only its members are made.
    shown, page = paginate(range(found.members.entry_count()))
    data = render.circle_of(found, found.members.entries(shown.start, len(shown)), HUB_DEGREE)
    if output == "table":
        return Response(render.circle_table(data) + "\n", mimetype="text/plain")
    return envelope(data, page)


@bp.get("/paths")
def find_paths():
    """Up to ``k`` shortest paths between two entities, each hop with its statements; or, with
    ``format=`` an export format, their network as a file."""
    T = terms()
    source = entity_or_404(required_arg("from"), T)
    target = entity_or_404(required_arg("to"), T)
    output = format_arg(("json",))
    k, max_length = int_arg("k", 1, 1, MAX_PATHS), int_arg("max_length", 4, 1, MAX_PATH_LENGTH)
    found = paths_between(get_network(), source, target, terms=T, k=k, max_length=max_length,
                          relations=relation_args(T), at=at_arg(T))
    P = found.projection
    if isinstance(output, ExportFormat):
        ends = "-".join(P.graph.nodes[n]["id"] for n in (source, target))
        return export_response(network_export(found.network(), output, f"aikg-paths-{ends}"))
    return envelope({"from": render.node(P, source), "to": render.node(P, target),
                     "paths": [render.path(P, p) for p in found.paths]})


@bp.get("/compare")
def compare():
    """How the circles of two or more entities overlap."""
    P = projection()
    ids = list_arg("ids")
    if not 2 <= len(ids) <= MAX_COMPARE or len(set(ids)) != len(ids):
        raise BadInput(f"ids: give 2 to {MAX_COMPARE} different entity ids, comma-separated")
    nodes = [entity_or_404(i, P) for i in ids]
    depth = int_arg("depth", 1, 1, 2)
    found = overlap(P.graph, nodes, depth=depth, relations=relation_args(P), at=at_arg(P))
    ident = {n: P.graph.nodes[n]["id"] for n in nodes}
    shared, page = paginate(found["shared"])
    return envelope({
        "entities": [render.node(P, n) for n in nodes],
        "depth": depth,
        "sizes": {ident[n]: size for n, size in found["sizes"].items()},
        "jaccard": found["jaccard"],
        "pairs": [{"a": ident[p["a"]], "b": ident[p["b"]], "shared": p["shared"],
                   "jaccard": p["jaccard"]} for p in found["pairs"]],
        "by_role": [{**render.role(P, key), "shared": len(v["shared"]), "jaccard": v["jaccard"]}
                    for key, v in found["by_role"].items()],
        "shared": [{**render.node(P, m["node"]),
                    "roles": {ident[n]: rs for n, rs in m["roles"].items()}} for m in shared],
    }, page)


@bp.get("/rankings")
def rankings():
    """Entities by degree, PageRank or betweenness: computed once per graph version on a local
    store, a page at a time by SPARQL aggregates (degree only) on a remote one."""
    T = terms()
    metric = choice_arg("metric", METRICS)
    limit, offset = page_args()
    found = rank_entities(get_network(), metric, terms=T, types=type_args(T), at=at_arg(T),
                          offset=offset, limit=limit)
    P = found.projection
    return envelope([{"rank": offset + i + 1, "score": score, **render.node(P, n)}
                     for i, (n, score) in enumerate(found.items)],
                    page_of(found.total, limit, offset))


@bp.get("/stats")
def graph_stats():
    """Counts: triples, graphs, entities per type, statements per relation, components."""
    P = projection()
    kg = get_graph()
    found = stats(P)
    return envelope({
        "triples": len(kg),
        "graphs": len(kg.named_graphs()),
        "nodes": found["nodes"],
        "edges": found["edges"],
        "by_type": [{**render.type_term(P, t), "count": n} for t, n in found["by_type"].items()],
        "by_relation": [{**render.relation(P, r), "count": n}
                        for r, n in found["by_relation"].items() if r in P.relations],
        "components": found["components"],
    })


@bp.get("/types")
def types():
    """The classes of the ontology, each with its number of entities (subclasses included)."""
    P = projection()
    items, page = paginate(sorted(P.classes))
    return envelope([{**render.type_term(P, c), "count": len(P.nodes_of_types([c]))}
                     for c in items], page)


@bp.get("/relations")
def relations():
    """The ecosystem relations, with the roles of their two ends and their number of edges."""
    P = projection()
    used = stats(P)["by_relation"]
    items, page = paginate(sorted(P.relations))
    return envelope([{**render.relation(P, r), "count": used.get(r, 0)} for r in items], page)


# -- shaping ---------------------------------------------------------------------------------


def envelope(data: object, page: Page | None = None) -> Response:
    """The answer of every view under ``/api``: ``data``, the graph ``version`` and, for a list,
    its ``page``."""
    body: dict[str, object] = {"data": data, "version": terms().version}
    if page is not None:
        body["page"] = page
    return jsonify(body)
