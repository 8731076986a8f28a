"""The ``aikg`` command line: serve, query, load, import, validate and inspect the graph."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from graph import AikgError, EntityNotFound, KnowledgeGraph, QueryResult, open_graph
from graph.backup import dump as dump_store
from graph.backup import restore as restore_store
from graph.export import EXPORT_FORMATS, dataset_export, query_export
from graph.export.formats import format_for_path
from graph.formats import rdf_syntax, syntax_for_path
from graph.importer import import_table
from graph.results import term_to_text
from graph.tabular import bundled_mapping, load_mapping, mapping_names
from graph.validate import check_syntax

__all__ = ["main"]

STORE_HELP = ("Backend: 'memory' (the bundled graph, rebuilt at start), a store directory, or "
              "the http(s) URL of a SPARQL query endpoint.")


def remote_store_options(command):
    """The options of a remote store: its update endpoint and credentials."""
    command = click.option(
        "--store-auth", envvar="AIKG_STORE_AUTH", default=None,
        help="Credentials of a remote store: 'user:password' (HTTP basic), 'Digest "
             "user:password' or 'Bearer TOKEN' (env AIKG_STORE_AUTH).")(command)
    return click.option(
        "--update-url", default=None,
        help="Update endpoint of a remote store; without it the remote store is read-only."
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aikg")
def main() -> None:
    """aikg: a knowledge graph of the AI model industry.

    Serve it over HTTP (SPARQL endpoint and relationship API), query it, load RDF files or import
    tables into it, and validate RDF files before they go in.
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="TCP port to listen on.")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
@remote_store_options
@click.option("--token", envvar="AIKG_TOKEN", default=None,
              help="Bearer token that enables writes (env AIKG_TOKEN). Without it: read-only.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Time budget per query, in seconds.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Rows per query result before it is cut.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Request threads per process; they share one store.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes, each with its own copy of the graph: more than one only "
                   "when read-only (no --token).")
@click.option("--query-workers", default=4, show_default=True, type=click.IntRange(0, 64),
              help="Processes per server process that evaluate queries and are killed when a "
                   "query runs out of time; 0 evaluates in the request thread (faster for cheap "
                   "queries, but a budget then only cuts the result, not the evaluation).")
@click.option("--data", "data_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False),
              help="RDF file to load at start, after the bundled ones (repeatable).")
@click.option("--rate-limit", default=None, type=click.FloatRange(0, min_open=True),
              help="Requests per second per client, answered 429 past it. [default: no limit]")
@click.option("--rate-burst", default=20, show_default=True, type=click.IntRange(1),
              help="Requests a client may send at once before --rate-limit applies.")
@click.option("--trusted-proxies", default=0, show_default=True, type=click.IntRange(0, 10),
              help="Reverse proxies in front whose X-Forwarded-For/-Proto/-Host/-Prefix to "
                   "believe; 0 believes none.")
def serve(host: str, port: int, store: str, update_url: str | None, store_auth: str | None,
          token: str | None, timeout: float, max_rows: int, threads: int, workers: int,
          query_workers: int, data_files: tuple[str, ...], rate_limit: float | None,
          rate_burst: int, trusted_proxies: int) -> None:
    """Serve the graph over HTTP with gunicorn (one process by default, several threads).

    Each request is logged to stderr as one JSON line, each SPARQL query as another; metrics are
    at /metrics in the Prometheus format.
    """
    from gunicorn.app.base import BaseApplication

    from service import create_app
    from service.observe import configure_logging

    if workers > 1 and (token or store != "memory"):
        raise click.UsageError("--workers above 1 needs a read-only in-memory graph (no --token, "
                               "--store memory): a write in one process would not reach the others")
    settings = {"STORE": store, "STORE_UPDATE_URL": update_url, "STORE_AUTH": store_auth,
                "TOKEN": token, "QUERY_TIMEOUT": timeout, "MAX_ROWS": max_rows,
                "QUERY_WORKERS": query_workers, "RATE_LIMIT": rate_limit,
                "RATE_BURST": rate_burst, "TRUSTED_PROXIES": trusted_proxies}
    configure_logging()
    try:
        app = create_app(settings)
        for name in data_files:
            app.extensions["aikg"].load(Path(name))
    except AikgError as error:
        raise click.ClickException(str(error)) from None

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)  # forked after the graph is loaded: shared pages
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)

        def load(self):
            return app

    kg = app.extensions["aikg"]
    # Counting a remote store can take minutes on a big one: name it only.
    size = "remote store" if kg.store is None else f"{len(kg)} triples"
    click.echo(f"aikg: serving {kg.location} ({size}) on http://{host}:{port}", err=True)
    Server().run()


