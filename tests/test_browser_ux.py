"""A newcomer's first ten minutes, in a real browser (Debian's Chromium, as tests/test_browser.py
drives it): the editor completes aikg's own terms and entities as one types, asking this server
only, and shows errors as text; the paths form takes names; the circle view keeps its nodes in
place when one is expanded and has a legend of its colours."""

from __future__ import annotations

import re

import requests

from graph.network import build, circle
from tests.test_browser import (  # noqa: F401  (its fixtures, by name)
    browser,
    click_node,
    expandable_member,
    page,
    server,
    shoot,
)


def editor(page, server):
    """The editor, emptied, with the cursor in it, recording every request the page makes."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(server.url + "/sparql")
    page.wait_for_function("() => window.aikgYasgui !== undefined")
    page.evaluate("window.aikgYasgui.getTab().getYasqe().setValue('')")
    page.locator(".CodeMirror").first.click()
    return seen


def hints(page) -> list[str]:
    page.locator(".CodeMirror-hints").wait_for()
    return page.locator(".CodeMirror-hint").all_inner_texts()


def test_typing_in_the_editor_completes_aikg_terms_and_entities_from_this_server(page, server):
    seen = editor(page, server)
    page.keyboard.type("SELECT * WHERE { ?s aikg:inv", delay=40)
    offered = hints(page)
    assert any(h.startswith("aikg:investsIn") and "invests in" in h for h in offered), offered
    shoot(page, "sparql-complete-term")
    page.keyboard.press("Escape")
    page.keyboard.type(" kg:百度", delay=60)
    choice = page.locator(".CodeMirror-hint", has_text="kg:baidu").first
    choice.wait_for()
    assert "百度" in choice.inner_text()
    choice.click()
    query = page.evaluate("window.aikgYasgui.getTab().getQuery()")
    assert "kg:baidu" in query and "PREFIX aikg: <https://w3id.org/aikg/ontology#>" in query
    shoot(page, "sparql-complete-entity")
    outside = [u for u in seen if not u.startswith((server.url, "data:", "blob:"))]
    assert outside == []  # (the page fixture fails the test on any such request too)
    assert any("/api/entities?q=" in u for u in seen)


def test_a_bad_query_shows_its_error_as_text_with_line_and_column(page, server):
    editor(page, server)
    page.keyboard.type("SELECT * WHERE { ?s nope:x ?o }", delay=10)
    page.evaluate("window.aikgYasgui.getTab().getYasqe().query().catch(() => null)")
    message = page.locator(".yasr .errorResult")
    message.wait_for()
    text = message.inner_text()
    assert "1:21: unknown prefix nope:" in text and '{"error"' not in text, text


def test_the_paths_form_takes_names(page, server):
    page.goto(server.url + "/paths")
    page.get_by_role("combobox", name="From (name or id)").fill("Kimi")
    page.get_by_role("combobox", name="To (name or id)").fill("智谱AI")
    page.get_by_role("button", name="Find paths").click()
    page.wait_for_url(re.compile(r".*/paths\?from=Kimi.*"))
    heading = page.locator("#found-h").inner_text()
    assert re.match(r"\d+ paths? from Kimi", heading) and "Zhipu AI" in heading, heading
    shoot(page, "paths-by-name")


def open_circle(page, server, entity: str, depth: int = 1) -> None:
    page.goto(f"{server.url}/id/{entity}")
    page.wait_for_function("() => window.aikgCircle && window.aikgCircle.cy.nodes().length > 1")
    if depth > 1:
        before = page.locator("#circle .status").inner_text()
        page.get_by_label("Depth").select_option(str(depth))
        page.wait_for_function(f"() => document.querySelector('#circle .status').textContent !== "
                               f"{before!r} && !/Loading/.test("
                               f"document.querySelector('#circle .status').textContent)")


def positions(page) -> dict[str, tuple[float, float]]:
    return {k: tuple(v) for k, v in page.evaluate(
        "Object.fromEntries(window.aikgCircle.cy.nodes().map(n => "
        "[n.id(), [n.position().x, n.position().y]]))").items()}


def test_expanding_a_node_keeps_every_other_node_in_place(page, server):
    member = expandable_member(server, "moonshot")
    open_circle(page, server, "moonshot")
    before = positions(page)
    page.get_by_label("Node", exact=True).select_option(member)
    page.get_by_role("button", name="Expand").click()
    page.wait_for_function(f"() => window.aikgCircle.cy.nodes().length > {len(before)}")
    after = positions(page)
    moved = {n: (before[n], after[n]) for n in before
             if abs(before[n][0] - after[n][0]) > 0.5 or abs(before[n][1] - after[n][1]) > 0.5}
    assert moved == {}
    shoot(page, "circle-expanded-in-place")


def test_the_circle_is_above_the_fold_coloured_by_kind_with_a_legend(page, server):
    open_circle(page, server, "baidu")
    assert page.locator("#circle-graph").bounding_box()["y"] < 900 * 0.75
    legend = page.locator("#circle-legend li")
    assert legend.count() >= 2
    colours = page.evaluate("""Object.fromEntries(window.aikgCircle.cy.nodes().map(n =>
        [n.data('kind'), n.style('background-color')]))""")
    shown = {}
    for item in legend.all():
        kind = item.get_attribute("data-kind")
        shown[kind] = item.locator(".swatch").evaluate("e => getComputedStyle(e).backgroundColor")
        assert re.search(r"\(\d+\)$", item.inner_text())
    assert set(shown) == set(colours)
    assert all(shown[k].replace(" ", "") == colours[k].replace(" ", "") for k in shown)
    assert len(set(shown.values())) == len(shown)  # one colour per kind
    text = page.locator("#circle-legend").inner_text()
    assert "organization 组织" in text and "AI model 人工智能模型" in text, text


def test_labels_stay_readable_at_depth_two_with_edge_labels_on_hover(page, server):
    # iFlytek's circle at depth 2 holds about 50: Alibaba's, with Epoch AI's models, passes the
    # view's cap of 150, where labels must shrink to fit
    open_circle(page, server, "iflytek", depth=2)
    nodes = page.evaluate("window.aikgCircle.cy.nodes().length")
    assert nodes > 30
    shown_size = page.evaluate("window.aikgCircle.cy.zoom() * "
                               "parseFloat(window.aikgCircle.cy.nodes()[1].style('font-size'))")
    assert shown_size >= 9, f"labels are {shown_size:.1f}px high"
    assert page.evaluate("window.aikgCircle.cy.edges('.labelled').length") == 0
    box = page.locator("#circle-graph")
    box.scroll_into_view_if_needed()
    x, y = page.evaluate("""() => { const p = window.aikgCircle.cy.getElementById('iflytek')
                                     .renderedPosition(); return [p.x, p.y]; }""")
    box.hover(position={"x": x, "y": y})
    page.wait_for_function("() => window.aikgCircle.cy.edges('.labelled').length > 0")
    shoot(page, "circle-depth-2")


def test_a_deeper_circle_that_adds_no_one_says_so(page, server, bundled):
    # Which entity's depth 2 adds no one changes as facts are added: ask the graph. Depth 2
    # adds no one when every neighbour's neighbours are the centre or its neighbours.
    G = build(bundled).graph

    def near(n: str) -> set[str]:
        return set(G.successors(n)) | set(G.predecessors(n))

    entity = max((n for n in G if len(near(n)) >= 2
                  and all(near(m) <= near(n) | {n} for m in near(n))),
                 key=lambda n: (len(near(n)), n))
    assert len(circle(G, entity, depth=2)) == len(circle(G, entity))
    open_circle(page, server, G.nodes[entity]["id"], depth=2)
    status = page.locator("#circle .status").inner_text()
    assert "Depth 2 adds no one" in status and "within 1 hop" in status, status


def test_the_api_docs_page_is_part_of_the_site_and_nothing_it_asks_for_fails(page, server):
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.goto(server.url + "/docs")
    page.locator("details.operation").first.wait_for()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="API docs") \
        .get_attribute("aria-current") == "page"
    text = page.locator("main").inner_text()
    assert "`" not in text and "{data, version}" in text
    assert page.locator("details.operation").count() > 5  # one line per route, opened on demand
    icon = requests.get(server.url + "/favicon.ico", timeout=30)
    assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg")
    assert failed == []
    shoot(page, "api-docs")

