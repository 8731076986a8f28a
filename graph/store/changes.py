"""What each recent commit changed, so that a cached answer can outlive the writes that did not
touch what it depends on (write-scoped invalidation).

A :class:`ChangeLog` follows a :class:`~graph.store.KnowledgeGraph`: before a write it reads
the statements of the graphs the write may change (:attr:`KnowledgeGraph.changed_graphs`: an
update names them in its text, a load its target), after the commit it reads them again, and
their difference is exactly the quads the write added or removed. It keeps that
:class:`Change` for each of the last :data:`KEPT` versions. When the write does not say which
graphs it changes (``DROP ALL``, ``GRAPH ?g`` in a template, a quads file), or they hold more
than :data:`STATEMENT_LIMIT` statements, the change is unknown: it meets every dependency.

:meth:`ChangeLog.unchanged` answers whether anything a cached answer depends on
(:mod:`graph.sparql.depends`) changed between the version it was computed at and now. A version
the log does not hold (too old, or its listener has not run yet) counts as changed: correctness
first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import islice
from sys import intern
from weakref import WeakKeyDictionary

from pyoxigraph import DefaultGraph, NamedNode, Quad

from ..sparql.depends import Pattern, dependencies
from .cache import BytesCache
from .engine import DEFAULT_GRAPH
from .knowledge import KnowledgeGraph
from .queries import QueryRequest

__all__ = ["EXACT_QUADS", "KEPT", "STATEMENT_LIMIT", "Change", "ChangeLog", "ScopedCache",
           "change_log", "scoped_cache"]

#: Versions whose change is kept: an answer not asked for since further back is computed again.
#: (A change of the load bench's write, 2,000 quads, holds about 100 KB.)
KEPT = 64
#: Quads of a change kept to tell exactly whether one matches a pattern; past it, a pattern
#: is met when each of its parts is among the changed ones.
EXACT_QUADS = 512
#: Statements read in the written graphs, before and after, past which the change is unknown.
STATEMENT_LIMIT = 20_000

#: A quad as strings: graph (an IRI, or DEFAULT_GRAPH), subject, predicate, object (an IRI, or
#: the term's N-Triples form for a blank node or literal: never equal to a pattern's IRI).
Touched = tuple[str, str, str, str]


@dataclass(frozen=True)
class Change:
    """The quads one commit added or removed (when at most :data:`EXACT_QUADS`; None: more),
    with their parts in sets for a quick answer."""

    quads: frozenset[Touched] | None
    graphs: frozenset[str]
    subjects: frozenset[str]
    predicates: frozenset[str]
    objects: frozenset[str]

    @classmethod
    def of(cls, quads: Iterable[Touched]) -> Change:
        found = frozenset(quads)
        g, s, p, o = (frozenset(parts) for parts in zip(*found, strict=True)) if found \
            else (frozenset(),) * 4
        return cls(found if len(found) <= EXACT_QUADS else None, g, s, p, o)

    def meets(self, pattern: Pattern) -> bool:
        """Whether a quad of this change may match ``pattern`` (a part None matches anything,
        a set any of its members): exactly when the quads are kept, else by their parts."""
        for part, values in zip(pattern, (self.graphs, self.subjects, self.predicates,
                                          self.objects), strict=True):
            if part is None:
                continue
            if part.isdisjoint(values) if isinstance(part, frozenset) else part not in values:
                return False
        if not self.graphs:
            return False  # nothing changed
        if self.quads is None or sum(part is not None for part in pattern) <= 1:
            return True  # the sets said it: one part, or none, to match
        return any(all(_matches(want, have) for want, have in zip(pattern, quad, strict=True))
                   for quad in self.quads)


def _matches(want: str | frozenset[str] | None, have: str) -> bool:
    return want is None or (have in want if isinstance(want, frozenset) else want == have)


class ChangeLog:
    """The :class:`Change` of each of the last :data:`KEPT` commits of ``kg`` (None: unknown).

    Attach it before the caches that ask it: the commit listeners run in order, and a cache
    asking about a version this log has not recorded yet counts it as changed anyway.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self._changes: OrderedDict[int, Change | None] = OrderedDict()
        self._lock = threading.Lock()
        #: The version before the write under way, the graphs it may change (None: any) and
        #: their statements before it (None: too many to read).
        self._before: tuple[int, frozenset[str] | None, frozenset[Quad] | None] | None = None
        kg.before_write(self._read_before)
        kg.on_commit(self._record)

    def unchanged(self, since: int, now: int, depends: tuple[Pattern, ...] | None) -> bool:
        """Whether no commit after version ``since`` up to ``now`` changed a statement matching
        ``depends`` (None: any statement; then only ``since == now`` is unchanged)."""
        if since == now:
            return True
        if depends is None or since > now:
            return False
        with self._lock:
            # A version not here (too old, or its commit not recorded yet) counts as unknown.
            changes = [self._changes.get(v) for v in range(since + 1, now + 1)]
        return all(change is not None and not any(change.meets(p) for p in depends)
                   for change in changes)

    def _read_before(self, kg: KnowledgeGraph, graphs: frozenset[str] | None) -> None:
        # A remote store's commits never say what they changed (others write it too): its
        # graphs are not read over the network for nothing.
        found = None if graphs is None or not kg.capabilities.local else _statements(kg, graphs)
        self._before = (kg.version, graphs, found)

    def _record(self, kg: KnowledgeGraph) -> None:
        before, self._before = self._before, None
        if before is None:  # a commit without a before-write call: none is known to do it
            since, change = kg.version - 1, None
        else:
            since, graphs, statements = before
            change = None
            if statements is not None and graphs is not None and graphs == kg.changed_graphs:
                after = _statements(kg, graphs)
                if after is not None:
                    change = Change.of(map(_touched, statements ^ after))
        with self._lock:
            # A process following another's writes may jump several versions at once: it was
            # never at those between, so no answer here was computed at one, and the change
            # from the version before to the version after covers them all.
            for version in range(max(since, kg.version - KEPT) + 1, kg.version + 1):
                self._changes[version] = change
            while len(self._changes) > KEPT:
                self._changes.popitem(last=False)


