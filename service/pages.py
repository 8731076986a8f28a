"""The pages for people: home, search, the entity at its IRI ``/id/<id>`` (a page for browsers,
RDF for RDF clients, negotiated by Accept), paths between two entities, rankings, and what
changed in a circle between two days.

Each view calls the same :mod:`graph` functions as ``/api`` and links its JSON (or RDF) version
with ``<link rel="alternate">``. The circle explorer of an entity page is drawn in the browser
from ``/api/entities/<id>/circle`` by ``static/circle.js``.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

import ontology
from graph.describe import schema
from graph.describe.entities import describe_sources, entity_quads
from graph.describe.lookups import changes_of, find_entities, paths_between, profile_of
from graph.errors import AmbiguousName, NoPath
from graph.export import statements_export
from graph.network import (
    METRICS,
    Projection,
    class_counts,
    class_groups,
    edge_dates,
    ranking,
    stats,
)
from graph.rdf.terms import entity_iri, short_id, sparql_prefixes
from graph.sparql.examples import Example, load_examples

from . import render
from .export import export_response
from .history import shaped_changes, shaped_events
from .negotiation import HTML, RDF_OFFERS, negotiate
from .params import (
    ENTITY_PAGE,
    MAX_OFFSET,
    MAX_PATH_LENGTH,
    MAX_PATHS,
    at_arg,
    choice_arg,
    entity_or_404,
    int_arg,
    link_args,
    paginate,
    projection,
    span,
    terms,
    today,
    type_args,
)
from .state import get_graph, get_network

bp = Blueprint("pages", __name__)

#: Formats offered as downloads on an entity page (all of RDF_OFFERS are served).
ENTITY_DOWNLOADS = ("turtle", "jsonld", "ntriples", "trig")
#: Files offered for the paths found: (format, label).
NETWORK_DOWNLOADS = (("graphml", "GraphML"), ("gexf", "GEXF"), ("cytoscape", "Cytoscape JSON"),
                     ("turtle", "Turtle"))
RANKING_SIZES = (10, 25, 50, 100)
SOURCES_SHOWN = 12  # on the home page, before "all sources"
TIMELINE_SHOWN = 30  # events on an entity page, before "the whole timeline"
#: Result formats the editor offers as downloads: SELECT and ASK first, then CONSTRUCT.
RESULT_DOWNLOADS = (("json", "JSON"), ("csv", "CSV"), ("tsv", "TSV"), ("xml", "XML"),
                    ("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"),
                    ("rdfxml", "RDF/XML"))
#: The prefixes the editor's first query declares (all of ontology.PREFIXES are known to it).
#: Scripts, fonts, pictures and requests from this site only; styles may be inline (the bars of
#: the rankings, the editor's own); no plugins, no <base>, no framing, forms post here only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
EDITOR_PREFIXES = ("aikg", "kg", "rdf", "rdfs", "skos", "schema", "dcterms", "prov", "xsd")
#: The editor's first query, after the PREFIX lines.
FIRST_QUERY = """SELECT ?company ?en ?zh WHERE {
  ?company a aikg:Company ; rdfs:label ?en , ?zh .
  FILTER(lang(?en) = "en" && lang(?zh) = "zh")
}
ORDER BY ?en
LIMIT 50
"""
#: Questions the home page asks when the entities they name are in the graph:
#: (title, title in Chinese, description, endpoint, its arguments, the entity ids it needs).
QUESTIONS: tuple[tuple[str, str, str, str, dict[str, Any], tuple[str, ...]], ...] = (
    ("Who is in Baidu's circle of friends?", "百度的朋友圈里有谁？",
     "Its models, products, partners and backers, each with the source that says so.",
     "pages.entity", {"entity_id": "baidu", "_anchor": "circle"}, ("baidu",)),
    ("How is Kimi connected to Zhipu AI?", "Kimi 与智谱 AI 有何关联？",
     "The shortest chains of investments, partnerships and products between the two.",
     "pages.paths_page", {"from": "kimi", "to": "zhipu"}, ("kimi", "zhipu")),
    ("Which companies are the most central?", "哪些公司处于生态中心？",
     "Organizations ranked by PageRank over the ecosystem relations.",
     "pages.rankings_page", {"metric": "pagerank", "type": "Organization"}, ()),
)


@bp.get("/")
def home():
    """What the graph holds, a search box, example questions and where to go next."""
    P = projection()
    kg = get_graph()
    found = stats(P)
    sizes = kg.graph_sizes()
    described = [s for s in P.cached("source descriptions",
                                     lambda: describe_sources(kg, sorted(sizes)))
                 if s["title"] or s["url"]]
    sources = [dict(s, statements=sizes.get(s["iri"], 0))
               for s in sorted(described, key=lambda s: (-sizes.get(s["iri"], 0), s["id"]))]
    return page("home.html", stats=found, triples=len(kg), graphs=len(sizes),
                by_type=[{**render.type_term(P, t), "count": n}
                         for t, n in found["by_type"].items()],
                sources=sources, sources_shown=SOURCES_SHOWN,
                changed=datetime.fromtimestamp(get_network().changed, UTC),
                examples=examples(), questions=[
                    {"title": t, "title_zh": zh, "description": d, "href": url_for(e, **args)}
                    for t, zh, d, e, args, ids in QUESTIONS
                    if all(entity_iri(i) in P.graph for i in ids)
                    and ("type" not in args or args["type"] in {c.rsplit("#")[-1]
                                                                 for c in P.classes})],
                top=[render.node(P, n) for n, _ in ranking(P, "degree")[:8]],
                alternate=[("application/json", url_for("api.graph_stats"))])


@bp.get("/search")
def search_page():
    """Search results as a page: the fallback of the search box, and its "all results"."""
    T = terms()  # on a local store, the whole projection
    q = request.args.get("q", "")
    found = find_entities(get_network(), q, terms=T, types=type_args(T))
    hits, page_info = paginate(found.hits)
    P = found.projection
    return page("search.html", q=q, page_info=page_info, truncated=found.truncated,
                hits=[{**render.node(P, h.node), "matched": h.label} for h in hits],
                alternate=[("application/json", url_for("api.entities", **link_args()))])


@bp.get("/id/<entity_id>")
def entity(entity_id: str) -> BaseResponse:
    """The entity's IRI: a page for browsers; Turtle, JSON-LD, N-Triples (any RDF syntax) for
    RDF clients, by Accept or ``format=``. Answered directly, not by a 303 (docs/decisions.md)."""
    P = projection()
    iri = entity_or_404(entity_id, P)
    named = short_id(iri)
    if named != entity_id and entity_iri(named) == iri:  # a name or IRI: go to the id's page
        return redirect(url_for("pages.entity", entity_id=named, **link_args()))
    kg = get_graph()
    offer = negotiate((HTML, *RDF_OFFERS), "an entity")
    if offer is not HTML:
        quads, truncated = entity_quads(kg, iri)
        return export_response(statements_export(kg, quads, offer.name, f"aikg-{entity_id}",
                                                 truncated=truncated))
    found = profile_of(get_network(), iri, terms=P, at=at_arg(P))
    facts = found.description.facts
    shown = _entity_page(facts)
    events = found.events
    downloads = [(o, url_for("pages.entity", entity_id=entity_id, format=o.name))
                 for name in ENTITY_DOWNLOADS for o in RDF_OFFERS if o.name == name]
    response = Response(page(
        "entity.html", entity=facts, shown=shown, circle=render.circle(found.circle),
        downloads=downloads,
        kinds=kinds(P), events=shaped_events(P, events[:TIMELINE_SHOWN]),
        events_total=len(events), span=date_span(P),
        missing=missing_assets("cytoscape.min.js"),
        sources={s["iri"]: s for s in facts["sources"]},
        alternate=[("application/json", url_for("api.entity", entity_id=entity_id)),
                   *((o.media_type, url) for o, url in downloads)]))
    response.vary.add("Accept")
    return response


def _entity_page(found: dict) -> dict[str, object]:
    """Cut the entity's facts, relations and sources to the page ``offset`` asks for (a hub's
    page is then about 100 KB, not megabytes); the totals and the next page's offset, if any."""
    offset = int_arg("offset", 0, 0, MAX_OFFSET)
    lists = {"properties": found["properties"], "out": found["relations"]["out"],
             "in": found["relations"]["in"], "sources": found["sources"]}
    totals = {name: len(items) for name, items in lists.items()}
    found["properties"] = lists["properties"][offset:offset + ENTITY_PAGE]
    found["relations"] = {way: lists[way][offset:offset + ENTITY_PAGE] for way in ("out", "in")}
    found["shown_sources"] = lists["sources"][offset:offset + ENTITY_PAGE]
    following = offset + ENTITY_PAGE
    return {"totals": totals, "offset": offset, "size": ENTITY_PAGE,
            "next": following if following < max(totals.values()) else None}


