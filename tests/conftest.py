"""Shared fixtures: the app and its clients, the CLI runner, a small graph and the bundled one."""

from __future__ import annotations

import gc
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


#: Fixtures that start a real server process (aikg serve, Oxigraph) or drive Chromium: the tests
#: that use one get the ``server`` or ``browser`` marker. Tests that start a server in their body
#: carry ``@pytest.mark.server`` themselves.
SERVER_FIXTURES = frozenset({"endpoint", "server", "live_server", "hub_server", "service"})
BROWSER_FIXTURES = frozenset({"browser", "page"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that use a server or a browser; both are ``slow`` too (make test-fast)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("server") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


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


#: Apps that the tests are done with, between two full garbage collections.
APPS_PER_COLLECTION = 8


@pytest.fixture(scope="session")
def reclaim_apps() -> Callable[[int], None]:
    """``reclaim_apps(n)``: n more apps are done with; every :data:`APPS_PER_COLLECTION`
    apps, give the garbage collector back what their graphs froze, and collect.

    Building a projection ends with ``gc.freeze()`` (graph.network.projection), which moves
    every object alive at that moment out of the collector's reach for good: in a server,
    one graph for its life; here, each test's app and graph (25 MB or more), again at every
    build. A full collection takes a few tenths of a second, hence one per several apps.
    """
    done = 0

    def reclaim(apps: int) -> None:
        nonlocal done
        done += apps
        if done >= APPS_PER_COLLECTION:
            done = 0
            gc.unfreeze()
            gc.collect()

    return reclaim


@pytest.fixture
def make_app(tmp_path: Path, reclaim_apps: Callable[[int], None]
             ) -> Iterator[Callable[..., Flask]]:
    """A factory of apps over a fresh store; keyword settings override the test defaults.
    The apps' query worker processes are stopped when the test ends."""
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        config = {"TESTING": True, "STORE": "memory"}
        config.update({k.upper(): v for k, v in settings.items()})
        made.append(create_app(config))
        return made[-1]

    yield make
    for app in made:
        app.extensions["aikg.executor"].close()
    reclaim_apps(len(made))


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


def ecosystem_store(folder: Path, *extra: Path) -> str:
    """An on-disk store in ``folder`` holding only the small ecosystem, its ontology and the
    ``extra`` files."""
    location = str(folder / "ecosystem-store")
    kg = open_graph(location, bundled=False)
    for path in (SMALL, SMALL_ONTOLOGY, *extra):
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


@pytest.fixture
def schemathesis_node_id(request: pytest.FixtureRequest) -> None:
    """The attribute ``_nodeid`` that schemathesis (4.32) reads from a test whose schema comes
    from a fixture (``schemathesis.pytest.from_fixture``): pytest 9.2 keeps a node's id
    elsewhere. Use it with ``@pytest.mark.usefixtures("schemathesis_node_id")``."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


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


@pytest.fixture
def serve_remote(remote: KnowledgeGraph, endpoint: str,
                 make_client: Callable[..., FlaskClient]) -> Callable[..., FlaskClient]:
    """``serve_remote(*extra)``: a client of the service over the :func:`remote` store, once the
    small ecosystem, its ontology and the ``extra`` files are loaded into it."""
    def serve(*extra: Path) -> FlaskClient:
        for path in (SMALL, SMALL_ONTOLOGY, *extra):
            remote.load(path)
        return make_client(store=endpoint + "/query")
    return serve
