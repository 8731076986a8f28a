"""When each ecosystem edge held: its ``since`` and ``until``, and the "as of" test on a day.

An edge holds from the ``aikg:since`` of a dated statement about it (an ``rdf:Statement`` with
``rdf:subject``, ``rdf:predicate`` and ``rdf:object``, docs/ontology.md "Time on an edge") or,
without one, from the publication date (``dcterms:issued``) of the earliest source graph that
states it; it holds until the earliest ``aikg:until`` stated, if any. Dates keep the source's
precision (``2025``, ``2025-02``, ``2025-02-16``); comparisons read a partial date as its first
day, so an edge "since 2025" holds on 2025-01-01 and one "until 2025" no longer does.

An edge with no date at all (its sources are undated) is taken to have always held: "as of"
can only leave out what the data says had not begun or had ended.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode
from pyoxigraph import Triple as RdfTriple

import ontology

from ..errors import BadInput
from ..rdf.quadsource import QuadSource

__all__ = ["Period", "DATE_PREDICATES", "as_of", "date_edges", "edge_period", "edge_periods",
           "parse_day", "holds", "period_attributes", "periods_of", "start_day"]

RDF = ontology.PREFIXES["rdf"]
DCTERMS_ISSUED = NamedNode(ontology.PREFIXES["dcterms"] + "issued")
SINCE = NamedNode(ontology.AIKG + "since")
UNTIL = NamedNode(ontology.AIKG + "until")
STATEMENT_PARTS = tuple(NamedNode(RDF + part) for part in ("subject", "predicate", "object"))
#: The predicates whose statements decide the periods: a projection is rebuilt when they change.
DATE_PREDICATES = (DCTERMS_ISSUED, SINCE, UNTIL, *STATEMENT_PARTS)

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

Triple = tuple[str, str, str]
#: A graph as a term: the graphs a reading noted, so that a write to one of them is seen.
GraphTerm = NamedNode | BlankNode | DefaultGraph


@dataclass(frozen=True)
class Period:
    """When an edge held: ``since`` and ``until`` as the sources write them (or None), and
    whether ``since`` was stated on the edge or taken from its source's date."""

    since: str | None = None
    until: str | None = None
    stated: bool = False


def start_day(date: str) -> str:
    """The first day of a partial date, as ``YYYY-MM-DD``.

    >>> start_day("2025"), start_day("2025-02"), start_day("2025-02-16")
    ('2025-01-01', '2025-02-01', '2025-02-16')
    """
    return (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]


def parse_day(text: str, parameter: str = "at") -> str:
    """The day a date parameter names: a day as given, a month or a year as its LAST day (the
    state at the end of that period). Raises BadInput naming ``parameter`` otherwise.

    >>> parse_day("2025"), parse_day("2024-02"), parse_day("2024-12-18")
    ('2025-12-31', '2024-02-29', '2024-12-18')
    >>> parse_day("next year")
    Traceback (most recent call last):
    ...
    graph.errors.BadInput: at: 'next year' is not a date; give YYYY, YYYY-MM or YYYY-MM-DD
    """
    match = _PARTIAL_DATE.match(text.strip())
    problem = f"{parameter}: {text!r} is not a date; give YYYY, YYYY-MM or YYYY-MM-DD"
    if match is None:
        raise BadInput(problem)
    year, month, day = match.groups()
    try:
        if month is None:
            return f"{year}-12-31"
        last = calendar.monthrange(int(year), int(month))[1]
        if day is None:
            return f"{year}-{month}-{last:02d}"
        if not 1 <= int(day) <= last:
            raise ValueError(day)
    except (ValueError, calendar.IllegalMonthError):
        raise BadInput(problem) from None
    return f"{year}-{month}-{day}"


def holds(data: Mapping[str, object], day: str | None) -> bool:
    """Whether an edge with these attributes held on ``day`` (any day when None).

    >>> holds({"start": "2025-01-01", "end": None}, "2024-12-31")
    False
    >>> holds({"start": "2025-01-01", "end": "2026-03-01"}, "2025-06-30")
    True
    >>> holds({}, "1999-01-01")
    True
    """
    if day is None:
        return True
    start, end = data.get("start"), data.get("end")
    return (start is None or start <= day) and (end is None or day < end)  # type: ignore[operator]


def as_of(G: nx.MultiDiGraph[str], day: str | None) -> nx.MultiDiGraph[str]:
    """``G`` with only the edges that held on ``day`` (a read-only view; ``G`` itself for None).

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="p", start="2025-01-01")
    >>> _ = G.add_edge("a", "c", key="p")
    >>> sorted(as_of(G, "2024-06-30").edges()), G is as_of(G, None)
    ([('a', 'c')], True)
    """
    if day is None:
        return G
    # types-networkx types a multigraph's edge keys as int; ours are predicate IRIs
    return nx.subgraph_view(G, filter_edge=lambda u, v, key: holds(G[u][v][key], day))  # type: ignore[index]


