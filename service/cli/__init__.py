"""The ``aikg`` command line: serve, query, load, import, export and inspect the knowledge graph.

The group and the helpers its commands share live here; the commands live in the modules named at
the bottom, one per kind of job, and register themselves on :data:`main` when imported.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from graph import AikgError, EntityNotFound, KnowledgeGraph, QueryResult, open_graph
from graph.store.executor import Executor

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


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn graph errors into one-line click errors, with "did you mean" for unknown ids (a
    name several entities bear lists them in the message)."""
    try:
        yield
    except EntityNotFound as error:
        hint = f" (did you mean: {', '.join(error.suggestions)}?)" if error.suggestions else ""
        raise click.ClickException(f"{error}{hint}") from None
    except AikgError as error:
        raise click.ClickException(str(error)) from None


def open_store(store: str, update_url: str | None, store_auth: str | None) -> KnowledgeGraph:
    """Open a store, with the options of a remote one."""
    return open_graph(store, update_url=update_url, credentials=store_auth)


def timeout_option(command):
    """The time budget of a command that runs a query of the user's."""
    return click.option("--timeout", default=30.0, show_default=True,
                        type=click.FloatRange(0.1, 3600),
                        help="Time budget of the query, in seconds.")(command)


def run_query(kg: KnowledgeGraph, text: str, *, timeout: float,
              max_rows: int | None = None) -> QueryResult:
    """Run a query of the user's as the server does: through the graph's query call under an
    executor, in a worker process with a time and a memory budget, unable to reach the
    network."""
    executor = Executor(kg, workers=1, cache_bytes=0, timeout=timeout)
    try:
        return kg.query(text, max_rows=max_rows)
    finally:
        executor.close()


def read_argument(value: str) -> str:
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        return Path(value[1:]).read_text(encoding="utf-8")
    return value


# The commands register themselves on ``main`` as their modules are imported.
from . import files, graphdata, history, relations, serving  # noqa: E402, F401