@bp.get("/paths")
def paths_page():
    """How two entities are connected: a form, and the paths when both ends are given. An end
    that names several entities is answered with a chooser; no path, with a longer search."""
    P = projection()
    ends = {"from": request.args.get("from", "").strip(),
            "to": request.args.get("to", "").strip()}
    k = int_arg("k", 3, 1, MAX_PATHS)
    max_length = int_arg("max_length", 4, 1, MAX_PATH_LENGTH)
    found, nodes, links, status = None, {}, [], 200
    context = {"ends": ends, "k": k, "max_length": max_length, "max_paths": MAX_PATHS,
               "max_length_bound": MAX_PATH_LENGTH}
    if all(ends.values()):
        chosen, choices = _chosen_ends(P, ends)
        if choices:
            return page("paths.html", found=None, choices=choices, **context)
        nodes = {e: render.node(P, n) for e, n in chosen.items()}
        try:
            found = [render.path(P, p) for p in paths_between(
                get_network(), chosen["from"], chosen["to"], terms=P, k=k,
                max_length=max_length, at=at_arg(P)).paths]
        except NoPath as error:  # an answer: say so, and offer a longer search
            found, status = [], 404
            context["no_path"] = str(error)
            if max_length < MAX_PATH_LENGTH:
                context["longer"] = url_for("pages.paths_page", **{
                    **link_args(), "max_length": MAX_PATH_LENGTH})
        query: dict[str, Any] = {"from": ends["from"], "to": ends["to"], "k": k,
                                 "max_length": max_length}
        links = [("application/json", url_for("api.find_paths", **query))]
        links += [(label, url_for("api.find_paths", **query, format=name))
                  for name, label in NETWORK_DOWNLOADS]
    return page("paths.html", found=found, nodes=nodes, choices={},
                alternate=links[:1], downloads=links[1:], **context), status


