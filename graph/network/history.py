"""Time as a dimension of the circle of friends: what changed between two days, and an
entity's dated events, newest first.

Both read the dates :mod:`.periods` puts on the projection's edges; :func:`timeline` also asks
the store for the entity's dated statements (releases, rounds, events, founding), with the
entity bound as a value, never pasted into the query.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal as Kind

import networkx as nx
from pyoxigraph import Literal, NamedNode

from ..errors import BadInput
from ..rdf.terms import sparql_prefixes
from ..store import KnowledgeGraph
from .answers import Member
from .circles import edge_dict
from .periods import start_day
from .traverse import _ENDS, _check, circle

__all__ = ["Change", "circle_changes", "timeline"]


class Change(Member):
    """A member that joined or left a circle, and the day it did (None: not known)."""

    date: str | None


def circle_changes(
    G: nx.MultiDiGraph[str],
    node: str,
    start: str,
    end: str,
    *,
    depth: int = 1,
    relations: Collection[str] | None = None,
    roles: Collection[str] | None = None,
) -> dict[str, list[Change]]:
    """The members that joined and left ``node``'s circle between the days ``start`` and ``end``.

    A member joined if it is in the circle as of ``end`` and not as of ``start``; its ``date``
    is when the last edge of its path began (the latest ``since`` along the path). A member left
    if it was in the circle as of ``start`` and is not as of ``end``; its ``date`` is the
    earliest ``until`` on its old path (None if the path did not end but another edge changed).

    Returns
    -------
    dict
        ``joined`` and ``left``: members as :func:`~graph.network.circle` gives them, with
        ``date``, sorted by date then node.

    Raises
    ------
    BadInput
        If ``start`` is after ``end``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("vc", "alpha", key="investsIn", subject_role="investor",
    ...                object_role="investee", sources=["g1"], since="2023", start="2023-01-01")
    >>> _ = G.add_edge("cloud", "alpha", key="suppliesCloudTo", subject_role="cloud-supplier",
    ...                object_role="cloud-customer", sources=["g2"], since="2025-03",
    ...                start="2025-03-01")
    >>> _ = G.add_edge("vc", "alpha", key="partnerOf", subject_role="partner",
    ...                object_role="partner", sources=["g1"])
    >>> found = circle_changes(G, "alpha", "2024-12-31", "2025-12-31")
    >>> [(m["node"], m["date"]) for m in found["joined"]], found["left"]
    ([('cloud', '2025-03')], [])
    """
    if start > end:
        raise BadInput(f"from: {start} is after to: {end}")
    before = {m["node"]: m for m in circle(G, node, depth=depth, relations=relations,
                                           roles=roles, at=start)}
    after = {m["node"]: m for m in circle(G, node, depth=depth, relations=relations,
                                          roles=roles, at=end)}
    joined: list[Change] = [{**after[n], "date": _latest(_path_dates(after[n], "since"))}
                            for n in after.keys() - before.keys()]
    left: list[Change] = [{**before[n], "date": _earliest(
        d for d in _path_dates(before[n], "until") if start < start_day(d) <= end)}
        for n in before.keys() - after.keys()]
    return {"joined": _by_date(joined), "left": _by_date(left)}


def timeline(kg: KnowledgeGraph, G: nx.MultiDiGraph[str], node: str) -> list[dict[str, object]]:
    """The dated events of ``node``, newest first, each with its sources.

    Events are its relationships begun (``since`` stated on the edge: kind ``began``; only the
    date of the source that states it: ``reported``) and ended (``until``), from the projection,
    and from the store: its founding, the releases of what it develops or is, the funding
    rounds it raised or joined, and the events that involve it (listings, acquisitions...).
    Each event has ``date`` (as precise as the source), ``kind``, ``subject`` (the other entity
    or the event's node), ``predicate`` where an edge, and ``sources``.
    """
    _check(G, node)
    events = list(_edge_events(G, node))
    events.extend(_stored_events(kg, node))
    return sorted(events, key=lambda e: (start_day(str(e["date"])), str(e["kind"]),
                                         str(e["subject"])), reverse=True)


# -- helpers ---------------------------------------------------------------------------------


def _path_dates(member: Member, name: Kind["since", "until"]) -> Iterable[str]:
    """The dates ``name`` of the path's hops: per hop the earliest among its edges."""
    for hop in member["path"]:
        dates = [e[name] for e in hop["edges"] if name in e]
        if dates:
            yield min(dates, key=start_day)


def _latest(dates: Iterable[str]) -> str | None:
    return max(dates, key=start_day, default=None)


def _earliest(dates: Iterable[str]) -> str | None:
    return min(dates, key=start_day, default=None)


def _by_date(members: list[Change]) -> list[Change]:
    return sorted(members, key=lambda m: (start_day(m["date"] or "9999"), m["node"]))


def _edge_events(G: nx.MultiDiGraph[str], node: str) -> Iterable[dict[str, object]]:
    for out, side, _ in _ENDS:
        for other, keys in getattr(G, side)[node].items():
            for key, data in keys.items():
                edge = edge_dict(key, out, data)
                began = "began" if data.get("since_stated") else "reported"
                for date_name, kind in (("since", began), ("until", "ended")):
                    if date_name in data:
                        yield {"date": data[date_name], "kind": kind, "subject": other,
                               "predicate": key, "direction": edge["direction"],
                               "role": edge["role"], "sources": edge["sources"]}


#: The entity's own dated statements, by kind: each pattern binds ?x (what is dated) and ?date
#: from the entity ?e, reading the dating statement in its source graph ?g. ?e always appears
#: in a triple pattern first, so that it is in scope where it is bound.
_STORED = (
    ("founded", "GRAPH ?g { ?e schema:foundingDate ?date } BIND(?e AS ?x)"),
    ("released", "GRAPH ?g { ?e schema:datePublished ?date } BIND(?e AS ?x)"),
    ("released", "?x aikg:developedBy ?e . GRAPH ?g { ?x schema:datePublished ?date }"),
    ("funding round", "?x aikg:raisedBy|aikg:roundInvestor|aikg:leadInvestor ?e ; "
                      "a aikg:FundingRound . GRAPH ?g { ?x schema:startDate ?date }"),
    ("event", "?x aikg:involves ?e . GRAPH ?g { ?x schema:startDate ?date } "
              "FILTER NOT EXISTS { ?x a aikg:FundingRound }"),
)


def _stored_events(kg: KnowledgeGraph, node: str) -> Iterable[dict[str, object]]:
    union = " UNION ".join(f'{{ {pattern} BIND("{kind}" AS ?kind) }}'
                           for kind, pattern in _STORED)
    result = kg.query(sparql_prefixes("aikg", "schema") + f"""
        SELECT ?e ?kind ?x ?date (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?sources)
        WHERE {{ {union} }}
        GROUP BY ?e ?kind ?x ?date""", substitutions={"e": NamedNode(node)})
    for _, kind, x, date, sources in result.rows:
        if isinstance(date, Literal):
            yield {"date": date.value, "kind": kind.value, "subject": x.value,
                   "sources": sorted(sources.value.split())}
