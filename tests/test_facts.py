"""What a fact-check of the curated data found wrong stays fixed, each fix with its evidence.

Each test states the corrected fact as a user would query it, and that the wrong one is gone.
The sources are named by the graph that states the fact (see docs/ontology.md, "How a fact is
checked before it goes in").
"""

from __future__ import annotations

import ontology
from graph import KnowledgeGraph, open_graph
from graph.describe.curation import circle_by_role, name_coverage, weakly_sourced

PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in ontology.PREFIXES.items())


def ask(kg: KnowledgeGraph, body: str) -> bool:
    return bool(kg.query(PREFIXES + "ASK { " + body + " }").boolean)


def values(kg: KnowledgeGraph, body: str) -> set[str]:
    return {row[0].value for row in kg.query(PREFIXES + body).rows}


def graphs_stating(kg: KnowledgeGraph, triple: str) -> set[str]:
    return {g.removeprefix(ontology.GRAPH)
            for g in values(kg, f"SELECT ?g WHERE {{ GRAPH ?g {{ {triple} }} }}")}


def test_openai_is_humanes_partner_not_its_investor(bundled: KnowledgeGraph) -> None:
    assert not ask(bundled, "kg:openai aikg:investsIn kg:humane")
    assert graphs_stating(bundled, "kg:openai aikg:partnerOf kg:humane") == {
        "usinedigitale-2023-03-humane-series-c"}
    notes = " ".join(values(bundled, "SELECT ?n WHERE { kg:humane skos:note ?n }"))
    assert "Sam Altman" in notes and "personally" in notes


def test_pangu_sigma_is_dated_by_its_arxiv_submission(bundled: KnowledgeGraph) -> None:
    assert values(bundled, "SELECT ?d WHERE { kg:pangu-sigma schema:datePublished ?d }") == {
        "2023-03-20"}
    # Epoch AI's table, bundled, agrees; the date rests on the paper.
    assert "arxiv-2303-10845" in graphs_stating(bundled, "kg:pangu-sigma schema:datePublished ?d")


def test_stability_ais_101m_round_is_one_round_of_october_2022(bundled: KnowledgeGraph) -> None:
    rows = bundled.query(PREFIXES + """
        SELECT DISTINCT ?round ?date ?amount WHERE {
            ?round a aikg:FundingRound ; aikg:raisedBy kg:stability ;
                   schema:startDate ?date ; aikg:roundAmount/schema:value ?amount
            FILTER (?amount > 100000000) }""").rows
    assert [(r[1].value, int(r[2].value)) for r in rows] == [("2022-10", 101_000_000)]
    leads = values(bundled, f"SELECT ?l WHERE {{ <{rows[0][0].value}> aikg:leadInvestor ?l }}")
    assert {ontology.KG + "coatue", ontology.KG + "lightspeed"} <= leads
    assert not ask(bundled, """?x aikg:raisedBy|aikg:investee kg:stability ;
                                  aikg:investmentDate|schema:startDate ?d
                               FILTER (STRSTARTS(STR(?d), "2022-08"))""")


def test_only_gemini_1_5_pro_is_called_mixture_of_experts(bundled: KnowledgeGraph) -> None:
    flash = " ".join(values(bundled, "SELECT ?n WHERE { kg:gemini-1-5-flash skos:note ?n }"))
    pro = " ".join(values(bundled, "SELECT ?n WHERE { kg:gemini-1-5-pro skos:note ?n }"))
    assert "mixture-of-experts" in pro
    assert "distilled" in flash and "not as a mixture-of-experts" in flash
    assert ask(bundled, "kg:gemini-1-5-flash aikg:basedOnModel kg:gemini-1-5-pro")


def test_hp_bought_humanes_assets_not_the_company(bundled: KnowledgeGraph) -> None:
    assert not ask(bundled, "kg:hp aikg:acquires kg:humane")
    assert not ask(bundled, "?e org:originalOrganization kg:humane")
    assert ask(bundled, """kg:e-hp-acquires-humane-assets aikg:acquirer kg:hp ;
                               schema:amount/schema:value 116000000""")


