"""Commands on the graph's data: query, validate, load, stats, dump and restore."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from graph import AikgError, QueryResult
from graph.rdf.formats import rdf_syntax, syntax_for_path
from graph.rdf.validate import check_syntax
from graph.store.backup import dump as dump_store
from graph.store.backup import restore as restore_store
from graph.store.results import term_to_text

from . import (
    STORE_HELP,
    main,
    open_graph,
    open_store,
    read_argument,
    remote_store_options,
    run_query,
    timeout_option,
)


@main.command()
@click.argument("sparql")
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
@remote_store_options
@click.option("--format", "output", type=click.Choice(["table", "json", "csv", "tsv"]),
              default="table", show_default=True, help="How to print the result.")
@click.option("--max-rows", default=1000, show_default=True, type=click.IntRange(1),
              help="Rows to print at most.")
@timeout_option
def query(sparql: str, store: str, update_url: str | None, store_auth: str | None, output: str,
          max_rows: int, timeout: float) -> None:
    """Run a SPARQL query. SPARQL is the query text, @FILE to read it from a file, or - for stdin.

    \b
    Example:
      aikg query 'SELECT ?name WHERE { kg:baidu rdfs:label ?name }'
    """
    text = read_argument(sparql)
    try:
        kg = open_store(store, update_url, store_auth)
        result = run_query(kg, text, timeout=timeout, max_rows=max_rows)
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
        kg = open_store(store, update_url, store_auth)
        for name in files:
            report = _load_with_progress(kg, Path(name), graph_iri, syntax)
            click.echo(f"{name}: {report.triples:,} triples in {report.seconds:.2f} s "
                       f"({report.rate:,.0f} triples/s)")
    except AikgError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.option("--store", default="memory", show_default=True, help=STORE_HELP)
@remote_store_options
def stats(store: str, update_url: str | None, store_auth: str | None) -> None:
    """Print the size of the graph: quads in all, and per named graph."""
    try:
        kg = open_store(store, update_url, store_auth)
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    sizes = kg.graph_sizes()
    click.echo(f"quads: {len(kg):,}\nnamed graphs: {len(sizes)}")
    for iri, count in sizes.items():
        click.echo(f"  {count:>10,}  {iri}")


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
        shown: dict[str, float] = {"bytes": 0, "at": started}  # at the last redraw

        def progress(bytes_read: int, lines: int) -> None:
            now = time.monotonic()
            # The reader calls back every few kB: redraw twice a second, and at the end.
            if now - shown["at"] < 0.5 and bytes_read < size:
                return
            bar.label = f"{path.name} {lines / (now - started):,.0f} {unit}"
            bar.update(bytes_read - int(shown["bytes"]))
            shown.update(bytes=bytes_read, at=now)

        return kg.load(path, graph=graph_iri, format=syntax, progress=progress, bulk=True)


def _table(result: QueryResult) -> str:
    from service.render import table  # aligned by display width: Chinese takes two columns

    if result.kind == "ask":
        return "true" if result.boolean else "false"
    cells = [["" if t is None else term_to_text(t) for t in row] for row in result.rows]
    return table(result.variables, cells) + f"\n({len(cells)} rows)"
