"""What a request asks for, read and checked in one place for every blueprint: the version it
works on, the entity it names (:func:`entity_or_404`), its bounded integers, choices, lists and
formats, its page (``limit``, ``offset``) and its days (``at``, ``from``, ``to``).

A bad value raises :class:`~graph.errors.BadInput` naming the parameter (a 400); the ``aikg``
command checks its dates with the same :func:`checked_day` and :func:`span`.

The days come from :mod:`graph.network.periods` (docs/ontology.md "Time on an edge"); a day is
read as :func:`~graph.network.periods.parse_day` reads it: ``2025`` is the state at the end of
2025. A ``from`` that is a year or a month is the state just before it begins, so that
``from=2024&to=2025`` covers both years.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, NotRequired, TypedDict, TypeVar, overload
from urllib.parse import urlencode

from flask import g, request

from graph import BadInput, Unsupported
from graph.export import EXPORT_FORMATS, ExportFormat, export_format
from graph.network import Projection, edge_dates
from graph.network.periods import parse_day, start_day

from .negotiation import unknown_format
from .state import get_graph, get_network

__all__ = ["ENTITY_PAGE", "MAX_CIRCLE", "MAX_COMPARE", "MAX_DEPTH", "MAX_LIMIT", "MAX_OFFSET",
           "MAX_PATHS", "MAX_PATH_LENGTH", "at_arg", "checked_day", "choice_arg",
           "entity_or_404", "format_arg", "int_arg", "link_args", "list_arg", "Page", "page_args",
           "page_of", "paginate", "projection",
           "relation_args", "required_arg", "required_day", "role_args", "span", "terms",
           "today", "type_args"]

_T = TypeVar("_T")

#: Bounds on what one request may ask for.
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
MAX_DEPTH = 3
MAX_PATH_LENGTH = 6
MAX_PATHS = 10
MAX_COMPARE = 10
MAX_CIRCLE = 10_000  # members computed per circle; past it the answer says "truncated"
ENTITY_PAGE = 100  # items of each list of an entity's details per answer: about 100 KB at most


# -- the version and the entity --------------------------------------------------------------


def projection() -> Projection:
    """The projection this request works on: one version for the whole request."""
    if "aikg_projection" not in g:
        g.aikg_projection = get_network().current
        g.setdefault("aikg_terms", g.aikg_projection)  # one version for the whole request
    return g.aikg_projection


def terms() -> Projection:
    """The ontology's terms (relations, roles, classes) this request checks its arguments
    against; on a local store the whole projection, which a remote store never offers."""
    if "aikg_terms" not in g:
        g.aikg_terms = get_network().terms
    return g.aikg_terms


def entity_or_404(text: str, P: Projection | None = None) -> str:
    """The IRI of the entity ``text`` names (an id, an IRI or a name), checked against ``P``
    (default: :func:`terms`); like flaskr's ``get_post``, unknown is a 404 (with suggestions)
    and a name several entities bear a 400 (with the candidates)."""
    return get_network().entity(text, P or terms())


# -- parameters ------------------------------------------------------------------------------


class Page(TypedDict):
    """Where a page stands in its list: its bounds, the list's size, the next page's address;
    ``truncated`` when the list itself was cut."""

    limit: int
    offset: int
    total: int
    next: str | None
    truncated: NotRequired[bool]


@overload
def paginate(items: range, default: int = 50) -> tuple[range, Page]: ...
@overload
def paginate(items: list[_T], default: int = 50) -> tuple[list[_T], Page]: ...
def paginate(items: list[_T] | range, default: int = 50) -> tuple[list[_T] | range, Page]:
    """One page of ``items`` (``limit``, ``offset``) and the page's description."""
    limit, offset = page_args(default)
    return items[offset:offset + limit], page_of(len(items), limit, offset)


def page_args(default: int = 50) -> tuple[int, int]:
    """The page asked for: ``limit`` (``default`` when absent) and ``offset``, checked."""
    return int_arg("limit", default, 1, MAX_LIMIT), int_arg("offset", 0, 0, MAX_OFFSET)


def page_of(total: int, limit: int, offset: int) -> Page:
    """The description of the page of ``limit`` items from ``offset`` in a list of ``total``
    (cut where it is kept, such as on a remote store), with the next page's address."""
    following = None
    if offset + limit < total:
        args = request.args.to_dict(flat=False)
        args.update(offset=[str(offset + limit)], limit=[str(limit)])
        following = request.path + "?" + urlencode(args, doseq=True)
    return {"limit": limit, "offset": offset, "total": total, "next": following}


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


def link_args() -> dict[str, Any]:
    """The request's arguments (the first value of each), to build a link with ``url_for``."""
    return request.args.to_dict()


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


# -- days ------------------------------------------------------------------------------------


def at_arg(P: Projection) -> str | None:
    """The day of ``at=``, checked (:func:`checked_day`); None when absent or empty."""
    raw = request.args.get("at", "")
    return checked_day(P, raw, "at", remote=not get_graph().capabilities.local) if raw else None


def today() -> str:
    """Today's day, ``YYYY-MM-DD`` (UTC): the default end of a span of time."""
    return datetime.now(UTC).date().isoformat()


def required_day(name: str) -> str:
    raw = request.args.get(name, "")
    if not raw:
        raise BadInput(f"{name}: this parameter is required (YYYY, YYYY-MM or YYYY-MM-DD)")
    return raw


def checked_day(P: Projection, text: str, parameter: str, *, opening: bool = False,
                remote: bool = False) -> str:
    """The day a date parameter names (:func:`~graph.network.periods.parse_day`); with
    ``opening``, a year or month names the day before it begins.

    Raises :class:`~graph.errors.BadInput` naming ``parameter`` for an unreadable date and,
    unless ``opening``, for a day before the graph's first dated relationship (nothing is
    known then: every undated relationship would seem to hold); and
    :class:`~graph.errors.Unsupported` on a ``remote`` store, which is walked without dates.
    """
    day = parse_day(text, parameter)
    if remote:
        raise Unsupported(f"{parameter}: lookups as of a date need a local store (memory or a "
                          "directory); on a remote store ask SPARQL at /sparql "
                          "(see the 'as of' example query)")
    if opening and len(text.strip()) < 10:
        day = (date.fromisoformat(start_day(text.strip())) - timedelta(days=1)).isoformat()
    dates = edge_dates(P)
    if not opening and dates and day < dates[0]:
        raise BadInput(f"{parameter}: {text} is before any dated relationship in the graph "
                       f"(the earliest begins {dates[0]})")
    return day


def span(P: Projection, start: str, end: str | None, names: tuple[str, str] = ("from", "to"),
         remote: bool = False) -> tuple[str, str]:
    """The two days between which a circle's changes are asked, as :func:`checked_day` reads
    them (``end`` defaults to today); raises :class:`~graph.errors.BadInput` when ``start``
    begins after ``end``."""
    first = checked_day(P, start, names[0], opening=True, remote=remote)
    last = checked_day(P, end or today(), names[1], remote=remote)
    if start_day(start.strip()) > last:
        raise BadInput(f"{names[0]}: {start} is after {names[1]}: {end or last}")
    return first, last