def edge_periods(store: QuadSource, edges: Mapping[Triple, Iterable[str]],
                 read: set[GraphTerm]) -> dict[Triple, Period]:
    """The period of each edge ``(subject, predicate, object)`` given the graphs stating it.

    The graphs of every statement read go into ``read``, so that a commit touching one of them
    rebuilds the projection.
    """
    issued: dict[str, str] = {}
    for quad in store.quads(None, DCTERMS_ISSUED, None, None):
        read.add(quad.graph_name)
        if type(quad.object) is Literal and _PARTIAL_DATE.match(quad.object.value) \
                and not isinstance(quad.subject, RdfTriple):
            issued[quad.subject.value] = quad.object.value
    return periods_of(edges, issued, _stated_dates(store, read))


def edge_period(store: QuadSource, edge: Triple, sources: Iterable[str]) -> Period | None:
    """The period of one edge, as :func:`edge_periods` finds it, from the few statements about
    it and its sources: a write that changed it need not read every date of the store."""
    issued = {}
    for graph in sources:
        for quad in store.quads(NamedNode(graph), DCTERMS_ISSUED, None, None):
            if type(quad.object) is Literal and _PARTIAL_DATE.match(quad.object.value):
                issued[graph] = quad.object.value
    stated = []
    for part in store.quads(None, STATEMENT_PARTS[0], NamedNode(edge[0]), None):
        statement, held_in = part.subject, part.graph_name
        if _reified(store, statement, held_in, set()) != edge:
            continue
        for kind, predicate in (("since", SINCE), ("until", UNTIL)):
            for quad in store.quads(statement, predicate, None, held_in):
                if type(quad.object) is Literal:
                    stated.append((edge, kind, quad.object.value))
    return periods_of({edge: sources}, issued, stated).get(edge)


def periods_of(edges: Mapping[Triple, Iterable[str]], issued: Mapping[str, str],
               stated: Iterable[tuple[Triple, str, str]]) -> dict[Triple, Period]:
    """The periods of ``edges`` from the publication date of each source graph (``issued``)
    and the dates stated on edges (``(edge, "since" or "until", date)``), wherever they were
    read (a local store, or a remote one by SPARQL).

    >>> edge = ("a", "p", "b")
    >>> periods_of({edge: ["g1", "g2"]}, {"g1": "2024-05", "g2": "2023"}, [])[edge]
    Period(since='2023', until=None, stated=False)
    >>> periods_of({edge: ["g1"]}, {"g1": "2024"}, [(edge, "until", "2025-02")])[edge]
    Period(since='2024', until='2025-02', stated=False)
    """
    dates: dict[Triple, dict[str, list[str]]] = defaultdict(lambda: {"since": [], "until": []})
    for edge, kind, date in stated:
        if _PARTIAL_DATE.match(date):
            dates[edge][kind].append(date)
    periods = {}
    for edge, graphs in edges.items():
        found = dates.get(edge, {"since": [], "until": []})
        since_stated, until = _earliest(found["since"]), _earliest(found["until"])
        since = since_stated or _earliest(issued[g] for g in graphs if g in issued)
        if since or until:
            periods[edge] = Period(since, until, since_stated is not None)
    return periods


def period_attributes(period: Period | None) -> dict[str, object]:
    """An edge's dates as the sources write them (``since``, ``until``), as the first days the
    "as of" test compares (``start``, ``end``), and ``since_stated`` when ``since`` is stated on
    the edge rather than its source's date; nothing for an undated edge.

    >>> period_attributes(Period("2025-02", None, stated=True))
    {'since': '2025-02', 'start': '2025-02-01', 'since_stated': True}
    """
    if period is None:
        return {}
    found: dict[str, object] = {}
    if period.since:
        found.update(since=period.since, start=start_day(period.since))
        if period.stated:
            found["since_stated"] = True
    if period.until:
        found.update(until=period.until, end=start_day(period.until))
    return found


def date_edges(G: nx.MultiDiGraph[str], store: QuadSource) -> None:
    """Put on each edge ``(u, v, predicate)`` of ``G`` its dates (:func:`period_attributes`),
    read from ``store`` for the source graphs in the edge's ``sources``."""
    edges = {(u, key, v): data.get("sources", ()) for u, v, key, data in
             G.edges(keys=True, data=True)}
    for (u, key, v), period in edge_periods(store, edges, set()).items():
        G.edges[u, v, key].update(period_attributes(period))


def _stated_dates(store: QuadSource, read: set[GraphTerm]
                  ) -> Iterable[tuple[Triple, str, str]]:
    """Each ``aikg:since`` and ``aikg:until`` stated about an edge: (edge, kind, date)."""
    for kind, predicate in (("since", SINCE), ("until", UNTIL)):
        for quad in store.quads(None, predicate, None, None):
            read.add(quad.graph_name)
            triple = _reified(store, quad.subject, quad.graph_name, read)
            if triple is not None and type(quad.object) is Literal:
                yield triple, kind, quad.object.value


def _reified(store: QuadSource, statement: NamedNode | BlankNode | RdfTriple,
             graph: GraphTerm, read: set[GraphTerm]) -> Triple | None:
    parts: list[str] = []
    for part in STATEMENT_PARTS:
        quad = next(iter(store.quads(statement, part, None, graph)), None)
        if quad is None or type(quad.object) is not NamedNode:
            return None
        read.add(graph)
        parts.append(quad.object.value)
    return parts[0], parts[1], parts[2]


def _earliest(dates: Iterable[str]) -> str | None:
    return min(dates, key=start_day, default=None)
