"""Import a table into the graph: mapped, resolved, sourced, validated and written atomically.

:func:`import_table` reads the rows with a CSVW mapping (:mod:`graph.importing.tabular`), resolves
the names of each entity column against the graph (:mod:`graph.importing.resolve`), and builds the
statements of ONE named graph, which it describes as a source in the sources graph (title,
publisher, address, licence, attribution, access date). The statements are validated with the
shapes, then written in one transaction that replaces what that graph held before. Nothing is
written when the graph already holds exactly these statements: importing the same file twice changes
nothing the second time, not even the graph's version.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple

import ontology

from ..errors import BadInput
from ..rdf.formats import serialized
from ..rdf.shapes import require_valid
from ..store import KnowledgeGraph, scratch_graph
from .mapper import statements
from .report import ImportReport
from .resolve import LabelIndex, Resolver, families
from .tabular import Mapping, read_rows

__all__ = ["ImportReport", "import_table"]

P = ontology.PREFIXES
RDF_TYPE, RDFS_LABEL = P["rdf"] + "type", P["rdfs"] + "label"
#: Subjects validated together: bigger chunks cost memory in pyshacl, smaller ones time.
CHUNK = 10_000
_T = TypeVar("_T")


def import_table(
    kg: KnowledgeGraph,
    table: bytes | str | Path | IO[bytes],
    mapping: Mapping,
    *,
    graph: str | None = None,
    accessed: datetime.date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import ``table`` into ``kg`` as ``mapping`` says, into ``graph`` (default: the mapping's).

    Parameters
    ----------
    kg : KnowledgeGraph
        The graph to write into; only its ``query`` and ``update`` are used.
    table : bytes, path or binary stream
        The CSV table.
    mapping : graph.importing.tabular.Mapping
        The CSVW mapping, from :func:`graph.importing.mappings.load_mapping`.
    graph : str, optional
        The named graph of the imported statements; what it held is replaced.
    accessed : datetime.date, optional
        When the table was downloaded (default: kept from the previous import of the same data,
        else today).
    dry_run : bool
        Resolve, build and validate, but write nothing.

    Returns
    -------
    ImportReport

    Raises
    ------
    BadInput
        A cell that does not read ("row 12, column Parameters: ...") or a broken mapping.
    ValidationFailed
        The statements break the shapes. In every failure the graph is unchanged.
    """
    target = graph or mapping.graph
    if not target:
        raise BadInput("name the graph to import into (the mapping gives none)")
    try:
        NamedNode(target)
    except ValueError:
        raise BadInput(f"not an absolute IRI: {target!r}") from None
    report = ImportReport(graph=target, mapping=mapping.name, dry_run=dry_run)
    with _phase(report, "read"):
        rows = list(read_rows(table, mapping))
        report.rows = len(rows)
    with _phase(report, "resolve"):
        specs = [c.entity for c in mapping.columns if c.entity]
        classes = {s.match for s in specs} | {s.owner.entity.match for s in specs if s.owner}
        resolver = Resolver(LabelIndex.from_graph(kg, classes, exclude_graph=target))
        g = NamedNode(target)
        scratch = scratch_graph()  # the new statements, then the validation context
        row_spec = mapping.column(mapping.row_column).entity
        family = row_spec.family if row_spec else None
        lines = (families(kg, family.match, family.sharing, family.via, exclude_graph=target)
                 if family else [])
        scratch.add(Quad(s, p, o, g) for s, p, o in statements(rows, mapping, resolver, report,
                                                                   lines))
        del rows
        report.triples = len(scratch)
    with _phase(report, "compare"):
        old_description = _description_now(kg, target)
        same_data = _holds_exactly(kg, target, scratch)
    if accessed is None:
        stored = [o.value for p, o in old_description if p.value == ontology.AIKG + "accessedOn"]
        accessed = (datetime.date.fromisoformat(stored[0]) if same_data and stored
                    else datetime.date.today())
    description = _description(mapping, target, accessed)
    report.unchanged = same_data and {(q.predicate, q.object) for q in description} == \
        old_description
    if report.unchanged:
        report.version = kg.version
        return report
    with _phase(report, "validate"):
        _validate(kg, scratch, description, target, set(resolver.created))
    if not dry_run:
        with _phase(report, "write"):
            _write(kg, scratch.quads(graph=g), description, target)
        report.written = True
    report.version = kg.version
    return report