@main.command()
@click.argument("sparql")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
@remote_store_options
@click.option("--format", "output", type=click.Choice(["table", "json", "csv", "tsv"]),
              default="table", show_default=True, help="How to print the result.")
@click.option("--max-rows", default=1000, show_default=True, type=click.IntRange(1),
              help="Rows to print at most.")
def query(sparql: str, store: str, update_url: str | None, store_auth: str | None, output: str,
          max_rows: int) -> None:
    """Run a SPARQL query. SPARQL is the query text, @FILE to read it from a file, or - for stdin.

    \b
    Example:
      aikg query 'SELECT ?name WHERE { kg:baidu rdfs:label ?name }'
    """
    text = _read_argument(sparql)
    try:
        result = _open(store, update_url, store_auth).query(text, max_rows=max_rows)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    if result.kind == "graph":
        click.echo(result.to_rdf().decode(), nl=False)
    elif output == "table":
        click.echo(_table(result))
    else:
        click.echo(getattr(result, f"to_{output}")(), nl=False)
    if result.truncated:
        click.echo(f"(cut at {max_rows} rows)", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "syntax", default=None,
              help="RDF syntax of every file (default: from each file's suffix).")
def validate(files: tuple[str, ...], syntax: str | None) -> None:
    """Check that RDF files parse; report the file, line and column of the first error in each."""
    failed = 0
    for name in files:
        try:
            count = check_syntax(Path(name), syntax)
        except AikgError as error:
            failed += 1
            click.echo(f"error: {error}", err=True)
        else:
            click.echo(f"ok: {name} ({count} statements)")
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} files failed")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--store", required=True,
              help="Store directory to load into (created if missing), or the URL of a remote "
                   "store's query endpoint.")
@remote_store_options
@click.option("--graph", "graph_iri", default=None,
              help="Named graph for triples files (default: one per file, from its name).")
@click.option("--format", "syntax", default=None, help="RDF syntax (default: from the suffix).")
def load(files: tuple[str, ...], store: str, update_url: str | None, store_auth: str | None,
         graph_iri: str | None, syntax: str | None) -> None:
    """Add RDF files to a store (N-Triples, N-Quads, Turtle, TriG...; gzipped as .gz).

    Each file goes in as one atomic step: pyoxigraph's bulk loader sorts it on disk in batches,
    so memory stays bounded, and adds it at the end, so a syntax error, or a crash in the middle,
    changes nothing. An empty store first receives the bundled graph. A remote store receives
    each file as one SPARQL INSERT DATA update.
    """
    try:
        kg = _open(store, update_url, store_auth)
        for name in files:
            report = _load_with_progress(kg, Path(name), graph_iri, syntax)
            click.echo(f"{name}: {report.triples:,} triples in {report.seconds:.2f} s "
                       f"({report.rate:,.0f} triples/s)")
    except AikgError as error:
        raise click.ClickException(str(error)) from None


@main.command("import")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--mapping", required=True,
              help="CSVW metadata describing the table: a file, or the name of a mapping in "
                   "ontology/mappings/ (" + ", ".join(mapping_names()) + ").")
@click.option("--store", default="memory", show_default=True,
              help=STORE_HELP + " A memory store keeps nothing: use it with --dry-run.")
@click.option("--graph", "graph_iri", default=None,
              help="Named graph of the imported statements (default: the mapping's aikg:graph). "
                   "What it held before is replaced.")
@click.option("--accessed", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD",
              help="Day the table was downloaded (default: kept when the data is "
                   "unchanged, else today).")
@click.option("--dry-run", is_flag=True, help="Resolve, build and validate; write nothing.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the import report.")
def import_(table: str, mapping: str, store: str, graph_iri: str | None,
            accessed: datetime | None, dry_run: bool, output: str) -> None:
    """Import a CSV table (- for stdin) into the graph, as a CSVW mapping describes it.

    Names of organizations and models are resolved against the graph: a name the graph knows
    becomes that entity, an unknown one a new entity, an ambiguous one is reported and left
    out. The statements go into one named graph, described as a source with its licence and
    attribution; they are validated with the shapes and written in one transaction. A cell that
    does not read stops the import with its row and column, and nothing changes. Importing the
    same file again changes nothing.

    \b
    Example:
      aikg import notable-ai-models.csv --mapping epoch-notable-ai-models --store data/
    """
    source = sys.stdin.buffer.read() if table == "-" else Path(table)
    try:
        recipe = (load_mapping(Path(mapping)) if Path(mapping).is_file()
                  else bundled_mapping(mapping))
        report = import_table(open_graph(store), source, recipe, graph=graph_iri,
                              accessed=accessed.date() if accessed else None, dry_run=dry_run)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    if output == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.summary())


