"""What an import did or, in a dry run, would do: counts, resolutions and skipped rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["ImportReport"]


@dataclass
class ImportReport:
    """What an import did or, in a dry run, would do.

    ``merged``, ``created`` and ``unresolved`` map each kind of entity ("model",
    "organization", ...) to the names of the table: to the id they resolved to, or to the reason
    they did not. ``skipped_rows`` lists rows left out, ``unpaired`` the rows whose lists (several
    organizations, several countries) could not be paired, per column.
    """

    graph: str
    mapping: str
    rows: int = 0
    triples: int = 0
    merged: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    created: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    unresolved: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    unpaired: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    years: int = 0
    dry_run: bool = False
    unchanged: bool = False
    written: bool = False
    version: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per phase

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("merged", "created", "unresolved"):
            data[key] = {kind: dict(names) for kind, names in data[key].items()}
        data["unpaired"] = dict(self.unpaired)
        data["skipped_rows"] = [{"row": n, "reason": r} for n, r in self.skipped_rows]
        return data

    def summary(self, examples: int = 5) -> str:
        """A few lines for people: counts per kind and the first examples of each."""
        done = ("dry run: nothing written" if self.dry_run else
                "unchanged: nothing written" if self.unchanged else
                f"written (graph version {self.version})")
        lines = [f"{self.rows} rows, {self.triples} statements into <{self.graph}> "
                 f"with mapping {self.mapping}: {done}"]
        for kind in sorted({*self.merged, *self.created, *self.unresolved}):
            lines.append(f"{kind}: {len(self.merged.get(kind, {}))} merged, "
                         f"{len(self.created.get(kind, {}))} created, "
                         f"{len(self.unresolved.get(kind, {}))} unresolved")
            for label, table in (("merged", self.merged), ("created", self.created),
                                 ("unresolved", self.unresolved)):
                shown = list(table.get(kind, {}).items())[:examples]
                if shown:
                    lines.append(f"  {label}: " + "; ".join(f"{n} -> {v}" for n, v in shown))
        for number, reason in self.skipped_rows[:examples]:
            lines.append(f"skipped row {number}: {reason}")
        if len(self.skipped_rows) > examples:
            lines.append(f"... {len(self.skipped_rows)} rows skipped in all")
        for title, numbers in self.unpaired.items():
            lines.append(f"{title}: lists not paired with their subjects in {len(numbers)} rows "
                         f"(e.g. row {numbers[0]}), left out")
        if self.years:
            lines.append(f"{self.years} January 1st dates read as years")
        return "\n".join(lines)
