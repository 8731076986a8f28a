"""The attributes an ecosystem edge of the projection carries, made in one place for a build
and a patch alike."""

from __future__ import annotations

from collections.abc import Iterable

from .periods import Period, period_attributes

__all__ = ["EdgeEnds", "edge_data"]

#: A relation's English and Chinese labels and its subject's and object's role keys.
EdgeEnds = tuple[str, str, str, str]


def edge_data(predicate: str, ends: EdgeEnds, sources: Iterable[str], period: Period | None,
              via: Iterable[str] | None = None) -> dict[str, object]:
    """The attributes of the edge of ``predicate`` stated in ``sources``, held in ``period``;
    a derived one (:mod:`.chains`) also names the nodes it goes through (``via``)."""
    label_en, label_zh, subject_role, object_role = ends
    return dict(predicate=predicate, label_en=label_en, label_zh=label_zh,
                subject_role=subject_role, object_role=object_role, sources=sorted(sources),
                **({"via": sorted(via)} if via else {}), **period_attributes(period))
