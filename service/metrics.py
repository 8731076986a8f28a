"""Prometheus metrics: a small thread-safe registry and its text, without Flask.

:mod:`service.observe` keeps one registry per app and serves it at ``/metrics``. ``aikg serve``
runs one process with several threads, so one registry sees every request; one lock guards it.
The text follows the Prometheus exposition format 0.0.4.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections import Counter
from collections.abc import Iterable, Mapping

__all__ = ["BUCKETS", "CONTENT_TYPE", "Metrics"]

#: Upper bounds of the duration histograms, in seconds; the last bucket is +Inf.
BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = Mapping[str, str]
Sample = tuple[str, Labels, float]  # name suffix, labels, value


class _Histogram:
    """Counts per bucket (not cumulative), their sum and count."""

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.sum = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.sum += seconds

    def samples(self, labels: Labels) -> list[Sample]:
        bounds = [_number(b) for b in BUCKETS] + ["+Inf"]
        cumulative, out = 0, []
        for bound, count in zip(bounds, self.counts, strict=True):
            cumulative += count
            out.append(("_bucket", {**labels, "le": bound}, cumulative))
        return out + [("_sum", labels, self.sum), ("_count", labels, cumulative)]


class Metrics:
    """What the service has done since it started: requests, errors, queries, and what runs now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, str, str]] = Counter()
        self._errors: Counter[str] = Counter()
        self._durations: dict[str, _Histogram] = {}
        self._queries: Counter[str] = Counter()
        self._query_durations = _Histogram()
        self._active_requests = 0
        self._active_queries = 0

    def request_started(self) -> None:
        with self._lock:
            self._active_requests += 1

    def request_ended(self) -> None:
        with self._lock:
            self._active_requests -= 1

    def request_answered(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count an answered request; a 5xx answer is also an error of its route."""
        with self._lock:
            self._requests[route, method, str(status)] += 1
            if status >= 500:
                self._errors[route] += 1
            histogram = self._durations.get(route)
            if histogram is None:
                histogram = self._durations[route] = _Histogram()
            histogram.observe(seconds)

    def query_started(self) -> None:
        with self._lock:
            self._active_queries += 1

    def query_ended(self) -> None:
        with self._lock:
            self._active_queries -= 1

    def query_answered(self, outcome: str, seconds: float) -> None:
        """Count a query by outcome: ok, truncated, timeout or error."""
        with self._lock:
            self._queries[outcome] += 1
            self._query_durations.observe(seconds)

    def render(self, triples: int, version: int) -> str:
        """The exposition text, with the graph's size and version read by the caller."""
        with self._lock:
            families = [
                ("aikg_requests_total", "counter", "HTTP requests answered.",
                 [("", {"route": r, "method": m, "status": s}, n)
                  for (r, m, s), n in sorted(self._requests.items())]),
                ("aikg_errors_total", "counter", "HTTP requests answered with a 5xx status.",
                 [("", {"route": r}, n) for r, n in sorted(self._errors.items())]),
                ("aikg_request_duration_seconds", "histogram",
                 "Time from a request's arrival to its response, per route.",
                 [s for r, h in sorted(self._durations.items()) for s in h.samples({"route": r})]),
                ("aikg_active_requests", "gauge", "Requests being answered now.",
                 [("", {}, self._active_requests)]),
                ("aikg_queries_total", "counter",
                 "SPARQL queries and updates run, by outcome (ok, truncated, timeout, error).",
                 [("", {"outcome": o}, n) for o, n in sorted(self._queries.items())]),
                ("aikg_query_duration_seconds", "histogram", "Time SPARQL queries ran.",
                 self._query_durations.samples({})),
                ("aikg_active_queries", "gauge", "SPARQL queries running now.",
                 [("", {}, self._active_queries)]),
            ]
        families += [
            ("aikg_graph_triples", "gauge", "Quads in the store (triples of every named graph).",
             [("", {}, triples)]),
            ("aikg_graph_version", "gauge", "Committed writes since the store was opened.",
             [("", {}, version)]),
        ]
        rss = _resident_bytes()
        if rss is not None:
            families.append(("process_resident_memory_bytes", "gauge",
                             "Resident memory size in bytes.", [("", {}, rss)]))
        return "".join(_family(*family) for family in families)


def _family(name: str, kind: str, help_text: str, samples: Iterable[Sample]) -> str:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for suffix, labels, value in samples:
        pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
        lines.append(f"{name}{suffix}{{{pairs}}} {_number(value)}" if pairs
                     else f"{name}{suffix} {_number(value)}")
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _resident_bytes() -> int | None:
    try:  # Linux; elsewhere the gauge is left out
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class SharedMetrics(Metrics):
    """The same metrics, summed over every server process: each process counts into its own
    memory-mapped files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode,
    set before prometheus_client is imported), and ``/metrics`` adds them up, whichever process
    answers. The graph's size and version and the resident memory are those of that process.
    """

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        super().__init__()
        registry = CollectorRegistry()  # unregistered: the collector reads the files instead
        self._counted = {
            "requests": Counter("aikg_requests", "HTTP requests answered.",
                                ["route", "method", "status"], registry=registry),
            "errors": Counter("aikg_errors", "HTTP requests answered with a 5xx status.",
                              ["route"], registry=registry),
            "durations": Histogram("aikg_request_duration_seconds",
                                   "Time from a request's arrival to its response, per route.",
                                   ["route"], buckets=BUCKETS, registry=registry),
            "active_requests": Gauge("aikg_active_requests", "Requests being answered now.",
                                     multiprocess_mode="livesum", registry=registry),
            "queries": Counter("aikg_queries", "SPARQL queries and updates run, by outcome "
                               "(ok, truncated, timeout, error).", ["outcome"], registry=registry),
            "query_durations": Histogram("aikg_query_duration_seconds",
                                         "Time SPARQL queries ran.", buckets=BUCKETS,
                                         registry=registry),
            "active_queries": Gauge("aikg_active_queries", "SPARQL queries running now.",
                                    multiprocess_mode="livesum", registry=registry),
        }

    def request_started(self) -> None:
        self._counted["active_requests"].inc()

    def request_ended(self) -> None:
        self._counted["active_requests"].dec()

    def request_answered(self, route: str, method: str, status: int, seconds: float) -> None:
        self._counted["requests"].labels(route, method, str(status)).inc()
        if status >= 500:
            self._counted["errors"].labels(route).inc()
        self._counted["durations"].labels(route).observe(seconds)

    def query_started(self) -> None:
        self._counted["active_queries"].inc()

    def query_ended(self) -> None:
        self._counted["active_queries"].dec()

    def query_answered(self, outcome: str, seconds: float) -> None:
        self._counted["queries"].labels(outcome).inc()
        self._counted["query_durations"].observe(seconds)

    def render(self, triples: int, version: int) -> str:
        from prometheus_client import CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        # The process's own families (size, version, memory) come from the base class, which
        # counted nothing here.
        own = super().render(triples, version)
        keep = own[own.index("# HELP aikg_graph_triples"):]
        return generate_latest(registry).decode() + keep
