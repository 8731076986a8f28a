"""A newcomer's first ten minutes, in a real browser (Debian's Chromium, as tests/test_browser.py
drives it): the editor completes aikg's own terms and entities as one types, asking this server
only, and shows errors as text; the paths form takes names; the circle view keeps its nodes in
place when one is expanded and has a legend of its colours."""

from __future__ import annotations

import re

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
    page.wait_for_function("window.aikgYasgui !== undefined")
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
    offered = hints(page)
    assert any(h.startswith("kg:baidu") and "百度" in h for h in offered), offered
    page.keyboard.press("Enter")
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
