"""``aikg import`` and ``POST /import``: the same import from the command line and over HTTP."""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path

import pytest

import ontology
from tests.conftest import DATA

TABLE = DATA / "models.csv"
MAPPING = DATA / "models.csv-metadata.json"
TOKEN = "import-test-token"
BAD_ROW = b"Bad,Baidu,2024-02-02,lots,,,,,\n"


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_import_prints_the_report_and_keeps_the_data(cli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = cli("import", TABLE, "--mapping", MAPPING, "--store", store)
    assert result.exit_code == 0, result.output
    assert "7 rows" in result.output and "written" in result.output
    assert "organization: 5 merged, 2 created, 0 unresolved" in result.output
    gc.collect()  # the first run's store is still open in this process; a real command exits
    again = cli("import", TABLE, "--mapping", MAPPING, "--store", store, "--format", "json")
    assert json.loads(again.output)["unchanged"] is True


@pytest.mark.slow
def test_cli_dry_run_prints_json(cli) -> None:
    result = cli("import", TABLE, "--mapping", MAPPING, "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dry_run"] and not report["written"]
    assert report["merged"]["model"]["Ernie 4.0 Turbo"] == "kg:ernie-4-0-turbo"


@pytest.mark.slow
def test_cli_reads_the_table_from_stdin(cli) -> None:
    result = cli("import", "-", "--mapping", MAPPING, "--dry-run", input=TABLE.read_bytes())
    assert result.exit_code == 0, result.output
    # How many statements depends on what the bundled graph already knows (Kimi k1.5 is curated
    # now); reading stdin must give exactly what reading the file gives.
    from_file = cli("import", TABLE, "--mapping", MAPPING, "--dry-run")
    assert result.output.startswith("7 rows, ")
    assert result.output.splitlines()[0] == from_file.output.splitlines()[0]


def test_cli_bad_row_exits_1_naming_row_and_column(cli, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_bytes(TABLE.read_bytes() + BAD_ROW)
    result = cli("import", table, "--mapping", MAPPING, "--dry-run")
    assert result.exit_code == 1
    assert "Error: row 9, column Parameters:" in result.output
    assert "Traceback" not in result.output


def test_cli_unknown_mapping_is_an_error_listing_the_bundled_ones(cli) -> None:
    result = cli("import", TABLE, "--mapping", "no-such-mapping", "--dry-run")
    assert result.exit_code == 1 and "epoch-notable-ai-models" in result.output


# -- HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
def writer(make_client):
    return make_client(token=TOKEN)


def post(client, token: str | None = TOKEN, **fields: object):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = {"table": (TABLE.open("rb"), "models.csv"),
            "mapping": (MAPPING.open("rb"), "models.csv-metadata.json"), **fields}
    return client.post("/import", data=data, headers=headers,
                       content_type="multipart/form-data")


@pytest.mark.slow
def test_http_import_with_the_token_returns_the_report(writer) -> None:
    response = post(writer)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["written"] and report["graph"] == ontology.GRAPH + "test-models"
    assert report["created"]["organization"]["Aurora Labs"] == "kg:aurora-labs"
    assert post(writer).get_json()["unchanged"] is True


def test_http_import_takes_a_csv_body_and_a_bundled_mapping_name(writer) -> None:
    response = writer.post("/import?mapping=epoch-notable-ai-models&dry_run=1",
                           data=b"Model,Organization\nX,Y\n", content_type="text/csv",
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400
    assert "has no column 'Publication date'" in response.get_json()["error"]


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("wrong", 401)])
def test_http_import_without_the_right_token_is_refused(writer, token, status) -> None:
    version = writer.application.extensions["aikg"].version
    response = post(writer, token)
    assert response.status_code == status and response.get_json()["status"] == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert writer.application.extensions["aikg"].version == version


def test_http_import_is_403_when_the_service_has_no_token(client) -> None:
    response = post(client)
    assert response.status_code == 403 and response.get_json()["status"] == 403


def test_http_bad_row_is_400_and_changes_nothing(writer) -> None:
    kg = writer.application.extensions["aikg"]
    before = (kg.version, len(kg))
    response = writer.post("/import", data={
        "table": (io.BytesIO(TABLE.read_bytes() + BAD_ROW), "bad.csv"),
        "mapping": (MAPPING.open("rb"), "m.json")},
        headers={"Authorization": f"Bearer {TOKEN}"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("row 9, column Parameters:")
    assert (kg.version, len(kg)) == before


@pytest.mark.parametrize(("fields", "status"), [
    ({"mapping": "../data/sources"}, 404),
    ({"mapping": "no-such-mapping"}, 404),
    ({"mapping": None}, 400),
    ({"accessed": "yesterday"}, 400),
])
def test_http_bad_parameters_are_4xx(writer, fields: dict, status: int) -> None:
    data = {"table": (TABLE.open("rb"), "models.csv"), "mapping": (MAPPING.open("rb"), "m.json")}
    data.update({k: v for k, v in fields.items() if v is not None})
    if fields.get("mapping", "x") is None:
        del data["mapping"]
    response = writer.post("/import", data=data, content_type="multipart/form-data",
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == status, response.get_json()