def test_a_companys_rounds_add_up_once_per_round(bundled: KnowledgeGraph) -> None:
    rows = bundled.query(PREFIXES + """
        SELECT ?round (SAMPLE(?value) AS ?amount) (COUNT(DISTINCT ?investor) AS ?investors) WHERE {
            ?round a aikg:FundingRound ; aikg:raisedBy kg:moonshot ; aikg:roundInvestor ?investor .
            OPTIONAL { ?round aikg:roundAmount/schema:value ?value } } GROUP BY ?round""").rows
    by_round = {r[0].value.removeprefix(ontology.KG): r for r in rows}
    assert {"round-moonshot-2024-02", "round-moonshot-2024"} <= set(by_round)
    assert "round-moonshot-2024-08" not in by_round  # the August round is stated once
    assert int(by_round["round-moonshot-2024-02"][1].value) == 1_000_000_000
    assert int(by_round["round-moonshot-2024-02"][2].value) == 3  # counted once, three investors


def test_investment_nodes_keep_only_what_a_round_cannot_say(bundled: KnowledgeGraph) -> None:
    """An aikg:Investment is an investor's own stake or amount; a round is a FundingRound."""
    assert values(bundled, """SELECT ?i WHERE { ?i a aikg:Investment
        FILTER NOT EXISTS { ?i aikg:equityStakePercent|schema:amount ?x } }""") == set()
    assert not ask(bundled, "?i a aikg:Investment ; aikg:roundAmount|aikg:isLeadInvestor ?x")
    assert ask(bundled, """kg:inv-alibaba-moonshot-fy2024 aikg:equityStakePercent 36 .
        kg:inv-alibaba-moonshot-stake-pandaily aikg:equityStakePercent 40 ;
            aikg:conflictsWith kg:inv-alibaba-moonshot-fy2024""")


# -- sources, names and circles, as docs/ontology.md reports them ----------------------------

#: Source graphs whose address was lost before they were loaded (the fact sheet truncated it or
#: read the page without one); each says so in a note.
ADDRESS_UNKNOWN = {"deeplearn-546030", "iacommunidad-808-moonshot", "scmp-3233631",
                   "sina-2024-05-23-price-war"}

#: Issue 14 asks for 90% of the core entities named in Chinese. With the merged ecosystem files,
#: whose new entities mostly lacked a Chinese name, the share was 32%; ontology/data/names-zh.trig
#: brought it to 74% (191 of 259) and names-zh-2.trig to 90.3% (234 of 259), each name from a
#: page that shows it in use; names-zh-3.trig, curating 41 organizations Epoch AI's table named,
#: to 91.0% (273 of 300). This floor keeps the share from falling below the issue's goal.
CORE_CHINESE_NAME_FLOOR = 0.90


def test_every_source_has_publisher_date_grade_and_an_https_address(
        bundled: KnowledgeGraph) -> None:
    rows = bundled.query(PREFIXES + """
        SELECT ?g ?kind ?publisher ?issued ?grade ?url WHERE {
            GRAPH <https://w3id.org/aikg/graph/sources> {
                ?g a aikg:SourceGraph ; aikg:evidenceKind ?kind
                OPTIONAL { ?g dcterms:publisher ?publisher } OPTIONAL { ?g dcterms:issued ?issued }
                OPTIONAL { ?g aikg:sourceGrade ?grade } OPTIONAL { ?g schema:url ?url } } }""").rows
    assert len(rows) > 140
    assert [r[0].value for r in rows if None in (r[2], r[3], r[4])] == []
    public = [r for r in rows if r[1].value.endswith("PublicEvidence")]
    unknown = {r[0].value.removeprefix(ontology.GRAPH) for r in public if r[5] is None}
    assert unknown == ADDRESS_UNKNOWN
    assert all(r[5].value.startswith("https://") for r in public if r[5] is not None)


def test_every_organization_in_china_has_a_chinese_name(bundled: KnowledgeGraph) -> None:
    coverage = name_coverage(bundled)
    in_china = values(bundled, """SELECT ?e WHERE {
        ?e (aikg:unitOf|aikg:subsidiaryOf)*/aikg:locatedInCountry kg:china }""")
    giants_and_tigers = {ontology.KG + e for e in (
        "baidu", "alibaba", "alibaba-cloud", "tencent", "bytedance", "volcano-engine", "huawei",
        "jd", "zhipu", "moonshot", "minimax", "baichuan", "stepfun", "01ai")}
    assert giants_and_tigers <= in_china
    assert coverage.chinese_total == len(in_china)
    assert coverage.chinese_without_name == []
    # Epoch AI's table names 41 of them only: each has a curated Chinese name or exception now.
    assert coverage.chinese_from_tables_without_name == []
    assert coverage.chinese_exceptions == ["med-ai-technology", "ulsee-inc"]
    for university, name in (("peking-university", "北京大学"),
                             ("zhejiang-university-zju", "浙江大学"),
                             ("northeastern-university-china", "东北大学")):
        assert values(bundled, f"SELECT ?zh WHERE {{ kg:{university} rdfs:label ?zh "
                               f'FILTER (LANG(?zh) = "zh") }}') == {name}


