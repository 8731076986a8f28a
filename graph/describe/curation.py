"""How complete and how well sourced the curated knowledge is, read from the graph itself.

``docs/ontology.md`` renders these through cog (so the lists cannot drift from the data) and
``tests/test_facts.py`` holds the data to them: which core entities have a Chinese name and
which are documented exceptions, which figures and deals rest only on secondary sources, and
each giant's circle of friends by role with the date and source of every member.
"""

from __future__ import annotations

from dataclasses import dataclass

import ontology

from ..store import KnowledgeGraph

__all__ = ["CORE_CLASSES", "NameCoverage", "circle_by_role", "name_coverage", "weakly_sourced"]

#: The classes whose members must carry a Chinese name (or be a documented exception).
CORE_CLASSES = ("Organization", "ModelFamily", "Product", "Platform")

_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in ontology.PREFIXES.items())
_META = ", ".join(f"<{g}>" for g in (ontology.ONTOLOGY_GRAPH, ontology.SHAPES_GRAPH,
                                     ontology.SOURCES_GRAPH))
#: A bundled third-party table (Epoch AI's) is a source graph redistributed under a licence:
#: the curation rules (names, grades of figures) are about the curated sources, not about it.
def _curated(graph: str = "?g") -> str:
    """A filter keeping the named graph ``graph`` (a variable) when it is no bundled table."""
    return f"""FILTER NOT EXISTS {{ GRAPH <{ontology.SOURCES_GRAPH}> {{
                   {graph} <http://purl.org/dc/terms/license> ?licence }} }}"""


_CURATED = _curated()


@dataclass(frozen=True)
class NameCoverage:
    """Core entities with an English and a Chinese name, and those without one."""

    total: int
    named: int
    #: ``(id, English name, class)`` of every core entity without a Chinese name.
    exceptions: list[tuple[str, str, str]]
    #: ids of curated organizations located in China (directly or as a unit) with neither a
    #: Chinese name nor a documented exception.
    chinese_without_name: list[str]
    #: the same for organizations that only a bundled third-party table names (the marker
    #: such a table sets on every entity it creates is no documented exception).
    chinese_from_tables_without_name: list[str]
    #: ids of the organizations in China that a curated source marks as having no known
    #: Chinese name: the documented exceptions.
    chinese_exceptions: list[str]
    #: how many organizations are located in China, wherever they come from.
    chinese_total: int

    @property
    def share(self) -> float:
        return self.named / self.total if self.total else 1.0


def _rows(kg: KnowledgeGraph, body: str) -> list[tuple[str, ...]]:
    """The rows of a query as the values of their terms, an unbound variable as ''."""
    return [tuple("" if t is None else t.value for t in row)
            for row in kg.query(_PREFIXES + body).rows]


def _local(iri: str) -> str:
    return iri.removeprefix(ontology.KG).removeprefix(ontology.GRAPH).rpartition("#")[2]


def name_coverage(kg: KnowledgeGraph) -> NameCoverage:
    """Count the core entities (:data:`CORE_CLASSES` and their subclasses) with a Chinese name."""
    core = " ".join(f"aikg:{c}" for c in CORE_CLASSES)
    rows = _rows(kg, f"""
        SELECT ?e (SAMPLE(?en) AS ?name) (SAMPLE(?t) AS ?type)
               (MAX(IF(BOUND(?zh), 1, 0)) AS ?has)
        WHERE {{
            GRAPH ?g {{ ?e a ?t }} FILTER (?g NOT IN ({_META})) {_CURATED}
            ?t rdfs:subClassOf* ?core . VALUES ?core {{ {core} }}
            ?e rdfs:label ?en FILTER (LANG(?en) = "en")
            OPTIONAL {{ ?e rdfs:label ?zh FILTER (LANG(?zh) = "zh") }}
        }} GROUP BY ?e ORDER BY ?e""")
    exceptions = [(_local(e), name, _local(t)) for e, name, t, has in rows if has == "0"]
    chinese = _rows(kg, f"""
        SELECT DISTINCT ?e (IF(EXISTS {{ GRAPH ?g {{ ?e a ?t }}
                                         FILTER (?g NOT IN ({_META})) {_CURATED} }},
                               "curated", "table") AS ?from)
               (IF(EXISTS {{ ?e rdfs:label ?zh FILTER (LANG(?zh) = "zh") }}, "named",
                   IF(EXISTS {{ GRAPH ?m {{ ?e aikg:zhLabelStatus aikg:NoKnownChineseName }}
                                {_curated("?m")} }}, "exception", "unnamed")) AS ?name)
        WHERE {{ ?e (aikg:unitOf|aikg:subsidiaryOf)*/aikg:locatedInCountry kg:china }}
        ORDER BY ?e""")
    return NameCoverage(
        total=len(rows), named=len(rows) - len(exceptions), exceptions=exceptions,
        chinese_without_name=[_local(e) for e, kind, name in chinese
                              if kind == "curated" and name == "unnamed"],
        chinese_from_tables_without_name=[_local(e) for e, kind, name in chinese
                                          if kind == "table" and name == "unnamed"],
        chinese_exceptions=[_local(e) for e, _, name in chinese if name == "exception"],
        chinese_total=len(chinese))