def _description(mapping: Mapping, graph: str, accessed: datetime.date) -> list[Quad]:
    """The source graph's description in the sources graph: what the mapping says of the table
    (title, publisher, date, grade, address, licence, attribution, site) and the day it was read."""
    source, g = mapping.source, NamedNode(graph)
    title, site = _text(source.get("dc:title")), _text(source.get("aikg:site"))
    url, license_ = _iri(source.get("dc:source")), _iri(source.get("dc:license"))
    evidence = _iri(source.get("aikg:evidenceKind")) or "aikg:PublicEvidence"
    # A table compiled by a third party is a secondary source unless its mapping says otherwise;
    # without its own date, the day it was read stands in, flagged as an estimate.
    grade = _iri(source.get("aikg:sourceGrade")) or "aikg:SecondarySource"
    issued = _text(source.get("dc:issued"))
    rows: list[tuple[str, NamedNode | Literal | None]] = [
        (RDF_TYPE, NamedNode(ontology.AIKG + "SourceGraph")),
        (RDFS_LABEL, Literal(title or site or mapping.name, language="en")),
        (P["dcterms"] + "title", Literal(title, language="en") if title else None),
        (P["dcterms"] + "publisher", _literal(source.get("dc:publisher"))),
        (ontology.AIKG + "site", _literal(source.get("aikg:site"))),
        (P["schema"] + "url", NamedNode(url) if url else None),
        (P["prov"] + "wasDerivedFrom", NamedNode(url) if url else None),
        (P["dcterms"] + "license", NamedNode(license_) if license_ else None),
        ("http://creativecommons.org/ns#attributionName",
         _literal(source.get("cc:attributionName"))),
        (ontology.AIKG + "accessedOn",
         Literal(accessed.isoformat(), datatype=NamedNode(P["xsd"] + "date"))),
        (P["dcterms"] + "issued", Literal(issued or accessed.isoformat(), datatype=NamedNode(
            P["xsd"] + ("gYear" if issued and len(issued) == 4 else "date")))),
        (ontology.AIKG + "issuedIsEstimate", None if issued else Literal(
            "true", datatype=NamedNode(P["xsd"] + "boolean"))),
        (ontology.AIKG + "sourceGrade", NamedNode(_prefixed(grade))),
        (ontology.AIKG + "evidenceKind", NamedNode(_prefixed(evidence))),
        (P["skos"] + "note", Literal(f"Imported from a table with the aikg mapping "
                                     f"{mapping.name}.", language="en")),
    ]
    sources = NamedNode(ontology.SOURCES_GRAPH)
    return [Quad(g, NamedNode(p), o, sources) for p, o in rows if o]


def _description_now(kg: KnowledgeGraph, graph: str) -> set[tuple[NamedNode, NamedNode | Literal]]:
    """The description of ``graph`` in the sources graph, as (predicate, object) pairs."""
    rows = kg.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions={"s": NamedNode(graph)},
                    default_graphs=[ontology.SOURCES_GRAPH]).rows
    return {(p, o) for _, p, o in rows}


def _holds_exactly(kg: KnowledgeGraph, graph: str, new: KnowledgeGraph) -> bool:
    """Whether ``graph`` holds exactly the statements of ``new``: as many, all of them in it."""
    (count,), = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                         default_graphs=[graph]).rows
    if int(count.value) != len(new):
        return False
    g = NamedNode(graph)
    rows = kg.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[graph]).rows
    return all(next(new.quads(s, p, o, g), None) is not None for s, p, o in rows)


