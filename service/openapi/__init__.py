"""The OpenAPI 3.1 description of the HTTP API at ``/openapi.json``, and its page at ``/docs``.

The document is built from the graph it describes: the relations, roles and types that the
parameters accept are listed from the ontology of the current version, so a client (or a
fuzzer) knows every value the API takes. Its parts: :mod:`.build` (parameters, responses,
shapes), :mod:`.schemas` (the answers), :mod:`.protocol` (SPARQL, Graph Store, reconciliation).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from graph.network import HUB_DEGREE, METRICS, Projection
from graph.rdf.terms import short_id

from .. import params as api
from ..params import terms
from .build import (
    DATE,
    DAY_OR_EMPTY,
    EXPORT_NAMES,
    ID,
    ID_SEGMENT,
    Json,
    choice_param,
    get,
    int_param,
    list_of,
    list_param,
    ref,
    str_param,
)
from .protocol import PROTOCOL_PATHS, RECONCILE_PATHS
from .schemas import SCHEMAS

bp = Blueprint("openapi", __name__)

__all__ = ["bp", "document"]

Parameters = Json


@bp.get("/openapi.json")
def openapi_json():
    """This API described in OpenAPI 3.1 (its parameters list the ontology's terms)."""
    P = terms()
    return jsonify(P.cached("openapi", lambda: document(P)))


@bp.get("/docs")
def docs():
    """A page of the site that reads ``/openapi.json`` and lists every route; it needs no
    network."""
    return render_template("api_docs.html", version=terms().version)


def document(P: Projection) -> Json:
    """The OpenAPI document of the API over projection ``P``."""
    shared = parameters(P)
    return {
        "openapi": "3.1.0",
        "info": {"title": "aikg relationship API", "version": "1",
                 "description": "The AI model industry knowledge graph: search, entities, "
                 "circles of friends, paths, overlap and rankings; the Reconciliation "
                 "Service API 0.2 for OpenRefine at /reconcile. Every success is "
                 "`{data, version}`, with `page` for lists; every error is "
                 "`{error, status}`."},
        "paths": {**_entity_paths(shared), **_circle_paths(shared, list(P.roles)),
                  **_graph_paths(shared), **DOCUMENT_PATHS, **PROTOCOL_PATHS,
                  **RECONCILE_PATHS},
        "components": {"schemas": SCHEMAS},
    }


def parameters(P: Projection) -> Parameters:
    """The parameters several routes share, by name, with the values ``P`` accepts listed."""
    relation_ids = sorted(short_id(r) for r in P.relations)
    type_ids = sorted(short_id(c) for c in P.classes)
    relation = list_param("relation", "Follow only these ecosystem relations (and those "
                          "below them); repeat or separate with commas.", relation_ids)
    role = list_param("role", "Keep only neighbours playing these roles.", list(P.roles))
    types = list_param("type", "Keep only entities of these classes or their subclasses.",
                       type_ids)
    depth = int_param("depth", "Hops from the entity.", 1, 1, api.MAX_DEPTH)
    paged = [int_param("limit", "Items per page.", 50, 1, api.MAX_LIMIT),
             int_param("offset", "Items to skip.", 0, 0, api.MAX_OFFSET)]
    at = str_param("at", "As of this day: only the relationships that held on it (YYYY-MM-DD; "
                   "YYYY or YYYY-MM name the last day of that year or month). A date that "
                   "does not parse, or one before the graph's first dated relationship, is a "
                   "400 naming the parameter; on a remote store, a 501. Empty: today.",
                   DAY_OR_EMPTY)
    entity = {"name": "id", "in": "path", "required": True, "description": "The entity: its id "
              "(slug), or a name of it in English or Chinese. A name several entities bear is "
              "a 400 whose candidates list them.", "schema": ID_SEGMENT}
    return {"relation": relation, "role": role, "types": types, "depth": depth, "paged": paged,
            "at": at, "entity": entity}


def _entity_paths(shared: Parameters) -> Json:
    """Search, an entity, its facts and its neighbours."""
    entity, at, paged, types = shared["entity"], shared["at"], shared["paged"], shared["types"]
    relation, role = shared["relation"], shared["role"]
    return {
        "/api/entities": get("searchEntities", "Search entities by English or Chinese "
                             "name, alternative or hidden label; without q, list all "
                             "(not on a remote store, where page.truncated says when "
                             "more names match than the 1,000 ranked).",
                             [str_param("q", "Text to find (case- and width-"
                                        "insensitive)."), types, *paged],
                             list_of("SearchHit"), whole_graph=True),
        "/api/entities/{id}": get("getEntity", "One entity: labels, types, counts, then "
                                  "the first 100 of its properties, relations each way "
                                  "(ecosystem ones with since and until) and sources; "
                                  "`more` links the rest of a longer list.",
                                  [entity, at], ref("Entity"), not_found=True, dated=True),
        "/api/entities/{id}/facts": get(
            "getEntityFacts", "One page of one list of an entity's details, as in "
            "getEntity (100 items by default).",
            [entity, {"name": "part", "in": "query", "required": True,
                      "description": "Which list.", "schema": {
                          "type": "string", "enum": ["properties", "relations-out",
                                                     "relations-in", "sources"]}},
             int_param("limit", "Items per page.", api.ENTITY_PAGE, 1, api.MAX_LIMIT),
             paged[1]],
            {"type": "array", "items": {"type": "object"}}, paged=True, not_found=True),
        "/api/entities/{id}/neighbors": get(
            "getNeighbors", "Entities one ecosystem statement away, one item per "
            "statement.", [entity, choice_param("direction", "Which way statements "
                                                "read from the entity.",
                                                ["both", "out", "in"]),
                           relation, role, at, *paged], list_of("Neighbor"),
            not_found=True, dated=True),
    }


def _circle_paths(shared: Parameters, roles: list[str]) -> Json:
    """An entity's circle, what changed in it, and its timeline."""
    entity, at, paged, depth = shared["entity"], shared["at"], shared["paged"], shared["depth"]
    relation, role = shared["relation"], shared["role"]
    return {
        "/api/entities/{id}/circle": get(
            "getCircle", "The circle of friends: members within depth hops, grouped by "
            "role, each with the path and sources that bring it in. The page counts "
            "(role, member) entries.",
            [entity, depth, relation, role, at,
             list_param("hub_role", f"Do not walk through a member of at least "
                        f"{HUB_DEGREE:,} statements playing one of these roles on its "
                        "last hop (an investor, a cloud): it stays a member, its ties "
                        "do not come in.", roles),
             choice_param("format", "json; table for plain text; or an export format: "
                          "the whole circle's network as a file (GEXF is dynamic: "
                          "edges start and end on their dates).",
                          ["json", "table", *EXPORT_NAMES]),
             *paged], ref("Circle"), paged=True, not_found=True, text=True, exports=True,
            dated=True),
        "/api/entities/{id}/circle/changes": get(
            "getCircleChanges", "Who joined and who left the circle between two days, by "
            "role, each with its date and the sources of the edge that brings it in.",
            [entity, {**str_param("from", "The first day (YYYY-MM-DD; YYYY or YYYY-MM: "
                                  "from its first day).", DATE), "required": True},
             str_param("to", "The last day (YYYY-MM-DD; YYYY or YYYY-MM: to its last "
                       "day); default today. Before from, or before the graph's first "
                       "dated relationship: a 400 naming it.", DAY_OR_EMPTY),
             depth, relation, role], ref("Changes"), not_found=True, whole_graph=True),
        "/api/entities/{id}/timeline": get(
            "getTimeline", "The entity's dated events, newest first: relationships begun "
            "and ended, releases, funding rounds, founding, each with its sources.",
            [entity, *paged], list_of("Event"), not_found=True, whole_graph=True),
    }


def _graph_paths(shared: Parameters) -> Json:
    """Paths, overlap, rankings and the counts of the whole graph."""
    at, paged, types, relation = shared["at"], shared["paged"], shared["types"], shared["relation"]
    return {
        "/api/paths": get(
            "findPaths", "Up to k shortest paths between two entities.",
            [{**str_param("from", "Where paths start: an entity id, IRI or name.", ID),
              "required": True},
             {**str_param("to", "Where paths end: an entity id, IRI or name.", ID),
              "required": True},
             int_param("max_length", "Longest path, in hops.", 4, 1,
                       api.MAX_PATH_LENGTH),
             int_param("k", "Paths wanted at most.", 1, 1, api.MAX_PATHS), relation, at,
             choice_param("format", "json, or an export format: the paths' network as a "
                          "file.", ["json", *EXPORT_NAMES])],
            ref("Paths"), not_found=True, exports=True,
            whole_graph=True),
        "/api/compare": get(
            "compareCircles", "How the circles of 2 to 10 entities overlap.",
            [{**list_param("ids", "Entity ids, IRIs or names; repeat or separate with "
                          "commas.", None),
              "required": True},
             int_param("depth", "Hops of each circle.", 1, 1, 2), relation, at, *paged],
            ref("Overlap"), paged=True, not_found=True, whole_graph=True),
        "/api/rankings": get(
            "getRankings", "Entities by centrality, cached per graph version; on a remote "
            "store, by degree only, counted there a page at a time.",
            [choice_param("metric", "The centrality.", list(METRICS)), types, at, *paged],
            list_of("Ranked"), whole_graph=True),
        "/api/stats": get("getStats", "Counts by class and relation, components, "
                          "graph version.", [], ref("Stats"), whole_graph=True),
        "/api/types": get("listTypes", "The classes, each with its entity count.",
                          paged, list_of("Type"), whole_graph=True),
        "/api/relations": get("listRelations", "The ecosystem relations with their "
                              "roles and edge counts.", paged, list_of("Relation"),
                              whole_graph=True),
    }


DOCUMENT_PATHS: Json = {
        "/openapi.json": {"get": {"operationId": "getOpenApi", "summary": "This document.",
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "content": {"application/json": {
                                                            "schema": {"type": "object"}}}}}}},
        "/docs": {"get": {"operationId": "getDocs", "summary": "This document as a page.",
                          "responses": {"200": {"description": "HTML page", "content": {
                              "text/html": {"schema": {"type": "string"}}}}}}},
}