def _statements(kg: KnowledgeGraph, graphs: frozenset[str]) -> frozenset[Quad] | None:
    """Every statement in ``graphs``; None past :data:`STATEMENT_LIMIT`. (As the engine's
    quads: only those that changed are turned into strings.)"""
    found: set[Quad] = set()
    for name in graphs:
        try:
            graph = DefaultGraph() if name == DEFAULT_GRAPH else NamedNode(name)
        except ValueError:  # not an IRI: the write will fail, or it is unknown
            return None
        room = STATEMENT_LIMIT - len(found)
        # Counted first, without holding them: a load of a big graph keeps no copy of it.
        if next(islice(kg.quads(None, None, None, graph), room, None), None) is not None:
            return None
        found.update(kg.quads(None, None, None, graph))
    return frozenset(found)


def _touched(quad: Quad) -> Touched:
    """``quad`` as strings: an IRI's value, any other term's N-Triples form (``"..."``,
    ``_:b``, ``<< ... >>``), which never equals an IRI; the default graph is DEFAULT_GRAPH."""
    s, o, g = quad.subject, quad.object, quad.graph_name
    # Interned: the same terms come back in the changes of many versions (a block moved to and
    # fro), and the sets of one change hold each once.
    return (intern(g.value) if isinstance(g, NamedNode) else
            DEFAULT_GRAPH if isinstance(g, DefaultGraph) else str(g),
            intern(s.value if isinstance(s, NamedNode) else str(s)),
            intern(quad.predicate.value), intern(o.value if isinstance(o, NamedNode) else str(o)))


class ScopedCache:
    """Values by key, each kept with the version it was computed at and what it depends on,
    and given again at a later version when no commit since changed a statement it depends on.

    What a value depends on is given with it (patterns, None: any statement), or read from the
    query it answers (:func:`~graph.sparql.depends.dependencies`) the first time a later
    version asks for it. ``max_bytes`` as :class:`~graph.store.cache.BytesCache` takes it;
    0 keeps nothing.
    """

    def __init__(self, kg: KnowledgeGraph, max_bytes: int) -> None:
        self.kg = kg
        self._entries = BytesCache(max_bytes)
        self._log = change_log(kg) if max_bytes else None

    def get(self, key: Hashable) -> object | None:
        """The value kept under ``key`` if it is still the answer at the current version."""
        entry = self._entries.get(key)
        if not isinstance(entry, _Entry):
            return None
        now = self.kg.version
        if entry.version != now:
            if entry.depends is _UNREAD:
                entry.depends = _request_dependencies(entry.request)
            if self._log is None or not self._log.unchanged(entry.version, now, entry.depends):
                return None
            entry.version = now  # checked up to here: the next look starts from now
        return entry.value

    def put(self, key: Hashable, value: object, *, version: int, size: int,
            request: QueryRequest | None = None,
            depends: tuple[Pattern, ...] | None = None) -> None:
        """Keep ``value``, computed at ``version``, under ``key``: the answer to ``request``,
        or a value that depends on the statements ``depends`` matches (None: any)."""
        entry = _Entry(value, version, request)
        if request is None:
            entry.depends = depends
        self._entries.put(key, entry, size=size)


#: What an entry depends on before it is read from its request.
_UNREAD: tuple[Pattern, ...] = (Pattern(None, None, None, None),)


class _Entry:
    """A kept value: the last version it is known to hold at, the request it answers (if
    any) and what it depends on (:data:`_UNREAD` until asked)."""

    __slots__ = ("depends", "request", "value", "version")

    def __init__(self, value: object, version: int, request: QueryRequest | None) -> None:
        self.value, self.version, self.request = value, version, request
        self.depends: tuple[Pattern, ...] | None = _UNREAD


def _request_dependencies(request: QueryRequest | None) -> tuple[Pattern, ...] | None:
    if request is None:
        return None
    return dependencies(request.sparql, {name: term.value for name, term in request.substitutions
                                         if isinstance(term, NamedNode)})


_CACHES: WeakKeyDictionary[KnowledgeGraph, dict[str, ScopedCache]] = WeakKeyDictionary()
_LOGS: WeakKeyDictionary[KnowledgeGraph, ChangeLog] = WeakKeyDictionary()
_LOGS_LOCK = threading.Lock()


def change_log(kg: KnowledgeGraph) -> ChangeLog:
    """The one :class:`ChangeLog` of ``kg``, attached on first use: the caches of a graph
    share it, so each write is read once."""
    with _LOGS_LOCK:
        log = _LOGS.get(kg)
        if log is None:
            log = _LOGS[kg] = ChangeLog(kg)
        return log


def scoped_cache(kg: KnowledgeGraph, name: str, max_bytes: int) -> ScopedCache:
    """The :class:`ScopedCache` called ``name`` of ``kg`` (made with ``max_bytes`` on first
    use), for values derived from the graph that are not a query's answer."""
    with _LOGS_LOCK:
        caches = _CACHES.setdefault(kg, {})
    found = caches.get(name)
    if found is None:
        found = caches.setdefault(name, ScopedCache(kg, max_bytes))
    return found
