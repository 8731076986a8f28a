"""Shared fixtures: the app and its clients, the CLI runner, a small graph and the bundled one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from graph import KnowledgeGraph, open_graph
from service import create_app
from service.cli import main
from tests.servers import oxigraph_server

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.trig"


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


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an Oxigraph server (``/query``, ``/update``) that unions its graphs."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph") as base:
        yield base


@pytest.fixture
def remote(endpoint: str) -> KnowledgeGraph:
    """A writable remote graph (:class:`graph.remote.RemoteGraph`) over an emptied endpoint."""
    kg = open_graph(endpoint + "/query", update_url=endpoint + "/update")
    kg.update("DROP ALL")
    return kg
