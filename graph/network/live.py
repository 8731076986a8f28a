"""The projection kept in step with the store, and the values derived from it once per version."""

from __future__ import annotations

import bisect
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Collection

from pyoxigraph import NamedNode, Quad

import ontology

from ..errors import Unsupported
from ..store import KnowledgeGraph, budget
from .arrays import WalkCache, adjacency, walk
from .chains import stated
from .circles import Circle
from .collector import without_collector
from .metrics import Counts, centrality, counts
from .overlay import patched, worth_compacting
from .patch import changes, patch, read_statements
from .periods import as_of
from .projection import Projection, project
from .search import index, resolve

__all__ = ["HUB_DEGREE", "Network", "build", "cached_circle", "class_counts", "class_groups",
           "edge_dates", "ranking", "stats"]


#: The nodes from which :meth:`Network.settle` makes, before a fork, what the processes share:
#: below, each makes its own in a few milliseconds and copies little.
SHARED_FROM = 20_000


class Network:
    """The relationship projection of ``kg``, replaced after every commit that changed it:
    patched where the write changed a few statements, rebuilt otherwise (:mod:`.patch`).

    A reader takes :attr:`current` once and works on it: a projection is never changed after
    it is built, so a request sees one version even while a write makes the next.
    :attr:`changed` is when the graph last changed here: the start, or the last commit (Unix
    time).
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.changed = time.time()
        with budget.upkeep():
            self._current: Projection | None = self._build(kg)
        #: The graphs the write under way may change, and their statements before it.
        self._before: tuple[frozenset[str], frozenset[Quad]] | None = None
        #: The nodes patched since fresh arrays began to be made in the background.
        self._touched: set[str] | None = None
        self._compacting: threading.Thread | None = None
        kg.before_write(self._read_before)
        kg.on_commit(self._rebuild)

    @property
    def current(self) -> Projection:
        """The projection of the graph's current version.

        Raises :class:`~graph.errors.Unsupported` for a remote store, which is never projected
        into memory whole (:mod:`graph.network.remote_walks` walks it with SPARQL instead).
        """
        if self._current is None:
            raise Unsupported("relationship lookups over HTTP need a local store for now; on a "
                              "remote store use SPARQL at /sparql")
        return self._current

    @property
    def terms(self) -> Projection:
        """The projection holding the ontology's terms (relations, roles, classes) that
        request arguments are checked against; here the whole :attr:`current` one."""
        return self.current

    def around(self, projection: Projection, node: str, depth: int = 1,
               relations: Collection[str] | None = None,
               roles: Collection[str] | None = None, max_nodes: int | None = None
               ) -> Projection:
        """The projection a walk of ``depth`` hops from ``node`` works on: here the whole
        ``projection`` (:class:`~graph.network.remote_walks.RemoteNetwork` fetches just the
        part)."""
        return projection

    def between(self, projection: Projection, source: str, target: str, *, k: int = 1,
                max_length: int = 4, relations: Collection[str] | None = None) -> Projection:
        """The projection paths between two entities work on: here the whole ``projection``
        (:class:`~graph.network.remote_walks.RemoteNetwork` walks from both ends for just the
        part)."""
        return projection

    def matching(self, projection: Projection, query: str,
                 types: Collection[str] | None = None) -> tuple[Projection, bool]:
        """The projection a search for ``query`` works on, and whether it was cut short: here
        the whole ``projection``, never cut (:class:`~graph.network.remote_walks.RemoteNetwork`
        fetches just the entities whose names may match)."""
        return projection, False

    def ranked(self, projection: Projection, metric: str, *, types: Collection[str] | None = None,
               at: str | None = None, offset: int = 0, limit: int | None = None
               ) -> tuple[Projection, list[tuple[str, float]], int]:
        """One page of :func:`ranking` over the whole ``projection`` (``limit`` entities from
        rank ``offset + 1``), and the ranking's length; the projection names its nodes."""
        found = ranking(projection, metric, set(types) if types else None, at=at)
        return projection, found[offset:None if limit is None else offset + limit], len(found)

    def _read_before(self, kg: KnowledgeGraph, graphs: frozenset[str] | None) -> None:
        current, self._before = self._current, None
        if current is not None and graphs is not None:
            found = read_statements(kg, graphs, current)
            self._before = None if found is None else (graphs, found)

    def _rebuild(self, kg: KnowledgeGraph) -> None:
        """Follow a commit: keep the projection when the write changed none of the statements
        it is built from, patch it when it changed a few, rebuild it otherwise."""
        self.changed = time.time()
        current, before, self._before = self._current, self._before, None
        made = None if current is None else self._patched(kg, current, before)
        if made is not None and made is current:
            # The same relationships at the new version: the networkx graph is not changed
            # otherwise, so a reader holding it sees the same content under either number.
            current.graph.graph["version"] = kg.version
        elif made is not None:
            self._current = made
            if "arrays" in made._cache:
                self._compact_if_worth(made)
            else:  # the last arrays were still being made: these are made afresh
                _warm(made)
        else:
            self._touched = None  # fresh arrays of an older graph would not fit the new one
            self._current = self._build(kg)

    def _patched(self, kg: KnowledgeGraph, current: Projection,
                 before: tuple[frozenset[str], frozenset[Quad]] | None) -> Projection | None:
        """``current`` kept, or patched; None when it must be rebuilt."""
        if before is None or before[0] != kg.changed_graphs:
            return current if current.outlives(kg) else None
        after = read_statements(kg, before[0], current)
        if after is None:
            return None
        if after == before[1]:
            return current
        change = changes(kg, current, before[1], after)
        if change is None:
            return None
        if self._touched is not None:
            self._touched |= change.nodes
        return without_collector(lambda: patch(current, kg, change, before[0]))

    def _compact_if_worth(self, made: Projection) -> None:
        """Once patches have left many dead rows in the arrays, make fresh ones in the
        background, patched at the end with what writes touched in the meantime (under the
        write lock, so no write is half done)."""
        if self._touched is not None or not worth_compacting(made.arrays()):
            return
        touched = self._touched = set()

        def compact() -> None:
            fresh = without_collector(lambda: adjacency(made.graph))
            with self.kg.exclusive():
                if self._touched is not touched:
                    return  # a rebuild came in between: the fresh arrays are of an old graph
                self._touched = None
                if self._current is not None:
                    self._current.use_arrays(patched(fresh, self._current.graph, touched))

        self._compacting = threading.Thread(target=compact, name="compact arrays", daemon=True)
        self._compacting.start()

    def settle(self, *, share: bool = False) -> None:
        """Wait for what threads make beside the requests: the projection's arrays, fresh
        arrays after patches. Before a fork, so that the processes forked share them, and so
        that none inherits a lock held by a thread it does not have (its walks would wait for
        ever).

        With ``share``, on a projection of :data:`SHARED_FROM` nodes or more, also make what
        most requests read from the whole projection: the roles every circle names, the search
        index, the default ranking (degree), the counts of the home page and ``/api/stats``.
        Each process forked would otherwise make its own, and copy on the way every page of the
        projection it reads (a reference count is a write): 390 MiB per process at 1M triples
        (bench/README.md).
        """
        if self._compacting is not None:
            self._compacting.join()
        if self._current is None:
            return
        self._current.arrays()
        if share and len(self._current.graph) >= SHARED_FROM:
            self._current.roles  # noqa: B018  # a property made on first use
            index(self._current)
            ranking(self._current, "degree")
            stats(self._current)

    @staticmethod
    def _build(kg: KnowledgeGraph) -> Projection | None:
        if not kg.capabilities.local:
            return None
        return _warm(build(kg))

    def entity(self, text: str, projection: Projection | None = None) -> str:
        """The IRI of the entity that ``text`` names: an id (a slug under ``kg:``), an IRI,
        or a name in English or Chinese; see :func:`~graph.network.search.resolve`.

        An id or IRI counts when the projection holds it or a statement has it as subject.
        Raises :class:`~graph.errors.EntityNotFound` (with close ids as suggestions) or
        :class:`~graph.errors.AmbiguousName` (with the candidates).
        """
        projection = projection or self.current
        return resolve(projection, text,
                       lambda iri: iri in projection.graph or self._has_statements(iri))

    def _has_statements(self, iri: str) -> bool:
        try:
            subject = NamedNode(iri)
        except ValueError:  # not an IRI at all
            return False
        return next(self.kg.quads(subject), None) is not None