def _chosen_ends(P: Projection, ends: dict[str, str]
                 ) -> tuple[dict[str, str], dict[str, list[dict[str, object]]]]:
    """The entity each end names and, for an end that names several, the candidates to choose
    from, each with the link that picks it."""
    chosen, choices = {}, {}
    for end, text in ends.items():
        try:
            chosen[end] = entity_or_404(text, P)
        except AmbiguousName as error:  # a question back, not an error
            choices[end] = [{**c, "href": url_for("pages.paths_page", **{
                **link_args(), end: c["id"]})} for c in error.candidates]
    return chosen, choices


@bp.get("/changes")
def changes_page():
    """What changed in an entity's circle between two days: a form, and who joined and who
    left, by role, with dates and sources, once an entity and ``from`` are given."""
    P = projection()
    asked = {k: request.args.get(k, "").strip() for k in ("entity", "from", "to")}
    context: dict[str, object] = {"asked": asked, "span": date_span(P)}
    if not (asked["entity"] and asked["from"]):
        return page("changes.html", found=None, **context)
    iri = entity_or_404(asked["entity"], P)
    start, end = span(P, asked["from"], asked["to"])
    shaped = shaped_changes(changes_of(get_network(), iri, start, end, terms=P))
    query: dict[str, Any] = {"from": asked["from"], **({"to": asked["to"]} if asked["to"] else {})}
    return page("changes.html", **context, center=render.node(P, iri), start=start, end=end,
                found=shaped, sources={s["iri"]: s for s in shaped["sources"]},
                alternate=[("application/json", url_for(
                    "history.entity_circle_changes", entity_id=short_id(iri), **query))])


