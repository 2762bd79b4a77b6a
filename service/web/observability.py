"""Request ids, Prometheus metrics and ``GET /metrics``.

Every response carries ``X-Request-ID``: the client's own (when it is a sane token) or a new
one; logs written while serving the request carry it too (``service/web/logs.py``).

Metrics are correct under gunicorn with several workers: ``gunicorn.conf.py`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before the app is imported, each process then
writes its samples to its own files there, and ``/metrics`` (whichever worker answers it)
adds them all up. Without that variable (tests, ``python -m service``) the app's own registry
is served.
"""

from __future__ import annotations

import functools
import os
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from service.engine.checker import FactChecker
from service.engine.model import Corpus, Verdict
from service.web.logs import REQUEST_ID

REQUEST_ID_HEADER = "X-Request-ID"
# Ids of common tracers and load balancers (UUIDs, hex, Root=1-…); anything else is replaced,
# so a client cannot write arbitrary text (newlines, JSON) into the logs.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:;/+=@-]{1,128}")
METRICS_EXTENSION = "factcheck.metrics"
UNMATCHED = "<unmatched>"
# Methods a label may name; any other (clients may send any token) is counted as "other",
# so made-up methods cannot grow /metrics (issue 13: 500 of them made it 745 KB).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
# A claim takes milliseconds; a batch of 100 up to about a second.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

bp = Blueprint("observability", __name__)


def multiprocess_dir() -> str | None:
    """The folder shared by gunicorn's processes, when the service runs under gunicorn."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The service's metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        # No *_created series: multiprocess mode has none, so single-process shows none either.
        disable_created_metrics()
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "factcheck_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "factcheck_http_request_duration_seconds",
            "Time from the start of the request to the response, by route template and method.",
            ["route", "method"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.verdicts = Counter(
            "factcheck_verdicts",
            "Claims checked, by verdict (a batch counts each claim).",
            ["verdict"],
            registry=registry,
        )
        # "max": set once in the gunicorn master (preload_app); every process reports the same.
        self.documents = Gauge(
            "factcheck_corpus_documents",
            "Documents in the reference corpus.",
            registry=registry,
            multiprocess_mode="max",
        )
        self.passages = Gauge(
            "factcheck_corpus_passages",
            "Passages in the reference corpus.",
            registry=registry,
            multiprocess_mode="max",
        )
        self.startup = Gauge(
            "factcheck_startup_seconds",
            "Seconds the app took to start: settings, corpus loading and analysis.",
            registry=registry,
            multiprocess_mode="max",
        )
        for verdict in Verdict:
            self.verdicts.labels(verdict.value)
        # Set in the master too, by a reload (service/web/reload.py); workers are forked after.
        self.reloads = Counter(
            "factcheck_corpus_reloads",
            "Reloads of the corpus (SIGHUP or the watch), by result: ok, or failed (old kept).",
            ["result"],
            registry=registry,
        )
        self.loaded = Gauge(
            "factcheck_corpus_loaded_timestamp_seconds",
            "Unix time the corpus now served finished loading (start-up or last reload).",
            registry=registry,
            multiprocess_mode="max",
        )
        for result in ("ok", "failed"):
            self.reloads.labels(result)
        self.loaded_at = time.time()
        registry.register(CorpusAge(self))

    def corpus_loaded(self, corpus: Corpus, seconds: float | None, loaded_at: float) -> None:
        """A corpus was loaded: at start-up (``seconds`` it took) or by a reload (None)."""
        self.documents.set(len(corpus.documents))
        self.passages.set(len(corpus.passages))
        if seconds is not None:
            self.startup.set(seconds)
        self.loaded.set(loaded_at)
        self.loaded_at = loaded_at

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The exposition (Prometheus text, or OpenMetrics when asked for) and its type."""
        if multiprocess_dir():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(CorpusAge(self))
        else:
            registry = self.registry
        encode, content_type = choose_encoder(accept or "")
        return encode(registry), content_type


class CorpusAge(Collector):
    """``factcheck_corpus_age_seconds``: seconds since the corpus served finished loading."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily]:
        age = max(0.0, time.time() - self.metrics.loaded_at)
        yield GaugeMetricFamily(
            "factcheck_corpus_age_seconds",
            "Seconds since the corpus served finished loading (start-up or last reload).",
            value=age,
        )


def count_verdicts(checker: FactChecker, metrics: Metrics) -> None:
    """Count the verdict of every claim the checker judges, whichever route asked."""
    check = checker.check

    @functools.wraps(check)
    def counted(*args: Any, **kwargs: Any) -> Any:
        result = check(*args, **kwargs)
        metrics.verdicts.labels(result.verdict.value).inc()
        return result

    # An instance attribute: the checker stays a FactChecker, the engine is untouched.
    checker.check = counted  # type: ignore[method-assign]


def request_id() -> str:
    """The id of the current request (set by the first before-request hook)."""
    found = g.get("request_id")
    if found is None:
        found = g.request_id = _incoming_id() or uuid.uuid4().hex
    return found


def _incoming_id() -> str | None:
    raw = request.headers.get(REQUEST_ID_HEADER, "")
    return raw if _REQUEST_ID.fullmatch(raw) else None


def init_observability(app: Flask, metrics: Metrics) -> None:
    """Install request ids and request metrics; call before any other before-request hook."""
    app.extensions[METRICS_EXTENSION] = metrics

    @app.before_request
    def start() -> None:
        g.request_started = time.perf_counter()
        REQUEST_ID.set(request_id())

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id()
        # Labels from closed sets only: route templates, known methods, status codes.
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        method = request.method if request.method in KNOWN_METHODS else OTHER_METHOD
        started = g.get("request_started", time.perf_counter())
        metrics.requests.labels(route, method, str(response.status_code)).inc()
        metrics.duration.labels(route, method).observe(time.perf_counter() - started)
        return response

    @app.teardown_request
    def forget(_: BaseException | None) -> None:
        REQUEST_ID.set(None)

    app.register_blueprint(bp)


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    """Prometheus metrics of every process of this instance."""
    metrics: Metrics = current_app.extensions[METRICS_EXTENSION]
    body, content_type = metrics.render(request.headers.get("Accept"))
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response