def _warm(projection: Projection) -> Projection:
    """``projection``, its arrays being made beside the requests, so that the first circle
    after a write does not wait for them (a request asking sooner waits for this one
    making)."""
    threading.Thread(target=projection.arrays, name="projection arrays", daemon=True).start()
    return projection


def build(kg: KnowledgeGraph) -> Projection:
    """:func:`project` as the service runs it: without the garbage collector in the way."""
    return without_collector(lambda: project(kg))


def ranking(projection: Projection, metric: str, types: set[str] | None = None,
            at: str | None = None) -> list[tuple[str, float]]:
    """The nodes (of ``types``, if given) by decreasing score, computed once per version (and
    per day ``at``, over the edges that held on it)."""
    if at is not None:
        at = _last_change(projection, at)

    def scored() -> list[tuple[str, float]]:
        scores = centrality(stated(as_of(projection.graph, at), projection.chains), metric)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    when = f" at {at}" if at else ""
    ranked = projection.cached(f"rank {metric}{when}", scored)
    if not types:
        return ranked
    allowed = projection.nodes_of_types(types)
    key = f"rank {metric}{when} " + " ".join(sorted(types))
    return projection.cached(key, lambda: [item for item in ranked if item[0] in allowed])


def edge_dates(projection: Projection) -> list[str]:
    """The days when an edge began or ended, in order (computed once per version): the first
    is the earliest day the data knows of."""
    return projection.cached("edge date changes", lambda: sorted(
        {data[k] for _, _, data in projection.graph.edges(data=True)
         for k in ("start", "end") if k in data}))


