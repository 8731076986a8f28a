"""One store boundary: every backend (memory, disk, a remote SPARQL endpoint) behind the same
KnowledgeGraph, saying what it can do; nothing outside graph/store touches pyoxigraph's Store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from graph import KnowledgeGraph, open_graph
from graph.errors import Unsupported, ValidationFailed
from graph.rdf.shapes import require_valid_graphs
from graph.store import Capabilities
from tests.conftest import SMALL

ROOT = Path(__file__).resolve().parent.parent
KG = "https://w3id.org/aikg/id/"
SOURCE = NamedNode("https://w3id.org/aikg/graph/test-source")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _store_users(folder: str) -> list[str]:
    """Modules that import pyoxigraph's Store or read a graph's ``.store``."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith("graph/store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph" and any(
                    a.name == "Store" for a in node.names):
                found.append(f"{name}:{node.lineno} imports Store")
            elif isinstance(node, ast.Attribute) and node.attr == "store" and isinstance(
                    node.value, ast.Name) and node.value.id in ("kg", "graph", "copy"):
                found.append(f"{name}:{node.lineno} reads {node.value.id}.store")
    return found


@pytest.mark.parametrize("folder", ["graph", "service"])
def test_nothing_outside_the_store_package_touches_the_engine(folder: str) -> None:
    assert _store_users(folder) == []


def test_each_backend_says_what_it_can_do(tmp_path: Path, remote: KnowledgeGraph) -> None:
    memory, disk = open_graph("memory", bundled=False), open_graph(str(tmp_path), bundled=False)
    kinds = {kg.capabilities.kind: kg.capabilities for kg in (memory, disk, remote)}
    assert kinds == {
        "memory": Capabilities("memory", local=True, fork_copies=True, checkpoints=False),
        "disk": Capabilities("disk", local=True, fork_copies=False, checkpoints=True),
        "remote": Capabilities("remote", local=False, fork_copies=False, checkpoints=False),
    }
    with pytest.raises(Unsupported):
        remote.checkpoint(str(tmp_path / "copy"))


def test_a_remote_graph_stands_in_for_a_local_one(small_graph: KnowledgeGraph,
                                                  remote: KnowledgeGraph) -> None:
    remote.load(SMALL)
    assert isinstance(remote, KnowledgeGraph)
    alpha = NamedNode(KG + "alpha")
    for pattern in ({"subject": alpha}, {"graph": SOURCE}, {"subject": alpha, "graph": SOURCE}):
        local, far = small_graph.quads(**pattern), remote.quads(**pattern)
        assert sorted(map(str, far)) == sorted(map(str, local)), pattern
    union = sorted(str(q.triple) for q in remote.quads(alpha, graph=DefaultGraph()))
    assert union == sorted({str(q.triple) for q in small_graph.quads(alpha)})
    assert remote.contains_named_graph(SOURCE) and small_graph.contains_named_graph(SOURCE)
    assert remote.named_graphs() == [g for g in small_graph.named_graphs()
                                     if small_graph.graph_sizes().get(g)]


def test_validation_reads_any_backend_through_its_quads(small_graph: KnowledgeGraph,
                                                        remote: KnowledgeGraph) -> None:
    remote.load(SMALL)
    untyped = Quad(NamedNode(KG + "newco"), LABEL, Literal("Newco", language="en"), SOURCE)
    for kg in (small_graph, remote):
        require_valid_graphs(kg)  # the small graph keeps to the shapes, wherever it is
        kg.add([untyped])
        with pytest.raises(ValidationFailed, match="type"):
            require_valid_graphs(kg, [SOURCE.value])
