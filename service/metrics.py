"""Prometheus metrics, counted and written by prometheus_client, without Flask.

:mod:`service.observe` keeps one :class:`Metrics` per app and serves :meth:`Metrics.render` at
``/metrics`` (the exposition format 0.0.4). ``aikg serve`` with one process counts into the
app's own registry; with several (``--workers``), each process counts into memory-mapped files
in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, set before
prometheus_client is imported) and ``/metrics`` adds them up, whichever process answers.

prometheus_client is imported inside the functions here, not at the top: it picks its
multiprocess mode when first imported, and ``aikg serve`` names the directory after ``service``
(this module included) is imported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client.core import Metric

__all__ = ["BUCKETS", "CONTENT_TYPE", "Metrics"]

#: Upper bounds of the duration histograms, in seconds; the last bucket is +Inf.
BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """What the service has done since it started: requests, errors, queries, and what runs now.

    ``shared=True`` counts into prometheus_client's multiprocess files, summed over every server
    process; the graph's size and version and the resident memory are those of the process
    that renders.
    """

    def __init__(self, shared: bool = False) -> None:
        from prometheus_client import (
            CollectorRegistry,
            Counter,
            Gauge,
            Histogram,
            disable_created_metrics,
        )

        # The multiprocess collector writes no ``*_created`` series; one process leaves them out
        # too, so that both write the same families (the ones docs/operations.md lists).
        disable_created_metrics()
        self._shared = shared
        self._registry = CollectorRegistry()
        registry = None if shared else self._registry  # shared: the files are the registry
        self._requests = Counter("aikg_requests", "HTTP requests answered.",
                                 ["route", "method", "status"], registry=registry)
        self._errors = Counter("aikg_errors", "HTTP requests answered with a 5xx status.",
                               ["route"], registry=registry)
        self._durations = Histogram("aikg_request_duration_seconds",
                                    "Time from a request's arrival to its response, per route.",
                                    ["route"], buckets=BUCKETS, registry=registry)
        self._active_requests = Gauge("aikg_active_requests", "Requests being answered now.",
                                      multiprocess_mode="livesum", registry=registry)
        self._queries = Counter("aikg_queries", "SPARQL queries and updates run, by outcome "
                                "(ok, truncated, timeout, error).", ["outcome"],
                                registry=registry)
        self._query_durations = Histogram("aikg_query_duration_seconds",
                                          "Time SPARQL queries ran.", buckets=BUCKETS,
                                          registry=registry)
        self._active_queries = Gauge("aikg_active_queries", "SPARQL queries running now.",
                                     multiprocess_mode="livesum", registry=registry)
        # The series of each label set, found once: prometheus_client checks and locks on every
        # labels() call. Routes, methods, statuses and outcomes are few.
        self._answered: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
        self._outcomes: dict[str, Any] = {}

    def request_started(self) -> None:
        self._active_requests.inc()

    def request_ended(self) -> None:
        self._active_requests.dec()

    def request_answered(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count an answered request; a 5xx answer is also an error of its route."""
        key = (route, method, status)
        series = self._answered.get(key)
        if series is None:
            series = self._answered[key] = (
                self._requests.labels(route, method, str(status)),
                self._errors.labels(route) if status >= 500 else None,
                self._durations.labels(route))
        requests, errors, durations = series
        requests.inc()
        if errors is not None:
            errors.inc()
        durations.observe(seconds)

    def query_started(self) -> None:
        self._active_queries.inc()

    def query_ended(self) -> None:
        self._active_queries.dec()

    def query_answered(self, outcome: str, seconds: float) -> None:
        """Count a query by outcome: ok, truncated, timeout or error."""
        series = self._outcomes.get(outcome)
        if series is None:
            series = self._outcomes[outcome] = self._queries.labels(outcome)
        series.inc()
        self._query_durations.observe(seconds)

    def render(self, triples: int, version: int) -> str:
        """The exposition text, with the graph's size and version read by the caller."""
        from prometheus_client import CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry(auto_describe=False)
        if self._shared:
            MultiProcessCollector(registry)
        else:
            registry.register(self._registry)
        registry.register(_ProcessState(triples, version))
        return generate_latest(registry).decode()


class _ProcessState:
    """The families a scrape reads from the answering process: the graph's size and version
    and, on Linux, the resident memory."""

    def __init__(self, triples: int, version: int) -> None:
        self.triples, self.version = triples, version

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import GaugeMetricFamily

        yield GaugeMetricFamily("aikg_graph_triples",
                                "Quads in the store (triples of every named graph).",
                                value=self.triples)
        yield GaugeMetricFamily("aikg_graph_version",
                                "Committed writes since the store was opened.", value=self.version)
        rss = _resident_bytes()
        if rss is not None:
            yield GaugeMetricFamily("process_resident_memory_bytes",
                                    "Resident memory size in bytes.", value=rss)


def _resident_bytes() -> int | None:
    try:  # Linux; elsewhere the gauge is left out
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
