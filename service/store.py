"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``: GET, HEAD, PUT, POST and DELETE on
``?default``, ``?graph=IRI`` or a graph named by its own URL under ``/store/``; without a
target, the whole dataset (TriG or N-Quads).

Every write is atomic. A body to write is copied in chunks to a temporary file (the files of a
multipart body are spooled so by werkzeug's form parser). One document POSTed then streams from
there into the store by its own loader, in one transaction, never held in memory: it may be up
to ``STORE_MAX_UPLOAD`` bytes (:mod:`service.limits`). A PUT, or a POST of several files, is one
update of the parsed statements, held in memory: up to ``MAX_CONTENT_LENGTH`` bytes. The
temporary files go when the request ends, whatever its outcome.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import uuid
from typing import IO
from urllib.parse import urlsplit

from flask import Blueprint, Response, after_this_request, current_app, request
from flask.views import MethodView
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from graph import DEFAULT_GRAPH, BadInput, NotFound, StoreUnavailable
from graph.rdf.formats import RdfSyntax, rdf_syntax, syntax_for_path
from graph.store.graphstore import (
    Upload,
    delete_graph,
    export,
    graph_exists,
    write_uploads,
)

from .auth import require_token
from .negotiation import DATASET_OFFERS, RDF_OFFERS, content_type, negotiate
from .state import get_executor, get_graph
from .urls import own_base

bp = Blueprint("store", __name__)

_CHUNK = 64 * 1024  # bytes copied at a time from the request to its temporary file


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
        uploads, base = _uploads(), _base(target)
        _write(lambda kg: write_uploads(kg, uploads, graph=target, base_iri=base, replace=True))
        return Response(status=204 if existed else 201)

    @require_token
    def post(self, path: str | None = None) -> Response:
        """Add the request's data to the graph. Without a target, triples go into a new graph
        (201 with its IRI in Location) and quads keep their graphs."""
        target = _target(path)
        created = None
        if target is None and not _body_syntaxes()[0].has_graphs:
            created = target = f"{own_base()}store/{uuid.uuid4().hex}"
        existed = target is None or graph_exists(get_graph(), target)
        uploads, base = _uploads(), _base(target)
        _write(lambda kg: write_uploads(kg, uploads, graph=target, base_iri=base))
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
        # The path as sent (percent-encoded), under the service's own base, not the Host's.
        return own_base() + urlsplit(request.base_url).path[len(request.root_path) + 1:]
    if len(named) > 1 or (named and "default" in request.args):
        raise BadRequest("name one graph: ?default or one ?graph=IRI")
    if named:
        return named[0]
    return DEFAULT_GRAPH if "default" in request.args else None


def _uploads() -> list[Upload]:
    """The request body, or each file of a multipart/form-data body, spooled to disk."""
    if request.content_encoding not in (None, "", "identity"):
        raise UnsupportedMediaType(f"Content-Encoding {request.content_encoding} is not "
                                   "accepted: send the body as it is")
    syntaxes = _body_syntaxes()
    if request.mimetype == "multipart/form-data":
        files = list(request.files.items(multi=True))
        uploads = [Upload(f.stream, syntax, f.filename or name)
                   for (name, f), syntax in zip(files, syntaxes, strict=True)]
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if len(uploads) > 1 and limit and sum(_size(f.stream) for _, f in files) > limit:
            raise RequestEntityTooLarge(
                f"several files are written in one transaction, from memory: together at most "
                f"{limit} bytes; send bigger files one per request")
        return uploads
    return [Upload(_spool(), syntaxes[0])]


def _size(stream: IO[bytes]) -> int:
    return stream.seek(0, io.SEEK_END)


def _spool() -> IO[bytes]:
    """The request body copied in chunks to a temporary file, deleted when the request ends.
    Reading past the size limit raises 413 (also for a chunked body, which declares none)."""
    spooled = tempfile.NamedTemporaryFile(prefix="aikg-upload-")  # noqa: SIM115 - closed below

    @after_this_request
    def _remove(response: Response) -> Response:
        spooled.close()
        return response

    try:
        shutil.copyfileobj(request.stream, spooled, _CHUNK)
        spooled.flush()
    except OSError as error:  # werkzeug reports a client that goes away as a 400 of its own
        spooled.close()
        raise StoreUnavailable(f"could not write the request body to a temporary file, so "
                               f"nothing was changed ({error})") from None
    except BaseException:
        spooled.close()
        raise
    return spooled


def _base(target: str | None) -> str:
    """The base IRI of the body: the target graph's IRI, else the request's URL."""
    return target if target not in (None, DEFAULT_GRAPH) else request.base_url


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
