"""``aikg serve``: the graph over HTTP, with gunicorn."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import click

from graph import AikgError
from graph.store import is_remote

from . import STORE_HELP, main, remote_store_options


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
@click.option("--threads", default=32, show_default=True, type=click.IntRange(1, 256),
              help="Request threads per process; they share one store. A request reaches one "
                   "only once it has arrived (up to 1 MiB of body).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Server processes. An in-memory graph is loaded once and shared by them; a "
                   "write is applied in each before its next answer. An on-disk store is "
                   "written by one of them at a time, and each reads the checkpoint made after "
                   "the last write (1 opens the store itself, in one process). A remote store "
                   "with --update-url is served by one process. "
                   "[default: one per core, one for a writable remote store]")
@click.option("--query-workers", default=4, show_default=True, type=click.IntRange(0, 64),
              help="Processes per server process that evaluate queries and are killed when a "
                   "query runs out of time; 0 evaluates in the request thread (faster for cheap "
                   "queries, but a budget then only cuts the result, not the evaluation).")
@click.option("--query-memory", default=1024 ** 3, show_default=True,
              type=click.IntRange(64 * 1024 ** 2),
              help="Bytes each query's worker process may allocate; past it the query is "
                   "stopped with 503 and the server does not grow.")
@click.option("--max-upload", default=1024 ** 3, show_default=True, type=click.IntRange(1),
              help="Bytes per Graph Store POST of one document on /store, streamed from disk; "
                   "past it 413. Other bodies, PUT included, keep a 16 MiB limit.")
@click.option("--data", "data_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False),
              help="RDF file to load at start, after the bundled ones (repeatable).")
@click.option("--rate-limit", default=None, type=click.FloatRange(0, min_open=True),
              help="Requests per second per client, answered 429 past it. [default: no limit]")
@click.option("--rate-burst", default=20, show_default=True, type=click.IntRange(1),
              help="Requests a client may send at once before --rate-limit applies.")
@click.option("--base-url", default=None,
              help="The service's public URL, for the IRIs it mints (a graph POSTed to /store "
                   "without a target). [default: http://HOST:PORT/]")
@click.option("--trusted-proxies", default=0, show_default=True, type=click.IntRange(0, 10),
              help="Reverse proxies in front whose X-Forwarded-For/-Proto/-Host/-Prefix to "
                   "believe; 0 believes none.")
@click.option("--server", "http_server", envvar="AIKG_SERVER", default="gunicorn",
              show_default=True, type=click.Choice(["gunicorn", "granian"]),
              help="HTTP server (env AIKG_SERVER): gunicorn with aikg's worker, or granian, "
                   "to measure it only: under granian a stalled request body holds a thread "
                   "without a time limit (docs/decisions.md).")
def serve(host: str, port: int, store: str, update_url: str | None, store_auth: str | None,
          token: str | None, timeout: float, max_rows: int, threads: int, workers: int | None,
          query_workers: int, query_memory: int, max_upload: int, data_files: tuple[str, ...],
          rate_limit: float | None, rate_burst: int, base_url: str | None,
          trusted_proxies: int, http_server: str) -> None:
    """Serve the graph over HTTP with gunicorn (one process per core by default, each with
    several threads).

    Each request is logged to stderr as one JSON line, each SPARQL query as another; metrics are
    at /metrics in the Prometheus format.
    """
    from service.observe import configure_logging

    single = is_remote(store) and update_url is not None
    if workers is None:
        workers = 1 if single else len(os.sched_getaffinity(0))
    if workers > 1 and single:
        raise click.UsageError("--workers above 1 needs a read-only remote store: the result "
                               "caches of the processes are keyed by their own versions")
    # RocksDB is not fork-safe: a store opened before gunicorn forks has its flush and compaction
    # threads in the parent only, so the worker would pile every write up in memory. An on-disk
    # store is therefore opened in the worker; an in-memory one is loaded once, here, and its
    # pages shared by the workers.
    on_disk = store != "memory" and not is_remote(store)
    run_dir, shared_log = _run_dir(workers, token if store == "memory" else None)
    settings: dict[str, object] = {
        "SHARED_LOG": shared_log, "STORE": store, "STORE_UPDATE_URL": update_url,
        "STORE_AUTH": store_auth, "TOKEN": token, "QUERY_TIMEOUT": timeout, "MAX_ROWS": max_rows,
        "QUERY_WORKERS": query_workers, "QUERY_MEMORY": query_memory,
        "STORE_MAX_UPLOAD": max_upload, "RATE_LIMIT": rate_limit, "RATE_BURST": rate_burst,
        "TRUSTED_PROXIES": trusted_proxies, "RATE_BUCKETS": run_dir and run_dir / "rate-buckets",
        "BASE_URL": base_url or f"http://{host}:{port}/",
        # one id in the ETags of every process (conditional.py), drawn here before they fork
        "BOOT_ID": secrets.token_hex(8)}
    snapshots = _snapshots_dir(store, workers) if on_disk else None
    if snapshots:  # the first process loads the files (graph.store.snapshots)
        settings.update(SNAPSHOTS=snapshots, DATA_FILES=data_files)
        data_files = ()
    configure_logging()
    url = f"http://{host}:{port}"
    app = None if on_disk else _app(settings, data_files, url)
    if app is not None and not is_remote(store):  # before the fork: see Network.settle
        app.extensions["aikg-network"].settle(share=workers > 1)
    master = os.getpid()
    try:
        from .granian_server import granian_server

        server = _server if http_server == "gunicorn" else granian_server
        server(f"{host}:{port}", workers, threads, remote=is_remote(store),
               shared_metrics=run_dir is not None,
               make_app=lambda: app or _app(settings, data_files, url)).run()
    finally:
        if os.getpid() == master:  # a worker leaves through here too
            for folder in (run_dir, snapshots):
                if folder:
                    shutil.rmtree(folder, ignore_errors=True)


def _snapshots_dir(store: str, workers: int) -> Path | None:
    """The run directory beside the on-disk store (:mod:`graph.store.runs`) where several
    processes publish its checkpoints; None for one process. Refuses a store that another
    server serves."""
    from graph.store.runs import claim_run_dir, refuse_if_served

    try:
        if workers == 1:
            refuse_if_served(store)
            return None
        if Path(store).exists() and not Path(store).is_dir():  # said once, before any fork
            raise click.UsageError(f"cannot open the store at {store}: not a directory")
        return claim_run_dir(store)
    except AikgError as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:  # the store's parent directory is not writable
        raise click.UsageError(f"several processes need a directory beside {store}, and it "
                               f"could not be made ({error}); or use --workers 1") from None


def _run_dir(workers: int, token: str | None) -> tuple[Path | None, Path | None]:
    """The directory through which several processes share what they must, and the folder of
    the writes' log in it (with a token only); none for one process.

    The writes go through :mod:`graph.sharedlog`, the metrics through prometheus_client's
    multiprocess mode, the rate limits through a table of buckets (:mod:`service.limits`).
    """
    if workers <= 1:
        return None, None
    run_dir = Path(tempfile.mkdtemp(prefix="aikg-serve-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(run_dir / "metrics")
    (run_dir / "metrics").mkdir()
    shared_log = None
    if token:
        shared_log = run_dir / "writes"
        shared_log.mkdir()
    return run_dir, shared_log


def _server(bind: str, workers: int, threads: int, *, remote: bool, shared_metrics: bool,
            make_app: Callable[[], object]):
    """The gunicorn application serving what ``make_app`` returns (in the parent, or in each
    process for an on-disk store)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "service.cli.worker.BufferingWorker")
            self.cfg.set("threads", threads)
            # gunicorn's control socket sits at one path per user: a second server would take
            # it from the first. Nothing here uses it (gunicornc), so there is none.
            self.cfg.set("control_socket_disable", True)
            if not remote:
                self.cfg.set("post_fork", _fence_in)
            if shared_metrics:
                self.cfg.set("child_exit", _forget_metrics_gauges)

        def load(self):
            try:
                return make_app()
            except click.ClickException as error:
                error.show()
                raise SystemExit(3) from None  # gunicorn's "worker failed to boot": it stops

    return Server()


