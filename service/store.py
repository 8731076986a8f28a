"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``: GET, HEAD, PUT, POST and DELETE on
``?default``, ``?graph=IRI`` or a graph named by its own URL under ``/store/``; without a
target, the whole dataset (TriG or N-Quads)."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, current_app, request
from flask.views import MethodView
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from graph import DEFAULT_GRAPH, BadInput, NotFound
from graph.formats import RdfSyntax, rdf_syntax, syntax_for_path
from graph.graphstore import delete_graph, export, graph_exists, parse_quads

from .auth import require_token
from .negotiation import DATASET_OFFERS, RDF_OFFERS, content_type, negotiate
from .state import get_executor, get_graph

bp = Blueprint("store", __name__)


class GraphStore(MethodView):
    """One graph (or the dataset) as a resource: a method per HTTP verb."""

    def get(self, path: str | None = None) -> Response:
        """The graph in the negotiated syntax (Turtle by default; TriG for the dataset)."""
        target = _target(path)
        if target is not None and not graph_exists(get_graph(), target):
            raise NotFound(f"no graph {target}")
        offers = DATASET_OFFERS if target is None else RDF_OFFERS
        offer = negotiate(offers, "this graph" if target else "the dataset")
        body = export(get_graph(), target, rdf_syntax(offer.name))
        response = Response(body, content_type=content_type(offer))
        response.vary.add("Accept")
        return response

    @require_token
    def put(self, path: str | None = None) -> Response:
        """Replace the graph (or, without a target, the whole dataset) by the request's data."""
        target = _target(path)
        existed = target is None or graph_exists(get_graph(), target)
        quads = _read_body(target)
        graphs = None if target is None else [target]
        _write(lambda kg: kg.replace(quads, graphs))
        return Response(status=204 if existed else 201)

    @require_token
    def post(self, path: str | None = None) -> Response:
        """Add the request's data to the graph. Without a target, triples go into a new graph
        (201 with its IRI in Location) and quads keep their graphs."""
        target = _target(path)
        created = None
        if target is None and not _body_syntaxes()[0].has_graphs:
            created = target = f"{request.url_root}store/{uuid.uuid4().hex}"
        existed = target is None or graph_exists(get_graph(), target)
        quads = _read_body(target)
        _write(lambda kg: kg.add(quads))
        response = Response(status=204 if existed else 201)
        if created:
            response.headers["Location"] = created
        return response

    @require_token
    def delete(self, path: str | None = None) -> Response:
        """Remove the graph (the default graph is emptied)."""
        target = _target(path)
        if target is None:
            raise BadRequest("name the graph to delete: ?default or ?graph=IRI")
        if not graph_exists(get_graph(), target):
            raise NotFound(f"no graph {target}")
        _write(lambda kg: delete_graph(kg, target))
        return Response(status=204)


_view = GraphStore.as_view("graph_store")
bp.add_url_rule("/store", view_func=_view)
bp.add_url_rule("/store/<path:path>", view_func=_view)


def _target(path: str | None) -> str | None:
    """The graph a request names: its own URL under /store/ (direct identification),
    ``?default``, ``?graph=IRI``, or None for the whole dataset."""
    named = request.args.getlist("graph")
    if path is not None:
        if named or "default" in request.args:
            raise BadRequest("a graph URL under /store/ takes no ?graph or ?default")
        return request.base_url
    if len(named) > 1 or (named and "default" in request.args):
        raise BadRequest("name one graph: ?default or one ?graph=IRI")
    if named:
        return named[0]
    return DEFAULT_GRAPH if "default" in request.args else None


def _read_body(target: str | None) -> list:
    """The quads of the request body, or of each file of a multipart/form-data body."""
    base = target if target not in (None, DEFAULT_GRAPH) else request.base_url
    if request.mimetype == "multipart/form-data":
        parts = [(f.read(), s, f.filename or name)
                 for (name, f), s in zip(request.files.items(multi=True), _body_syntaxes(),
                                         strict=True)]
    else:
        parts = [(request.get_data(), _body_syntaxes()[0], "request body")]
    return [q for data, syntax, source in parts
            for q in parse_quads(data, syntax, graph=target, base_iri=base, source=source)]


def _body_syntaxes() -> list[RdfSyntax]:
    """The syntax of the body, or of each file of a multipart body (by its Content-Type, else
    its file name)."""
    if request.mimetype == "multipart/form-data":
        files = list(request.files.items(multi=True))
        if not files:
            raise BadRequest("the multipart body has no file")
        return [_syntax(f.mimetype) if f.mimetype not in ("", "application/octet-stream")
                else syntax_for_path(f.filename or name) for name, f in files]
    if not request.mimetype:
        raise UnsupportedMediaType("name the RDF syntax of the body in Content-Type")
    return [_syntax(request.mimetype)]


def _syntax(media_type: str) -> RdfSyntax:
    try:
        return rdf_syntax(media_type)
    except BadInput as error:
        raise UnsupportedMediaType(str(error)) from None


def _write(action) -> None:
    get_executor().write(action, timeout=float(current_app.config["QUERY_TIMEOUT"]))
