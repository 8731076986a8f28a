"""Time in the relationship graph: ``aikg changes`` (who joined and left a circle between two
days) and ``aikg timeline`` (an entity's dated events, newest first)."""

from __future__ import annotations

import json

import click

from . import STORE_HELP, domain_errors, main
from .relations import _network, walk_options


@main.command()
@click.argument("entity_id", metavar="ENTITY")
@click.option("--from", "start", required=True, metavar="DATE",
              help="The first day (YYYY-MM-DD; YYYY or YYYY-MM: from its first day).")
@click.option("--to", "end", metavar="DATE",
              help="The last day (YYYY-MM-DD; YYYY or YYYY-MM: to its last day). "
              "[default: today]")
@walk_options("the changes")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def changes(entity_id: str, start: str, end: str | None, depth: int, relation: tuple[str, ...],
            role: tuple[str, ...], output: str, store: str) -> None:
    """Print who joined and who left the circle of friends of ENTITY between two days, by role,
    each with its date and sources."""
    from graph.describe.lookups import changes_of
    from service import render
    from service.history import shaped_changes
    from service.params import span

    with domain_errors():
        network = _network(store)
        P = network.current
        iri = network.entity(entity_id, P)
        first, last = span(P, start, end, ("--from", "--to"))
        found = changes_of(network, iri, first, last, terms=P, depth=depth,
                           relations=P.relation_filter(relation), roles=P.role_filter(role))
        shaped = {"center": render.node(P, iri), "from": first, "to": last, "depth": depth,
                  **shaped_changes(found)}
    if output == "json":
        click.echo(json.dumps(shaped, ensure_ascii=False, indent=2))
        return
    rows = [[kind, group["key"], member["date"] or "", member["id"], member["label_en"],
             " ".join(s.rsplit("/", 1)[-1] for s in member["sources"])]
            for kind in ("joined", "left") for group in shaped[kind]
            for member in group["members"]]
    click.echo(f"{shaped['center']['label_en'] or shaped['center']['id']}: "
               f"{shaped['joined_count']} joined, {shaped['left_count']} left "
               f"between {first} and {last}")
    click.echo(render.table(["change", "role", "date", "id", "label_en", "sources"], rows))


@main.command()
@click.argument("entity_id", metavar="ENTITY")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1),
              help="Events to print, newest first.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the timeline.")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def timeline(entity_id: str, limit: int, output: str, store: str) -> None:
    """Print the dated events of ENTITY, newest first: relationships begun and ended, releases,
    funding rounds, founding, each with its sources."""
    from graph.network.history import timeline as events_of
    from service import render
    from service.history import shaped_events

    with domain_errors():
        network = _network(store)
        P = network.current
        iri = network.entity(entity_id, P)
        events = events_of(network.kg, P.graph, iri) if iri in P.graph else []
        shaped = shaped_events(P, events[:limit])
    if output == "json":
        click.echo(json.dumps(shaped, ensure_ascii=False, indent=2))
        return
    click.echo(render.table(["date", "kind", "id", "label_en", "relation", "sources"], [
        [e["date"], e["kind"], e["subject"]["id"], e["subject"]["label_en"],
         e.get("relation", ""), " ".join(s.rsplit("/", 1)[-1] for s in e["sources"])]
        for e in shaped]))
    if len(events) > limit:
        click.echo(f"({len(events)} events; --limit shows more)", err=True)
