"""The protocol routes of the OpenAPI document (SPARQL, Graph Store, export, import, probes) and
the Reconciliation Service API 0.2: their paths do not depend on the graph."""

from __future__ import annotations

from .build import ID, INT, STR, STRS, Json, error, int_param, obj, str_param

__all__ = ["PROTOCOL_PATHS", "RECONCILE_PATHS"]

# -- the protocol routes: SPARQL, Graph Store, export, probes -----------------------------------
# Their bodies are RDF or SPARQL results in the negotiated format, so any media type may come.

ANY: Json = {"*/*": {"schema": {}}}
GRAPH_PARAMS = [str_param("graph", "The named graph's IRI."),
                str_param("default", "The default graph (no value).")]
TOKEN = {"401": error("A write without the bearer token, or with a wrong one."),
         "403": error("Writes are off: the service runs without a token."),
         "413": error("The body is past the size limit."),
         "415": error("The body's media type is not an RDF syntax or SPARQL.")}
REFUSED = {"400": error("Malformed query, parameter (a format= not offered included) or "
                        "data; the message says where."),
           "406": error("None of the media types in Accept is offered."),
           "503": error("The time or memory budget ran out, or the store cannot answer or "
                        "write.")}


def op(operation: str, summary: str, parameters: list[Json], ok: Json, errors: Json,
       body: Json | None = None) -> Json:
    found = {"operationId": operation, "summary": summary, "parameters": parameters,
             "responses": {**ok, "304": {"description": "Not modified (ETag)"}, **errors}}
    if body:
        found["requestBody"] = {"content": body}
    return found


def rdf_body() -> Json:
    return {t: {"schema": {"type": "string"}} for t in (
        "text/turtle", "application/n-triples", "application/n-quads", "application/trig",
        "application/ld+json", "application/rdf+xml")}


SPARQL_PARAMS = [str_param("query", "A SPARQL 1.1 query."),
                 str_param("format", "Result format, a short name or a media type."),
                 {**str_param("default-graph-uri", "The query's default graph(s).", STRS),
                  "style": "form", "explode": True},
                 {**str_param("named-graph-uri", "The query's named graphs.", STRS),
                  "style": "form", "explode": True}]
DONE = {"200": {"description": "The result", "content": ANY},
        "201": {"description": "Graph created"}, "204": {"description": "Done"}}
STORE = {
    "get": op("getGraph", "A graph (?graph=IRI), the default graph (?default) or the dataset.",
              GRAPH_PARAMS, {"200": {"description": "RDF", "content": ANY}},
              {**REFUSED, "404": error("No such graph.")}),
    **{method: op(f"{method}Graph", summary, GRAPH_PARAMS, DONE,
                  {**REFUSED, **TOKEN, "404": error("No such graph."),
                   "422": error("The data breaks the SHACL shapes.")},
                  None if method == "delete" else rdf_body())
       for method, summary in (("put", "Replace the graph by the body, in one update from "
                                       "memory: up to MAX_CONTENT_LENGTH (token)."),
                               ("post", "Add the body to the graph; one document streams from "
                                        "disk, up to STORE_MAX_UPLOAD (token)."),
                               ("delete", "Remove the graph (token)."))},
}

PROTOCOL_PATHS: Json = {
    "/sparql": {
        "get": op("sparqlQuery", "SPARQL 1.1 Protocol query; without one, the editor (HTML) "
                  "or the Service Description (RDF).", SPARQL_PARAMS,
                  {"200": {"description": "Results, RDF or the editor", "content": ANY}},
                  REFUSED),
        "post": op("sparqlPost", "A query, or an update with the bearer token.",
                   SPARQL_PARAMS[1:], DONE, {**REFUSED, **TOKEN}, {
                        "application/x-www-form-urlencoded": {"schema": obj(
                            {"query": STR, "update": STR}, optional=("query", "update"))},
                        "application/sparql-query": {"schema": {"type": "string"}},
                        "application/sparql-update": {"schema": {"type": "string"}}}),
    },
    "/store": STORE,
    "/store/{path}": {method: {**op, "operationId": op["operationId"] + "Direct",
                               "parameters": [{"name": "path", "in": "path", "required": True,
                                               "description": "A graph named by this URL.",
                                               "schema": {"type": "string"}}]}
                      for method, op in STORE.items()},
    "/export": {"get": op(
        "exportGraph", "The dataset, a graph or a CONSTRUCT result as a file.",
        [str_param("format", "turtle, ntriples, nquads, trig, jsonld, rdfxml, graphml, gexf, "
                   "node-link, cytoscape, csv, dot."), str_param("graph", "A named graph."),
         str_param("query", "A CONSTRUCT query.")],
        {"200": {"description": "The file", "content": ANY}},
        {**REFUSED, "404": error("No such graph."),
         "503": error("The query's time or memory budget ran out.")})},
    "/import": {"post": op(
        "importTable", "Import a CSV table with a CSVW mapping (token): the report.",
        [str_param("mapping", "A mapping bundled in ontology/mappings/, by name."),
         str_param("graph", "The named graph of the imported facts."),
         str_param("accessed", "When the table was fetched, YYYY-MM-DD."),
         str_param("dry_run", "true: report without writing.")],
        {"200": {"description": "The import report", "content": {
            "application/json": {"schema": {"type": "object"}}}}},
        {**REFUSED, **TOKEN, "422": error("The imported facts break the SHACL shapes.")},
        {"text/csv": {"schema": {"type": "string"}},
         "multipart/form-data": {"schema": obj({"table": STR, "mapping": STR},
                                               optional=("mapping",))}})},
    "/healthz": {"get": {"operationId": "health", "summary": "Liveness and readiness.",
                         "responses": {"200": {"description": "The store answers", "content": {
                             "application/json": {"schema": obj({
                                 "status": {"enum": ["ok", "degraded"]}, "triples": INT,
                                 "graphs": INT, "version": INT, "store": STR,
                                 "write_error": STR}, optional=("write_error",))}}},
                             "503": error("The store does not answer in time.")}}},
    "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics.",
                         "responses": {"200": {"description": "Prometheus text", "content": {
                             "text/plain": {"schema": {"type": "string"}}}}}}},
}


