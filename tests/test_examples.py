"""Every example query in ontology/examples runs on the bundled graph and returns its answer."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

import ontology
from graph import KnowledgeGraph
from graph.examples import load_examples

# For each example: the columns compared, and the expected rows over those columns. Entities
# are given by id, relations by local name, graphs by slug, literals by their lexical form.
EXPECTED: dict[str, tuple[tuple[str, ...], set[tuple[str | None, ...]]]] = {
    "six-little-tigers": (("company", "model"), {
        ("zhipu", "glm"), ("moonshot", "kimi-model"), ("minimax", "abab"),
        ("minimax", "video-01"), ("baichuan", "baichuan-4"), ("stepfun", "step"), ("01ai", "yi"),
        ("baichuan", "baichuan-model"), ("minimax", "minimax-model"),
    }),
    "built-on-ernie": (("thing", "relation", "model"), {
        ("wen-xiaoyan", "poweredBy", "ernie"), ("baidu-wenku", "poweredBy", "ernie"),
        ("qianfan", "hostsModel", "ernie"),
    }),
    "doubao-daily-tokens": (("date", "value", "at_least"), {
        ("2024-05", "120000000000", None), ("2024-09", None, "1300000000000"),
    }),
    "free-models-2024": (("model", "offered_by", "free_from"), {
        ("ernie-speed", "baidu", "2024-05-21"), ("ernie-lite", "baidu", "2024-05-21"),
    }),
    "moonshot-investors": (("investor",), {
        ("alibaba",), ("tencent",), ("meituan",), ("capital-today",), ("gaorong",), ("monolith",),
        # the 2024 round (Pandaily) and the Series C of December 2025 (SCMP), eco-tigers.trig
        ("idg-capital",), ("source-code-capital",), ("sky9-capital",), ("bluerun-ventures",),
        ("xianghe-capital",), ("xiaohongshu",), ("china-merchants-venture",), ("funplus",),
        ("andon-health",), ("shunwei-capital",), ("5y-capital",), ("ggv-capital",),
    }),
    "giants-back-startups": (("giant", "startup", "via"), {
        ("alibaba", "moonshot", "alibaba"), ("alibaba", "minimax", "alibaba"),
        ("alibaba", "zhipu", "alibaba"), ("alibaba", "baichuan", "alibaba"),
        ("alibaba", "01ai", "alibaba-cloud"),
        ("tencent", "zhipu", "tencent"), ("tencent", "minimax", "tencent"),
        ("tencent", "baichuan", "tencent"), ("tencent", "moonshot", "tencent"),
        ("tencent", "stepfun", "tencent"),
        ("baidu", "baichuan", "baidu"),  # October 2023 round, eco-tigers.trig
    }),
    "conflicting-figures": (("observation", "source"), {
        ("m-cac-filings-2024-11", "article-2024-12-18-large-models-finals"),
        ("m-cac-filings-2024-12-31", "cac-2024-year-end-302"),
        ("m-kimi-cac", "article-2024-12-18-large-models-finals"),
        ("m-kimi-cac-blended", "reportify-1203307647483383808"),
    }),
    "baidu-circle": (("role", "member"), {
        ("developed", "ernie"), ("developed", "ernie-4-0"), ("developed", "ernie-4-0-tool"),
        ("developed", "ernie-4-0-turbo"), ("developed", "ernie-speed"),
        ("developed", "ernie-lite"), ("developed", "wen-xiaoyan"), ("developed", "baidu-wenku"),
        ("owned", "paddlepaddle"), ("owned", "qianfan"), ("owned", "appbuilder"),
        ("owned", "agentbuilder"), ("owned", "wenxin-agent-platform"), ("owned", "all-in-one"),
        ("owned", "kunlun"),
        # ERNIE 4.5 and X1 (March 2025), models-2025-2026.trig
        ("developed", "ernie-4-5"), ("developed", "ernie-x1"),
        # Baidu in Baichuan's October 2023 round (The Bamboo Works), eco-tigers.trig
        ("investee", "baichuan"),
    }),
}

# Examples whose answer grows as the ecosystems are researched: the rows above must be among
# the answer, which may hold more (a giant's partners, a startup's new backers).
GROWING = {"baidu-circle", "giants-back-startups", "moonshot-investors"}

EXAMPLES = {example.name: example for example in load_examples()}


def test_every_example_has_an_expected_answer_and_every_answer_an_example() -> None:
    assert set(EXAMPLES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_has_titles_and_a_description(name: str) -> None:
    example = EXAMPLES[name]
    assert example.title and example.title_zh and len(example.description) > 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_returns_its_expected_answer(bundled: KnowledgeGraph, name: str) -> None:
    columns, expected = EXPECTED[name]
    result = bundled.query(EXAMPLES[name].sparql)
    index = [result.variables.index(column) for column in columns]
    got = {tuple(_value(row[i]) for i in index) for row in result.rows}
    if name in GROWING:
        assert expected <= got, expected - got
    else:
        assert got == expected


def test_doubao_tokens_name_every_source_that_states_them(bundled: KnowledgeGraph) -> None:
    result = bundled.query(EXAMPLES["doubao-daily-tokens"].sparql)
    sources = {_value(row[0]): set(row[result.variables.index("sources")].value.split())
               for row in result.rows}
    article = ontology.GRAPH + "article-2024-12-18-large-models-finals"
    assert sources["2024-05"] >= {article, ontology.GRAPH + "aicnews-17951"}
    assert sources["2024-09"] >= {article, ontology.GRAPH + "aicnews-17951"}


def _value(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        for namespace in (ontology.KG, ontology.AIKG, ontology.GRAPH):
            if term.value.startswith(namespace):
                return term.value[len(namespace):]
        return term.value
    assert isinstance(term, Literal)
    return term.value
