"""Rows to statements: each entity cell resolved, each list paired with its subjects.

:func:`statements` turns the typed rows of a table (:mod:`graph.importing.tabular`) into the
triples of an import. The entities of the row column are resolved first, then those the rows create
(developers, countries), then those they only point at (base models), so that a row may name a
model that a later row describes. Values are paired with their subjects: all of them with a single
subject, one to one with as many subjects (``"Z.ai (Zhipu AI),Tsinghua University"`` and
``"China,China"``); lists of different lengths are not paired and are reported. ``rdf:type``
columns give classes only to entities the import creates; an entity the graph already holds gets
``skos:altLabel`` for a name it did not have.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TypeVar, cast

from pyoxigraph import Literal, NamedNode

import ontology

from ..rdf.terms import short_id
from .report import ImportReport
from .resolve import Family, Name, Resolver, begins, is_chinese, name_key, parse_name
from .tabular import Column, EntitySpec, Mapping, Row

__all__ = ["Triple", "statements"]

P = ontology.PREFIXES
RDF_TYPE, RDFS_LABEL = P["rdf"] + "type", P["rdfs"] + "label"
PREF_LABEL, ALT_LABEL = P["skos"] + "prefLabel", P["skos"] + "altLabel"

#: A statement of an import: subject, property, value.
Triple = tuple[NamedNode, NamedNode, NamedNode | Literal]
_S = TypeVar("_S")
_V = TypeVar("_V")


def statements(rows: list[Row], mapping: Mapping, resolver: Resolver, report: ImportReport,
               lines: Sequence[Family] = ()) -> Iterator[Triple]:
    """The triples the rows state, as ``mapping`` reads them (a triple may come twice).

    Every name is resolved before the first triple comes; ``report`` records what was merged,
    created, unresolved, skipped, and, once the triples are consumed, left unpaired. ``lines``
    are the families a new row entity may belong to (the row column's ``family``).
    """
    builder = _Builder(mapping, resolver, report)
    entities = builder.resolve(rows)
    yield from builder.statements(rows, entities, lines)


class _Builder:
    """Turns rows into statements: resolves entities, pairs lists, describes new entities."""

    def __init__(self, mapping: Mapping, resolver: Resolver, report: ImportReport) -> None:
        self.mapping, self.resolver, self.report = mapping, resolver, report
        self.new_labels: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.votes: dict[str, set[NamedNode | Literal]] = defaultdict(set)
        #: entity created here -> (property, its owner): the maker of a chip
        self.owners: dict[str, tuple[str, str]] = {}
        #: (column, name) -> how many values of the column that name takes where it stands alone
        self.widths: dict[tuple[str, str], set[int]] = defaultdict(set)

    def resolve(self, rows: list[Row]) -> dict[int, dict[str, list[str | None]]]:
        """The entities of each kept row, per entity column (None where a name is unresolved)."""
        row_column = self.mapping.column(self.mapping.row_column)
        entities: dict[int, dict[str, list[str | None]]] = {}
        owners: dict[str, int] = {}
        for row in rows:  # the rows' own entities first: a row that has none is left out
            iri = next(iter(self._resolve(row_column, row)), None)
            if iri is None:
                self._skip(row, f"its {row_column.title} could not be resolved")
            elif iri in owners:
                self._skip(row, f"names the same entity as row {owners[iri]} "
                                f"({short_id(iri, prefixed=True)})")
            else:
                owners[iri] = row.number
                entities[row.number] = {row_column.name: [iri]}
        columns = sorted(((c, c.entity) for c in self.mapping.columns
                          if c.entity and c is not row_column),
                         key=lambda pair: (not pair[1].skip_row_without, not pair[1].create))
        for column, spec in columns:  # entities rows need, then those rows create, then links
            for row in rows:
                if row.number not in entities:
                    continue
                found = self._resolve(column, row)
                subject = entities[row.number][row_column.name][0]
                if spec.skip_row_without and not any(found) \
                        and subject in self.resolver.created:
                    self._skip(row, f"{short_id(subject, prefixed=True)} would be new and has no "
                                    f"{column.title} that resolves")
                    self._forget(subject)
                    del entities[row.number]
                else:
                    entities[row.number][column.name] = found
                    self._resolve_owners(spec, _names(row, column.name), found)
        return entities

    def statements(self, rows: list[Row], entities: dict[int, dict[str, list[str | None]]],
                   lines: Sequence[Family]
                   ) -> Iterator[Triple]:
        kept = [row for row in rows if row.number in entities]
        for row in kept:
            self._measure_widths(row)
        for row in kept:
            yield from self._row(row, entities[row.number])
            yield from self._line(entities[row.number], lines)
        yield from self._describe_entities()

    def _line(self, entities: dict[str, list[str | None]], lines: Sequence[Family]
              ) -> Iterator[Triple]:
        """The family a new row entity belongs to: the one with the longest name that begins
        its name and shares a value with it (Qwen3-Max, developed by Alibaba, in Qwen)."""
        row_spec = self.mapping.column(self.mapping.row_column).entity
        spec = row_spec.family if row_spec else None
        subject = entities[self.mapping.row_column][0]
        if spec is None or subject is None or subject not in self.resolver.created:
            return
        shared = {iri for column in self.mapping.columns if column.property == spec.sharing
                  and column.entity for iri in entities.get(column.name, ()) if iri}
        name = self.resolver.created[subject][0].en
        found = [f for f in lines if f.shared & shared and begins(name, f.name)]
        longest = max((len(name_key(f.name)) for f in found), default=0)
        best = {f.iri for f in found if len(name_key(f.name)) == longest}
        if len(best) == 1:
            yield NamedNode(subject), NamedNode(spec.property), NamedNode(best.pop())

    def _measure_widths(self, row: Row) -> None:
        """Record how many values each list column gives a name that stands alone in its row
        (Epoch lists Google DeepMind in two countries), to pair the lists of rows naming it
        with others."""
        for column in self.mapping.columns:
            names = _names(row, column.about or self.mapping.row_column)
            if column.split is not None and len(names) == 1 and names[0] is not None:
                width = sum(v is not None for v in row.cells[column.name])
                if width:
                    self.widths[(column.name, names[0].text)].add(width)

    def _resolve_owners(self, spec: EntitySpec, names: list[Name | None],
                        found: list[str | None]) -> None:
        owner = spec.owner
        if owner is None:
            return
        for name, iri in zip(names, found, strict=True):
            if name and iri in self.resolver.created and iri not in self.owners \
                    and (word := owner.owner_word(name.text)) is not None:
                owner_name = parse_name(word,
                                        alternatives=owner.entity.alternatives)
                outcome = self.resolver.resolve(owner_name, owner.entity.match,
                                                owner.entity.create)
                getattr(self.report, outcome.status)[owner.entity.kind][owner_name.text] = (
                    short_id(outcome.iri, prefixed=True) if outcome.iri else outcome.reason)
                if outcome.iri:
                    self.owners[iri] = (owner.property, outcome.iri)

    def _resolve(self, column: Column, row: Row) -> list[str | None]:
        spec, found = column.entity, list[str | None]()
        assert spec is not None, "only entity columns are resolved"
        for name in _names(row, column.name):
            if name is None:
                found.append(None)
                continue
            outcome = self.resolver.resolve(name, spec.match, spec.create)
            getattr(self.report, outcome.status)[spec.kind][name.text] = (
                short_id(outcome.iri, prefixed=True) if outcome.iri else outcome.reason)
            if outcome.iri:
                self.new_labels[outcome.iri].update(outcome.new_labels)
            found.append(outcome.iri)
        return found

    def _row(self, row: Row, entities: dict[str, list[str | None]]) -> Iterator[Triple]:
        for column in self.mapping.columns:
            if column.property is None or column.name == self.mapping.row_column:
                continue
            about = column.about or self.mapping.row_column
            subjects = entities[about]
            values: list[NamedNode | Literal | None] = (
                [NamedNode(i) if i else None for i in entities[column.name]]
                      if column.entity else _terms(row, column.name))
            pairs: list[tuple[str, NamedNode | Literal]] | None = _pair(
                subjects, values, self._widths(column, _names(row, about)))
            if pairs is None:
                self.report.unpaired[column.title].append(row.number)
                continue
            for subject, value in pairs:
                if column.property == RDF_TYPE:  # classes only for entities created here
                    if subject in self.resolver.created:
                        self.votes[subject].add(value)
                    continue
                if column.year_if_january_first and isinstance(value, Literal) \
                        and value.datatype.value.endswith("#gYear"):
                    self.report.years += 1
                yield NamedNode(subject), NamedNode(column.property), value

    def _widths(self, column: Column, names: list[Name | None]) -> list[int]:
        """How many values of ``column`` each name takes: as where it stands alone, else 1."""
        found = [self.widths.get((column.name, n.text), set()) if n else set() for n in names]
        return [next(iter(w)) if len(w) == 1 else 1 for w in found]

    def _describe_entities(self) -> Iterator[Triple]:
        for iri, (name, klass) in self.resolver.created.items():
            votes = self.votes.get(iri, set())
            kind = next(iter(votes)) if len(votes) == 1 else NamedNode(klass)
            yield from _entity_description(NamedNode(iri), kind, name)
            if iri in self.owners:
                prop, owner = self.owners[iri]
                yield NamedNode(iri), NamedNode(prop), NamedNode(owner)
        for iri, labels in self.new_labels.items():
            for text, lang in labels:
                yield NamedNode(iri), NamedNode(ALT_LABEL), Literal(text, language=lang)

    def _skip(self, row: Row, reason: str) -> None:
        self.report.skipped_rows.append((row.number, reason))

    def _forget(self, iri: str) -> None:
        self.resolver.forget(iri)
        for names in self.report.created.values():
            for name in [n for n, i in names.items() if i == short_id(iri, prefixed=True)]:
                del names[name]


def _entity_description(node: NamedNode, kind: NamedNode | Literal, name: Name) -> set[Triple]:
    out: set[Triple] = {(node, NamedNode(RDF_TYPE), kind)}
    for label, lang in ((name.en, "en"), (name.zh, "zh")):
        if label:
            out.add((node, NamedNode(RDFS_LABEL), Literal(label, language=lang)))
            out.add((node, NamedNode(PREF_LABEL), Literal(label, language=lang)))
    if not name.zh:
        out.add((node, NamedNode(ontology.AIKG + "zhLabelStatus"),
                 NamedNode(ontology.AIKG + "NoKnownChineseName")))
    for other in name.alternatives:
        lang = "zh" if is_chinese(other) else "en"
        out.add((node, NamedNode(ALT_LABEL), Literal(other, language=lang)))
    return out


def _pair(subjects: Sequence[_S | None], values: Sequence[_V | None], widths: list[int]
          ) -> list[tuple[_S, _V]] | None:
    """Pair a cell's values with their subjects: all of them with a single subject, one to one
    with as many subjects, or ``widths[i]`` values in a row for subject ``i`` when the widths
    add up; None when the lists cannot be paired.

    >>> _pair(["google", "gdm"], ["US", "US", "UK"], [1, 2])
    [('google', 'US'), ('gdm', 'US'), ('gdm', 'UK')]
    """
    if all(v is None for v in values):
        return []
    if len(subjects) == 1:
        return [(subject, v) for v in values if v is not None and (subject := subjects[0])]
    if len(subjects) != len(values):
        if sum(widths) != len(values):
            return None
        subjects = [s for s, width in zip(subjects, widths, strict=True) for _ in range(width)]
    return [(s, v) for s, v in zip(subjects, values, strict=True) if s and v is not None]


def _names(row: Row, column: str) -> list[Name | None]:
    """The cells of an entity column: names, None where the cell is empty."""
    return cast(list[Name | None], row.cells[column])  # Column.read makes a Name per item


def _terms(row: Row, column: str) -> list[Literal | NamedNode | None]:
    """The cells of a column that is no entity column: RDF terms, None where empty."""
    return cast(list[Literal | NamedNode | None], row.cells[column])  # Column.read, no entity
