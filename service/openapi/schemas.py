"""The schemas of the ``/api`` answers (``components.schemas`` of the OpenAPI document)."""

from __future__ import annotations

from .build import (
    BOOL,
    DATE,
    INT,
    LABELS,
    NULLABLE_STR,
    NUM,
    STR,
    STRS,
    Json,
    obj,
    ref,
)

__all__ = ["SCHEMAS"]

ROLE = obj({"key": STR, "label_en": STR, "label_zh": STR})
NODE = obj({**LABELS, "types": STRS})
EDGE = obj({"relation": STR, "predicate": STR, "label_en": STR, "label_zh": STR,
            "direction": {"enum": ["out", "in"]}, "role": STR, "sources": STRS,
            "since": DATE, "until": DATE, "via": {"type": "array", "items": ref("Node")}},
           optional=("since", "until", "via"))
HOP = obj({"from": ref("Node"), "to": ref("Node"),
           "edges": {"type": "array", "items": ref("Edge")}})
LINK = obj({"relation": obj(LABELS), "node": obj(LABELS), "sources": STRS,
            "ecosystem": BOOL, "since": DATE, "until": DATE},
           optional=("since", "until"))
SOURCE = obj({"id": STR, "iri": STR, "title": NULLABLE_STR, "url": NULLABLE_STR,
              "issued": NULLABLE_STR, "license": NULLABLE_STR, "credit": NULLABLE_STR})
CHANGED = {"type": "array", "items": {"allOf": [ROLE, obj({
    "size": INT, "members": {"type": "array", "items": {"allOf": [NODE, obj({
        "date": {"type": ["string", "null"]}, "distance": INT, "roles": STRS,
        "sources": STRS, "path": {"type": "array", "items": ref("Hop")}})]}}})]}}
BY_LANGUAGE = {"type": "object", "additionalProperties": STRS}
RELATION = obj({**LABELS, "subject_role": ROLE, "object_role": ROLE,
                "broader": STRS, "count": INT}, optional=("count",))

SCHEMAS: Json = {
    "Error": obj({"error": STR, "status": INT, "suggestions": STRS,
                  "candidates": {"type": "array", "items": obj(LABELS)}},
                 optional=("suggestions", "candidates")),
    "Page": obj({"limit": INT, "offset": INT, "total": INT, "next": NULLABLE_STR,
                 "truncated": {"const": True}}, optional=("truncated",)),
    "Node": NODE,
    "Edge": EDGE,
    "Hop": HOP,
    "Role": ROLE,
    "SearchHit": {"allOf": [NODE, obj({
        "degree": INT, "match": {"enum": ["exact", "prefix", "substring", "all"]},
        "matched_label": NULLABLE_STR})]},
    "Neighbor": {"allOf": [obj({"node": ref("Node")}), EDGE]},
    "Entity": obj({
        **LABELS, "labels": BY_LANGUAGE, "alt_labels": BY_LANGUAGE,
        "types": {"type": "array", "items": obj(LABELS)},
        "properties": {"type": "array", "items": obj({
            "property": obj(LABELS), "value": {"type": "object"}, "sources": STRS})},
        "relations": obj({"out": {"type": "array", "items": LINK},
                          "in": {"type": "array", "items": LINK}}),
        "sources": {"type": "array", "items": SOURCE},
        "truncated": BOOL, "degree": INT, "at": DATE,
        "counts": {"type": "object", "additionalProperties": INT},
        "more": {"type": "object", "additionalProperties": STR}}, optional=("at",)),
    "Circle": obj({
        "center": ref("Node"), "depth": INT, "size": INT, "truncated": BOOL,
        "composition": obj({
            "roles": {"type": "array", "items": {"allOf": [ROLE, obj({"count": INT})]}},
            "types": {"type": "object", "additionalProperties": INT},
            "distances": {"type": "object", "additionalProperties": INT},
            "hubs": {"type": "array", "items": {"allOf": [NODE, obj({
                "degree": INT, "members": INT, "walked": BOOL})]}}}),
        "groups": {"type": "array", "items": {"allOf": [ROLE, obj({
            "size": INT, "members": {"type": "array", "items": {"allOf": [NODE, obj({
                "distance": INT, "roles": STRS,
                "path": {"type": "array", "items": ref("Hop")}})]}}})]}},
        "at": DATE}, optional=("at",)),
    "Changes": obj({
        "center": ref("Node"), "from": DATE, "to": DATE, "depth": INT,
        "joined": CHANGED, "left": CHANGED, "joined_count": INT, "left_count": INT,
        "sources": {"type": "array", "items": SOURCE}}),
    "Event": obj({
        "date": DATE, "kind": {"enum": ["began", "reported", "ended", "founded", "released",
                                        "funding round", "event"]},
        "subject": ref("Node"), "relation": STR, "predicate": STR,
        "direction": {"enum": ["out", "in"]}, "role": STR, "sources": STRS},
        optional=("relation", "predicate", "direction", "role")),
    "Paths": obj({"from": ref("Node"), "to": ref("Node"), "paths": {
        "type": "array", "items": obj({
            "length": INT, "nodes": {"type": "array", "items": ref("Node")},
            "hops": {"type": "array", "items": ref("Hop")}})}}),
    "Overlap": obj({
        "entities": {"type": "array", "items": ref("Node")}, "depth": INT,
        "sizes": {"type": "object", "additionalProperties": INT}, "jaccard": NUM,
        "pairs": {"type": "array", "items": obj({"a": STR, "b": STR, "shared": INT,
                                                      "jaccard": NUM})},
        "by_role": {"type": "array", "items": {"allOf": [ROLE, obj({
            "shared": INT, "jaccard": NUM})]}},
        "shared": {"type": "array", "items": {"allOf": [NODE, obj({"roles": {
            "type": "object", "additionalProperties": STRS}})]}}}),
    "NodeLink": obj({"directed": BOOL, "multigraph": BOOL, "graph": {"type": "object"},
                     "nodes": {"type": "array"}, "links": {"type": "array"}}),
    "Ranked": {"allOf": [NODE, obj({"rank": INT, "score": NUM})]},
    "Stats": obj({
        "triples": INT, "graphs": INT, "nodes": INT, "edges": INT,
        "by_type": {"type": "array", "items": {"allOf": [obj(LABELS),
                                                         obj({"count": INT})]}},
        "by_relation": {"type": "array", "items": RELATION},
        "components": obj({"count": INT, "largest": INT, "isolated": INT})}),
    "Type": {"allOf": [obj(LABELS), obj({"count": INT})]},
    "Relation": RELATION,
}