def _last_change(projection: Projection, day: str) -> str:
    """The last day on or before ``day`` when an edge began or ended: every day from it to the
    next change sees the same edges, so rankings are computed (and cached) once per change,
    however many days are asked for."""
    changes = edge_dates(projection)
    found = bisect.bisect_right(changes, day)
    return changes[found - 1] if found else "0000-01-01"


#: The statements from which a member is a hub: the circles through it are named in the
#: composition, and a caller may hold them back (an investor or a cloud with thousands of ties).
HUB_DEGREE = 1000


#: Circles kept per projection: more than the distinct circles of the load bench's mix (200),
#: which a smaller least-recently-used cache, asked for them in turn, would never answer.
KEPT_WALKS = 256


def cached_circle(projection: Projection, node: str, depth: int, *,
                  relations: Collection[str] | None = None,
                  roles: Collection[str] | None = None, at: str | None = None,
                  hub_roles: Collection[str] = (), cap: int | None = None) -> Circle:
    """:func:`~.traverse.circle` as a :class:`~.circles.Circle` (counted on the arrays, members
    made when asked for) over the projection's arrays, kept for the next pages
    of the same question (the last walks per projection, so per version; a bounded number).
    With ``cap``, the circle holds its first ``cap`` members and says whether it had more
    (``truncated``). A node without relationships has an empty circle."""
    key = (node, depth, _frozen(relations), _frozen(roles), at, frozenset(hub_roles), cap)
    walks = projection.cached("circles", lambda: WalkCache[Circle](KEPT_WALKS))
    A = projection.arrays()
    return walks.get(key, lambda: Circle(A, walk(
        A, node, depth, relations=relations, roles=roles, at=at, hub_degree=HUB_DEGREE,
        hub_roles=hub_roles, max_size=None if cap is None else cap + 1).head(cap)))


def _frozen(values: Collection[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def stats(projection: Projection) -> Counts:
    """The counts of :func:`~graph.network.metrics.counts`, computed once per version, with
    ``by_type`` as :func:`class_counts` gives it: the same count of each class everywhere."""
    def compute() -> Counts:
        return {**counts(projection.graph), "by_type": class_counts(projection)}

    return projection.cached("stats", compute)


def class_counts(projection: Projection) -> dict[str, int]:
    """The classes people pick from, each with its entities (those of its subclasses
    included, as a type filter counts them), most first.

    They are aikg's own classes that have entities, and a class of another vocabulary only
    where an entity has no aikg class: the ``schema:``, ``prov:`` or ``airo:`` twins that the
    ontology aligns aikg's classes with are not listed twice.
    """
    def compute() -> dict[str, int]:
        own = {c for c in projection.classes if c.startswith(ontology.AIKG)}
        foreign: set[str] = set()
        for _, types in projection.graph.nodes(data="types", default=()):
            if not own.intersection(types):
                foreign.update(types)
        found = _entities_per_class(projection, own | foreign)
        return dict(sorted(((c, n) for c, n in found.items() if n),
                           key=lambda item: (-item[1], item[0])))

    return projection.cached("class counts", compute)


def _entities_per_class(projection: Projection, classes: set[str]) -> Counter[str]:
    """For each of ``classes``, its entities, as :meth:`Projection.nodes_of_types` would count
    them: in one pass over the nodes, not one per class."""
    above: dict[str, set[str]] = defaultdict(set)  # a class, and each of ``classes`` over it
    for c in classes:
        for below in projection.classes[c].descendants if c in projection.classes else (c,):
            above[below].add(c)
    found: Counter[str] = Counter()
    for _, types in projection.graph.nodes(data="types", default=()):
        found.update(set().union(*(above.get(t, ()) for t in types)))
    return found


def class_groups(projection: Projection) -> dict[str, str]:
    """Each class with the group the graph view colours it by: its top aikg class (one with no
    aikg class above it: ``Organization`` for ``Startup``), the most populous one where it has
    several. A class of another vocabulary is its own group.

    Groups come in order of their number of entities, most first, so that colours assigned in
    that order are the same on every page.
    """
    def compute() -> dict[str, str]:
        own = [c for c in projection.classes if c.startswith(ontology.AIKG)]
        tops = [c for c in own if not any(c in projection.classes[o].descendants
                                           for o in own if o != c)]
        tops.sort(key=lambda c: (-len(projection.nodes_of_types([c])), c))
        groups = {c: c for c in projection.classes}
        for top in reversed(tops):  # the most populous top class is written last, and wins
            for c in projection.classes[top].descendants:
                groups[c] = top
        order = {top: i for i, top in enumerate(tops)}
        return dict(sorted(groups.items(), key=lambda item: (order.get(item[1], len(order)),
                                                             item[0])))

    return projection.cached("class groups", compute)
