"""Files in and out: ``aikg import`` (tables) and ``aikg export`` (RDF and network files)."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from graph import AikgError
from graph.export import EXPORT_FORMATS, dataset_export, result_export
from graph.rdf.formats import format_for_path
from ontology import mapping_names

from . import STORE_HELP, main, open_graph, read_argument, run_query, timeout_option


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
    # Imported here: csvw and pyshacl would slow down the start of every other command.
    from graph.importing.importer import import_table
    from graph.importing.mappings import bundled_mapping, load_mapping

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
@timeout_option
def export_command(output: str, fmt: str | None, graph_iri: str | None, sparql: str | None,
                   store: str, timeout: float) -> None:
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
            result = run_query(kg, read_argument(sparql), timeout=timeout)
            export = result_export(kg, result, chosen)
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
