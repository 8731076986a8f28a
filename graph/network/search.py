"""Search entities by English or Chinese name, alternative or hidden label, and resolve what a
person types where an entity is expected (an id, an IRI or a name) to one entity.

Matching ignores case and character width (``ＢａｉＤＵ`` finds Baidu). Hits rank exact first,
then prefix, then substring, and within each by degree in the relationship graph. The index is
built once per version of the graph: the folded names sit in one string, most connected entity
first, so each kind of match is one scan at C speed in ranking order.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass

from ..errors import AmbiguousName, EntityNotFound
from ..rdf.terms import entity_iri, normalize
from .arrays import WalkCache
from .projection import Projection

__all__ = ["Hit", "SearchIndex", "index", "resolve", "search", "suggest"]

SEP = "\x1f"


@dataclass(frozen=True)
class Hit:
    """A search hit: the node, how it matched and the name that matched (None if hidden)."""

    node: str
    match: str
    label: str | None


class SearchIndex:
    """The names of the nodes, folded, in one string ordered by degree.

    ``names`` maps each node to ``(text, kind, language)`` triples; names of kind ``hidden``
    are searched but never returned as the matching label.

    >>> index = SearchIndex({"b": [("Baidu", "label", "en"), ("百度", "label", "zh")],
    ...                      "k": [("Kunlun", "label", "en"), ("baidu kunlun", "hidden", "en")]},
    ...                     {"b": 5, "k": 1})
    >>> [(h.node, h.match, h.label) for h in index.search("BAI")]
    [('b', 'prefix', 'Baidu'), ('k', 'prefix', None)]
    >>> [h.node for h in index.search("度")]
    ['b']
    """

    def __init__(self, names: Mapping[str, list[tuple[str, str, str | None]]],
                 degree: Mapping[str, int]) -> None:
        self.order = sorted(degree, key=lambda n: (-degree[n], n))
        self._nodes: list[str] = []
        self._shown: list[str | None] = []
        self._exact: dict[str, list[int]] = {}
        folded, self._starts, position = [], [], 1
        for node in self.order:
            for text, kind, _ in names.get(node, ()):
                key = normalize(text).replace(SEP, "")
                if not key:
                    continue
                self._exact.setdefault(key, []).append(len(self._nodes))
                self._nodes.append(node)
                self._shown.append(None if kind == "hidden" else text)
                self._starts.append(position)
                folded.append(key)
                position += len(key) + 1
        self._text = SEP + SEP.join(folded) + SEP

    def search(self, query: str, allowed: Collection[str] | None = None) -> list[Hit]:
        """Every node with a name matching ``query``, best first, once each."""
        needle = normalize(query).replace(SEP, "")
        if not needle:
            return []
        hits: dict[str, Hit] = {}

        def take(i: int, match: str) -> None:
            node = self._nodes[i]
            if node not in hits and (allowed is None or node in allowed):
                hits[node] = Hit(node, match, self._shown[i])

        for i in self._exact.get(needle, ()):
            take(i, "exact")
        inside = []  # one scan finds both kinds; prefixes rank first
        for position in self._find(needle):
            i = bisect_right(self._starts, position) - 1
            if self._starts[i] == position:
                take(i, "prefix")
            else:
                inside.append(i)
        for i in inside:
            take(i, "substring")
        return list(hits.values())

    def exact(self, name: str) -> list[str]:
        """The nodes with a name equal to ``name`` once folded, most connected first.

        >>> SearchIndex({"b": [("Baidu", "label", "en"), ("百度", "label", "zh")]},
        ...             {"b": 1}).exact("ＢＡＩＤＵ")
        ['b']
        """
        found = self._exact.get(normalize(name).replace(SEP, ""), ())
        return list(dict.fromkeys(self._nodes[i] for i in found))

    def _find(self, needle: str) -> Iterator[int]:
        position = self._text.find(needle)
        while position != -1:
            yield position
            position = self._text.find(needle, position + 1)


def index(projection: Projection) -> SearchIndex:
    """The search index of a projection, built on first use."""
    G = projection.graph
    return projection.cached("search", lambda: SearchIndex(
        projection.names, dict(G.degree()) if projection.degrees is None else projection.degrees))


def search(projection: Projection, query: str = "", types: Collection[str] | None = None
           ) -> list[Hit]:
    """Search the names of the projection's nodes; without a query, list them by degree.

    ``types`` keeps only nodes of those classes or their subclasses.
    """
    allowed = projection.nodes_of_types(types) if types else None
    found = index(projection)
    if query.strip():
        kept = projection.cached("searches", lambda: WalkCache[list[Hit]](KEPT_SEARCHES))
        return kept.get((query, frozenset(types or ())), lambda: found.search(query, allowed))
    return [Hit(n, "all", None) for n in found.order if allowed is None or n in allowed]


#: Searches kept per projection (a projection lives until a write changes names or
#: relationships): the last ones asked for, shared by the callers, who do not change them.
KEPT_SEARCHES = 256


def resolve(projection: Projection | Callable[[], Projection], text: str,
            known: Callable[[str], bool]) -> str:
    """The entity ``text`` stands for: its id (a ``kg:`` slug), its IRI, or one of its names in
    any language, tried in that order.

    Parameters
    ----------
    projection : Projection or callable
        Holds the names to match; or makes it, called only when ``text`` is not a known id
        or IRI (on a remote store, the search candidates of ``text``: a scan of the names).
    text : str
        What the person typed: ``baidu``, ``https://w3id.org/aikg/id/baidu``, ``Baidu``, ``百度``.
    known : callable
        Whether an IRI is an entity of the graph (in the projection, or the subject of a
        statement).

    Returns
    -------
    str
        The entity's IRI.

    Raises
    ------
    AmbiguousName
        When several entities bear the name: each of them, most connected first.
    EntityNotFound
        When nothing matches, with close ids as suggestions.
    """
    text = text.strip()
    as_id = entity_iri(text)
    if as_id is not None and known(as_id):
        return as_id
    if text.startswith(("http://", "https://")) and known(text):
        return text
    if callable(projection):
        projection = projection()
    named = index(projection).exact(text) if text else []
    if len(named) == 1:
        return named[0]
    if named:
        raise AmbiguousName(text, [{k: v for k, v in projection.node_data(n).items()
                                    if k != "types"} for n in named])
    raise EntityNotFound(f"no entity with id {text!r}, nor any by that name",
                         suggest(projection, text) if text else [])


def suggest(projection: Projection, text: str, limit: int = 5) -> list[str]:
    """Ids of nodes whose id or name is close to ``text``, for a "did you mean".

    Names containing the words of ``text`` come first, then ids spelt alike.
    """
    G = projection.graph
    words = text.replace("-", " ").replace("_", " ")
    found = [G.nodes[h.node]["id"] for h in search(projection, words)[:limit]]
    ids = projection.cached("ids", lambda: sorted(G.nodes[n]["id"] for n in G))
    first = normalize(text)[:1]
    same_start = ids[bisect_left(ids, first):bisect_left(ids, first + "\uffff")][:5000]
    for close in difflib.get_close_matches(normalize(text), same_start, n=limit, cutoff=0.6):
        if close not in found:
            found.append(close)
    return found[:limit]
