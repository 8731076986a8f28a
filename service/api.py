"""The relationship API under ``/api``: search, entities, neighbours, circles, paths, overlap,
rankings and counts. Every answer is ``{"data": ..., "version": ...}``, with ``"page"`` when it
holds a list (see docs/http-api.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, request

from graph import BadInput
from graph.describe.entities import describe
from graph.export import EXPORT_FORMATS, ExportFormat, export_format, network_export
from graph.network import (
    HUB_DEGREE,
    METRICS,
    Projection,
    cached_circle,
    circle_subgraph,
    neighbors,
    overlap,
    paths,
    paths_subgraph,
    ranking,
    stats,
)
from graph.network.periods import as_of
from graph.network.search import Hit, search

from . import render
from .dates import at_arg, date_relations
from .export import export_response
from .negotiation import unknown_format
from .state import get_graph, get_network

bp = Blueprint("api", __name__, url_prefix="/api")

#: The views that offer ``format=`` beyond JSON; the others take ``format=json`` or none.
_FORMATTED = {"api.entity_circle", "api.find_paths"}

#: Bounds on what one request may ask for.
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
MAX_DEPTH = 3
MAX_PATH_LENGTH = 6
MAX_PATHS = 10
MAX_COMPARE = 10
MAX_CIRCLE = 10_000  # members computed per circle; past it the answer says "truncated"
ENTITY_PAGE = 100  # items of each list of an entity's details per answer: about 100 KB at most


@bp.before_request
def _only_json() -> None:
    """A ``format=`` other than json is a 400 on the JSON-only views, as on the others."""
    name = request.args.get("format")
    if name is not None and name != "json" and request.endpoint not in _FORMATTED:
        raise unknown_format(name, ["json"])


@bp.get("/entities")
def entities():
    """Search by name, or list every entity, most connected first."""
    P, hits, truncated = search_hits()
    items, page = paginate(hits)
    if truncated:
        page["truncated"] = True
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


def _described(entity_id: str) -> dict[str, object]:
    P = terms()
    network = get_network()
    iri = network.entity(entity_id, P)
    at = at_arg(P)
    found = describe(get_graph(), iri, ecosystem=set(P.relations))
    near = network.around(P, iri)
    found = date_relations(found, near.graph, iri, at)
    found["degree"] = near.graph.degree(iri) if iri in near.graph else 0
    return found


def _entity_lists(found: dict) -> dict[str, list]:
    return {"properties": found["properties"], "relations-out": found["relations"]["out"],
            "relations-in": found["relations"]["in"], "sources": found["sources"]}


def _put_part(found: dict, part: str, items: list) -> None:
    if part.startswith("relations-"):
        found["relations"][part.removeprefix("relations-")] = items
    else:
        found[part] = items


@bp.get("/entities/<entity_id>/neighbors")
def entity_neighbors(entity_id: str):
    """The entities one ecosystem statement away, one item per statement."""
    P = terms()
    network = get_network()
    iri = network.entity(entity_id, P)
    direction = choice_arg("direction", ("both", "out", "in"))
    relations, roles, at = relation_args(P), role_args(P), at_arg(P)
    P = network.around(P, iri, 1, relations, roles)  # on a remote store: just the part needed
    found = neighbors(P.graph, iri, direction=direction, relations=relations,
                      roles=roles, at=at) if iri in P.graph else []
    items, page = paginate(found)
    return envelope([{"node": render.node(P, e["node"]), **render.edge(P, e)} for e in items],
                    page)


@bp.get("/entities/<entity_id>/circle")
def entity_circle(entity_id: str):
    """The circle of friends, grouped by role, each member with the path that brings it in;
    or, with ``format=`` an export format, the whole circle's network as a file."""
    P = terms()
    network = get_network()
    iri = network.entity(entity_id, P)
    depth = int_arg("depth", 1, 1, MAX_DEPTH)
    output = format_arg(("json", "table"))
    relations, roles, at = relation_args(P), role_args(P), at_arg(P)
    hub_roles = P.role_filter(request.args.getlist("hub_role")) or ()
    P = network.around(P, iri, depth, relations, roles, MAX_CIRCLE + 1)
    found = cached_circle(P, iri, depth, relations=relations, roles=roles, at=at,
                          hub_roles=hub_roles, cap=MAX_CIRCLE)
    if isinstance(output, ExportFormat):
        H = circle_subgraph(as_of(P.graph, at), iri, [{"node": n} for n in found.nodes()],
                            relations=relations)
        name = f"aikg-circle-{entity_id}-{depth}" + (f"-{at}" if at else "")
        return export_response(network_export(H, output, name))
    # The page is cut from the walk's entries, kept for the next page: only its members are made.
    shown, page = paginate(range(found.entry_count()))
    data = render.circle_of(P, iri, depth, found, found.entries(shown.start, len(shown)),
                            HUB_DEGREE)
    if at:
        data["at"] = at
    if output == "table":
        return Response(render.circle_table(data) + "\n", mimetype="text/plain")
    return envelope(data, page)


@bp.get("/paths")
def find_paths():
    """Up to ``k`` shortest paths between two entities, each hop with its statements; or, with
    ``format=`` an export format, their network as a file."""
    T = terms()
    network = get_network()
    source = network.entity(required_arg("from"), T)
    target = network.entity(required_arg("to"), T)
    output = format_arg(("json",))
    k, max_length = int_arg("k", 1, 1, MAX_PATHS), int_arg("max_length", 4, 1, MAX_PATH_LENGTH)
    relations, at = relation_args(T), at_arg(T)
    P = network.between(T, source, target, k=k, max_length=max_length, relations=relations)
    found = paths(P.graph, source, target, k=k, max_length=max_length, relations=relations,
                  at=at)
    if isinstance(output, ExportFormat):
        ends = "-".join(P.graph.nodes[n]["id"] for n in (source, target))
        return export_response(network_export(paths_subgraph(P.graph, found), output,
                                              f"aikg-paths-{ends}"))
    return envelope({"from": render.node(P, source), "to": render.node(P, target),
                     "paths": [render.path(P, p) for p in found]})


