"""The pages in a real browser: Playwright drives Debian's Chromium against ``aikg serve`` on the
bundled graph. Search and open an entity, expand and fold the circle explorer, run an example in
the SPARQL editor, fit a phone; nothing is fetched from another site. Screenshots go to
``test-artifacts/browser/``.

``make test`` installs Chromium (``/usr/bin/chromium``, or ``AIKG_CHROMIUM``); without it these
tests are skipped, except under CI, where a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph import open_graph
from tests.conftest import SMALL_ONTOLOGY
from tests.live import Server, serve
from tests.servers import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PHONE = {"width": 390, "height": 844}


def chromium() -> str | None:
    found = os.environ.get("AIKG_CHROMIUM") or "/usr/bin/chromium"
    return found if Path(found).exists() else shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if executable is None or sync_playwright is None:
        missing = "chromium" if executable is None else "the playwright package"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing; `make test` installs it")
        pytest.skip(f"{missing} is not installed (`make test` installs it)")
    args = CHROMIUM_ARGS + (["--no-sandbox"] if os.geteuid() == 0 else [])
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=args)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    vendor = ROOT / "service" / "static" / "vendor"
    if not (vendor / "yasgui.min.js").exists() or not (vendor / "cytoscape.min.js").exists():
        pytest.fail("the front-end assets are not built: run `make assets`")
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory) -> Iterator[Server]:
    """A server whose graph is one investor in 200 companies: a circle past the view's cap."""
    location = str(tmp_path_factory.mktemp("hub") / "store")
    kg = open_graph(location, bundled=False)
    kg.load(SMALL_ONTOLOGY)
    lines = ["@prefix aikg: <https://w3id.org/aikg/ontology#> .",
             "@prefix kg: <https://w3id.org/aikg/id/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "<https://w3id.org/aikg/graph/hub> {",
             'kg:hub a aikg:Company ; rdfs:label "Hub Capital"@en .']
    lines += [f'kg:c{i} a aikg:Company ; rdfs:label "Company {i}"@en . '
              f"kg:hub aikg:investsIn kg:c{i} ." for i in range(200)]
    kg.load(("\n".join(lines) + "\n}\n").encode(), format="trig")
    del kg  # release the store for the server
    with serve("--store", location) as running:
        yield running


@pytest.fixture
def page(browser, server, request):
    """A fresh page that fails its test on a script error, a request to another site or
    anything the Content-Security-Policy blocked."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    opened.on("console", lambda m: "Content Security Policy" in m.text
              and problems.append(f"blocked by the policy: {m.text}"))
    opened.on("request", lambda r: r.url.startswith((server.url, "data:", "blob:"))
              or problems.append(f"request to another site: {r.url}"))
    yield opened
    context.close()
    assert problems == []


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_home_page_searches_in_chinese_and_opens_the_entity(page, server):
    page.goto(server.url + "/")
    box = page.get_by_role("combobox", name="Search companies, models and products")
    box.press_sequentially("百度", delay=50)
    option = page.get_by_role("option").filter(has_text="Baidu").first
    option.wait_for()
    shoot(page, "home-autocomplete")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "home-q-list-0"
    box.press("Enter")
    page.wait_for_url("**/id/baidu")
    assert "Baidu" in page.locator("h1").inner_text()
    assert page.locator("h1 [lang=zh]").inner_text() == "百度"
    shoot(page, "entity-baidu")


def circle_nodes(page) -> int:
    return page.evaluate("window.aikgCircle.cy.nodes().length")


def click_node(page, node_id: str) -> None:
    """A real mouse click where cytoscape drew the node, once the view is scrolled into sight
    and the page has seen the scroll (cytoscape places clicks by the container's position as of
    the last scroll event, as a person scrolling then clicking gives it)."""
    graph = page.locator("#circle-graph")
    graph.scroll_into_view_if_needed()
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => "
                  "requestAnimationFrame(done)))")
    x, y = page.evaluate("""id => { const p = window.aikgCircle.cy.getElementById(id)
                                         .renderedPosition(); return [p.x, p.y]; }""", node_id)
    graph.click(position={"x": x, "y": y})


def expandable_member(server: Server, entity: str) -> str:
    """A member of the entity's circle whose own circle brings someone new."""
    api = server.url + "/api/entities/{}/circle?limit=500"
    data = requests.get(api.format(entity), timeout=30).json()["data"]
    members = {m["id"] for g in data["groups"] for m in g["members"]}
    for member in sorted(members):
        theirs = requests.get(api.format(member), timeout=30).json()["data"]
        if {m["id"] for g in theirs["groups"] for m in g["members"]} - members - {entity}:
            return member
    raise AssertionError(f"no member of {entity}'s circle brings anyone new")


