"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: queries by GET, form POST and direct POST;
updates by POST with the bearer token; without an operation, the query editor for browsers and
the Service Description for RDF clients."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import BadRequest, NotAcceptable, UnsupportedMediaType

from graph import BadInput
from graph.sparql import guard
from graph.store.description import service_description
from graph.store.executor import Answer
from graph.store.results import QueryResult

from .auth import check_token
from .negotiation import (
    ASK_OFFERS,
    HTML,
    RDF_OFFERS,
    SELECT_OFFERS,
    content_type,
    negotiate,
)
from .observe import timed_query
from .pages import editor_page
from .state import get_executor, get_graph
from .urls import query_arg, request_url

bp = Blueprint("sparql", __name__)

_FORM = "application/x-www-form-urlencoded"
_OFFERS_BY_FORM = {"select": SELECT_OFFERS, "ask": ASK_OFFERS, "construct": RDF_OFFERS,
                   "describe": RDF_OFFERS}
_OFFERS_BY_NAME = {offer.name: offer for offer in (*SELECT_OFFERS, *RDF_OFFERS)}


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Run the query or update of the request, or describe the service."""
    repeated = _repeated()
    if repeated is not None:
        return repeated
    operation, text = _operation()
    if operation == "update":
        return _update(text)
    if operation == "query":
        return _query(text)
    return _describe()


def _query(text: str) -> Response:
    outline = guard.outline(text)  # the one reading of the text in this process
    form = outline.form
    offers = _OFFERS_BY_FORM.get(form or "", SELECT_OFFERS)
    try:
        offer = negotiate(offers, f"a {form or 'query'} result")
    except NotAcceptable:
        # A malformed query is a 400 whatever the Accept header: its parse error comes first.
        # Only the engine's parser tells, so the query runs, within its budget, then 406.
        _answer(text, outline, offers[0].name)
        raise
    return _response(_answer(text, outline, offer.name, key=_key() if _by_url() else None))


def _repeated() -> Response | None:
    """The answer to a GET query answered before at this graph version, found by the URL and
    Accept header as sent (all that decides it), before the request is parsed; None if there
    is none. Logged and counted by the executor like any other."""
    if not _by_url() or not request_url().query:
        return None
    answer = get_executor().kept(_key())
    return None if answer is None else _response(answer)


def _by_url() -> bool:
    """Whether the URL and Accept decide the request's answer: a GET without a body type (a
    form body's ``format`` would count too)."""
    return request.method == "GET" and not request.environ.get("CONTENT_TYPE")


def _key() -> tuple[str, str, str]:
    """What names a GET query's answer in the executor's cache: the URL (the query, dataset,
    format and base IRI) and Accept (the format), as sent. The row cap is the app's."""
    return "sparql", request_url().key, request.environ.get("HTTP_ACCEPT", "")


def _response(answer: Answer) -> Response:
    offer = _OFFERS_BY_NAME[answer.request.fmt or ""]
    response = Response(answer.body, content_type=content_type(offer))
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers.add("X-Aikg-Truncated", "true")
    return response


def _answer(text: str, outline: guard.Outline, fmt: str, *,
            key: tuple[str, ...] | None = None) -> Answer:
    """The query's answer in ``fmt``, within the budget and the row cap (the executor logs
    it), kept under ``key`` when given."""
    return get_executor().query(
        text,
        outline=outline,
        fmt=fmt,
        timeout=_budget(),
        max_rows=current_app.config["MAX_ROWS"],
        default_graphs=_params("default-graph-uri") or None,
        named_graphs=_params("named-graph-uri") or None,
        base_iri=request_url().base,
        key=key,
    )


def _update(text: str) -> Response:
    check_token()
    using, using_named = _params("using-graph-uri"), _params("using-named-graph-uri")
    base = request_url().base
    executor, budget = get_executor(), _budget()
    with timed_query(text, kind="update"):
        executor.check_update(text, timeout=budget)
        executor.write(
            lambda kg: kg.update(text, base_iri=base, using_graphs=using,
                                 using_named_graphs=using_named, checked=True),
            timeout=budget, update=None if using or using_named else text,
        )
    return Response(status=204)


def _describe() -> Response:
    offer = negotiate((HTML, *RDF_OFFERS), "the service description")
    if offer is HTML:
        return Response(editor_page(), content_type="text/html; charset=utf-8")
    writable = bool(current_app.config.get("TOKEN"))
    triples = service_description(get_graph(), request_url().base, writable=writable)
    body = QueryResult("graph", triples=triples).serialize(offer.name)
    response = Response(body, content_type=content_type(offer))
    response.vary.add("Accept")
    return response


def _operation() -> tuple[str | None, str]:
    """("query" | "update" | None, text) from the request, per the protocol's three ways."""
    if request.method == "GET":
        if "update" in request.args:
            raise BadRequest("an update must be sent with POST, not GET")
        return _one_of(request.args.getlist("query"), [])
    if request.mimetype == _FORM:
        return _one_of(request.form.getlist("query"), request.form.getlist("update"))
    if request.mimetype in ("application/sparql-query", "application/sparql-update"):
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"{request.mimetype} must be UTF-8, not {charset}")
        try:
            text = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the request body is not UTF-8") from None
        return ("query" if request.mimetype.endswith("query") else "update"), text
    if not request.content_length and not request.mimetype:
        return None, ""
    raise UnsupportedMediaType(
        f"POST a query as application/sparql-query, an update as application/sparql-update, or "
        f"either as {_FORM}; got {request.mimetype or 'no Content-Type'}")


def _one_of(queries: list[str], updates: list[str]) -> tuple[str | None, str]:
    if len(queries) + len(updates) > 1:
        raise BadRequest("send one 'query' or one 'update' parameter, not several")
    if queries:
        return "query", queries[0]
    if updates:
        return "update", updates[0]
    return None, ""


def _params(name: str) -> list[str]:
    """All values of a protocol parameter, from the URL and, for a form POST, the body."""
    values = request.args.getlist(name)
    if request.method == "POST" and request.mimetype == _FORM:
        values += request.form.getlist(name)
    return values


def _budget() -> float:
    """The configured time budget per operation, or the lower one the request asks with
    ``timeout=`` (seconds)."""
    budget = float(current_app.config["QUERY_TIMEOUT"])
    asked = query_arg("timeout") or (
        request.form.get("timeout") if request.mimetype == _FORM else None)
    if asked is None:
        return budget
    try:
        value = float(asked)
    except ValueError:
        raise BadInput(f"timeout must be a number of seconds, not {asked!r}") from None
    if not 0 < value < float("inf"):
        raise BadInput(f"timeout must be a positive number of seconds, not {asked!r}")
    return min(value, budget)
