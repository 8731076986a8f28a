"""Turning the answers of :mod:`graph.network` into JSON for people: ids, IRIs and labels on
every node, relation and role. The HTTP API and the ``aikg`` command line share these shapes.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.describe.lookups import CircleAnswer
from graph.network import Projection
from graph.network.answers import Edge, Hop, Member, Path
from graph.rdf.terms import short_id

__all__ = ["node", "edge", "hop", "role", "relation", "term", "type_term", "circle", "circle_of",
           "path", "circle_table", "circle_sources", "table", "width"]

#: A JSON object as the API answers it: made here, and read back by the text tables.
Json = dict[str, Any]


def node(P: Projection, n: str) -> Json:
    """A node: ``id``, ``iri``, ``label_en``, ``label_zh`` and ``types`` (short ids)."""
    if n not in P.graph:  # an entity with statements but no type and no relationship
        return {"id": short_id(n), "iri": n, "label_en": "", "label_zh": "", "types": []}
    data = P.node_data(n)
    return {**data, "types": [short_id(t) for t in data["types"]]}


def role(P: Projection, key: str) -> Json:
    """A role: its ``key`` and labels."""
    found = P.roles.get(key)
    return {"key": key, "label_en": found.label_en if found else key,
            "label_zh": found.label_zh if found else ""}


def relation(P: Projection, iri: str) -> Json:
    """An ecosystem relation: ``id``, ``iri``, labels and the roles of its two ends."""
    found = P.relations[iri]
    return {"id": short_id(iri), "iri": iri, "label_en": found.label_en,
            "label_zh": found.label_zh, "inverse_label_en": found.inverse_label_en,
            "inverse_label_zh": found.inverse_label_zh,
            "subject_role": role(P, found.subject_role.key),
            "object_role": role(P, found.object_role.key),
            "broader": sorted(short_id(b) for b in found.broader)}


def term(iri: str, label_en: str, label_zh: str) -> Json:
    """A term of the ontology (a class): ``id``, ``iri`` and labels."""
    return {"id": short_id(iri), "iri": iri, "label_en": label_en, "label_zh": label_zh}


def edge(P: Projection, found: Edge) -> Json:
    """One statement seen from one end: relation, direction, the far end's role, sources,
    for a dated statement ``since`` and ``until`` (as precise as its sources), and for one
    derived by a property chain the nodes it goes through, ``via`` (the chips of a model that
    runs on a maker's hardware)."""
    found_relation = P.relations.get(found["predicate"])
    said: Mapping[str, object] = found  # its keys by name, the optional ones included
    return {
        "relation": short_id(found["predicate"]),
        "predicate": found["predicate"],
        "label_en": found_relation.label_en if found_relation else "",
        "label_zh": found_relation.label_zh if found_relation else "",
        "direction": found["direction"],
        "role": found["role"],
        "sources": found["sources"],
        **{name: said[name] for name in ("since", "until") if name in said},
        **({"via": [node(P, n) for n in found["via"]]} if "via" in found else {}),
    }


def hop(P: Projection, found: Hop) -> Json:
    """A step of a path: its two nodes and the statements between them, each with how it
    reads from the step's far end too (``inverse_label_en``: "invested in by")."""
    return {"from": node(P, found["from"]), "to": node(P, found["to"]),
            "edges": [{**edge(P, e), **_inverse(P, e["predicate"])} for e in found["edges"]]}


def _inverse(P: Projection, predicate: str) -> Json:
    found = P.relations.get(predicate)
    return {"inverse_label_en": found.inverse_label_en if found else "",
            "inverse_label_zh": found.inverse_label_zh if found else ""}


def path(P: Projection, found: Path) -> Json:
    """A path: its length, its nodes and its hops."""
    return {"length": len(found["hops"]), "nodes": [node(P, n) for n in found["nodes"]],
            "hops": [hop(P, h) for h in found["hops"]]}


def circle(found: CircleAnswer) -> Json:
    """A whole circle: its size and composition, and all its members grouped by role."""
    members = found.members
    return _circle(found.projection, found.center, found.depth, len(members),
                   members.composition, members.entries(0, members.entry_count()),
                   members.truncated)


def circle_of(found: CircleAnswer, page: Iterable[tuple[str, Member]], hub_degree: int
              ) -> Json:
    """One page of a circle (its ``(role, member)`` entries from
    :meth:`~graph.network.circles.Circle.entries`), with its size and composition counted on
    the walk's arrays, and the hubs (members of at least ``hub_degree`` statements) it went
    through or held back."""
    P, members = found.projection, found.members
    shaped = _circle(P, found.center, found.depth, len(members), members.composition, page,
                     members.truncated)
    shaped["composition"]["hubs"] = [
        {**node(P, h["node"]), "degree": h["degree"], "members": h["members"],
         "walked": h["walked"]} for h in members.hubs(hub_degree)]
    if found.at:
        shaped["at"] = found.at
    return shaped


def _circle(P: Projection, center: str, depth: int, size: int,
            composition: Json, page: Iterable[tuple[str, Member]],
            truncated: bool) -> Json:
    """The shape of a circle from its counts (``roles``, ``types`` and ``distances``, each a
    count by key) and a page of entries."""
    groups: dict[str, list[Json]] = {}
    hops: dict[int, Json] = {}  # a hop shared by members of the page is shaped once
    for key, member in page:
        path = [hops.get(id(h)) or hops.setdefault(id(h), hop(P, h)) for h in member["path"]]
        groups.setdefault(key, []).append(
            {**node(P, member["node"]), "distance": member["distance"],
             "roles": member["roles"], "path": path})
    by_role, by_type = composition["roles"], Counter[str]()
    for t, n in composition["types"].items():
        by_type[short_id(t)] += n  # each type once, not once per member
    return {
        "center": node(P, center),
        "depth": depth,
        "size": size,
        "truncated": truncated,
        "composition": {
            "roles": [{**role(P, k), "count": n} for k, n in sorted(by_role.items())],
            "types": dict(sorted(by_type.items())),
            "distances": {str(d): n for d, n in sorted(composition["distances"].items())},
        },
        "groups": [{**role(P, k), "size": by_role[k], "members": found}
                   for k, found in groups.items()],
    }


def width(text: str) -> int:
    """The columns ``text`` takes in a terminal: two for each wide (CJK) character, none for
    a combining mark.

    >>> width("Baidu"), width("百度"), width("ＡＩ")
    (5, 4, 4)
    """
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table with columns aligned as a terminal shows them (Chinese characters
    take two columns).

    >>> print(table(["id", "label"], [["baidu", "百度"], ["vc", "Capital"]]))
    id     label
    -----  -------
    baidu  百度
    vc     Capital
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *cells]
    return "\n".join("  ".join(c + " " * (w - width(c)) for c, w in zip(line, widths, strict=True)
                               ).rstrip() for line in lines)


