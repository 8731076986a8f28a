"""Time in a real browser: the "As of" slider of the circle explorer fades the members that
had not joined yet on the day chosen, and brings them back at today; the entity page lists the
timeline and its "what changed" form opens the changes page. On the bundled graph: ByteDance's
circle, whose dated members joined from 2024-12 on (see tests/test_time_http.py)."""

from __future__ import annotations

from tests.test_browser import (  # noqa: F401  (its fixtures, by name)
    ARTIFACTS,
    browser,
    page,
    server,
    shoot,
)

FADED = "window.aikgCircle.cy.nodes('.faded').length"


def test_the_date_slider_fades_members_that_had_not_joined_and_brings_them_back(page, server):
    page.goto(server.url + "/id/bytedance")
    page.wait_for_function("window.aikgCircle && window.aikgCircle.cy.nodes().length > 1")
    slider = page.locator("#circle-date")
    assert slider.is_visible()
    assert page.evaluate(FADED) == 0 and page.locator("#circle-date-shown").inner_text() == "today"
    slider.focus()
    page.keyboard.press("Home")  # the day before the first edge of the circle began
    first_day = page.locator("#circle-date-shown").inner_text()
    assert first_day == "2024-12-17"
    faded = page.evaluate(FADED)
    assert faded == 7  # Volcano Engine, Coze, Doubao... had not joined yet
    assert page.evaluate("window.aikgCircle.cy.getElementById('coze-studio').hasClass('faded')")
    assert f"As of {first_day}:" in page.locator("#circle .status").inner_text()
    assert f"at={first_day}" in page.locator('[data-action="graphml"]').get_attribute("href")
    shoot(page, "circle-as-of")
    page.keyboard.press("End")  # today: everyone back
    page.wait_for_function(f"{FADED} === 0")
    assert page.locator("#circle-date-shown").inner_text() == "today"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")  # 2024-12-18: Volcano Engine, Coze and Doubao joined
    assert page.locator("#circle-date-shown").inner_text() == "2024-12-18"
    assert page.evaluate(FADED) == faded - 3
    assert not page.evaluate("window.aikgCircle.cy.getElementById('coze').hasClass('faded')")


def test_the_entity_page_shows_the_timeline_and_asks_what_changed(page, server):
    page.goto(server.url + "/id/bytedance")
    rows = page.locator("table.timeline tbody tr")
    assert rows.count() >= 5
    assert "coze-studio" in page.locator("table.timeline").inner_html()
    page.fill("#changes-from", "2024-01-01")
    page.fill("#changes-to", "2026-06-30")
    page.click(".changes-form button[type=submit]")
    page.wait_for_url("**/changes?**")
    heading = page.locator("#changes-h").inner_text()
    assert "7 joined, 0 left" in heading
    assert "Coze Studio" in page.locator("table.changes-joined").inner_text()
    shoot(page, "circle-changes")
