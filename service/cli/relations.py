"""Finding entities and relationship questions: ``aikg search``, ``aikg circle``, ``aikg path``
and ``aikg rank``. Wherever an entity is expected, its id, its IRI or a name of it will do."""

from __future__ import annotations

import json

import click

from graph import open_graph

from . import STORE_HELP, domain_errors, main


def listing_options(what: str):
    """The options of a command that lists entities: --type, --limit, --format and --store."""
    options = [
        click.option("--type", "types", multiple=True,
                     help="Only entities of this class (or a subclass); repeatable."),
        click.option("--limit", default=20, show_default=True, type=click.IntRange(1),
                     help="Entities to print."),
        click.option("--format", "output", type=click.Choice(["table", "json"]),
                     default="table", show_default=True, help=f"How to print {what}."),
        click.option("--store", default="memory", show_default=True, help=STORE_HELP),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@main.command()
@click.argument("text")
@listing_options("the hits")
def search(text: str, types: tuple[str, ...], limit: int, output: str, store: str) -> None:
    """Find entities by a name in English or Chinese (exact, then prefix, then inside a name),
    most connected first. Their ids work wherever aikg takes an entity."""
    from graph.describe.lookups import find_entities
    from service import render

    with domain_errors():
        network = _network(store)
        found = find_entities(network, text, types=network.terms.type_filter(types))
    hits, P = found.hits, found.projection
    rows = [{**render.node(P, h.node), "match": h.match, "matched_label": h.label}
            for h in hits[:limit]]
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        raise click.ClickException(f"no entity has a name matching {text!r}")
    click.echo(render.table(["id", "label_en", "label_zh", "types", "match"], [
        [r["id"], r["label_en"], r["label_zh"], " ".join(r["types"]), r["match"]] for r in rows]))
    if len(hits) > limit or found.truncated:
        more = "+" if found.truncated else ""
        click.echo(f"({len(hits)}{more} found; --limit shows more)", err=True)


def walk_options(what: str):
    """The options of a walk around an entity: --depth, --relation, --role and --format."""
    options = [
        click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 3),
                     help="Hops from the entity."),
        click.option("--relation", multiple=True, help="Follow only this ecosystem relation "
                     "(and those below it); repeatable."),
        click.option("--role", multiple=True,
                     help="Keep only members playing this role; repeatable."),
        click.option("--format", "output", type=click.Choice(["table", "json"]),
                     default="table", show_default=True, help=f"How to print {what}."),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def at_option(what: str):
    """The --at option of a relationship question."""
    return click.option("--at", "at", metavar="DATE",
                        help=f"{what} as of this day (YYYY-MM-DD; YYYY or YYYY-MM: the end of "
                        "that year or month): only relationships that held then.")


def as_of(network, P, text: str | None, option: str = "--at") -> str | None:
    """The day ``--at`` names, checked as the HTTP API checks ``at``."""
    from service.params import checked_day

    return None if not text else checked_day(P, text, option,
                                             remote=not network.kg.capabilities.local)


@main.command()
@click.argument("entity_id", metavar="ENTITY")
@walk_options("the circle")
@at_option("The circle")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def circle(entity_id: str, depth: int, relation: tuple[str, ...], role: tuple[str, ...],
           output: str, at: str | None, store: str) -> None:
    """Print the circle of friends of ENTITY (an id, IRI or name: baidu, Baidu, 百度), grouped
    by role.

    Each member comes with the hops that bring it in and their sources; the table also gives the
    date and address of the earliest dated source of the last hop.
    """
    from graph.describe.entities import describe_sources
    from graph.describe.lookups import circle_of
    from service import render

    with domain_errors():
        network = _network(store)
        T = network.terms
        iri = network.entity(entity_id, T)
        shaped = render.circle(circle_of(
            network, iri, terms=T, depth=depth, relations=T.relation_filter(relation),
            roles=T.role_filter(role), at=as_of(network, T, at)))
        if output == "json":
            click.echo(json.dumps(shaped, ensure_ascii=False, indent=2))
            return
        described = describe_sources(network.kg, sorted(render.circle_sources(shaped)))
    click.echo(render.circle_table(shaped, {s["iri"]: dict(s) for s in described}))


@main.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-length", default=4, show_default=True, type=click.IntRange(1, 6),
              help="Longest path, in hops.")
@click.option("-k", "k", default=1, show_default=True, type=click.IntRange(1, 10),
              help="Paths to show at most, shortest first.")
@click.option("--relation", multiple=True, help="Follow only this ecosystem relation; "
              "repeatable.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the paths.")
@at_option("The paths")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def path(source: str, target: str, max_length: int, k: int, relation: tuple[str, ...],
         output: str, at: str | None, store: str) -> None:
    """Print how SOURCE and TARGET (each an id, IRI or name) are connected: up to k shortest
    paths, hop by hop."""
    from graph.describe.lookups import paths_between
    from service import render

    with domain_errors():
        network = _network(store)
        T = network.terms
        ends = network.entity(source, T), network.entity(target, T)
        found_paths = paths_between(network, *ends, terms=T, k=k, max_length=max_length,
                                    relations=T.relation_filter(relation),
                                    at=as_of(network, T, at))
        found = [render.path(found_paths.projection, p) for p in found_paths.paths]
    if output == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for number, shaped in enumerate(found, 1):
        click.echo(f"{number}. {shaped['length']} hops")
        for hop in shaped["hops"]:
            for edge in hop["edges"]:
                arrow = "->" if edge["direction"] == "out" else "<-"
                sources = " ".join(s.rsplit("/", 1)[-1] for s in edge["sources"])
                via = ", ".join(n["id"] for n in edge.get("via", ()))
                click.echo(f"   {hop['from']['id']} {arrow} {edge['relation']} {arrow} "
                           f"{hop['to']['id']}   [{sources}]" + (f" (via {via})" if via else ""))


@main.command()
@click.option("--metric", type=click.Choice(["degree", "pagerank", "betweenness"]),
              default="degree", show_default=True, help="The centrality to rank by.")
@at_option("The ranking")
@listing_options("the ranking")
def rank(metric: str, at: str | None, types: tuple[str, ...], limit: int, output: str,
         store: str) -> None:
    """Print the most central entities of the relationship graph. On a remote store (--store
    URL) the store counts degrees; PageRank and betweenness need a local store."""
    from graph.describe.lookups import rank_entities
    from service import render

    with domain_errors():
        network = _network(store)
        T = network.terms
        top = rank_entities(network, metric, terms=T, types=T.type_filter(types),
                            at=as_of(network, T, at), limit=limit)
    rows = [{"rank": i, "score": score, **render.node(top.projection, n)} for i, (n, score) in
            enumerate(top.items, 1)]
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(render.table(["rank", metric, "id", "label_en", "label_zh"], [
            [r["rank"], f"{r['score']:.4g}", r["id"], r["label_en"], r["label_zh"]]
            for r in rows]))


def _network(store: str):
    """The relationship questions over the store: on a remote one, as SPARQL on it (circles,
    paths, degree rankings; PageRank and betweenness, which need the whole graph in memory,
    say so)."""
    from graph.network import Network
    from graph.network.remote_walks import RemoteNetwork

    kg = open_graph(store)
    return Network(kg) if kg.capabilities.local else RemoteNetwork(kg)