#: A table's organization in China, a curated one without a name, a documented exception and a
#: named one; the table marks what it creates, as the import of Epoch AI's table does.
CHINESE_ORGANIZATIONS = """
@prefix aikg: <https://w3id.org/aikg/ontology#> . @prefix kg: <https://w3id.org/aikg/id/> .
@prefix g: <https://w3id.org/aikg/graph/> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
g:sources { g:table a aikg:SourceGraph ; dcterms:license <https://example.org/licence> .
            g:page a aikg:SourceGraph . }
g:table { kg:from-table a aikg:Company ; rdfs:label "From Table"@en ;
              aikg:zhLabelStatus aikg:NoKnownChineseName .
          kg:from-table aikg:locatedInCountry kg:china .
          kg:exception aikg:locatedInCountry kg:china . kg:named aikg:locatedInCountry kg:china .
          kg:unnamed aikg:locatedInCountry kg:china . }
g:page { kg:exception a aikg:Company ; rdfs:label "Exception"@en ;
             aikg:zhLabelStatus aikg:NoKnownChineseName .
         kg:named a aikg:Company ; rdfs:label "Named"@en , "有名"@zh .
         kg:unnamed a aikg:Company ; rdfs:label "Unnamed"@en . }
"""


def test_a_chinese_organization_without_a_name_or_a_curated_exception_is_reported() -> None:
    kg = open_graph("memory", bundled=False)
    kg.load(ontology.ONTOLOGY_FILE)
    kg.load(CHINESE_ORGANIZATIONS.encode(), format="trig")
    coverage = name_coverage(kg)
    assert coverage.chinese_total == 4
    assert coverage.chinese_from_tables_without_name == ["from-table"]  # its marker is no exception
    assert coverage.chinese_without_name == ["unnamed"]
    assert coverage.chinese_exceptions == ["exception"]


def test_core_entities_have_a_chinese_name_or_are_listed_exceptions(
        bundled: KnowledgeGraph) -> None:
    coverage = name_coverage(bundled)
    assert coverage.total > 150 and coverage.share >= CORE_CHINESE_NAME_FLOOR
    marked = values(bundled, "SELECT ?e WHERE { ?e aikg:zhLabelStatus aikg:NoKnownChineseName }")
    assert {ontology.KG + e for e, _, _ in coverage.exceptions} <= marked
    assert {"yanxi", "ruyi", "wanshi", "agentbuilder"} <= {e for e, _, _ in coverage.exceptions}


def test_each_giants_circle_lists_members_by_role_with_date_and_source(
        bundled: KnowledgeGraph) -> None:
    for giant in ("baidu", "alibaba", "tencent", "bytedance", "huawei"):
        roles = dict(circle_by_role(bundled, giant))
        members = [m for ms in roles.values() for m in ms]
        assert members and all(date and graph for _, _, date, graph, _ in members), giant
    assert {m[0] for m in dict(circle_by_role(bundled, "tencent"))["investee"]} >= {
        "moonshot", "stepfun", "baichuan", "minimax", "zhipu"}



SECONDARY_ONLY = """
@prefix aikg: <https://w3id.org/aikg/ontology#> . @prefix g: <https://w3id.org/aikg/graph/> .
@prefix kg: <https://w3id.org/aikg/id/> . @prefix schema: <https://schema.org/> .
g:blog { kg:m-users a aikg:MetricObservation ; schema:value 5 .
         kg:fund aikg:investsIn kg:startup . }
g:paper { kg:m-rank a aikg:MetricObservation ; schema:value 6 . }
g:sources { g:blog aikg:sourceGrade aikg:SecondarySource .
            g:paper aikg:sourceGrade aikg:PrimarySource . }
"""


def test_no_number_investment_or_acquisition_rests_on_secondary_sources_only(
        bundled: KnowledgeGraph) -> None:
    # The last two (the CAC's 302 services, Kimi's blended 12-13 yuan) went in the second review
    # (docs/reviews/2026-12-05-weak-facts.md): no page of their own was found.
    assert weakly_sourced(bundled) == []


def test_a_figure_or_investment_stated_by_a_secondary_page_only_is_reported() -> None:
    kg = open_graph("memory", bundled=False)
    kg.load(SECONDARY_ONLY.encode(), format="trig")
    assert {(kind, thing, graphs) for kind, thing, graphs in weakly_sourced(kg)} == {
        ("figure", "m-users", "blog"), ("investment", "fund -> startup", "blog")}