@main.command()
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
@remote_store_options
def stats(store: str, update_url: str | None, store_auth: str | None) -> None:
    """Print the size of the graph: quads in all, and per named graph."""
    try:
        kg = _open(store, update_url, store_auth)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    sizes = kg.graph_sizes()
    click.echo(f"quads: {len(kg):,}\nnamed graphs: {len(sizes)}")
    for iri, count in sizes.items():
        click.echo(f"  {count:>10,}  {iri}")


@main.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write, or - for standard output.")
@click.option("--format", "fmt", type=click.Choice([f.name for f in EXPORT_FORMATS]),
              default=None, help="Output format (default: from the output suffix, else trig).")
@click.option("--graph", "graph_iri", default=None,
              help="Export one named graph: its IRI, or its slug after .../graph/.")
@click.option("--query", "sparql", default=None,
              help="Export the result of a CONSTRUCT or DESCRIBE query: text, @FILE or -.")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def export_command(output: str, fmt: str | None, graph_iri: str | None, sparql: str | None,
                   store: str) -> None:
    """Export the graph, one named graph or a query result as RDF or as a network file.

    RDF: turtle, ntriples, nquads, trig, jsonld, rdfxml (trig, nquads and jsonld keep the named
    graphs; the others merge them). Networks: graphml, gexf, nodelink, cytoscape, csv (a zip of
    nodes.csv and edges.csv), dot. A file is written whole or not at all.

    \b
    Examples:
      aikg export -o aikg.trig
      aikg export --graph sources -o sources.ttl
      aikg export --query @circle.rq --format gexf -o circle.gexf
    """
    if graph_iri and sparql:
        raise click.UsageError("give --graph or --query, not both")
    try:
        chosen = fmt or ("trig" if output == "-" else format_for_path(output))
        kg = open_graph(store)
        if sparql:
            export = query_export(kg, _read_argument(sparql), chosen)
        else:
            export = dataset_export(kg, chosen, graph=graph_iri)
        size = _write_export(export, output)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    if output != "-":
        click.echo(f"{output}: {size:,} bytes of {export.format.name}", err=True)
    if export.truncated:
        click.echo("(the query result was cut at the row cap)", err=True)


def _write_export(export, output: str) -> int:
    """Write to standard output, or to ``output`` through a temporary file renamed at the end."""
    if output == "-":
        export.write(sys.stdout.buffer)
        return 0
    part = Path(output + ".part")
    try:
        with part.open("wb") as out:
            export.write(out)
        os.replace(part, output)
    finally:
        part.unlink(missing_ok=True)
    return Path(output).stat().st_size


@main.command()
@click.argument("entity_id")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 3),
              help="Hops from the entity.")
@click.option("--relation", multiple=True,
              help="Follow only this ecosystem relation (and those below it); repeatable.")
@click.option("--role", multiple=True, help="Keep only members playing this role; repeatable.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the circle.")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def circle(entity_id: str, depth: int, relation: tuple[str, ...], role: tuple[str, ...],
           output: str, store: str) -> None:
    """Print the circle of friends of ENTITY_ID (e.g. baidu), grouped by role.

    Each member comes with the hops that bring it in and their sources.
    """
    from graph.network import circle as circle_of

    from . import render

    with _domain_errors():
        network, P = _network(store)
        iri = network.entity(entity_id, P)
        members = circle_of(P.graph, iri, depth=depth, relations=P.relation_filter(relation),
                            roles=P.role_filter(role))
        shaped = render.circle(P, iri, depth, members, render.entries(members), False)
    click.echo(json.dumps(shaped, ensure_ascii=False, indent=2) if output == "json"
               else render.circle_table(shaped))


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
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def path(source: str, target: str, max_length: int, k: int, relation: tuple[str, ...],
         output: str, store: str) -> None:
    """Print how SOURCE and TARGET are connected: up to k shortest paths, hop by hop."""
    from graph.network import paths

    from . import render

    with _domain_errors():
        network, P = _network(store)
        ends = network.entity(source, P), network.entity(target, P)
        found = [render.path(P, p) for p in paths(P.graph, *ends, k=k, max_length=max_length,
                                                  relations=P.relation_filter(relation))]
    if output == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for number, shaped in enumerate(found, 1):
        click.echo(f"{number}. {shaped['length']} hops")
        for hop in shaped["hops"]:
            for edge in hop["edges"]:
                arrow = "->" if edge["direction"] == "out" else "<-"
                sources = " ".join(s.rsplit("/", 1)[-1] for s in edge["sources"])
                click.echo(f"   {hop['from']['id']} {arrow} {edge['relation']} {arrow} "
                           f"{hop['to']['id']}   [{sources}]")