def weakly_sourced(kg: KnowledgeGraph) -> list[tuple[str, str, str]]:
    """Figures, rounds, stakes, acquisitions and investments stated only by secondary sources.

    The article's own figures are left out: they are attributed claims, not facts. Returns
    ``(kind, id, graphs)``, the graphs space-separated.
    """
    article = f"<{ontology.GRAPH}article-2024-12-18-large-models-finals>"
    rows = _rows(kg, f"""
        SELECT ?kind ?thing
               (GROUP_CONCAT(DISTINCT STRAFTER(STR(?g), "/graph/"); separator=" ") AS ?graphs)
        WHERE {{
            {{ GRAPH ?g {{ ?thing a ?class }}
               VALUES (?class ?kind) {{ (aikg:MetricObservation "figure") (aikg:PriceOffer "price")
                   (aikg:FundingRound "round") (aikg:Investment "stake") }} }}
            UNION {{ GRAPH ?g {{ ?thing aikg:acquirer ?buyer }} BIND ("acquisition" AS ?kind) }}
            UNION {{ GRAPH ?g {{ ?investor aikg:investsIn ?investee }} BIND ("investment" AS ?kind)
                     BIND (CONCAT(STR(?investor), " -> ", STR(?investee)) AS ?thing) }}
            FILTER (?g != {article})
            FILTER NOT EXISTS {{
                GRAPH <{ontology.SOURCES_GRAPH}> {{ ?strong aikg:sourceGrade ?grade }}
                FILTER (?grade != aikg:SecondarySource)
                {{ GRAPH ?strong {{ ?thing a ?any }} }}
                UNION {{ GRAPH ?strong {{ ?i aikg:investsIn ?o }}
                         FILTER (CONCAT(STR(?i), " -> ", STR(?o)) = STR(?thing)) }}
            }}
        }} GROUP BY ?kind ?thing ORDER BY ?kind ?thing""")
    return [(kind, _local(thing).replace(ontology.KG, ""), " ".join(sorted(graphs.split())))
            for kind, thing, graphs in rows]


def circle_by_role(kg: KnowledgeGraph, center: str) -> list[tuple[str, list[tuple[str, ...]]]]:
    """The depth-1 circle of ``center`` (a ``kg:`` id) and its business units, by role.

    Returns ``(role label, members)`` pairs, roles in label order; each member is ``(id,
    English name, date, source graph, source address)``: the date is the edge's
    ``aikg:since`` or else the earliest ``dcterms:issued`` of a graph stating it.
    """
    rows = _rows(kg, f"""
        SELECT DISTINCT ?role ?member ?name ?g ?when ?url WHERE {{
            ?hub (aikg:unitOf|aikg:subsidiaryOf)* <{ontology.KG}{center}> .
            ?p rdfs:subPropertyOf+ aikg:ecosystemRelation .
            {{ GRAPH ?g {{ ?member ?p ?hub }} ?p aikg:subjectRole ?r }}
            UNION {{ GRAPH ?g {{ ?hub ?p ?member }} ?p aikg:objectRole ?r }}
            FILTER (isIRI(?member) && ?member != <{ontology.KG}{center}>)
            ?r rdfs:label ?role FILTER (LANG(?role) = "en")
            ?member rdfs:label ?name FILTER (LANG(?name) = "en")
            OPTIONAL {{ GRAPH ?g {{ ?st rdf:predicate ?p ; aikg:since ?since ;
                                     rdf:subject ?s ; rdf:object ?o
                                     FILTER ((?s = ?member && ?o = ?hub)
                                             || (?s = ?hub && ?o = ?member)) }} }}
            OPTIONAL {{ GRAPH <{ontology.SOURCES_GRAPH}> {{ ?g dcterms:issued ?issued
                        OPTIONAL {{ ?g schema:url ?url }} }} }}
            BIND (STR(COALESCE(?since, ?issued)) AS ?when)
        }}""")
    earliest: dict[tuple[str, str], tuple[str, ...]] = {}
    for role, member, name, graph, date, url in rows:
        entry = (_local(member), name, date or "", _local(graph), url or "")
        key = (role, member)
        # the earliest date; on a tie, the first graph by id, so the docs come out the same
        if key not in earliest or ((entry[2] or "9999"), entry[3]) < (
                (earliest[key][2] or "9999"), earliest[key][3]):
            earliest[key] = entry
    roles: dict[str, list[tuple[str, ...]]] = {}
    for (role, _), member_entry in sorted(earliest.items(),
                                          key=lambda item: (item[0][0], item[1][1])):
        roles.setdefault(role, []).append(member_entry)
    return list(roles.items())
