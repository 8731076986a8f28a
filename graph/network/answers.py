"""The shapes of what the relationship functions answer, as typed dicts: a node as answers
show it, a statement seen from one end, a hop, a circle's member and hub, a neighbour, a path
and the overlap of circles. The dicts are plain data, ready for JSON; the types say which keys
each has."""

from __future__ import annotations

from typing import NotRequired, TypedDict

__all__ = ["Edge", "Hop", "Hub", "Member", "Neighbour", "NodeData", "Overlap", "PairOverlap",
           "Path", "RoleOverlap", "SharedMember"]


class NodeData(TypedDict):
    """A node as answers show it: ``types`` are class IRIs."""

    id: str
    iri: str
    label_en: str
    label_zh: str
    types: list[str]


class Edge(TypedDict):
    """A statement seen from one of its ends: ``direction`` ``out`` when that end is its
    subject, ``role`` the other end's; the dates of a dated edge, the nodes a derived one goes
    through."""

    predicate: str
    direction: str
    role: str
    sources: list[str]
    since: NotRequired[str]
    until: NotRequired[str]
    via: NotRequired[list[str]]


class Hub(TypedDict):
    """A member of many statements a walk went through (``walked``) or held back, and how
    many members it brought in."""

    node: str
    degree: int
    members: int
    walked: bool


#: One step of a path: its ends and the statements joining them.
Hop = TypedDict("Hop", {"from": str, "to": str, "edges": list[Edge]})


class Member(TypedDict):
    """A member of a circle: its distance from the centre, its roles on the last hop, and the
    hops that bring it in."""

    node: str
    distance: int
    roles: list[str]
    path: list[Hop]


class Neighbour(Edge):
    """An edge at a node, with the neighbour at its other end."""

    node: str


class Path(TypedDict):
    """A path: its nodes from one end to the other, and the hops between them."""

    nodes: list[str]
    hops: list[Hop]


class SharedMember(TypedDict):
    """A member of every circle compared, with its roles in each (by centre)."""

    node: str
    roles: dict[str, list[str]]


class PairOverlap(TypedDict):
    """How the circles of two centres overlap."""

    a: str
    b: str
    shared: int
    jaccard: float


class RoleOverlap(TypedDict):
    """The members playing one role in every circle, and the Jaccard index of that role."""

    shared: list[str]
    jaccard: float


class Overlap(TypedDict):
    """How the circles of several centres overlap (see :func:`~.traverse.overlap`)."""

    sizes: dict[str, int]
    shared: list[SharedMember]
    jaccard: float
    pairs: list[PairOverlap]
    by_role: dict[str, RoleOverlap]
