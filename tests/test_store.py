"""The graph core: loading (atomic, with clear errors), querying, updating, versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from graph import DEFAULT_GRAPH, BadInput, ParseError, open_graph
from graph.errors import ReadOnly
from graph.store import KnowledgeGraph

KG = "https://w3id.org/aikg/id/"
G = "https://example.org/graph/"
TRIPLE = f"<{KG}a> <{KG}p> <{KG}b> .\n"

SAMPLES = {
    "ttl": f"@prefix kg: <{KG}> .\nkg:a kg:p kg:b .\n",
    "nt": TRIPLE,
    "nq": f"<{KG}a> <{KG}p> <{KG}b> <{G}q> .\n",
    "trig": f"@prefix kg: <{KG}> .\n<{G}q> {{ kg:a kg:p kg:b . }}\n",
    "jsonld": f'{{"@id": "{KG}a", "{KG}p": {{"@id": "{KG}b"}}}}',
    "rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:kg="{KG}"><rdf:Description rdf:about="{KG}a">'
        f'<kg:p rdf:resource="{KG}b"/></rdf:Description></rdf:RDF>'
    ),
}


@pytest.fixture
def empty() -> KnowledgeGraph:
    return open_graph("memory", bundled=False)


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
def test_every_rdf_syntax_loads_from_a_file(empty, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sample.{suffix}"
    path.write_text(SAMPLES[suffix], encoding="utf-8")
    report = empty.load(path)
    assert report.triples == 1
    assert empty.ask(f"ASK {{ <{KG}a> <{KG}p> <{KG}b> }}")


def test_triples_file_goes_into_a_named_graph_after_its_name(empty, tmp_path: Path) -> None:
    path = tmp_path / "moonshot-facts.nt"
    path.write_text(TRIPLE)
    empty.load(path)
    assert empty.named_graphs() == ["https://w3id.org/aikg/graph/moonshot-facts"]


def test_default_graph_of_a_query_is_the_union_of_named_graphs(empty) -> None:
    empty.load(TRIPLE.encode(), format="nt", graph=G + "one")
    empty.load(f"<{KG}b> <{KG}p> <{KG}c> .".encode(), format="nt", graph=G + "two")
    rows = empty.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s").rows
    assert [r[0].value for r in rows] == [KG + "a", KG + "b"]


def test_dataset_can_be_restricted_to_one_graph(empty) -> None:
    empty.load(TRIPLE.encode(), format="nt", graph=G + "one")
    empty.load(f"<{KG}b> <{KG}p> <{KG}c> .".encode(), format="nt", graph=G + "two")
    rows = empty.query("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[G + "two"]).rows
    assert [r[0].value for r in rows] == [KG + "b"]


def test_syntax_error_names_file_line_and_column_and_changes_nothing(empty, tmp_path) -> None:
    empty.load(TRIPLE.encode(), format="nt", graph=G + "one")
    count, version = len(empty), empty.version
    bad = tmp_path / "broken.nt"
    bad.write_text(TRIPLE * 3 + f'<{KG}x> <{KG}p> "unterminated .\n' + TRIPLE)
    with pytest.raises(ParseError) as caught:
        empty.load(bad, graph=G + "two")
    assert caught.value.source == str(bad)
    assert caught.value.line == 4
    assert caught.value.column is not None
    assert "broken.nt:4:" in str(caught.value)
    assert (len(empty), empty.version) == (count, version)
    assert empty.named_graphs() == [G + "one"]


def test_bulk_load_checks_the_whole_file_before_writing(tmp_path: Path) -> None:
    kg = open_graph(str(tmp_path / "store"), bundled=False)
    bad = tmp_path / "big.nt"
    bad.write_text(TRIPLE * 100 + "not a triple\n")
    with pytest.raises(ParseError):
        kg.load(bad, graph=G + "one", bulk=True)
    assert len(kg) == 0 and kg.version == 0
    good = tmp_path / "good.nt.gz"
    import gzip

    good.write_bytes(gzip.compress(TRIPLE.encode()))
    assert kg.load(good, graph=G + "one", bulk=True).triples == 1


def test_quads_file_keeps_its_graphs_and_puts_its_default_graph_in_the_target(
        empty, tmp_path: Path) -> None:
    path = tmp_path / "x.trig"
    path.write_text(SAMPLES["trig"] + "\n<http://example.org/d> <http://example.org/p> 1 .")
    empty.load(path, graph=G + "other")
    assert empty.named_graphs() == [G + "other", G + "q"]


def test_every_committed_write_bumps_the_version_and_notifies(empty) -> None:
    seen: list[int] = []
    empty.on_commit(lambda kg: seen.append(kg.version))
    empty.load(TRIPLE.encode(), format="nt", graph=DEFAULT_GRAPH)
    empty.update(f"INSERT DATA {{ GRAPH <{G}u> {{ <{KG}a> <{KG}p> <{KG}c> }} }}")
    assert seen == [1, 2] and empty.version == 2
    assert len(empty) == 2


def test_failed_update_changes_nothing(empty) -> None:
    empty.load(TRIPLE.encode(), format="nt", graph=G + "one")
    with pytest.raises(ParseError):
        empty.update("INSERT DATA { <a> <b> ")
    assert (len(empty), empty.version) == (1, 1)


def test_substitutions_bind_values_instead_of_pasting_them(empty) -> None:
    empty.load(TRIPLE.encode(), format="nt", graph=G + "one")
    result = empty.query("SELECT ?s ?o WHERE { ?s ?p ?o }",
                         substitutions={"s": NamedNode(KG + "a")})
    assert [r[1].value for r in result.rows] == [KG + "b"]
    hostile = Literal('b" } } ; DROP ALL ; SELECT * { ?s ?p "')
    assert empty.query("SELECT ?s ?o WHERE { ?s ?p ?o }", substitutions={"o": hostile}).rows == []
    assert len(empty) == 1


def test_row_cap_cuts_the_result_and_says_so(empty) -> None:
    data = "".join(f"<{KG}a> <{KG}p> <{KG}n{i}> .\n" for i in range(5))
    empty.load(data.encode(), format="nt", graph=G + "one")
    result = empty.query("SELECT ?o WHERE { ?s ?p ?o }", max_rows=3)
    assert len(result) == 3 and result.truncated
    assert '"aikg:truncated": true' in result.to_json()


def test_malformed_query_is_a_parse_error_with_a_position(empty) -> None:
    with pytest.raises(ParseError, match="1:"):
        empty.query("SELECT ?s WHERE { ?s ?p ")


def test_unknown_format_is_a_clear_error(empty) -> None:
    with pytest.raises(BadInput, match="unknown RDF format"):
        empty.load(b"", format="yaml", graph=G)


def test_read_only_graph_refuses_writes(empty) -> None:
    empty.read_only = True
    with pytest.raises(ReadOnly):
        empty.update("CLEAR ALL")


def test_on_disk_store_keeps_data_and_loads_bundled_files_once(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    kg = open_graph(location)
    bundled_count = len(kg)
    kg.load(TRIPLE.encode(), format="nt", graph=G + "mine")
    del kg
    import gc

    gc.collect()
    again = open_graph(location)
    assert len(again) == bundled_count + 1
