"""aikg installed without make: a wheel built from the tree (after ``make assets``) carries the
built JavaScript libraries, and the pages served from the installed package load them; where
they are missing, the pages say so and how to get them, and run without them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.slow  # builds and installs the wheel

VENDOR = ROOT / "service" / "static" / "vendor"
BUILT = ("cytoscape.min.js", "yasgui.min.js", "yasgui.min.css")

#: Run from the installed copy only: the page of an entity and the editor, and a built file.
CHECK = """
from service import create_app
client = create_app({"TESTING": True, "STORE": "memory"}).test_client()
import service
assert "site-packages" in service.__file__ or "installed" in service.__file__, service.__file__
for url in ("/id/baidu", "/sparql", "/static/vendor/cytoscape.min.js"):
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, (url, response.status_code)
    assert b"make assets" not in response.data, url
print("pages ok")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not all((VENDOR / name).is_file() for name in BUILT):
        pytest.fail("the front-end assets are not built: run `make assets`")
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("src") / "aikg"  # a copy: building leaves build/ behind
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "test-artifacts", "node_modules", "__pycache__", "build", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(source)], check=True, timeout=600)
    [built] = out.glob("aikg-*.whl")
    return built


def test_the_wheel_carries_the_built_javascript(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"service/static/vendor/{name}" for name in BUILT} <= names
    assert "service/templates/entity.html" in names and "ontology/aikg.ttl" in names


def test_pages_work_from_the_installed_package(wheel, tmp_path):
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=600)
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=tmp_path, env=env, timeout=300,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pages ok" in done.stdout


def test_without_the_built_files_the_pages_say_what_is_missing(app, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "service" / "static", static, ignore=shutil.ignore_patterns("vendor"))
    app.static_folder = str(static)
    client = app.test_client()
    entity = client.get("/id/baidu").get_data(as_text=True)
    assert "The graph view needs <code>static/vendor/cytoscape.min.js</code>" in entity
    assert "make assets" in entity and "vendor/cytoscape.min.js\"" not in entity
    editor = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "The query editor (YASGUI) needs" in editor and "the plain form below" in editor
    assert 'id="plain-editor"' in editor and "vendor/yasgui.min.js\"" not in editor
