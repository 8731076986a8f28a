"""What a fact-check of the curated data found wrong stays fixed, each fix with its evidence.

Each test states the corrected fact as a user would query it, and that the wrong one is gone.
The sources are named by the graph that states the fact (see docs/ontology.md, "How a fact is
checked before it goes in").
"""

from __future__ import annotations

import ontology
from graph import KnowledgeGraph

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
    assert graphs_stating(bundled, "kg:pangu-sigma schema:datePublished ?d") == {
        "arxiv-2303-10845"}


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
    assert set(by_round) == {"round-moonshot-2024-02", "round-moonshot-2024-08"}
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
