"""The date parameters of relationship lookups: ``at`` (as of a day), ``from`` and ``to`` (what
changed between two days), read and checked the same way everywhere.

The dates come from :mod:`graph.network.periods` (docs/ontology.md "Time on an edge"); a day
is read as :func:`~graph.network.periods.parse_day` reads it: ``2025`` is the state at the end
of 2025. A ``from`` that is a year or a month is the state just before it begins, so that
``from=2024&to=2025`` covers both years.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import networkx as nx
from flask import request

from graph import BadInput, Unsupported
from graph.network import Projection, edge_dates
from graph.network.periods import holds, parse_day, start_day

from .state import get_graph

__all__ = ["at_arg", "checked_day", "date_relations", "required_day", "span", "today"]


def at_arg(P: Projection) -> str | None:
    """The day of ``at=``, checked (:func:`checked_day`); None when absent or empty."""
    raw = request.args.get("at", "")
    return checked_day(P, raw, "at", remote=get_graph().store is None) if raw else None


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


def date_relations(found: dict, G: nx.MultiDiGraph, iri: str, at: str | None) -> dict:
    """An entity as :func:`~graph.entities.describe` gives it, with ``since`` and ``until`` on
    its ecosystem relations and, with ``at``, only those that held on that day."""
    for way, relations in found["relations"].items():
        kept = []
        for relation in relations:
            ends = (iri, relation["node"]["iri"]) if way == "out" else (
                relation["node"]["iri"], iri)
            data = G.get_edge_data(*ends, relation["relation"]["iri"]) if \
                relation["ecosystem"] else None
            if data is not None and not holds(data, at):
                continue
            kept.append({**relation, **{k: data[k] for k in ("since", "until")
                                        if data and k in data}})
        found["relations"][way] = kept
    if at:
        found["at"] = at
    return found
