"""The Reconciliation Service API 0.2 at ``/reconcile``, the protocol OpenRefine speaks: the
manifest, batches of queries, suggest services, previews and data extension (docs/reconcile.md).

Views parse the request, make one call into :mod:`graph.reconcile` and shape the answer. A GET
with ``callback=`` is answered as JSONP, for clients that cannot use CORS.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

import ontology
from graph import BadInput
from graph.reconcile import (
    card,
    default_types,
    extend,
    parse_batch,
    parse_extension,
    propose,
    reconcile,
    suggest_entities,
    suggest_properties,
    suggest_types,
)

from .observe import note_rows
from .params import MAX_OFFSET, int_arg, projection, type_args
from .state import get_graph
from .urls import own_base

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

__all__ = ["bp", "manifest"]

#: What a JSONP callback may be called: a JavaScript name, dotted (``jQuery3_1.cb``).
CALLBACK = re.compile(r"[A-Za-z_$][\w$]{0,99}(?:\.[A-Za-z_$][\w$]{0,99}){0,5}")
#: The preview card's size in OpenRefine, in pixels.
PREVIEW_SIZE = {"width": 400, "height": 160}
MAX_SUGGEST = 100


@bp.before_request
def limit_body() -> None:
    """A body past ``RECONCILE_MAX_BODY`` (or the service's own limit, if lower) is a 413."""
    limit = min(current_app.config["RECONCILE_MAX_BODY"], request.max_content_length or
                current_app.config["RECONCILE_MAX_BODY"])
    request.max_content_length = limit
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(
            f"the request body is {request.content_length} bytes; /reconcile takes {limit}")


@bp.route("", methods=["GET", "POST"])
def service():
    """The manifest; with ``queries``, the candidates of each query of the batch; with
    ``extend``, the values of properties for a list of entities."""
    queries, extension = request.values.get("queries"), request.values.get("extend")
    if queries is not None and extension is not None:
        raise BadInput("give queries or extend, not both")
    kg, P = get_graph(), projection()
    most = current_app.config["RECONCILE_MAX_QUERIES"]
    if queries is not None:
        batch = parse_batch(kg, P, queries, most)
        note_rows(len(batch))
        return answer(reconcile(kg, P, batch))
    if extension is not None:
        parsed = parse_extension(kg, P, extension, most)
        note_rows(len(parsed[0]))
        return answer(extend(kg, P, parsed))
    return answer(manifest())


@bp.get("/suggest/entity")
def suggest_entity():
    """Entities whose names start with or contain ``prefix`` (of ``type``, if given)."""
    P = projection()
    found = suggest_entities(P, request.args.get("prefix", ""), type_args(P), *page())
    return answer({"result": found})


@bp.get("/suggest/type")
def suggest_type():
    """Classes whose names start with or contain ``prefix``, most entities first."""
    return answer({"result": suggest_types(projection(), request.args.get("prefix", ""),
                                           *page())})


@bp.get("/suggest/property")
def suggest_property():
    """Properties whose names start with or contain ``prefix``, most used first."""
    found = suggest_properties(get_graph(), projection(), request.args.get("prefix", ""),
                               *page())
    return answer({"result": found})


@bp.get("/properties")
def properties():
    """The properties to propose for ``type`` (any type if absent), most used first."""
    P = projection()
    limit = int_arg("limit", 10, 1, MAX_SUGGEST)
    found = propose(get_graph(), P, type_args(P), limit)
    kind = request.args.get("type")
    return answer({**({"type": kind} if kind else {}), "properties": found, "limit": limit})


@bp.get("/preview")
def preview():
    """A small HTML card of the entity ``id``: names (Chinese too), types, circle size, note."""
    entity = request.args.get("id", "")
    if not entity:
        raise BadInput("id: this parameter is required")
    found = card(get_graph(), projection(), entity)
    return Response(render_template("reconcile_preview.html", entity=found),
                    mimetype="text/html")


def manifest() -> dict[str, Any]:
    """The service manifest, with the addresses of this server's services (under its own base
    URL, not the forgeable Host header: a shared cache could keep them)."""
    base = own_base().rstrip("/")
    here = {"service_url": base}
    return {
        "versions": ["0.2"],
        "name": "aikg: the AI model industry knowledge graph",
        "identifierSpace": ontology.KG,
        "schemaSpace": ontology.AIKG,
        "documentation": base + "/docs",
        "view": {"url": base + "/id/{{id}}"},
        "preview": {"url": base + "/reconcile/preview?id={{id}}", **PREVIEW_SIZE},
        "defaultTypes": default_types(projection()),
        "suggest": {kind: {**here, "service_path": f"/reconcile/suggest/{kind}"}
                    for kind in ("entity", "type", "property")},
        "extend": {
            "propose_properties": {**here, "service_path": "/reconcile/properties"},
            "property_settings": [{
                "name": "limit", "label": "Limit", "type": "number", "default": 0,
                "help_text": "Values per row at most (0: all)"}],
        },
    }


def page() -> tuple[int, int]:
    """``cursor`` and ``limit`` of a suggest request."""
    return int_arg("cursor", 0, 0, MAX_OFFSET), int_arg("limit", 10, 1, MAX_SUGGEST)


def answer(data: object) -> Response:
    """JSON; JSONP for a GET with ``callback=``."""
    callback = request.args.get("callback") if request.method == "GET" else None
    if callback is None:
        return jsonify(data)
    if not CALLBACK.fullmatch(callback):
        raise BadInput("callback: expected a JavaScript function name")
    body = f"/**/{callback}({current_app.json.dumps(data)});"
    response = Response(body, mimetype="application/javascript")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
