"""Backups: ``aikg dump`` writes every quad, ``aikg restore`` recreates the store exactly."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset

from graph import BadInput, Unsupported, open_graph
from graph.store.backup import dump
from tests.conftest import SMALL

pytestmark = pytest.mark.slow  # every test dumps or restores a whole store

G = "https://example.org/graph/"
#: Blank nodes and a triple in the store's own default graph: the hard parts of a round trip.
EXTRA = f"""
<{G}shapes> {{ <{G}shape> <{G}property> [ <{G}path> <{G}name> ; <{G}min> 1 ] . }}
<{G}default-subject> <{G}p> "in the default graph"@en .
"""


def canonical(location: Path) -> Dataset:
    """Every quad of a closed store, blank nodes canonicalized; the store is closed again."""
    kg = open_graph(str(location), bundled=False)
    dataset = Dataset(kg.backend.store)
    del kg
    gc.collect()
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


@pytest.fixture
def original(tmp_path: Path) -> Path:
    """A closed store with the small graph, blank nodes, a default-graph triple and a deletion."""
    location = tmp_path / "original"
    kg = open_graph(str(location))
    kg.load(SMALL)
    kg.load(EXTRA.encode(), format="trig")
    kg.update("DELETE DATA { GRAPH <https://w3id.org/aikg/graph/test-source> { "
              "<https://w3id.org/aikg/id/vc> <https://w3id.org/aikg/ontology#investsIn> "
              "<https://w3id.org/aikg/id/beta> } }")
    del kg
    gc.collect()
    return location


@pytest.mark.parametrize("name", ["backup.nq", "backup.trig", "backup.nq.gz"])
def test_dump_then_restore_gives_the_same_quads(cli, original: Path, tmp_path: Path,
                                                name: str) -> None:
    backup, copy = tmp_path / name, tmp_path / "copy"
    dumped = cli("dump", "--store", original, "-o", backup)
    assert dumped.exit_code == 0, dumped.output
    restored = cli("restore", backup, "--store", copy)
    assert restored.exit_code == 0, restored.output
    copied = canonical(copy)
    assert copied == canonical(original)
    statements = {(q.subject.value, q.predicate.value, q.object.value) for q in copied}
    assert (f"{G}default-subject", f"{G}p", "in the default graph") in statements
    assert ("https://w3id.org/aikg/id/vc", "https://w3id.org/aikg/ontology#investsIn",
            "https://w3id.org/aikg/id/beta") not in statements


def test_restore_refuses_a_store_that_holds_anything(cli, original: Path, tmp_path) -> None:
    backup = tmp_path / "backup.nq"
    cli("dump", "--store", original, "-o", backup)
    before = canonical(original)
    refused = cli("restore", backup, "--store", original)
    assert refused.exit_code == 1 and "is not empty" in refused.output
    del refused  # its traceback holds the store open
    gc.collect()
    assert canonical(original) == before


def test_dump_refuses_syntaxes_without_graphs_and_remote_stores(original: Path, tmp_path,
                                                                endpoint: str) -> None:
    kg = open_graph(str(original))
    with pytest.raises(BadInput, match="use nquads or trig"):
        dump(kg, tmp_path / "backup.ttl")
    with pytest.raises(Unsupported, match="with its own tools"):
        dump(open_graph(endpoint + "/query"), tmp_path / "backup.nq")
