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
        # Epoch AI's models in no curated family (its GLM models are versions of GLM)
        ("minimax", "minimax-m2"), ("moonshot", "kimi-explorer"), ("moonshot", "kimi-k1-5"),
        ("moonshot", "kimi-k2"), ("moonshot", "kimi-k2-thinking"), ("zhipu", "cogagent"),
        ("zhipu", "cogvlm-17b"),
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
    }),
    "giants-back-startups": (("giant", "startup", "via"), {
        ("alibaba", "moonshot", "alibaba"), ("alibaba", "minimax", "alibaba"),
        ("alibaba", "zhipu", "alibaba"), ("alibaba", "baichuan", "alibaba"),
        ("alibaba", "01ai", "alibaba-cloud"),
        ("tencent", "zhipu", "tencent"), ("tencent", "minimax", "tencent"),
        ("tencent", "baichuan", "tencent"), ("tencent", "moonshot", "tencent"),
        ("tencent", "stepfun", "tencent"),
    }),
    "conflicting-figures": (("observation", "source"), {
        ("m-cac-filings-2024-11", "article-2024-12-18-large-models-finals"),
        ("m-cac-filings-2024-12-31", "cac-2024-year-end-302"),
        ("m-kimi-cac", "article-2024-12-18-large-models-finals"),
        ("m-kimi-cac-blended", "reportify-1203307647483383808"),
    }),
    "family-tree": (("model", "based_on", "base_developers"), {
        ("nvlm-d-72b", "qwen2-72b", "Alibaba"), ("nvlm-h-72b", "qwen2-72b", "Alibaba"),
        ("nvlm-x-72b", "qwen2-72b", "Alibaba"), ("llava-ov-72b", "qwen2-72b", "Alibaba"),
    }),
    "baidu-circle": (("role", "member"), {
        ("developed", "ernie"), ("developed", "ernie-4-0"), ("developed", "ernie-4-0-tool"),
        ("developed", "ernie-4-0-turbo"), ("developed", "ernie-speed"),
        ("developed", "ernie-lite"), ("developed", "wen-xiaoyan"), ("developed", "baidu-wenku"),
        ("owned", "paddlepaddle"), ("owned", "qianfan"), ("owned", "appbuilder"),
        ("owned", "agentbuilder"), ("owned", "wenxin-agent-platform"), ("owned", "all-in-one"),
        ("owned", "kunlun"),
        # Epoch AI's models of Baidu
        ("developed", "dl-scaling-image"), ("developed", "dl-scaling-lm"),
        ("developed", "dl-scaling-speech"), ("developed", "ernie-3-0"),
        ("developed", "ernie-3-0-titan"), ("developed", "ernie-3-5"),
        ("developed", "ernie-4-5-vl-424b-a47b"), ("developed", "ernie-doc-247m"),
        ("developed", "ernie-gen-large"), ("developed", "ernie-vilg"), ("developed", "plato-xl"),
    }),
}

# Examples whose answers are too long to list: the columns compared, rows the answer must
# hold, and how many rows it has at least.
CONTAINS: dict[str, tuple[tuple[str, ...], set[tuple[str | None, ...]], int]] = {
    "models-per-country-year": (("country", "year", "models"), {
        ("china", "2025", "32"), ("united-states-of-america", "2025", "51"),
        ("china", "2024", "45"), ("korea-republic-of", "2025", "8"),
    }, 200),
    "chips-by-maker": (("maker", "chip", "models", "maker_models"), {
        ("nvidia", "nvidia-a100", "51", "261"), ("nvidia", "nvidia-h100-sxm5-80gb", "25", "261"),
        ("google", "google-tpu-v4", "28", "85"), ("huawei", "huawei-ascend-910b", "1", "3"),
        ("huawei", "ascend", "2", "3"), ("baidu", "kunlun", "1", "1"),
    }, 60),
    "chinese-models-2025": (("model", "developer"), {
        ("kimi-k2", "moonshot"), ("glm-4-6", "zhipu"), ("glm-4-6", "tsinghua"),
        ("qwen3-max", "alibaba"), ("deepseek-r1", "deepseek"), ("hunyuan-turbos", "tencent"),
        ("minimax-m2", "minimax"), ("doubao-1-5-pro", "bytedance"),
    }, 35),
}

EXAMPLES = {example.name: example for example in load_examples()}


def test_every_example_has_an_expected_answer_and_every_answer_an_example() -> None:
    assert set(EXAMPLES) == set(EXPECTED) | set(CONTAINS)
    assert not set(EXPECTED) & set(CONTAINS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_has_titles_and_a_description(name: str) -> None:
    example = EXAMPLES[name]
    assert example.title and example.title_zh and len(example.description) > 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_returns_its_expected_answer(bundled: KnowledgeGraph, name: str) -> None:
    columns, expected = EXPECTED[name]
    assert _answer(bundled, name, columns) == expected


@pytest.mark.parametrize("name", sorted(CONTAINS))
def test_long_example_answer_holds_the_expected_rows(bundled: KnowledgeGraph, name: str) -> None:
    columns, expected, at_least = CONTAINS[name]
    got = _answer(bundled, name, columns)
    assert expected <= got and len(got) >= at_least


def _answer(kg: KnowledgeGraph, name: str, columns: tuple[str, ...]) -> set[tuple]:
    result = kg.query(EXAMPLES[name].sparql)
    index = [result.variables.index(column) for column in columns]
    return {tuple(_value(row[i]) for i in index) for row in result.rows}


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
