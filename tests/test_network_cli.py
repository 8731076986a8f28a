"""``aikg circle``, ``aikg path`` and ``aikg rank`` over an on-disk store of the small ecosystem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ecosystem_store


@pytest.fixture
def store(tmp_path: Path) -> str:
    return ecosystem_store(tmp_path)


def test_circle_prints_members_by_role_with_their_hops(cli, store):
    result = cli("circle", "alpha", "--depth", "2", "--store", store)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Alpha AI: 5 members"
    assert any(line.startswith("product ") and "alpha-1 <-poweredBy- app" in line
               for line in lines)


def test_circle_as_json_is_the_api_shape(cli, store):
    result = cli("circle", "alpha", "--relation", "investsIn", "--format", "json",
                 "--store", store)
    circle = json.loads(result.output)
    assert [g["key"] for g in circle["groups"]] == ["investor"]
    assert circle["groups"][0]["members"][0]["id"] == "vc"


def test_path_prints_each_hop_with_its_source(cli, store):
    result = cli("path", "app", "beta", "--max-length", "6", "--store", store)
    assert result.exit_code == 0, result.output
    assert "alpha <- investsIn <- vc   [test-source]" in result.output


def test_rank_lists_the_most_central_first(cli, store):
    result = cli("rank", "--metric", "betweenness", "--type", "Company", "--store", store)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2].split()[:3] == ["1", "0.7333", "alpha"]


def test_unknown_id_is_one_line_with_suggestions(cli, store):
    result = cli("circle", "alpah", "--store", store)
    assert result.exit_code == 1
    assert "did you mean: alpha" in result.output


def test_depth_is_bounded(cli, store):
    assert cli("circle", "alpha", "--depth", "4", "--store", store).exit_code == 2