def _forget_metrics_gauges(server, worker) -> None:
    """A dead process no longer counts in the gauges of what runs now."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _fence_in(server, worker) -> None:
    """Gunicorn's hook in each new server process, which needs no network socket of its own
    over a local store (it accepts on the one it inherits): forbid them, so that nothing it
    evaluates, updates included, can reach the network (see graph.store.sandbox)."""
    from graph.store import sandbox

    if not sandbox.forbid_network():
        worker.log.warning("no seccomp filter here: only the SPARQL check refuses SERVICE, LOAD")


def _app(settings: Mapping[str, object], data_files: tuple[str, ...], url: str):
    """The service over the graph with ``data_files`` loaded; the start-up line on stderr."""
    from service import create_app

    try:
        app = create_app(settings)
        for name in data_files:
            app.extensions["aikg"].load(Path(name))
    except AikgError as error:
        raise click.ClickException(str(error)) from None
    kg = app.extensions["aikg"]
    # Query workers forked while starting belong to this process; gunicorn's server processes
    # fork their own.
    app.extensions["aikg.executor"].close()
    # Counting a remote store can take minutes on a big one: name it only.
    size = "remote store" if not kg.capabilities.local else f"{len(kg)} triples"
    click.echo(f"aikg: serving {kg.location} ({size}) on {url}", err=True)
    return app