# -- the Reconciliation Service API 0.2 (docs/reconcile.md) -------------------------------------
# Its documents are the specification's (JSON Schemas in its repository); here only their outline.

JSONP = {"application/javascript": {"schema": {"type": "string"}}}
RECONCILE_ERRORS = {"400": error("Malformed JSON, too many queries, a query with neither "
                                 "text nor properties, an unknown type or property."),
                    "501": error("The store is a remote SPARQL endpoint.")}
CURSOR = [int_param("cursor", "Suggestions to skip.", 0, 0, 1_000_000),
          int_param("limit", "Suggestions at most.", 10, 1, 100),
          str_param("callback", "JSONP: wrap the answer in a call of this function.")]


def reconcile_get(operation: str, summary: str, parameters: list[Json], body: Json,
                  not_found: bool = False) -> Json:
    ok = {"200": {"description": "Success", "content": {
        "application/json": {"schema": body}, **JSONP}}}
    errors = {**RECONCILE_ERRORS, **({"404": error("Unknown entity id.")} if not_found else {})}
    return {"get": op(operation, summary, parameters, ok, errors)}


SERVICE_PARAMS = [str_param("queries", "A batch of reconciliation queries (JSON object)."),
                  str_param("extend", "A data extension query (JSON: ids and properties)."),
                  str_param("callback", "JSONP: wrap the answer in a call of this function.")]

RECONCILE_PATHS: Json = {
    "/reconcile": {
        **reconcile_get("reconcile", "Without parameters the service manifest; with queries, "
                        "the candidates of each query; with extend, property values.",
                        SERVICE_PARAMS, {"type": "object"}),
        "post": op("reconcilePost", "A batch of queries or a data extension query, as a form.",
                   [], {"200": {"description": "Candidates, or property values", "content": {
                        "application/json": {"schema": {"type": "object"}}}}},
                   {**RECONCILE_ERRORS, "413": error("The body is past RECONCILE_MAX_BODY.")},
                   {"application/x-www-form-urlencoded": {"schema": obj(
                        {"queries": STR, "extend": STR}, optional=("queries", "extend"))}}),
    },
    "/reconcile/suggest/entity": reconcile_get(
        "suggestEntities", "Entities whose names start with or contain prefix.",
        [str_param("prefix", "Text typed so far."), str_param("type", "A type id."),
         *CURSOR], obj({"result": {"type": "array"}})),
    "/reconcile/suggest/type": reconcile_get(
        "suggestTypes", "Types whose names start with or contain prefix.",
        [str_param("prefix", "Text typed so far."), *CURSOR],
        obj({"result": {"type": "array"}})),
    "/reconcile/suggest/property": reconcile_get(
        "suggestProperties", "Properties whose names start with or contain prefix.",
        [str_param("prefix", "Text typed so far."), *CURSOR],
        obj({"result": {"type": "array"}})),
    "/reconcile/properties": reconcile_get(
        "proposeProperties", "The properties entities of a type use, most used first.",
        [str_param("type", "A type id."), CURSOR[1], CURSOR[2]],
        obj({"properties": {"type": "array"}, "type": STR, "limit": INT},
            optional=("type", "limit"))),
    "/reconcile/preview": {"get": op(
        "previewEntity", "A small HTML card of an entity, with its Chinese name.",
        [{**str_param("id", "Entity id.", ID), "required": True}],
        {"200": {"description": "HTML", "content": {"text/html": {"schema": STR}}}},
        {"400": error("No id."), "404": error("Unknown entity id."),
         "501": error("The store is a remote SPARQL endpoint.")})},
}
