"""The OpenAPI 3.1 description of the HTTP API at ``/openapi.json``, and its page at ``/docs``.

The document is built from the graph it describes: the relations, roles and types that the
parameters accept are listed from the ontology of the current version, so a client (or a
fuzzer) knows every value the API takes.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from graph.export import EXPORT_FORMATS
from graph.network import HUB_DEGREE, METRICS, Projection
from graph.rdf.terms import short_id

from . import params as api
from .params import terms

bp = Blueprint("openapi", __name__)

__all__ = ["bp", "document"]


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


def document(P: Projection) -> dict[str, object]:
    """The OpenAPI document of the API over projection ``P``."""
    relation_ids = sorted(short_id(r) for r in P.relations)
    type_ids = sorted(short_id(c) for c in P.classes)
    relation = _list_param("relation", "Follow only these ecosystem relations (and those "
                           "below them); repeat or separate with commas.", relation_ids)
    role = _list_param("role", "Keep only neighbours playing these roles.", list(P.roles))
    types = _list_param("type", "Keep only entities of these classes or their subclasses.",
                        type_ids)
    depth = _int_param("depth", "Hops from the entity.", 1, 1, api.MAX_DEPTH)
    paged = [_int_param("limit", "Items per page.", 50, 1, api.MAX_LIMIT),
             _int_param("offset", "Items to skip.", 0, 0, api.MAX_OFFSET)]
    at = _str_param("at", "As of this day: only the relationships that held on it (YYYY-MM-DD; "
                    "YYYY or YYYY-MM name the last day of that year or month). A date that "
                    "does not parse, or one before the graph's first dated relationship, is a "
                    "400 naming the parameter; on a remote store, a 501. Empty: today.",
                    _DAY_OR_EMPTY)
    entity = {"name": "id", "in": "path", "required": True, "description": "The entity: its id "
              "(slug), or a name of it in English or Chinese. A name several entities bear is "
              "a 400 whose candidates list them.", "schema": _ID_SEGMENT}
    return {
        "openapi": "3.1.0",
        "info": {"title": "aikg relationship API", "version": "1",
                 "description": "The AI model industry knowledge graph: search, entities, "
                 "circles of friends, paths, overlap and rankings; the Reconciliation "
                 "Service API 0.2 for OpenRefine at /reconcile. Every success is "
                 "`{data, version}`, with `page` for lists; every error is "
                 "`{error, status}`."},
        "paths": {
            "/api/entities": _get("searchEntities", "Search entities by English or Chinese "
                                  "name, alternative or hidden label; without q, list all "
                                  "(not on a remote store, where page.truncated says when "
                                  "more names match than the 1,000 ranked).",
                                  [_str_param("q", "Text to find (case- and width-"
                                              "insensitive)."), types, *paged],
                                  _list_of("SearchHit"), whole_graph=True),
            "/api/entities/{id}": _get("getEntity", "One entity: labels, types, counts, then "
                                       "the first 100 of its properties, relations each way "
                                       "(ecosystem ones with since and until) and sources; "
                                       "`more` links the rest of a longer list.",
                                       [entity, at], _ref("Entity"), not_found=True, dated=True),
            "/api/entities/{id}/facts": _get(
                "getEntityFacts", "One page of one list of an entity's details, as in "
                "getEntity (100 items by default).",
                [entity, {"name": "part", "in": "query", "required": True,
                          "description": "Which list.", "schema": {
                              "type": "string", "enum": ["properties", "relations-out",
                                                         "relations-in", "sources"]}},
                 _int_param("limit", "Items per page.", api.ENTITY_PAGE, 1, api.MAX_LIMIT),
                 paged[1]],
                {"type": "array", "items": {"type": "object"}}, paged=True, not_found=True),
            "/api/entities/{id}/neighbors": _get(
                "getNeighbors", "Entities one ecosystem statement away, one item per "
                "statement.", [entity, _choice_param("direction", "Which way statements "
                                                     "read from the entity.",
                                                     ["both", "out", "in"]),
                               relation, role, at, *paged], _list_of("Neighbor"),
                not_found=True, dated=True),
            "/api/entities/{id}/circle": _get(
                "getCircle", "The circle of friends: members within depth hops, grouped by "
                "role, each with the path and sources that bring it in. The page counts "
                "(role, member) entries.",
                [entity, depth, relation, role, at,
                 _list_param("hub_role", f"Do not walk through a member of at least "
                             f"{HUB_DEGREE:,} statements playing one of these roles on its "
                             "last hop (an investor, a cloud): it stays a member, its ties "
                             "do not come in.", list(P.roles)),
                 _choice_param("format", "json; table for plain text; or an export format: "
                               "the whole circle's network as a file (GEXF is dynamic: "
                               "edges start and end on their dates).",
                               ["json", "table", *_EXPORT_NAMES]),
                 *paged], _ref("Circle"), paged=True, not_found=True, text=True, exports=True,
                dated=True),
            "/api/entities/{id}/circle/changes": _get(
                "getCircleChanges", "Who joined and who left the circle between two days, by "
                "role, each with its date and the sources of the edge that brings it in.",
                [entity, {**_str_param("from", "The first day (YYYY-MM-DD; YYYY or YYYY-MM: "
                                       "from its first day).", _DATE), "required": True},
                 _str_param("to", "The last day (YYYY-MM-DD; YYYY or YYYY-MM: to its last "
                            "day); default today. Before from, or before the graph's first "
                            "dated relationship: a 400 naming it.", _DAY_OR_EMPTY),
                 depth, relation, role], _ref("Changes"), not_found=True, whole_graph=True),
            "/api/entities/{id}/timeline": _get(
                "getTimeline", "The entity's dated events, newest first: relationships begun "
                "and ended, releases, funding rounds, founding, each with its sources.",
                [entity, *paged], _list_of("Event"), not_found=True, whole_graph=True),
            "/api/paths": _get(
                "findPaths", "Up to k shortest paths between two entities.",
                [{**_str_param("from", "Where paths start: an entity id, IRI or name.", _ID),
                  "required": True},
                 {**_str_param("to", "Where paths end: an entity id, IRI or name.", _ID),
                  "required": True},
                 _int_param("max_length", "Longest path, in hops.", 4, 1,
                            api.MAX_PATH_LENGTH),
                 _int_param("k", "Paths wanted at most.", 1, 1, api.MAX_PATHS), relation, at,
                 _choice_param("format", "json, or an export format: the paths' network as a "
                               "file.", ["json", *_EXPORT_NAMES])],
                _ref("Paths"), not_found=True, exports=True,
                whole_graph=True),
            "/api/compare": _get(
                "compareCircles", "How the circles of 2 to 10 entities overlap.",
                [{**_list_param("ids", "Entity ids, IRIs or names; repeat or separate with "
                              "commas.", None),
                  "required": True},
                 _int_param("depth", "Hops of each circle.", 1, 1, 2), relation, at, *paged],
                _ref("Overlap"), paged=True, not_found=True, whole_graph=True),
            "/api/rankings": _get(
                "getRankings", "Entities by centrality, cached per graph version.",
                [_choice_param("metric", "The centrality.", list(METRICS)), types, at, *paged],
                _list_of("Ranked"), whole_graph=True),
            "/api/stats": _get("getStats", "Counts by class and relation, components, "
                               "graph version.", [], _ref("Stats"), whole_graph=True),
            "/api/types": _get("listTypes", "The classes, each with its entity count.",
                               paged, _list_of("Type"), whole_graph=True),
            "/api/relations": _get("listRelations", "The ecosystem relations with their "
                                   "roles and edge counts.", paged, _list_of("Relation"),
                                   whole_graph=True),
            "/openapi.json": {"get": {"operationId": "getOpenApi", "summary": "This document.",
                                      "responses": {"200": {"description": "OpenAPI 3.1",
                                                            "content": {"application/json": {
                                                                "schema": {"type": "object"}}}}}}},
            "/docs": {"get": {"operationId": "getDocs", "summary": "This document as a page.",
                              "responses": {"200": {"description": "HTML page", "content": {
                                  "text/html": {"schema": {"type": "string"}}}}}}},
            **PROTOCOL_PATHS,
            **RECONCILE_PATHS,
        },
        "components": {"schemas": SCHEMAS},
    }


#: An entity id, IRI or name (not blank): as a query parameter, as a path segment (no slash:
#: no IRI there) and as an item of a comma-separated list.
_ID = {"type": "string", "pattern": r"^[^\s\x1c-\x1f\x85]", "examples": ["baidu", "Baidu", "百度"]}
_ID_SEGMENT = {**_ID, "pattern": r"^[^\s/\x1c-\x1f\x85][^/]*$"}
_ID_ITEM = {**_ID, "pattern": r"^[^\s,\x1c-\x1f\x85][^,]*$"}
_EXPORT_NAMES = [f.name for f in EXPORT_FORMATS]


def _get(operation: str, summary: str, parameters: list, data: dict, *, paged: bool = False,
         not_found: bool = False, text: bool = False, exports: bool = False,
         whole_graph: bool = False, dated: bool = False
         ) -> dict[str, object]:
    is_list = data.get("type") == "array"
    body = {"type": "object", "required": ["data", "version"], "additionalProperties": False,
            "properties": {"data": data, "version": {"type": "integer"}}}
    if is_list or paged:
        body["required"].append("page")
        body["properties"]["page"] = _ref("Page")
    content = {"application/json": {"schema": body}}
    if text:
        content["text/plain"] = {"schema": {"type": "string"}}
    if exports:  # node-link JSON shares application/json with the envelope
        content = {f.media_type: {"schema": {"type": "string"}} for f in EXPORT_FORMATS} | content
        content["application/json"] = {"schema": {"anyOf": [body, _ref("NodeLink")]}}
        content["application/vnd.cytoscape+json"] = {"schema": {"type": "object"}}
    responses = {"200": {"description": "Success", "content": content},
                 "400": _error("A parameter is malformed or out of bounds, or a name that "
                               "several entities bear (listed in candidates); the message "
                               "names it.")}
    if not_found:
        responses["404"] = _error("Unknown entity id (with suggestions), or no path.")
    if whole_graph:
        responses["501"] = _error("The store is a remote SPARQL endpoint: this question needs "
                                  "the whole relationship graph in memory.")
    elif dated:
        responses["501"] = _error("at= on a remote SPARQL endpoint: lookups as of a day need "
                                  "a local store.")
    return {"get": {"operationId": operation, "summary": summary, "parameters": parameters,
                    "responses": responses}}


def _error(description: str) -> dict[str, object]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict[str, object]:
    return {"type": "array", "items": _ref(name)}


def _str_param(name: str, description: str, schema: dict | None = None) -> dict[str, object]:
    return {"name": name, "in": "query", "description": description,
            "schema": schema or {"type": "string"}}


def _int_param(name: str, description: str, default: int, low: int, high: int) -> dict:
    return _str_param(name, description, {"type": "integer", "default": default,
                                          "minimum": low, "maximum": high})


def _choice_param(name: str, description: str, choices: list[str]) -> dict[str, object]:
    return _str_param(name, description, {"type": "string", "enum": choices,
                                          "default": choices[0]})


def _list_param(name: str, description: str, choices: list[str] | None) -> dict[str, object]:
    items = {"type": "string", "enum": choices} if choices is not None else _ID_ITEM
    schema = {"type": "array", "items": items}
    if choices is None:
        schema.update(minItems=2, maxItems=api.MAX_COMPARE, uniqueItems=True)
    return {**_str_param(name, description, schema), "style": "form", "explode": True}


def _object(properties: dict[str, object], optional: tuple[str, ...] = ()) -> dict[str, object]:
    return {"type": "object", "properties": properties,
            "required": [p for p in properties if p not in optional]}


_STR, _INT, _NUM, _BOOL = ({"type": t} for t in ("string", "integer", "number", "boolean"))
_STRS = {"type": "array", "items": _STR}
_NULLABLE_STR = {"type": ["string", "null"]}
_LABELS = {"id": _STR, "iri": _STR, "label_en": _STR, "label_zh": _STR}
_ROLE = _object({"key": _STR, "label_en": _STR, "label_zh": _STR})
_NODE = _object({**_LABELS, "types": _STRS})
_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
_DAY_OR_EMPTY = {"type": "string", "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"}  # empty: absent
_EDGE = _object({"relation": _STR, "predicate": _STR, "label_en": _STR, "label_zh": _STR,
                 "direction": {"enum": ["out", "in"]}, "role": _STR, "sources": _STRS,
                 "since": _DATE, "until": _DATE}, optional=("since", "until"))
_HOP = _object({"from": _ref("Node"), "to": _ref("Node"),
                "edges": {"type": "array", "items": _ref("Edge")}})
_LINK = _object({"relation": _object(_LABELS), "node": _object(_LABELS), "sources": _STRS,
                 "ecosystem": _BOOL, "since": _DATE, "until": _DATE},
                optional=("since", "until"))
_SOURCE = _object({"id": _STR, "iri": _STR, "title": _NULLABLE_STR, "url": _NULLABLE_STR,
                   "issued": _NULLABLE_STR, "license": _NULLABLE_STR, "credit": _NULLABLE_STR})
_CHANGED = {"type": "array", "items": {"allOf": [_ROLE, _object({
    "size": _INT, "members": {"type": "array", "items": {"allOf": [_NODE, _object({
        "date": {"type": ["string", "null"]}, "distance": _INT, "roles": _STRS,
        "sources": _STRS, "path": {"type": "array", "items": _ref("Hop")}})]}}})]}}
_BY_LANGUAGE = {"type": "object", "additionalProperties": _STRS}
_RELATION = _object({**_LABELS, "subject_role": _ROLE, "object_role": _ROLE,
                     "broader": _STRS, "count": _INT}, optional=("count",))

SCHEMAS: dict[str, object] = {
    "Error": _object({"error": _STR, "status": _INT, "suggestions": _STRS,
                      "candidates": {"type": "array", "items": _object(_LABELS)}},
                     optional=("suggestions", "candidates")),
    "Page": _object({"limit": _INT, "offset": _INT, "total": _INT, "next": _NULLABLE_STR,
                     "truncated": {"const": True}}, optional=("truncated",)),
    "Node": _NODE,
    "Edge": _EDGE,
    "Hop": _HOP,
    "Role": _ROLE,
    "SearchHit": {"allOf": [_NODE, _object({
        "degree": _INT, "match": {"enum": ["exact", "prefix", "substring", "all"]},
        "matched_label": _NULLABLE_STR})]},
    "Neighbor": {"allOf": [_object({"node": _ref("Node")}), _EDGE]},
    "Entity": _object({
        **_LABELS, "labels": _BY_LANGUAGE, "alt_labels": _BY_LANGUAGE,
        "types": {"type": "array", "items": _object(_LABELS)},
        "properties": {"type": "array", "items": _object({
            "property": _object(_LABELS), "value": {"type": "object"}, "sources": _STRS})},
        "relations": _object({"out": {"type": "array", "items": _LINK},
                              "in": {"type": "array", "items": _LINK}}),
        "sources": {"type": "array", "items": _SOURCE},
        "truncated": _BOOL, "degree": _INT, "at": _DATE,
        "counts": {"type": "object", "additionalProperties": _INT},
        "more": {"type": "object", "additionalProperties": _STR}}, optional=("at",)),
    "Circle": _object({
        "center": _ref("Node"), "depth": _INT, "size": _INT, "truncated": _BOOL,
        "composition": _object({
            "roles": {"type": "array", "items": {"allOf": [_ROLE, _object({"count": _INT})]}},
            "types": {"type": "object", "additionalProperties": _INT},
            "distances": {"type": "object", "additionalProperties": _INT},
            "hubs": {"type": "array", "items": {"allOf": [_NODE, _object({
                "degree": _INT, "members": _INT, "walked": _BOOL})]}}}),
        "groups": {"type": "array", "items": {"allOf": [_ROLE, _object({
            "size": _INT, "members": {"type": "array", "items": {"allOf": [_NODE, _object({
                "distance": _INT, "roles": _STRS,
                "path": {"type": "array", "items": _ref("Hop")}})]}}})]}},
        "at": _DATE}, optional=("at",)),
    "Changes": _object({
        "center": _ref("Node"), "from": _DATE, "to": _DATE, "depth": _INT,
        "joined": _CHANGED, "left": _CHANGED, "joined_count": _INT, "left_count": _INT,
        "sources": {"type": "array", "items": _SOURCE}}),
    "Event": _object({
        "date": _DATE, "kind": {"enum": ["began", "reported", "ended", "founded", "released",
                                         "funding round", "event"]},
        "subject": _ref("Node"), "relation": _STR, "predicate": _STR,
        "direction": {"enum": ["out", "in"]}, "role": _STR, "sources": _STRS},
        optional=("relation", "predicate", "direction", "role")),
    "Paths": _object({"from": _ref("Node"), "to": _ref("Node"), "paths": {
        "type": "array", "items": _object({
            "length": _INT, "nodes": {"type": "array", "items": _ref("Node")},
            "hops": {"type": "array", "items": _ref("Hop")}})}}),
    "Overlap": _object({
        "entities": {"type": "array", "items": _ref("Node")}, "depth": _INT,
        "sizes": {"type": "object", "additionalProperties": _INT}, "jaccard": _NUM,
        "pairs": {"type": "array", "items": _object({"a": _STR, "b": _STR, "shared": _INT,
                                                      "jaccard": _NUM})},
        "by_role": {"type": "array", "items": {"allOf": [_ROLE, _object({
            "shared": _INT, "jaccard": _NUM})]}},
        "shared": {"type": "array", "items": {"allOf": [_NODE, _object({"roles": {
            "type": "object", "additionalProperties": _STRS}})]}}}),
    "NodeLink": _object({"directed": _BOOL, "multigraph": _BOOL, "graph": {"type": "object"},
                         "nodes": {"type": "array"}, "links": {"type": "array"}}),
    "Ranked": {"allOf": [_NODE, _object({"rank": _INT, "score": _NUM})]},
    "Stats": _object({
        "triples": _INT, "graphs": _INT, "nodes": _INT, "edges": _INT,
        "by_type": {"type": "array", "items": {"allOf": [_object(_LABELS),
                                                         _object({"count": _INT})]}},
        "by_relation": {"type": "array", "items": _RELATION},
        "components": _object({"count": _INT, "largest": _INT, "isolated": _INT})}),
    "Type": {"allOf": [_object(_LABELS), _object({"count": _INT})]},
    "Relation": _RELATION,
}


# -- the protocol routes: SPARQL, Graph Store, export, probes -----------------------------------
# Their bodies are RDF or SPARQL results in the negotiated format, so any media type may come.

_ANY = {"*/*": {"schema": {}}}
_GRAPH_PARAMS = [_str_param("graph", "The named graph's IRI."),
                 _str_param("default", "The default graph (no value).")]
_TOKEN = {"401": _error("A write without the bearer token, or with a wrong one."),
          "403": _error("Writes are off: the service runs without a token."),
          "413": _error("The body is past the size limit."),
          "415": _error("The body's media type is not an RDF syntax or SPARQL.")}
_REFUSED = {"400": _error("Malformed query, parameter (a format= not offered included) or "
                          "data; the message says where."),
            "406": _error("None of the media types in Accept is offered."),
            "503": _error("The time or memory budget ran out, or the store cannot answer or "
                          "write.")}


def _op(operation: str, summary: str, parameters: list, ok: dict, errors: dict,
        body: dict | None = None) -> dict[str, object]:
    found = {"operationId": operation, "summary": summary, "parameters": parameters,
             "responses": {**ok, "304": {"description": "Not modified (ETag)"}, **errors}}
    if body:
        found["requestBody"] = {"content": body}
    return found


def _rdf_body() -> dict[str, object]:
    return {t: {"schema": {"type": "string"}} for t in (
        "text/turtle", "application/n-triples", "application/n-quads", "application/trig",
        "application/ld+json", "application/rdf+xml")}


_SPARQL_PARAMS = [_str_param("query", "A SPARQL 1.1 query."),
                  _str_param("format", "Result format, a short name or a media type."),
                  {**_str_param("default-graph-uri", "The query's default graph(s).", _STRS),
                   "style": "form", "explode": True},
                  {**_str_param("named-graph-uri", "The query's named graphs.", _STRS),
                   "style": "form", "explode": True}]
_DONE = {"200": {"description": "The result", "content": _ANY},
         "201": {"description": "Graph created"}, "204": {"description": "Done"}}
_STORE = {
    "get": _op("getGraph", "A graph (?graph=IRI), the default graph (?default) or the dataset.",
               _GRAPH_PARAMS, {"200": {"description": "RDF", "content": _ANY}},
               {**_REFUSED, "404": _error("No such graph.")}),
    **{method: _op(f"{method}Graph", summary, _GRAPH_PARAMS, _DONE,
                   {**_REFUSED, **_TOKEN, "404": _error("No such graph."),
                    "422": _error("The data breaks the SHACL shapes.")},
                   None if method == "delete" else _rdf_body())
       for method, summary in (("put", "Replace the graph by the body, in one update from "
                                       "memory: up to MAX_CONTENT_LENGTH (token)."),
                               ("post", "Add the body to the graph; one document streams from "
                                        "disk, up to STORE_MAX_UPLOAD (token)."),
                               ("delete", "Remove the graph (token)."))},
}

PROTOCOL_PATHS: dict[str, object] = {
    "/sparql": {
        "get": _op("sparqlQuery", "SPARQL 1.1 Protocol query; without one, the editor (HTML) "
                   "or the Service Description (RDF).", _SPARQL_PARAMS,
                   {"200": {"description": "Results, RDF or the editor", "content": _ANY}},
                   _REFUSED),
        "post": _op("sparqlPost", "A query, or an update with the bearer token.",
                    _SPARQL_PARAMS[1:], _DONE, {**_REFUSED, **_TOKEN}, {
                        "application/x-www-form-urlencoded": {"schema": _object(
                            {"query": _STR, "update": _STR}, optional=("query", "update"))},
                        "application/sparql-query": {"schema": {"type": "string"}},
                        "application/sparql-update": {"schema": {"type": "string"}}}),
    },
    "/store": _STORE,
    "/store/{path}": {method: {**op, "operationId": op["operationId"] + "Direct",
                               "parameters": [{"name": "path", "in": "path", "required": True,
                                               "description": "A graph named by this URL.",
                                               "schema": {"type": "string"}}]}
                      for method, op in _STORE.items()},
    "/export": {"get": _op(
        "exportGraph", "The dataset, a graph or a CONSTRUCT result as a file.",
        [_str_param("format", "turtle, ntriples, nquads, trig, jsonld, rdfxml, graphml, gexf, "
                    "node-link, cytoscape, csv, dot."), _str_param("graph", "A named graph."),
         _str_param("query", "A CONSTRUCT query.")],
        {"200": {"description": "The file", "content": _ANY}},
        {**_REFUSED, "404": _error("No such graph."),
         "503": _error("The query's time or memory budget ran out.")})},
    "/import": {"post": _op(
        "importTable", "Import a CSV table with a CSVW mapping (token): the report.",
        [_str_param("mapping", "A mapping bundled in ontology/mappings/, by name."),
         _str_param("graph", "The named graph of the imported facts."),
         _str_param("accessed", "When the table was fetched, YYYY-MM-DD."),
         _str_param("dry_run", "true: report without writing.")],
        {"200": {"description": "The import report", "content": {
            "application/json": {"schema": {"type": "object"}}}}},
        {**_REFUSED, **_TOKEN, "422": _error("The imported facts break the SHACL shapes.")},
        {"text/csv": {"schema": {"type": "string"}},
         "multipart/form-data": {"schema": _object({"table": _STR, "mapping": _STR},
                                                   optional=("mapping",))}})},
    "/healthz": {"get": {"operationId": "health", "summary": "Liveness and readiness.",
                         "responses": {"200": {"description": "The store answers", "content": {
                             "application/json": {"schema": _object({
                                 "status": {"enum": ["ok", "degraded"]}, "triples": _INT,
                                 "graphs": _INT, "version": _INT, "store": _STR,
                                 "write_error": _STR}, optional=("write_error",))}}},
                             "503": _error("The store does not answer in time.")}}},
    "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics.",
                         "responses": {"200": {"description": "Prometheus text", "content": {
                             "text/plain": {"schema": {"type": "string"}}}}}}},
}


# -- the Reconciliation Service API 0.2 (docs/reconcile.md) -------------------------------------
# Its documents are the specification's (JSON Schemas in its repository); here only their outline.

_JSONP = {"application/javascript": {"schema": {"type": "string"}}}
_RECONCILE_ERRORS = {"400": _error("Malformed JSON, too many queries, a query with neither "
                                   "text nor properties, an unknown type or property."),
                     "501": _error("The store is a remote SPARQL endpoint.")}
_CURSOR = [_int_param("cursor", "Suggestions to skip.", 0, 0, 1_000_000),
           _int_param("limit", "Suggestions at most.", 10, 1, 100),
           _str_param("callback", "JSONP: wrap the answer in a call of this function.")]


def _reconcile_get(operation: str, summary: str, parameters: list, body: dict,
                   not_found: bool = False) -> dict[str, object]:
    ok = {"200": {"description": "Success", "content": {
        "application/json": {"schema": body}, **_JSONP}}}
    errors = {**_RECONCILE_ERRORS, **({"404": _error("Unknown entity id.")} if not_found else {})}
    return {"get": _op(operation, summary, parameters, ok, errors)}


_RESULTS = {"type": "object", "additionalProperties": _object({"result": {"type": "array"}})}
_SERVICE_PARAMS = [_str_param("queries", "A batch of reconciliation queries (JSON object)."),
                   _str_param("extend", "A data extension query (JSON: ids and properties)."),
                   _str_param("callback", "JSONP: wrap the answer in a call of this function.")]

RECONCILE_PATHS: dict[str, object] = {
    "/reconcile": {
        **_reconcile_get("reconcile", "Without parameters the service manifest; with queries, "
                         "the candidates of each query; with extend, property values.",
                         _SERVICE_PARAMS, {"type": "object"}),
        "post": _op("reconcilePost", "A batch of queries or a data extension query, as a form.",
                    [], {"200": {"description": "Candidates, or property values", "content": {
                        "application/json": {"schema": {"type": "object"}}}}},
                    {**_RECONCILE_ERRORS, "413": _error("The body is past RECONCILE_MAX_BODY.")},
                    {"application/x-www-form-urlencoded": {"schema": _object(
                        {"queries": _STR, "extend": _STR}, optional=("queries", "extend"))}}),
    },
    "/reconcile/suggest/entity": _reconcile_get(
        "suggestEntities", "Entities whose names start with or contain prefix.",
        [_str_param("prefix", "Text typed so far."), _str_param("type", "A type id."),
         *_CURSOR], _object({"result": {"type": "array"}})),
    "/reconcile/suggest/type": _reconcile_get(
        "suggestTypes", "Types whose names start with or contain prefix.",
        [_str_param("prefix", "Text typed so far."), *_CURSOR],
        _object({"result": {"type": "array"}})),
    "/reconcile/suggest/property": _reconcile_get(
        "suggestProperties", "Properties whose names start with or contain prefix.",
        [_str_param("prefix", "Text typed so far."), *_CURSOR],
        _object({"result": {"type": "array"}})),
    "/reconcile/properties": _reconcile_get(
        "proposeProperties", "The properties entities of a type use, most used first.",
        [_str_param("type", "A type id."), _CURSOR[1], _CURSOR[2]],
        _object({"properties": {"type": "array"}, "type": _STR, "limit": _INT},
                optional=("type", "limit"))),
    "/reconcile/preview": {"get": _op(
        "previewEntity", "A small HTML card of an entity, with its Chinese name.",
        [{**_str_param("id", "Entity id.", _ID), "required": True}],
        {"200": {"description": "HTML", "content": {"text/html": {"schema": _STR}}}},
        {"400": _error("No id."), "404": _error("Unknown entity id."),
         "501": _error("The store is a remote SPARQL endpoint.")})},
}
