"""Request ids, structured logs and Prometheus metrics, in process and under gunicorn."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from serving import gunicorn_server

from service.web.logs import JsonFormatter, RequestIdFilter

CLAIM = "Armenia lost 300 soldiers in the clashes."


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """``{(sample name, labels): value}`` of a Prometheus exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


# --- request ids ---------------------------------------------------------------------------


def test_request_id_is_generated(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.parametrize(
    "incoming", ["abc-123", "3f2c9a1e-0b7d-4c1e-9d55-0a6f1e2b3c4d", "Root=1-67891233-abcdef"]
)
def test_request_id_is_echoed(client: FlaskClient, incoming: str) -> None:
    response = client.post("/v1/check", json={"claim": "x"}, headers={"X-Request-ID": incoming})
    assert response.status_code == 422  # errors carry it too
    assert response.headers["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["", "has space", 'quote"injection', "x" * 129, "line\u2028break", "é"]
)
def test_unsafe_request_id_is_replaced(client: FlaskClient, incoming: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


# --- logs ----------------------------------------------------------------------------------


def test_log_lines_are_json_with_the_request_id(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    client = app.test_client()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    app.logger.addHandler(handler)

    @app.get("/boom-for-log-test")
    def boom() -> None:
        raise RuntimeError("boom")

    try:
        response = client.get("/boom-for-log-test", headers={"X-Request-ID": "trace-42"})
    finally:
        app.logger.removeHandler(handler)
    assert response.status_code == 500
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["level"] == "ERROR" and entry["logger"] == "service"
    assert entry["request_id"] == "trace-42"
    assert "RuntimeError: boom" in entry["exception"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])


def test_json_formatter_keeps_extra_fields_and_escapes() -> None:
    record = logging.makeLogRecord(
        {"name": "service.x", "levelname": "INFO", "msg": 'quote " and\nnewline', "route": "/v1"}
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == 'quote " and\nnewline' and entry["route"] == "/v1"
    assert entry["request_id"] is None


# --- metrics -------------------------------------------------------------------------------


def test_metrics_count_requests_verdicts_and_corpus(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    client = app.test_client()
    client.post("/v1/check", json={"claim": CLAIM})
    client.post("/v1/check/batch", json={"claims": [CLAIM, "The price of gold rose sharply."]})
    client.get("/v1/sources/nope")
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type == "text/plain; version=0.0.4; charset=utf-8"
    text = response.get_data(as_text=True)
    total = "factcheck_http_requests_total"
    assert value(text, total, route="/v1/check", method="POST", status="200") == 1
    assert value(text, total, route="/v1/check/batch", method="POST", status="200") == 1
    assert value(text, total, route="/v1/sources/<source_id>", method="GET", status="404") == 1
    assert value(text, total, route="<unmatched>", method="GET", status="404") == 1
    duration = "factcheck_http_request_duration_seconds_count"
    assert value(text, duration, route="/v1/check", method="POST") == 1
    verdicts = sum(
        value(text, "factcheck_verdicts_total", verdict=v)
        for v in ("supported", "refuted", "conflicting", "not_enough_info")
    )
    assert verdicts == 3  # one check and two batch claims
    assert value(text, "factcheck_verdicts_total", verdict="refuted") >= 1
    corpus = app.extensions["factcheck"].corpus
    assert value(text, "factcheck_corpus_documents") == len(corpus.documents)
    assert value(text, "factcheck_corpus_passages") == len(corpus.passages)
    assert 0 < value(text, "factcheck_startup_seconds") < 120
    assert "_created" not in text


def test_metrics_speak_openmetrics_when_asked(client: FlaskClient) -> None:
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.mimetype == "application/openmetrics-text"
    assert response.get_data(as_text=True).rstrip().endswith("# EOF")


# --- under gunicorn ------------------------------------------------------------------------


@pytest.mark.server
def test_metrics_add_up_across_gunicorn_workers(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    settings = {
        "FACTCHECK_WORKERS": "3",
        "FACTCHECK_THREADS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    with gunicorn_server(tmp_path / "server", **settings) as server:
        requests_sent = 60

        def check(_: int) -> int:
            body = {"claim": CLAIM, "top_k": 1}
            headers = {"Connection": "close"}  # a new connection: any worker may take it
            url = f"{server.base}/v1/check"
            return requests.post(url, json=body, headers=headers, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert set(pool.map(check, range(requests_sent))) == {200}
        # Several processes served (each writes its own counter file), yet every scrape,
        # whichever worker answers it, reports the same totals for the whole instance.
        pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
        assert len(pids) >= 2, pids
        scrapes = [
            requests.get(f"{server.base}/metrics", headers={"Connection": "close"}, timeout=10)
            for _ in range(6)
        ]
        for scrape in scrapes:
            text = scrape.text
            total = "factcheck_http_requests_total"
            assert value(text, total, route="/v1/check", method="POST", status="200") == 60
            assert (
                sum(
                    value(text, "factcheck_verdicts_total", verdict=v)
                    for v in ("supported", "refuted", "conflicting", "not_enough_info")
                )
                == requests_sent
            )
            count = "factcheck_http_request_duration_seconds_count"
            assert value(text, count, route="/v1/check", method="POST") == requests_sent
            # Set once in the master (preload_app): one sample, not one per worker.
            families = {f.name: f for f in text_string_to_metric_families(text)}
            assert [s.value for s in families["factcheck_corpus_documents"].samples] == [5.0]
            assert len(families["factcheck_startup_seconds"].samples) == 1
    # The operator's folder is emptied of stale files at the next start, not deleted.
    assert metrics_dir.is_dir()


@pytest.mark.server
def test_gunicorn_own_metrics_folder_is_removed_on_exit(tmp_path: Path) -> None:
    before = set(Path("/tmp").glob("factcheck-metrics-*"))
    with gunicorn_server(tmp_path / "server") as server:
        requests.get(f"{server.base}/metrics", timeout=10)
        created = set(Path("/tmp").glob("factcheck-metrics-*")) - before
        assert len(created) == 1
    assert not created.pop().exists()


@pytest.mark.server
def test_gunicorn_logs_are_json_lines(tmp_path: Path) -> None:
    with gunicorn_server(tmp_path / "server") as server:
        requests.get(f"{server.base}/healthz", headers={"X-Request-ID": "lb-7"}, timeout=10)
        key_header = {"Authorization": "Bearer never-logged-0123456789"}
        requests.get(f"{server.base}/v1/sources?x=1", headers=key_header, timeout=10)
        deadline = time.monotonic() + 10
        while len(server.access_log()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        access = server.access_log()
    first, second = access[-2:]  # after the start-up health checks
    assert first["logger"] == "gunicorn.access" and first["request_id"] == "lb-7"
    assert (first["method"], first["path"], first["status"]) == ("GET", "/healthz", 200)
    assert first["duration_ms"] >= 0 and first["remote_addr"] == "127.0.0.1"
    assert second["query"] == "x=1" and re.fullmatch(r"[0-9a-f]{32}", second["request_id"])
    for line in server.error_log().splitlines():
        entry = json.loads(line)  # every error-log line is JSON too
        assert {"time", "level", "logger", "message"} <= set(entry)
    everything = server.stdout.read_text() + server.error_log()
    assert "never-logged" not in everything
    assert '"logger": "service"' in everything  # the app's own start-up line


@pytest.mark.server
def test_graceful_shutdown_finishes_requests_in_flight(tmp_path: Path) -> None:
    """SIGTERM: the worker finishes the request it holds, then gunicorn exits 0."""
    # About a second of work: long enough to be in flight when the signal comes. Distinct
    # claims, as the engine caches the analysis of a text it has seen.
    claims = [
        ((CLAIM + f" Azerbaijan said {n} of its servicemen were killed. ") * 12)[:1000]
        for n in range(100)
    ]
    with gunicorn_server(tmp_path / "server", FACTCHECK_GRACEFUL_TIMEOUT="20") as server:
        outcome: dict[str, object] = {}

        def batch() -> None:
            try:
                url = f"{server.base}/v1/check/batch"
                response = requests.post(url, json={"claims": claims}, timeout=60)
                outcome["answered"] = time.monotonic()
                outcome["status"] = response.status_code
                outcome["results"] = len(response.json()["results"])
                outcome["truncated"] = response.json().get("truncated")
            except Exception as exc:  # reported by the assertions below
                outcome["error"] = repr(exc)

        thread = threading.Thread(target=batch)
        thread.start()
        time.sleep(0.3)
        signalled = time.monotonic()
        server.process.terminate()
        thread.join(timeout=60)
        assert server.process.wait(timeout=30) == 0
    assert "error" not in outcome, outcome
    # The batch is answered whole, or up to its work budget, saying what it skipped.
    truncated = outcome["truncated"] or {"skipped": 0}
    assert outcome["status"] == 200 and outcome["results"] > 0
    assert outcome["results"] + truncated["skipped"] == 100, truncated
    assert outcome["answered"] > signalled, "the request was not in flight at SIGTERM"
    assert "Handling signal: term" in server.error_log()
