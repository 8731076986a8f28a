"""The ``aikg`` command line: serve, query, load, import, validate and inspect the graph."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from graph import AikgError, QueryResult, open_graph
from graph.importer import import_table
from graph.results import term_to_text
from graph.tabular import bundled_mapping, load_mapping, mapping_names
from graph.validate import check_syntax

__all__ = ["main"]

STORE_HELP = "Backend: 'memory' (the bundled graph, rebuilt at start) or a store directory."


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
@click.option("--token", envvar="AIKG_TOKEN", default=None,
              help="Bearer token that enables writes (env AIKG_TOKEN). Without it: read-only.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Time budget per query, in seconds.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Rows per query result before it is cut.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Request threads; they share one store in one process.")
@click.option("--rate-limit", default=None, type=click.FloatRange(0, min_open=True),
              help="Requests per second per client, answered 429 past it. [default: no limit]")
@click.option("--rate-burst", default=20, show_default=True, type=click.IntRange(1),
              help="Requests a client may send at once before --rate-limit applies.")
@click.option("--trusted-proxies", default=0, show_default=True, type=click.IntRange(0, 10),
              help="Reverse proxies in front whose X-Forwarded-For/-Proto/-Host/-Prefix to "
                   "believe; 0 believes none.")
def serve(host: str, port: int, store: str, token: str | None, timeout: float, max_rows: int,
          threads: int, rate_limit: float | None, rate_burst: int, trusted_proxies: int) -> None:
    """Serve the graph over HTTP with gunicorn (one process, several threads).

    Each request is logged to stderr as one JSON line, each SPARQL query as another; metrics are
    at /metrics in the Prometheus format.
    """
    from gunicorn.app.base import BaseApplication

    from service import create_app
    from service.observe import configure_logging

    settings = {"STORE": store, "TOKEN": token, "QUERY_TIMEOUT": timeout, "MAX_ROWS": max_rows,
                "RATE_LIMIT": rate_limit, "RATE_BURST": rate_burst,
                "TRUSTED_PROXIES": trusted_proxies}
    configure_logging()
    try:
        app = create_app(settings)
    except AikgError as error:
        raise click.ClickException(str(error)) from None

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)  # one store per process: more processes would diverge
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)

        def load(self):
            return app

    click.echo(f"aikg: serving {store} ({len(app.extensions['aikg'])} triples) "
               f"on http://{host}:{port}", err=True)
    Server().run()


@main.command()
@click.argument("sparql")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
@click.option("--format", "output", type=click.Choice(["table", "json", "csv", "tsv"]),
              default="table", show_default=True, help="How to print the result.")
@click.option("--max-rows", default=1000, show_default=True, type=click.IntRange(1),
              help="Rows to print at most.")
def query(sparql: str, store: str, output: str, max_rows: int) -> None:
    """Run a SPARQL query. SPARQL is the query text, @FILE to read it from a file, or - for stdin.

    \b
    Example:
      aikg query 'SELECT ?name WHERE { kg:baidu rdfs:label ?name }'
    """
    text = _read_argument(sparql)
    try:
        result = open_graph(store).query(text, max_rows=max_rows)
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
@click.option("--store", required=True, type=click.Path(file_okay=False),
              help="Store directory to load into (created if missing).")
@click.option("--graph", "graph_iri", default=None,
              help="Named graph for triples files (default: one per file, from its name).")
@click.option("--format", "syntax", default=None, help="RDF syntax (default: from the suffix).")
def load(files: tuple[str, ...], store: str, graph_iri: str | None, syntax: str | None) -> None:
    """Load RDF files into an on-disk store.

    Each file is parsed in full before anything is written, so a file with a syntax error changes
    nothing; then pyoxigraph's bulk loader writes it.
    """
    try:
        kg = open_graph(store)
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
def stats(store: str) -> None:
    """Print the size of the graph: quads in all, and per named graph."""
    try:
        kg = open_graph(store)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    sizes = kg.graph_sizes()
    click.echo(f"quads: {len(kg):,}\nnamed graphs: {len(sizes)}")
    for iri, count in sizes.items():
        click.echo(f"  {count:>10,}  {iri}")


def _load_with_progress(kg, path: Path, graph_iri: str | None, syntax: str | None):
    size = path.stat().st_size
    if size < 4 * 1024 * 1024:  # a moment's work: no bar
        return kg.load(path, graph=graph_iri, format=syntax, bulk=True)
    started = time.monotonic()
    with click.progressbar(length=size, label=path.name, file=sys.stderr,
                           show_eta=True) as bar:
        seen = {"bytes": 0}

        def progress(bytes_read: int, lines: int) -> None:
            bar.update(bytes_read - seen["bytes"])
            seen["bytes"] = bytes_read
            elapsed = max(time.monotonic() - started, 1e-6)
            bar.label = f"{path.name} ~{lines / elapsed:,.0f} lines/s"

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
