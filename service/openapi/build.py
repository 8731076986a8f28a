"""The pieces an OpenAPI document is built of: parameters, responses, schema shapes and the
``{data, version}`` envelope of a ``/api`` answer."""

from __future__ import annotations

from typing import Any

from graph.export import EXPORT_FORMATS

from ..params import MAX_COMPARE

#: A piece of the OpenAPI document: a JSON object.
Json = dict[str, Any]

#: An entity id, IRI or name (not blank): as a query parameter, as a path segment (no slash:
#: no IRI there) and as an item of a comma-separated list.
ID = {"type": "string", "pattern": r"^[^\s\x1c-\x1f\x85]", "examples": ["baidu", "Baidu", "百度"]}
ID_SEGMENT = {**ID, "pattern": r"^[^\s/\x1c-\x1f\x85][^/]*$"}
ID_ITEM = {**ID, "pattern": r"^[^\s,\x1c-\x1f\x85][^,]*$"}
EXPORT_NAMES = [f.name for f in EXPORT_FORMATS]


def get(operation: str, summary: str, parameters: list[Json], data: Json, *, paged: bool = False,
        not_found: bool = False, text: bool = False, exports: bool = False,
        whole_graph: bool = False, dated: bool = False
        ) -> Json:
    is_list = data.get("type") == "array"
    body: Json = {"type": "object", "required": ["data", "version"], "additionalProperties": False,
            "properties": {"data": data, "version": {"type": "integer"}}}
    if is_list or paged:
        body["required"].append("page")
        body["properties"]["page"] = ref("Page")
    content: Json = {"application/json": {"schema": body}}
    if text:
        content["text/plain"] = {"schema": {"type": "string"}}
    if exports:  # node-link JSON shares application/json with the envelope
        files: Json = {f.media_type: {"schema": {"type": "string"}} for f in EXPORT_FORMATS}
        content = files | content
        content["application/json"] = {"schema": {"anyOf": [body, ref("NodeLink")]}}
        content["application/vnd.cytoscape+json"] = {"schema": {"type": "object"}}
    responses: Json = {"200": {"description": "Success", "content": content},
                 "400": error("A parameter is malformed or out of bounds, or a name that "
                              "several entities bear (listed in candidates); the message "
                              "names it.")}
    if not_found:
        responses["404"] = error("Unknown entity id (with suggestions), or no path.")
    if whole_graph:
        responses["501"] = error("The store is a remote SPARQL endpoint: this question needs "
                                 "the whole relationship graph in memory.")
    elif dated:
        responses["501"] = error("at= on a remote SPARQL endpoint: lookups as of a day need "
                                 "a local store.")
    return {"get": {"operationId": operation, "summary": summary, "parameters": parameters,
                    "responses": responses}}


def error(description: str) -> Json:
    return {"description": description,
            "content": {"application/json": {"schema": ref("Error")}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(name: str) -> Json:
    return {"type": "array", "items": ref(name)}


def str_param(name: str, description: str, schema: Json | None = None) -> Json:
    return {"name": name, "in": "query", "description": description,
            "schema": schema or {"type": "string"}}


def int_param(name: str, description: str, default: int, low: int, high: int) -> dict:
    return str_param(name, description, {"type": "integer", "default": default,
                                         "minimum": low, "maximum": high})


def choice_param(name: str, description: str, choices: list[str]) -> Json:
    return str_param(name, description, {"type": "string", "enum": choices,
                                         "default": choices[0]})


def list_param(name: str, description: str, choices: list[str] | None) -> Json:
    items = {"type": "string", "enum": choices} if choices is not None else ID_ITEM
    schema: Json = {"type": "array", "items": items}
    if choices is None:
        schema.update(minItems=2, maxItems=MAX_COMPARE, uniqueItems=True)
    return {**str_param(name, description, schema), "style": "form", "explode": True}


def obj(properties: Json, optional: tuple[str, ...] = ()) -> Json:
    return {"type": "object", "properties": properties,
            "required": [p for p in properties if p not in optional]}


STR, INT, NUM, BOOL = ({"type": t} for t in ("string", "integer", "number", "boolean"))
STRS = {"type": "array", "items": STR}
NULLABLE_STR = {"type": ["string", "null"]}
LABELS = {"id": STR, "iri": STR, "label_en": STR, "label_zh": STR}
DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
DAY_OR_EMPTY = {"type": "string", "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"}  # empty: absent