def _validate(kg: KnowledgeGraph, scratch: KnowledgeGraph, description: list[Quad], graph: str,
              created: set[str]) -> None:
    """Validate the new statements (the quads of ``scratch``) in chunks of subjects, against
    what the graph says about the entities they touch (copied into ``scratch``), leaving out
    what ``graph`` held."""
    g = NamedNode(graph)
    # the mapper states no RDF-star triples as subjects
    subjects = {q.subject.value for q in scratch.quads() if not isinstance(q.subject, Triple)}
    objects = {q.object.value for q in scratch.quads() if isinstance(q.object, NamedNode)}
    scratch.add(description)
    skip = f"FILTER (?g != {g})"
    for batch in _batches(sorted(subjects - created), 500):  # entities the import adds to
        rows = kg.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {_values(batch)} }} "
                        f"GRAPH ?g {{ ?s ?p ?o }} {skip} }}").rows
        scratch.add(Quad(s, p, o, c) for s, p, o, c in rows)
        objects.update(o.value for _, _, o, _ in rows if isinstance(o, NamedNode))
    rdf_type = NamedNode(RDF_TYPE)
    for batch in _batches(sorted(objects - subjects - created), 500):  # entities they point at
        rows = kg.query(f"SELECT ?s ?o ?g WHERE {{ VALUES ?s {{ {_values(batch)} }} "
                        f"GRAPH ?g {{ ?s a ?o }} {skip} }}").rows
        scratch.add(Quad(s, rdf_type, o, c) for s, o, c in rows)
    sources = kg.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                       default_graphs=[ontology.SOURCES_GRAPH]).rows
    scratch.add(Quad(s, p, o, NamedNode(ontology.SOURCES_GRAPH)) for s, p, o in sources
                   if s.value != graph)
    for i, chunk in enumerate(_batches(sorted(subjects), CHUNK)):
        quads = [q for s in chunk for q in scratch.quads(NamedNode(s), graph=g)]
        require_valid(quads + (description if i == 0 else []), context=scratch)
    if not subjects:
        require_valid(description, context=scratch)


def _write(kg: KnowledgeGraph, data: Iterable[Quad], description: list[Quad], graph: str
           ) -> None:
    """One SPARQL update, so one transaction: empty the graph, drop its description, insert the
    new statements. (Concurrent imports into one graph: the last one wins, whole.)"""
    g, sources = NamedNode(graph), NamedNode(ontology.SOURCES_GRAPH)
    lines = serialized((q.triple for q in data), RdfFormat.N_TRIPLES).decode()
    about = serialized((q.triple for q in description), RdfFormat.N_TRIPLES).decode()
    kg.update(f"DROP SILENT GRAPH {g} ; DELETE WHERE {{ GRAPH {sources} {{ {g} ?p ?o }} }} ; "
              f"INSERT DATA {{ GRAPH {g} {{ {lines} }} GRAPH {sources} {{ {about} }} }}")


@contextmanager
def _phase(report: ImportReport, name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    report.seconds[name] = round(time.perf_counter() - started, 3)


def _batches(items: list[_T], size: int) -> Iterable[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _values(iris: list[str]) -> str:
    return " ".join(str(NamedNode(i)) for i in iris)


def _text(value: Any) -> str | None:
    """The text of a JSON-LD value: a string or ``{"@value": ...}``."""
    if isinstance(value, dict):
        value = value.get("@value")
    return str(value) if value is not None else None


def _literal(value: Any) -> Literal | None:
    text = _text(value)
    return Literal(text) if text else None


def _iri(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id")
    return _prefixed(value) if value else None


def _prefixed(name: str) -> str:
    prefix, _, local = name.partition(":")
    return P[prefix] + local if prefix in P and not local.startswith("//") else name
