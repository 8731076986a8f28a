"""The pages for people, through the app's client on the small ecosystem: what each page shows,
its JSON or RDF alternates, the entity IRI's content negotiation and the error pages.

The browser tests (tests/test_browser.py) drive the same pages in Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest

from graph.sparql.examples import load_examples
from ontology import AIKG, KG

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STATIC = Path(__file__).resolve().parents[1] / "service" / "static"
PAGES = ["/", "/id/alpha", "/search?q=alpha", "/rankings", "/paths?from=app&to=beta",
         "/sparql"]


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"Accept": BROWSER})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def alternates(html: str) -> dict[str, str]:
    return {t: h.replace("&amp;", "&") for t, h in re.findall(
        r'<link rel="alternate" type="([^"]+)" href="([^"]+)">', html)}


def test_home_shows_counts_by_class_sources_and_example_questions(ecosystem_client):
    html = page(ecosystem_client, "/")
    assert re.search(r'Company</span> <span class="zh" lang="zh">公司</span></a></td>\s*'
                     r'<td class="num">4</td>', html)
    assert "A hand-drawn test ecosystem" in html  # the one source graph, by its title
    assert "Last change" in html and "version" in html
    for example in load_examples():
        assert example.title.replace("'", "&#39;") in html
        assert f'href="/sparql?example={example.name}"' in html
    assert 'href="/docs"' in html


def test_the_search_box_is_labelled_and_announces_its_suggestions(ecosystem_client):
    html = page(ecosystem_client, "/")
    [box] = re.findall(r"<input id=\"home-q\"[^>]*>", html)
    assert 'role="combobox"' in box and 'aria-controls="home-q-list"' in box
    assert '<label for="home-q">' in html
    assert '<ul id="home-q-list" class="suggestions" role="listbox"' in html


@pytest.mark.parametrize("url", PAGES[:-1])
def test_every_page_links_its_json_version(ecosystem_client, url):
    href = alternates(page(ecosystem_client, url))["application/json"]
    response = ecosystem_client.get(href)
    assert response.status_code == 200 and response.is_json


def test_entity_page_gives_both_languages_relations_both_ways_and_sources(ecosystem_client):
    html = page(ecosystem_client, "/id/alpha")
    heading = '<h1><span class="en">Alpha AI</span> <span class="zh" lang="zh">阿尔法</span></h1>'
    assert heading in html
    assert 'href="/id/vc"' in html and 'href="/id/alpha-1"' in html  # in and out
    assert "invests in" in html and "developed by" in html
    assert "test-source" in html and "A hand-drawn test ecosystem" in html
    assert 'id="circle-graph"' in html and "vendor/cytoscape.min.js" in html


def test_entity_page_lists_the_circle_by_role_without_scripts(ecosystem_client):
    html = page(ecosystem_client, "/id/alpha")
    members = html[html.index('<details class="members">'):]
    assert "investor" in members and 'href="/id/vc"' in members
    assert "cloud supplier" in members and 'href="/id/cloud"' in members


@pytest.mark.parametrize(("accept", "media_type", "syntax"), [
    ("text/turtle", "text/turtle", pyoxigraph.RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    ("application/n-triples", "application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    ("application/trig", "application/trig", pyoxigraph.RdfFormat.TRIG),
])
def test_the_entity_iri_answers_rdf_clients_directly(ecosystem_client, accept, media_type,
                                                     syntax):
    response = ecosystem_client.get("/id/alpha", headers={"Accept": accept})
    assert response.status_code == 200  # not a 303: see docs/decisions.md
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    statements = {(q.subject.value, q.predicate.value, q.object.value)
                  for q in pyoxigraph.parse(response.data, format=syntax)}
    assert (KG + "vc", AIKG + "investsIn", KG + "alpha") in statements  # to it
    assert (KG + "alpha-1", AIKG + "developedBy", KG + "alpha") in statements
    assert (KG + "alpha", "http://www.w3.org/2000/01/rdf-schema#label", "阿尔法") in statements


def test_the_entity_in_trig_keeps_the_source_of_each_fact(ecosystem_client):
    response = ecosystem_client.get("/id/alpha?format=trig")
    graphs = {q.graph_name.value for q in pyoxigraph.parse(response.data,
                                                           format=pyoxigraph.RdfFormat.TRIG)}
    assert graphs == {"https://w3id.org/aikg/graph/test-source"}


@pytest.mark.parametrize("accept", [BROWSER, "*/*", ""])
def test_browsers_and_unspecific_clients_get_the_page(ecosystem_client, accept):
    response = ecosystem_client.get("/id/alpha", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]


def test_format_parameter_names_the_rdf_syntax(ecosystem_client):
    response = ecosystem_client.get("/id/alpha?format=ttl", headers={"Accept": BROWSER})
    assert response.mimetype == "text/turtle"


def test_a_format_the_iri_does_not_offer_is_406(ecosystem_client):
    response = ecosystem_client.get("/id/alpha", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_unknown_entity_is_a_404_page_with_suggestions(ecosystem_client):
    html = page(ecosystem_client, "/id/alpah", status=404)
    assert "no entity with id &#39;alpah&#39;" in html
    assert '<a href="/id/alpha">alpha</a>' in html


def test_unknown_entity_for_a_program_is_the_json_error(ecosystem_client):
    response = ecosystem_client.get("/id/alpah", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "alpha" in response.get_json()["suggestions"]


def test_search_page_finds_chinese_names_and_pages_through_results(ecosystem_client):
    html = page(ecosystem_client, "/search?q=阿尔法")
    assert [m for m in re.findall(r'<li><a href="/id/([^"]+)">', html)] == [
        "alpha", "alpha-1", "app"]
    html = page(ecosystem_client, "/search?limit=2")
    assert 'rel="next"' in html and "offset=2" in html


def test_search_page_lists_a_class(ecosystem_client):
    html = page(ecosystem_client, "/search?type=FoundationModel")
    assert re.findall(r'<li><a href="/id/([^"]+)">', html) == ["alpha-1", "beta-1"]


def test_paths_page_explains_each_hop_and_offers_downloads(ecosystem_client):
    html = page(ecosystem_client, "/paths?from=app&to=beta&max_length=6")
    [path] = re.findall(r'<ol class="hops">(.*?)</ol>', html, re.S)
    assert re.findall(r'href="/id/([^"]+)"', path) == ["app", "alpha-1", "alpha", "vc", "beta"]
    assert "powered by" in path and "invests in" in path
    assert "format=graphml" in html


def test_paths_page_without_ends_is_the_form(ecosystem_client):
    html = page(ecosystem_client, "/paths")
    assert '<label for="from">' in html and '<label for="to">' in html
    assert "<h2" not in html.split("</form>")[-1].split("<footer")[0]


@pytest.mark.parametrize(("url", "status", "text"), [
    ("/paths?from=app&to=nobody", 404, "no entity with id &#39;nobody&#39;"),
    ("/paths?from=app&to=beta-1&max_length=2", 404, "no path of at most 2 hops"),
    ("/paths?from=app&to=beta&k=99", 400, "k: expected an integer"),
])
def test_paths_page_errors_keep_the_form(ecosystem_client, url, status, text):
    html = page(ecosystem_client, url, status=status)
    assert text in html
    assert 'class="paths-form"' in html


def test_rankings_page_draws_a_bar_per_entity(ecosystem_client):
    html = page(ecosystem_client, "/rankings?metric=degree&limit=10")
    rows = re.findall(r'<a href="/id/([^"]+)">.*?width: ([\d.]+)%', html, re.S)
    assert rows[0] == ("alpha", "100.0")
    assert len(rows) == 7
    assert all(float(width) <= 100 for _, width in rows)


def test_rankings_page_filters_by_class(ecosystem_client):
    html = page(ecosystem_client, "/rankings?metric=pagerank&type=FoundationModel")
    assert re.findall(r'<td><a href="/id/([^"]+)">', html) in (["alpha-1", "beta-1"],
                                                               ["beta-1", "alpha-1"])


def test_rankings_page_all_classes_is_no_filter(ecosystem_client):
    html = page(ecosystem_client, "/rankings?metric=degree&type=&limit=10")
    assert len(re.findall(r'<td><a href="/id/', html)) == 7


@pytest.mark.parametrize(("url", "text"), [
    ("/rankings?metric=fame", "metric: expected one of"),
    ("/rankings?limit=0", "limit: expected an integer"),
    ("/rankings?type=Nothing", "type: unknown"),
])
def test_rankings_page_bad_parameters_are_a_400_page(ecosystem_client, url, text):
    assert text in page(ecosystem_client, url, status=400)


def test_the_sparql_editor_comes_from_this_server_with_prefixes_and_examples(ecosystem_client):
    html = page(ecosystem_client, "/sparql")
    assert '<script src="/static/vendor/yasgui.min.js" defer>' in html
    assert 'href="/static/vendor/yasgui.min.css"' in html
    assert "PREFIX aikg: &lt;https://w3id.org/aikg/ontology#&gt;" in html  # the plain form
    for example in load_examples():
        assert f'data-example="{example.name}"' in html
    assert 'id="result-downloads"' in html and 'data-format="csv"' in html


def test_an_example_of_the_gallery_fills_the_plain_editor(ecosystem_client):
    example = load_examples()[0]
    html = page(ecosystem_client, f"/sparql?example={example.name}")
    first_line = example.sparql.splitlines()[-1].replace("<", "&lt;").replace(">", "&gt;")
    assert first_line.replace('"', "&#34;") in html or first_line in html


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_elsewhere(ecosystem_client, url):
    html = page(ecosystem_client, url)
    loaded = re.findall(r'<(?:script|img|iframe)[^>]* src="([^"]+)"', html)
    loaded += re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html)
    assert loaded and all(src.startswith("/") and not src.startswith("//") for src in loaded)


@pytest.mark.parametrize("name", ["app.js", "circle.js", "circle-time.js", "sparql.js",
                                  "style.css"])
def test_our_scripts_and_styles_name_no_other_site(name):
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/",
                         (STATIC / name).read_text("utf-8"))


def test_pages_are_made_for_phones_and_chinese(ecosystem_client):
    for url in PAGES:
        html = page(ecosystem_client, url)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert '<html lang="en">' in html
    assert 'lang="zh"' in page(ecosystem_client, "/id/alpha")
