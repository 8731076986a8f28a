"""Each row, name, hit and member once: the README's queries, the editor's first query, the
example queries, entity details, search, circles and exports; over a local store and over an
Oxigraph server whose union default graph repeats a triple once per graph that holds it."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from graph import KnowledgeGraph
from graph.rdf.terms import sparql_prefixes
from graph.sparql.examples import load_examples
from service.pages import EDITOR_PREFIXES, FIRST_QUERY
from tests.conftest import SMALL, SMALL_ONTOLOGY, SMALL_SOURCE

README = Path(__file__).parent.parent / "README.md"
COPY = "https://example.org/a-second-source"


def readme_queries() -> list[str]:
    """The SPARQL queries of the README: after ``query=`` in curl lines, and ``aikg query``."""
    text = README.read_text(encoding="utf-8")
    found = re.findall(r"query=\s*(.*?)'", text, re.S) + re.findall(r"aikg query '(.*?)'",
                                                                      text, re.S)
    return [q for q in found if "SELECT" in q]


def select_rows(client: FlaskClient, sparql: str) -> list[tuple]:
    response = client.post("/sparql", data={"query": sparql},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data[:300]
    answer = response.get_json()
    names = answer["head"]["vars"]
    return [tuple(row.get(n, {}).get("value") for n in names)
            for row in answer["results"]["bindings"]]


def repeated(values: list) -> list:
    return [value for value, n in Counter(values).items() if n > 1]


@pytest.fixture(scope="module")
def bundled_client() -> FlaskClient:
    from service import create_app
    return create_app({"TESTING": True, "QUERY_WORKERS": 0}).test_client()


def test_the_readme_has_the_queries_this_file_checks() -> None:
    assert len(readme_queries()) >= 3


@pytest.mark.parametrize("number", range(3))
def test_each_readme_query_gives_each_row_once(bundled_client: FlaskClient, number: int) -> None:
    rows = select_rows(bundled_client, readme_queries()[number])
    assert rows and not repeated(rows)


def test_the_six_little_tigers_are_six_rows(bundled_client: FlaskClient) -> None:
    tigers = next(q for q in readme_queries() if "six-little-tigers" in q)
    rows = select_rows(bundled_client, tigers)
    assert len(rows) == len({company for company, _ in rows}) == 6


def test_the_editors_first_query_gives_each_company_once(bundled_client: FlaskClient) -> None:
    rows = select_rows(bundled_client, sparql_prefixes(*EDITOR_PREFIXES) + "\n" + FIRST_QUERY)
    assert rows and not repeated(rows)
    assert sum(1 for company, _, _ in rows if company.endswith("/alibaba")) == 1


@pytest.mark.parametrize("example", load_examples(), ids=lambda ex: ex.name)
def test_each_example_query_gives_each_row_once(bundled_client: FlaskClient, example) -> None:
    rows = select_rows(bundled_client, example.sparql)
    assert rows and not repeated(rows)


def test_entity_details_list_each_name_and_statement_once(bundled_client: FlaskClient) -> None:
    entity = bundled_client.get("/api/entities/alibaba").get_json()["data"]
    assert entity["labels"]["en"] == ["Alibaba"]
    assert_entity_has_no_repeats(entity)


def test_search_circle_and_exports_list_each_item_once(bundled_client: FlaskClient) -> None:
    hits = bundled_client.get("/api/entities?q=a&limit=200").get_json()["data"]
    assert hits and not repeated([hit["id"] for hit in hits])
    circle = bundled_client.get("/api/entities/alibaba/circle?depth=2").get_json()["data"]
    for group in circle["groups"]:
        assert not repeated([member["id"] for member in group["members"]]), group["key"]
    lines = bundled_client.get("/export?format=ntriples").get_data(as_text=True).splitlines()
    assert lines and not repeated(lines)
    table = bundled_client.get("/api/entities/alibaba/circle?depth=2&format=table")
    rows = list(csv.reader(io.StringIO(table.get_data(as_text=True))))
    assert len(rows) > 1 and not repeated([tuple(row) for row in rows])


def assert_entity_has_no_repeats(entity: dict) -> None:
    for names in (*entity["labels"].values(), *entity["alt_labels"].values()):
        assert not repeated(names)
    for way, found in entity["relations"].items():
        assert not repeated([(r["relation"]["iri"], r["node"]["iri"]) for r in found]), way
    assert not repeated([(p["property"]["iri"], str(p["value"])) for p in entity["properties"]])
    assert not repeated([t["iri"] for t in entity["types"]])


# -- a remote store whose union repeats ------------------------------------------------------


@pytest.fixture
def doubled_remote(remote: KnowledgeGraph, endpoint: str, make_client) -> FlaskClient:
    """The small ecosystem on the Oxigraph server, its source graph held twice (under a second
    name) and each English label stated as skos:prefLabel too."""
    for path in (SMALL, SMALL_ONTOLOGY):
        remote.load(path)
    remote.update(f"ADD <{SMALL_SOURCE}> TO <{COPY}> ; "
                  "INSERT { GRAPH <" + COPY + "> { ?x <http://www.w3.org/2004/02/skos/core#"
                  "prefLabel> ?l } } WHERE { GRAPH <" + SMALL_SOURCE + "> { ?x "
                  "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'en') } }")
    return make_client(store=endpoint + "/query")


def test_the_oxigraph_server_repeats_a_triple_per_graph(doubled_remote, remote) -> None:
    """What the next test guards against: the server's union is not a set."""
    rows = remote.query("SELECT ?o WHERE { <https://w3id.org/aikg/id/vc> "
                        "<https://w3id.org/aikg/ontology#investsIn> ?o }").rows
    assert len(rows) == 2 * len(set(rows))


