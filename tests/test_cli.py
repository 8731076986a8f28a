"""The aikg command line: every command documents itself; query, validate, load and stats work."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from tests.conftest import SMALL

COMMANDS = ["serve", "query", "validate", "load", "stats", "dump", "restore"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Usage: main " + command in result.output or "Usage: aikg " + command in result.output


def test_query_prints_a_table(cli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert cli("load", SMALL, "--store", store).exit_code == 0
    result = cli("query", "--store", store,
                 "SELECT ?name WHERE { <https://w3id.org/aikg/id/alpha> "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].strip() == "name"
    assert lines[2:4] == ["Alpha AI", "阿尔法   "] or [x.strip() for x in lines[2:4]] == [
        "Alpha AI", "阿尔法"]
    assert lines[-1] == "(2 rows)"


def test_query_json_output_is_sparql_results(cli, tmp_path: Path) -> None:
    result = cli("query", "--format", "json", "ASK { ?s ?p ?o }")
    assert json.loads(result.output)["boolean"] in (True, False)


def test_query_reads_a_file_and_reports_syntax_errors(cli, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT * WHERE { ?s ?p }")
    result = cli("query", f"@{query}")
    assert result.exit_code == 1
    assert "Error:" in result.output and "1:" in result.output
    assert "Traceback" not in result.output


def test_validate_names_the_file_and_line_of_a_broken_file(cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \n")
    result = cli("validate", SMALL, broken)
    assert result.exit_code != 0
    assert f"ok: {SMALL}" in result.output
    assert f"{broken}:4" in result.output or f"{broken}:3" in result.output
    assert "1 of 2 files failed" in result.output


def test_load_into_a_directory_store_persists_and_stats_reports_it(cli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = cli("load", SMALL, "--store", store)
    assert result.exit_code == 0, result.output
    assert "triples in" in result.output
    stats = cli("stats", "--store", store)
    assert "https://w3id.org/aikg/graph/test-source" in stats.output


def test_failed_load_leaves_the_store_unchanged(cli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    cli("load", SMALL, "--store", store)
    before = cli("stats", "--store", store).output
    broken = tmp_path / "broken.nt"
    broken.write_text("<http://example.org/a> <http://example.org/b> .\n")
    result = cli("load", broken, "--store", store)
    assert result.exit_code == 1 and "broken.nt:1" in result.output
    del result  # its traceback holds the store open; a real command ends its process
    gc.collect()
    assert cli("stats", "--store", store).output == before