@bp.get("/compare")
def compare():
    """How the circles of two or more entities overlap."""
    P = projection()
    ids = list_arg("ids")
    if not 2 <= len(ids) <= MAX_COMPARE or len(set(ids)) != len(ids):
        raise BadInput(f"ids: give 2 to {MAX_COMPARE} different entity ids, comma-separated")
    network = get_network()
    nodes = [network.entity(i, P) for i in ids]
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
    """Entities by degree, PageRank or betweenness, computed once per graph version."""
    P = projection()
    metric = choice_arg("metric", METRICS)
    items, page = paginate(ranking(P, metric, type_args(P), at=at_arg(P)))
    start = page["offset"]
    return envelope([{"rank": start + i + 1, "score": score, **render.node(P, n)}
                     for i, (n, score) in enumerate(items)], page)


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
        "by_type": [{**type_term(P, t), "count": n} for t, n in found["by_type"].items()],
        "by_relation": [{**render.relation(P, r), "count": n}
                        for r, n in found["by_relation"].items() if r in P.relations],
        "components": found["components"],
    })


@bp.get("/types")
def types():
    """The classes of the ontology, each with its number of entities (subclasses included)."""
    P = projection()
    items, page = paginate(sorted(P.classes))
    return envelope([{**type_term(P, c), "count": len(P.nodes_of_types([c]))} for c in items],
                    page)


@bp.get("/relations")
def relations():
    """The ecosystem relations, with the roles of their two ends and their number of edges."""
    P = projection()
    used = stats(P)["by_relation"]
    items, page = paginate(sorted(P.relations))
    return envelope([{**render.relation(P, r), "count": used.get(r, 0)} for r in items], page)


# -- request helpers -------------------------------------------------------------------------


def projection() -> Projection:
    """The projection this request works on: one version for the whole request."""
    if "aikg_projection" not in g:
        g.aikg_projection = get_network().current
        g.setdefault("aikg_terms", g.aikg_projection)  # one version for the whole request
    return g.aikg_projection


def search_hits() -> tuple[Projection, list[Hit], bool]:
    """The hits of ``q`` and ``type``, the projection holding them, and whether the store cut
    the candidates short (a remote store ranks at most ``MAX_CANDIDATES``)."""
    query, T = request.args.get("q", ""), terms()  # on a local store, the whole projection
    types = type_args(T)
    P, truncated = get_network().matching(T, query, types)
    return P, search(P, query, types), truncated


def terms() -> Projection:
    """The ontology's terms (relations, roles, classes) this request checks its arguments
    against; on a local store the whole projection, which a remote store never offers."""
    if "aikg_terms" not in g:
        g.aikg_terms = get_network().terms
    return g.aikg_terms


def envelope(data: object, page: dict[str, object] | None = None) -> Response:
    body = {"data": data, "version": terms().version}
    if page is not None:
        body["page"] = page
    return jsonify(body)


def paginate(items: list, default: int = 50) -> tuple[list, dict[str, object]]:
    """One page of ``items`` (``limit``, ``offset``) and the page's description."""
    limit = int_arg("limit", default, 1, MAX_LIMIT)
    offset = int_arg("offset", 0, 0, MAX_OFFSET)
    following = None
    if offset + limit < len(items):
        args = request.args.to_dict(flat=False)
        args.update(offset=[str(offset + limit)], limit=[str(limit)])
        following = request.path + "?" + urlencode(args, doseq=True)
    page = {"limit": limit, "offset": offset, "total": len(items), "next": following}
    return items[offset:offset + limit], page


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise BadInput(f"{name}: expected an integer from {low} to {high}, got {raw!r}")
    return value


def choice_arg(name: str, choices: tuple[str, ...]) -> str:
    """The parameter's value among ``choices``; the first one when it is absent."""
    value = request.args.get(name, choices[0])
    if value not in choices:
        raise BadInput(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def format_arg(plain: tuple[str, ...]) -> str | ExportFormat:
    """``format=``: one of the ``plain`` answers (the first when absent), or an export format."""
    name = request.args.get("format", plain[0])
    if name in plain:
        return name
    try:
        return export_format(name)
    except BadInput:
        raise unknown_format(name, [*plain, *(f.name for f in EXPORT_FORMATS)]) from None


def required_arg(name: str) -> str:
    value = request.args.get(name, "")
    if not value:
        raise BadInput(f"{name}: this parameter is required")
    return value


def list_arg(name: str) -> list[str]:
    """The values of a parameter given several times, comma-separated, or both."""
    values = [v.strip() for raw in request.args.getlist(name) for v in raw.split(",")]
    if "" in values:
        raise BadInput(f"{name}: empty value")
    return values


def relation_args(P: Projection) -> set[str] | None:
    return P.relation_filter(list_arg("relation"))


def role_args(P: Projection) -> set[str] | None:
    return P.role_filter(list_arg("role"))


def type_args(P: Projection) -> set[str] | None:
    return P.type_filter(list_arg("type"))


def type_term(P: Projection, iri: str) -> dict[str, object]:
    found = P.classes.get(iri)
    return render.term(iri, found.label_en if found else "", found.label_zh if found else "")