def test_answers_over_a_remote_store_with_a_repeating_union_list_each_item_once(
        doubled_remote: FlaskClient, ecosystem_client: FlaskClient) -> None:
    entity = doubled_remote.get("/api/entities/alpha").get_json()["data"]
    assert_entity_has_no_repeats(entity)
    local = ecosystem_client.get("/api/entities/alpha").get_json()["data"]
    assert entity["labels"] == local["labels"] and entity["label_en"] == local["label_en"]
    for url in ("/api/entities/alpha/neighbors", "/api/entities/vc/neighbors"):
        found = doubled_remote.get(url).get_json()["data"]
        expected = ecosystem_client.get(url).get_json()["data"]
        keys = [(n["node"]["id"], n["predicate"], n["direction"]) for n in found]
        assert not repeated(keys)
        assert sorted(keys) == sorted((n["node"]["id"], n["predicate"], n["direction"])
                                      for n in expected)
        assert all(COPY in n["sources"] for n in found)  # both graphs named, as one edge
    circle = doubled_remote.get("/api/entities/vc/circle?depth=3").get_json()["data"]
    for group in circle["groups"]:
        assert not repeated([member["id"] for member in group["members"]])
    assert circle["size"] == ecosystem_client.get(
        "/api/entities/vc/circle?depth=3").get_json()["data"]["size"]
    hits = doubled_remote.get("/api/entities?q=alpha").get_json()["data"]
    assert hits and not repeated([hit["id"] for hit in hits])
    lines = doubled_remote.get("/store?default", headers={"Accept": "application/n-triples"})
    assert lines.status_code == 200
    assert not repeated([line for line in lines.get_data(as_text=True).splitlines() if line])


def test_the_cli_prints_each_readme_row_once(cli) -> None:
    tigers = next(q for q in readme_queries() if "six-little-tigers" in q)
    result = cli("query", tigers, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines()[1:] if line]
    assert len(rows) == len(set(rows)) == 6
    exported = cli("export", "--format", "ntriples", "-o", "-")  # the graphs merged
    assert exported.exit_code == 0, exported.output[-300:]
    lines = [line for line in exported.output.splitlines() if line]
    assert lines and not repeated(lines)
