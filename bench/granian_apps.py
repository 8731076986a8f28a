"""The apps of bench.sparql_http as factories for granian (``granian --factory``), which takes
no arguments: the data file comes from ``BENCH_DATA``.

    BENCH_DATA=data.nt granian --interface wsgi --factory --workers 2 bench.granian_apps:aikg
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask


def bare() -> Flask:
    """bench/bare_flask.py over the data."""
    from bench.bare_flask import create

    return create(os.environ["BENCH_DATA"])


def aikg() -> Flask:
    """aikg as ``aikg serve --data`` builds it, read-only, every feature on."""
    from service import create_app

    app = create_app({"QUERY_WORKERS": int(os.environ.get("BENCH_QUERY_WORKERS", "4"))})
    app.extensions["aikg"].load(Path(os.environ["BENCH_DATA"]))
    return app
