"""A hub's details come in pages: counts and the first page of each list, then the rest."""

from __future__ import annotations

from ontology import AIKG, KG

HUB = KG + "hub-co"
GRAPH = "https://w3id.org/aikg/graph/hub-test"


def _hub_app(make_app, partners: int, investors: int):
    app = make_app()
    kg = app.extensions["aikg"]
    facts = [f"<{HUB}> <{AIKG}partnerOf> <{KG}partner-{n}> ." for n in range(partners)]
    facts += [f"<{KG}investor-{n}> <{AIKG}investsIn> <{HUB}> ." for n in range(investors)]
    facts.append(f'<{HUB}> <http://www.w3.org/2000/01/rdf-schema#label> "Hub Co"@en .')
    kg.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {' '.join(facts)} }} }}")
    return app.test_client()


def test_a_hub_answers_counts_and_a_first_page_of_each_list(make_app):
    client = _hub_app(make_app, partners=250, investors=120)
    answer = client.get("/api/entities/hub-co")
    assert answer.status_code == 200
    assert len(answer.data) < 150_000
    data = answer.get_json()["data"]
    assert data["counts"] == {"properties": 0, "relations-out": 250, "relations-in": 120,
                              "sources": 1}
    assert len(data["relations"]["out"]) == 100 and len(data["relations"]["in"]) == 100
    assert set(data["more"]) == {"relations-out", "relations-in"}

    seen = [r["node"]["id"] for r in data["relations"]["out"]]
    following = data["more"]["relations-out"]
    while following:
        page = client.get(following)
        assert page.status_code == 200 and len(page.data) < 150_000
        body = page.get_json()
        seen += [r["node"]["id"] for r in body["data"]]
        following = body["page"]["next"]
    assert sorted(seen) == sorted(f"partner-{n}" for n in range(250))


def test_a_small_entity_is_whole_in_one_answer(make_app):
    client = _hub_app(make_app, partners=3, investors=2)
    data = client.get("/api/entities/hub-co").get_json()["data"]
    assert data["more"] == {}
    assert len(data["relations"]["out"]) == 3 and len(data["relations"]["in"]) == 2


def test_an_unknown_part_is_a_400(make_app):
    client = _hub_app(make_app, partners=3, investors=2)
    answer = client.get("/api/entities/hub-co/facts?part=everything")
    assert answer.status_code == 400
    assert "relations-out" in answer.get_json()["error"]


def test_a_hub_page_shows_a_hundred_of_each_list_and_links_the_next(make_app):
    client = _hub_app(make_app, partners=250, investors=120)
    first = client.get("/id/hub-co", headers={"Accept": "text/html"})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "(250)" in html and "(120)" in html
    relations = html[html.index('id="relations"'):html.index('id="sources"')]
    assert relations.count("/id/partner-") == 100
    assert 'href="?offset=100#relations" rel="next"' in html
    third = client.get("/id/hub-co?offset=200", headers={"Accept": "text/html"})
    shown = third.get_data(as_text=True)
    assert "rel=\"next\"" not in shown and 'rel="prev"' in shown
