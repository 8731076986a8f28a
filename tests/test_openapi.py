"""The OpenAPI document is valid, describes every route, and the API keeps to it under fuzzing."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from service import create_app
from tests.conftest import ecosystem_store

# schemathesis's pytest plugin, loaded by the modules that use it (pyproject.toml turns off its
# loading by entry point).
pytest_plugins = ["schemathesis.pytest.plugin"]


@pytest.fixture(scope="module")
def openapi_schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    """The document of one app on the small ecosystem, for the fuzzer."""
    app = create_app({"TESTING": True,
                      "STORE": ecosystem_store(tmp_path_factory.mktemp("openapi"))})
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


# The /api routes with every check; the whole document (SPARQL, Graph Store...) in test_fuzz.py.
# Cases are generated when the test runs (from the fixture), not when the tests are collected.
schema = schemathesis.pytest.from_fixture("openapi_schema").include(path_regex="^/api/")


def test_the_document_is_valid_openapi_3_1(ecosystem_client):
    # Imported here: openapi_spec_validator (with pydantic) costs about 0.1 s, which every
    # collection of the tests paid while one test uses it.
    from openapi_spec_validator import validate

    spec = ecosystem_client.get("/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_every_route_is_described(ecosystem_app, ecosystem_client):
    described = set(ecosystem_client.get("/openapi.json").get_json()["paths"])
    mine = {str(rule).replace("<entity_id>", "{id}") for rule in ecosystem_app.url_map.iter_rules()
            if rule.endpoint.startswith(("api.", "openapi."))}
    assert mine <= described


def test_parameters_list_the_values_of_the_graph(ecosystem_client):
    spec = ecosystem_client.get("/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/entities/{id}/circle"]["get"][
        "parameters"]}
    assert "investsIn" in params["relation"]["schema"]["items"]["enum"]
    assert "investor" in params["role"]["schema"]["items"]["enum"]


def test_docs_page_works_offline(ecosystem_client):
    page = ecosystem_client.get("/docs").get_data(as_text=True)
    assert "/openapi.json" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from elsewhere


@pytest.mark.slow
@pytest.mark.usefixtures("schemathesis_node_id")
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_keeps_to_its_document(case):
    case.call_and_validate()


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