def circle_table(shaped: Json, sources: Mapping[str, Json] | None = None) -> str:
    """A shaped circle as a text table: one line per member and role, with the hops to it.

    With ``sources`` (descriptions by source IRI, as
    :func:`graph.describe.entities.describe_sources` gives them), each line also says when the
    earliest page stating the last hop was published and where to read it.
    """
    rows = []
    for group in shaped["groups"]:
        for member in group["members"]:
            via = "  ".join(_hop_text(h) for h in member["path"])
            found = sorted({s for h in member["path"][-1:] for e in h["edges"]
                            for s in e["sources"]})
            row = [group["key"], member["id"], member["label_en"], member["label_zh"],
                   member["distance"], via, " ".join(s.rsplit("/", 1)[-1] for s in found)]
            rows.append(row + list(_first_source(found, sources)) if sources is not None else row)
    center = shaped["center"]
    head = f"{center['label_en'] or center['id']}: {shaped['size']} members"
    columns = ["role", "id", "label_en", "label_zh", "hops", "via", "sources"]
    return head + "\n" + table(columns + (["date", "link"] if sources is not None else []), rows)


def circle_sources(shaped: Json) -> set[str]:
    """The source graphs of the last hop to each member of a shaped circle."""
    return {s for group in shaped["groups"] for member in group["members"]
            for h in member["path"][-1:] for e in h["edges"] for s in e["sources"]}


def _first_source(found: Sequence[str], sources: Mapping[str, Json]) -> tuple[str, str]:
    """The issue date and address of the earliest dated source among ``found``."""
    described = sorted((str(sources[s]["issued"]), sources[s].get("url") or s) for s in found
                       if s in sources and sources[s].get("issued"))
    return described[0] if described else ("", "")


def _hop_text(found: Json) -> str:
    arrows = [f"-{e['relation']}->" if e["direction"] == "out" else f"<-{e['relation']}-"
              for e in found["edges"]]
    through = sorted({n["id"] for e in found["edges"] for n in e.get("via", ())})
    via = f" (via {', '.join(through)})" if through else ""
    return f"{found['from']['id']} {'|'.join(arrows)} {found['to']['id']}{via}"


def type_term(P: Projection, iri: str) -> Json:
    """A class of the ontology with its labels, as the projection knows it."""
    found = P.classes.get(iri)
    return term(iri, found.label_en if found else "", found.label_zh if found else "")
