"""Time in the HTTP API under ``/api``: what changed in a circle between two days, and an
entity's timeline (the date parameters are read by :mod:`.params`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from graph.describe.lookups import Changes, changes_of
from graph.network import Projection
from graph.network.history import timeline
from graph.rdf.terms import short_id

from . import render
from .api import envelope
from .params import (
    MAX_DEPTH,
    entity_or_404,
    int_arg,
    paginate,
    projection,
    relation_args,
    required_day,
    role_args,
    span,
)
from .state import get_graph, get_network

__all__ = ["bp", "shaped_changes", "shaped_events"]

bp = Blueprint("history", __name__, url_prefix="/api")


@bp.get("/entities/<entity_id>/circle/changes")
def entity_circle_changes(entity_id: str):
    """The members that joined and left the circle between ``from`` and ``to`` (default:
    today), by role, each with its date and sources."""
    P = projection()
    iri = entity_or_404(entity_id, P)
    start, end = span(P, required_day("from"), request.args.get("to"))
    depth = int_arg("depth", 1, 1, MAX_DEPTH)
    found = changes_of(get_network(), iri, start, end, terms=P, depth=depth,
                       relations=relation_args(P), roles=role_args(P))
    return envelope({"center": render.node(P, iri), "from": start, "to": end, "depth": depth,
                     **shaped_changes(found)})


@bp.get("/entities/<entity_id>/timeline")
def entity_timeline(entity_id: str):
    """The entity's dated events, newest first, each with its sources."""
    P = projection()
    iri = entity_or_404(entity_id, P)
    events = timeline(get_graph(), P.graph, iri) if iri in P.graph else []
    shown, page = paginate(events)
    return envelope(shaped_events(P, shown), page)


# -- shaping ---------------------------------------------------------------------------------


def shaped_changes(found: Changes) -> dict[str, Any]:
    """``joined`` and ``left`` grouped by role, each member with its ``date``, the hops that
    bring it in and the ``sources`` of the last hop; ``sources`` describes every source named."""
    P = found.projection
    shaped: dict[str, object] = {}
    for kind, members in (("joined", found.joined), ("left", found.left)):
        groups: dict[str, list[dict]] = {}
        for member in members:
            sources = sorted({s for e in member["path"][-1]["edges"] for s in e["sources"]})
            for role_key in member["roles"]:
                groups.setdefault(role_key, []).append({
                    **render.node(P, member["node"]), "date": member["date"],
                    "distance": member["distance"], "roles": member["roles"],
                    "sources": sources, "path": [render.hop(P, h) for h in member["path"]]})
        shaped[kind] = [{**render.role(P, key), "size": len(group), "members": group}
                        for key, group in sorted(groups.items())]
        shaped[f"{kind}_count"] = len(members)
    shaped["sources"] = found.sources
    return shaped


def shaped_events(P: Projection, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timeline events with their subject (and relation) named for people."""
    shaped = []
    for event in events:
        item = {"date": event["date"], "kind": event["kind"],
                "subject": render.node(P, str(event["subject"]))}
        if "predicate" in event:
            item.update(relation=short_id(str(event["predicate"])),
                        predicate=event["predicate"], direction=event["direction"],
                        role=event["role"])
        item["sources"] = event["sources"]
        shaped.append(item)
    return shaped