@main.command()
@click.option("--metric", type=click.Choice(["degree", "pagerank", "betweenness"]),
              default="degree", show_default=True, help="The centrality to rank by.")
@click.option("--type", "types", multiple=True,
              help="Rank only entities of this class (or a subclass); repeatable.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1),
              help="Entities to print.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the ranking.")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
def rank(metric: str, types: tuple[str, ...], limit: int, output: str, store: str) -> None:
    """Print the most central entities of the relationship graph."""
    from graph.network import ranking

    from . import render

    with _domain_errors():
        _, P = _network(store)
        top = ranking(P, metric, P.type_filter(types))[:limit]
    rows = [{"rank": i, "score": score, **render.node(P, n)} for i, (n, score) in
            enumerate(top, 1)]
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(render.table(["rank", metric, "id", "label_en", "label_zh"], [
            [r["rank"], f"{r['score']:.4g}", r["id"], r["label_en"], r["label_zh"]]
            for r in rows]))


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Turn graph errors into one-line click errors, with "did you mean" for unknown ids."""
    try:
        yield
    except EntityNotFound as error:
        hint = f" (did you mean: {', '.join(error.suggestions)}?)" if error.suggestions else ""
        raise click.ClickException(f"{error}{hint}") from None
    except AikgError as error:
        raise click.ClickException(str(error)) from None


def _network(store: str):
    from graph.network import Network

    network = Network(open_graph(store))
    return network, network.current


@main.command()
@click.option("--store", required=True, type=click.Path(exists=True, file_okay=False),
              help="Store directory to back up (not in use by a server).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="File to write (.nq or .trig, optionally .gz).")
@click.option("--format", "syntax", type=click.Choice(["nquads", "trig"]), default=None,
              help="Syntax of the dump (default: from the file's suffix).")
def dump(store: str, output: str, syntax: str | None) -> None:
    """Back up every quad of an on-disk store, with its named graph, to one file.

    A store directory is open in one process at a time: stop the server that uses it first.
    `aikg restore` recreates the store from the file.
    """
    try:
        kg = open_graph(store, bundled=False)
        started = time.monotonic()
        dump_store(kg, output, format=syntax)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{output}: {len(kg):,} quads in {time.monotonic() - started:.2f} s")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--store", required=True, type=click.Path(file_okay=False),
              help="Store directory to recreate; it must be new or empty.")
@click.option("--format", "syntax", type=click.Choice(["nquads", "trig"]), default=None,
              help="Syntax of the dump (default: from the file's suffix).")
def restore(file: str, store: str, syntax: str | None) -> None:
    """Recreate a store from a dump made by `aikg dump`, exactly as it was.

    Unlike `load`, it refuses a store that holds anything and does not add the bundled graph
    first: the dump already holds what the store had, deletions included.
    """
    try:
        report = restore_store(open_graph(store, bundled=False), file, format=syntax)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{store}: {report.triples:,} quads restored in {report.seconds:.2f} s")


def _open(store: str, update_url: str | None, store_auth: str | None) -> KnowledgeGraph:
    """Open a store, with the options of a remote one."""
    return open_graph(store, update_url=update_url, credentials=store_auth)


def _load_with_progress(kg, path: Path, graph_iri: str | None, syntax: str | None):
    size = path.stat().st_size
    if size < 4 * 1024 * 1024:  # a moment's work: no bar
        return kg.load(path, graph=graph_iri, format=syntax, bulk=True)
    # In N-Triples and N-Quads a line is a statement; elsewhere lines are a rough guide.
    line_based = (rdf_syntax(syntax) if syntax else syntax_for_path(path)).name in (
        "ntriples", "nquads")
    unit = "triples/s" if line_based else "lines/s"
    started = time.monotonic()
    with click.progressbar(length=size, label=path.name, file=sys.stderr,
                           show_eta=True) as bar:
        shown = {"bytes": 0, "at": started}

        def progress(bytes_read: int, lines: int) -> None:
            now = time.monotonic()
            # The reader calls back every few kB: redraw twice a second, and at the end.
            if now - shown["at"] < 0.5 and bytes_read < size:
                return
            bar.label = f"{path.name} {lines / (now - started):,.0f} {unit}"
            bar.update(bytes_read - shown["bytes"])
            shown.update(bytes=bytes_read, at=now)

        return kg.load(path, graph=graph_iri, format=syntax, progress=progress, bulk=True)


def _read_argument(value: str) -> str:
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        return Path(value[1:]).read_text(encoding="utf-8")
    return value


def _table(result: QueryResult) -> str:
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    header = result.variables
    cells = [["" if t is None else term_to_text(t) for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body, f"({len(cells)} rows)"])


if __name__ == "__main__":
    main()