@bp.get("/rankings")
def rankings_page():
    """The most central entities by degree, PageRank or betweenness, as a bar chart."""
    P = projection()
    metric = choice_arg("metric", METRICS)
    size = int_arg("limit", 25, 1, max(RANKING_SIZES))
    chosen = [t for t in request.args.getlist("type") if t]  # the form's "All" sends type=
    ranked = ranking(P, metric, P.type_filter(chosen))
    top = ranked[:size]
    best = top[0][1] if top and top[0][1] > 0 else 1.0
    query = {"metric": metric, "limit": size, **({"type": chosen} if chosen else {})}
    return page("rankings.html", metric=metric, metrics=METRICS, size=size, sizes=RANKING_SIZES,
                chosen=chosen, total=len(ranked),
                types=sorted(({**render.type_term(P, c), "count": n}
                              for c, n in class_counts(P).items()),
                             key=lambda t: (t["label_en"] or t["id"]).lower()),
                rows=[{"rank": i + 1, "score": score, "share": score / best,
                       **render.node(P, n)} for i, (n, score) in enumerate(top)],
                alternate=[("application/json",
                            url_for("api.rankings") + "?" + urlencode(query, doseq=True))])


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers look for it unasked (the pages name the SVG itself)."""
    return current_app.send_static_file("favicon.svg")


def editor_page() -> str:
    """The SPARQL editor (YASGUI) with the example gallery; ``/sparql`` serves it to browsers.
    ``example=`` opens that example; without scripts, the plain form holds its query."""
    found = {ex.name: ex for ex in examples()}
    example = found.get(request.args.get("example", ""))
    first = sparql_prefixes(*EDITOR_PREFIXES) + "\n" + FIRST_QUERY
    vocabulary = terms().cached("vocabulary", lambda: schema.vocabulary(get_graph()))
    return page("sparql.html", endpoint=url_for("sparql.sparql", _external=True),
                missing=missing_assets("yasgui.min.js", "yasgui.min.css"),
                examples=examples(), example=example, default_query=first, terms=vocabulary,
                query=example.sparql if example else first, formats=RESULT_DOWNLOADS,
                entities=ontology.KG,
                examples_json=[asdict(ex) for ex in examples()], prefixes=ontology.PREFIXES,
                alternate=[("text/turtle", url_for("sparql.sparql", format="turtle"))])


# -- helpers ---------------------------------------------------------------------------------


def date_span(P: Projection) -> dict[str, str]:
    """The first day the graph's dated relationships know of, and today: the bounds the date
    fields of the pages offer."""
    dates = edge_dates(P)
    return {"first": dates[0] if dates else "", "today": today()}


def kinds(P: Projection) -> dict[str, object]:
    """What the graph view colours nodes by: each class's group (its top aikg class), and the
    groups with their labels, most populous first (the order colours are given in)."""
    groups = class_groups(P)
    return {"classes": {short_id(c): short_id(top) for c, top in groups.items()},
            "groups": [render.type_term(P, top) for top in dict.fromkeys(groups.values())]}


def page(template: str, **context: object) -> str:
    """A page of the site: the template with what every page shows (the graph version)."""
    return render_template(template, version=terms().version, **context)


def missing_assets(*names: str) -> list[str]:
    """Which of the built JavaScript files ``names`` (under ``static/vendor/``) this
    installation lacks: ``make assets`` builds them, and a wheel built after it carries them."""
    folder = Path(current_app.static_folder or "", "vendor")
    return [name for name in names if not (folder / name).is_file()]


@cache
def examples() -> list[Example]:
    """The bundled example queries (files read once per process)."""
    return load_examples()


@bp.app_template_filter("entity_url")
def entity_url(node: dict) -> str | None:
    """The page of a node (``id`` and ``iri``) when it is an entity of the graph, else None."""
    ident = node.get("id", "")
    return url_for("pages.entity", entity_id=ident) if entity_iri(ident) == node.get(
        "iri") else None


@bp.app_template_filter("license_name")
def license_name(iri: str) -> str:
    """A licence's short name: "CC BY 4.0" for a Creative Commons licence, else its address."""
    found = re.search(r"creativecommons\.org/licenses/([a-z-]+)/([0-9.]+)", iri)
    return f"CC {found[1].upper()} {found[2]}" if found else iri


@bp.app_template_test("web_address")
def web_address(value: object) -> bool:
    """True for an http(s) URL, the only addresses a page links to: a ``javascript:`` or
    ``data:`` IRI in the data would run script when clicked (stored XSS); it is shown as text."""
    return isinstance(value, str) and urlsplit(value.strip()).scheme.lower() in ("http", "https")


@bp.after_app_request
def content_security_policy(response: Response) -> Response:
    """Every response says that a page runs only this site's scripts, loads nothing from
    elsewhere, and is framed by no one: injected markup can neither run nor phone home."""
    headers = response.headers
    # not setdefault: werkzeug answers each miss, the usual case, by raising an exception
    present = {name.lower() for name, _ in headers.items()}
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if "x-content-type-options" not in present:
        headers.add("X-Content-Type-Options", "nosniff")
    return response


@bp.app_template_filter("graph_name")
def graph_name(iri: str) -> str:
    """The short name of a named graph: its slug under the project's graph namespace."""
    return iri[len(ontology.GRAPH):] if iri.startswith(ontology.GRAPH) else iri
