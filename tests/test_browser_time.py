"""Time in a real browser: the "As of" slider of the circle explorer fades the members that
had not joined yet on the day chosen, and brings them back at today; the entity page lists the
timeline and its "what changed" form opens the changes page. On the bundled graph: ByteDance's
circle, whose dated members joined from 2024-12 on (see tests/test_time_http.py)."""

from __future__ import annotations

from datetime import date, timedelta

import requests

from tests.test_browser import (  # noqa: F401  (its fixtures, by name)
    ARTIFACTS,
    browser,
    page,
    server,
    shoot,
)

FADED = "window.aikgCircle.cy.nodes('.faded').length"


def first_days(server) -> dict[str, str | None]:
    """Each member of ByteDance's depth-1 circle with the first day one of its edges held
    (None when an edge is undated: it always held), from the API the page reads too."""
    edges = requests.get(server.url + "/api/entities/bytedance/neighbors?limit=500",
                         timeout=30).json()["data"]
    starts: dict[str, list[str | None]] = {}
    for edge in edges:
        since = edge.get("since")
        first = since and ((since + "-01-01")[:10] if len(since) == 4 else (since + "-01")[:10])
        starts.setdefault(edge["node"]["id"], []).append(first)
    days = {m: None if None in found else min(found) for m, found in starts.items()}
    return days


def test_the_date_slider_fades_members_that_had_not_joined_and_brings_them_back(page, server):
    days = first_days(server)
    first = min(d for d in days.values() if d)
    page.goto(server.url + "/id/bytedance")
    page.wait_for_function("window.aikgCircle && window.aikgCircle.cy.nodes().length > 1")
    slider = page.locator("#circle-date")
    assert slider.is_visible()
    assert page.evaluate(FADED) == 0 and page.locator("#circle-date-shown").inner_text() == "today"
    slider.focus()
    page.keyboard.press("Home")  # the day before the first edge of the circle began
    first_day = page.locator("#circle-date-shown").inner_text()
    assert first_day == (date.fromisoformat(first) - timedelta(days=1)).isoformat()
    faded = page.evaluate(FADED)
    assert faded == sum(1 for d in days.values() if d)  # every member with only dated edges
    late = max((m for m, d in days.items() if d), key=lambda m: (days[m], m))
    assert page.evaluate(f"window.aikgCircle.cy.getElementById('{late}').hasClass('faded')")
    assert f"As of {first_day}:" in page.locator("#circle .status").inner_text()
    assert f"at={first_day}" in page.locator('[data-action="graphml"]').get_attribute("href")
    shoot(page, "circle-as-of")
    page.keyboard.press("End")  # today: everyone back
    page.wait_for_function(f"{FADED} === 0")
    assert page.locator("#circle-date-shown").inner_text() == "today"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")  # the first day: the members that joined then come back
    assert page.locator("#circle-date-shown").inner_text() == first
    joined_first = [m for m, d in days.items() if d == first]
    assert page.evaluate(FADED) == faded - len(joined_first)
    assert not page.evaluate(
        f"window.aikgCircle.cy.getElementById('{joined_first[0]}').hasClass('faded')")


def test_the_entity_page_shows_the_timeline_and_asks_what_changed(page, server):
    changes = requests.get(server.url + "/api/entities/bytedance/circle/changes"
                           "?from=2024-01-01&to=2026-06-30", timeout=30).json()["data"]
    page.goto(server.url + "/id/bytedance")
    rows = page.locator("table.timeline tbody tr")
    assert rows.count() >= 5
    assert "coze-studio" in page.locator("table.timeline").inner_html()
    page.fill("#changes-from", "2024-01-01")
    page.fill("#changes-to", "2026-06-30")
    page.click(".changes-form button[type=submit]")
    page.wait_for_url("**/changes?**")
    heading = page.locator("#changes-h").inner_text()
    assert f"{changes['joined_count']} joined, {changes['left_count']} left" in heading
    assert changes["joined_count"] > 0
    first = changes["joined"][0]["members"][0]
    assert first["label_en"] in page.locator("table.changes-joined").inner_text()
    shoot(page, "circle-changes")
