"""Shared fixtures: the app and its clients, the CLI runner, a small graph and the bundled one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import parse

from graph import KnowledgeGraph, open_graph
from graph.rdf.formats import syntax_for_path
from service import create_app
from service.cli import main
from tests.servers import oxigraph_server

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.trig"


def quads_by_graph(path: Path) -> dict[str, int]:
    """The statements of an RDF file per named graph, counted with pyoxigraph's parser."""
    counts: dict[str, int] = {}
    for quad in parse(path=path, format=syntax_for_path(path).oxigraph):
        name = getattr(quad.graph_name, "value", "")
        counts[name] = counts.get(name, 0) + 1
    return counts


#: The test graph's statements per named graph: its source graph and the sources graph.
SMALL_SIZES = quads_by_graph(SMALL)
SMALL_QUADS = sum(SMALL_SIZES.values())
SMALL_SOURCE = "https://w3id.org/aikg/graph/test-source"
SMALL_ONTOLOGY = DATA / "small-ontology.ttl"


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """A factory of apps over a fresh store; keyword settings override the test defaults."""

    def make(**settings: object) -> Flask:
        config = {"TESTING": True, "STORE": "memory"}
        config.update({k.upper(): v for k, v in settings.items()})
        return create_app(config)

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_client(make_app: Callable[..., Flask]) -> Callable[..., FlaskClient]:
    """``make_client(token="t", max_rows=2)``: a client of an app with those settings."""
    return lambda **settings: make_app(**settings).test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner) -> Callable[..., object]:
    """Run ``aikg`` with arguments and return click's result."""
    return lambda *args, **kwargs: runner.invoke(main, [str(a) for a in args], **kwargs)


@pytest.fixture
def small_graph() -> KnowledgeGraph:
    """The seven-entity ecosystem of ``tests/data/small.trig``, without the bundled files."""
    kg = open_graph("memory", bundled=False)
    kg.load(SMALL)
    return kg


@pytest.fixture(scope="session")
def bundled() -> KnowledgeGraph:
    """The real bundled graph of ``ontology/``, loaded once per session. Never write to it."""
    return open_graph("memory")


@pytest.fixture
def ecosystem() -> KnowledgeGraph:
    """The small graph with the ontology that declares its ecosystem relations and roles."""
    kg = open_graph("memory", bundled=False)
    kg.load(SMALL)
    kg.load(SMALL_ONTOLOGY)
    return kg


def ecosystem_store(folder: Path) -> str:
    """An on-disk store in ``folder`` holding only the small ecosystem and its ontology."""
    location = str(folder / "ecosystem-store")
    kg = open_graph(location, bundled=False)
    for path in (SMALL, SMALL_ONTOLOGY):
        kg.load(path)
    del kg  # release the store's lock for the app that opens it next
    return location


@pytest.fixture
def ecosystem_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app serving the small ecosystem alone (an on-disk store that is not empty gets no
    bundled files)."""
    return make_app(store=ecosystem_store(tmp_path))


@pytest.fixture
def ecosystem_client(ecosystem_app: Flask) -> FlaskClient:
    return ecosystem_app.test_client()


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an Oxigraph server (``/query``, ``/update``) that unions its graphs."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph") as base:
        yield base


@pytest.fixture
def remote(endpoint: str) -> KnowledgeGraph:
    """A writable remote graph (:class:`graph.store.remote.RemoteGraph`) over an emptied
    endpoint."""
    kg = open_graph(endpoint + "/query", update_url=endpoint + "/update")
    kg.update("DROP ALL")
    return kg