def test_graph_view_shows_the_circle_and_a_click_expands_and_folds_a_node(page, server):
    member = expandable_member(server, "moonshot")
    page.goto(server.url + "/id/moonshot")
    page.wait_for_function("() => window.aikgCircle && window.aikgCircle.cy.nodes().length > 1")
    before = circle_nodes(page)
    assert page.locator("#circle .status").inner_text().startswith(f"{before - 1} members")
    click_node(page, member)
    page.wait_for_function(f"() => window.aikgCircle.cy.nodes().length > {before}")
    assert page.evaluate(f"window.aikgCircle.cy.getElementById('{member}').hasClass('expanded')")
    shoot(page, "circle-expanded")
    click_node(page, member)  # a second click folds it
    page.wait_for_function(f"() => window.aikgCircle.cy.nodes().length === {before}")


def test_circle_explorer_undoes_filters_and_exports(page, server):
    member = expandable_member(server, "moonshot")
    page.goto(server.url + "/id/moonshot")
    page.wait_for_function("() => window.aikgCircle && window.aikgCircle.cy.nodes().length > 1")
    before = circle_nodes(page)
    page.get_by_label("Node", exact=True).select_option(member)  # the keyboard's way in
    page.get_by_role("button", name="Expand").click()
    page.wait_for_function(f"() => window.aikgCircle.cy.nodes().length > {before}")
    page.get_by_role("button", name="Undo last expansion").click()
    assert circle_nodes(page) == before

    roles = page.locator("#circle .role-list input")
    assert roles.count() >= 2
    roles.first.uncheck()
    page.wait_for_function(f"() => window.aikgCircle.cy.nodes().length < {before}")

    graphml = page.get_by_role("link", name="Download GraphML").get_attribute("href")
    assert "format=graphml" in graphml and "role=" in graphml
    assert b"<graphml" in requests.get(server.url + graphml, timeout=30).content
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PNG").click()
    assert download.value.suggested_filename == "aikg-circle-moonshot.png"


def test_graph_view_draws_at_most_150_nodes_and_says_so(browser, hub_server):
    page = browser.new_page()
    page.goto(hub_server.url + "/id/hub")
    page.wait_for_function("() => window.aikgCircle && window.aikgCircle.cy.nodes().length > 1")
    assert circle_nodes(page) == 150
    assert "150 at most, 51 more left out" in page.locator("#circle .status").inner_text()
    page.close()


def test_sparql_editor_runs_an_example_and_shows_rows(page, server):
    page.goto(server.url + "/sparql")
    page.wait_for_function("() => window.aikgYasgui !== undefined")
    page.get_by_role("link", name="Baidu's circle of friends, by role").click()
    assert "kg:baidu" in page.evaluate("window.aikgYasgui.getTab().getQuery()")
    page.get_by_role("button", name="Run query").click()
    rows = page.locator(".yasr table tbody tr:visible")
    rows.first.wait_for()
    assert rows.count() > 5
    assert "ERNIE" in rows.all_inner_texts()[0] + page.locator(".yasr:visible").inner_text()
    csv = page.get_by_role("link", name="CSV").get_attribute("href")
    assert requests.get(server.url + csv, timeout=30).text.startswith("role,member")
    shoot(page, "sparql-example")


def test_the_api_page_runs_under_the_content_security_policy(page, server):
    response = page.goto(server.url + "/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("/api/entities/{id}/circle").first.wait_for()
    assert "Loading the API description" not in page.locator("#api-operations").inner_text()


@pytest.mark.parametrize("path", ["/", "/id/baidu", "/sparql", "/rankings",
                                  "/paths?from=kimi&to=zhipu"])
def test_pages_fit_a_phone(browser, server, path):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server.url + path)
    page.wait_for_load_state("networkidle")
    # A phone widens the layout to fit content wider than the screen: compare with the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
    name = path.strip("/").split("?")[0].replace("/", "-") or "home"
    shoot(page, f"phone-{name}")
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
