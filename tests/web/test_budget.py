"""The work budget of a review or a batch: partial answers that say what they left out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from serving import bench_module

from service.engine.budget import Budget
from service.web.lane import LANE_EXTENSION

# The review text of the "greedy reviews" attack, as bench/hostile.py sends it.
greedy_text = bench_module("hostile").greedy_text


@pytest.fixture(scope="module")
def tight(make_app: Callable[..., Flask]) -> Flask:
    return make_app(FACTCHECK_MAX_CHECKS=4, FACTCHECK_WORK_BUDGET_MS=60_000)


def test_budget_runs_out_of_time_and_checks() -> None:
    assert Budget(seconds=0, checks=5).exhausted() == "time"
    budget = Budget(seconds=60, checks=2)
    assert budget.exhausted() is None
    budget.spend(2)
    assert budget.exhausted() == "checks"


def test_greedy_review_stops_at_the_deadline(make_app: Callable[..., Flask]) -> None:
    app = make_app(FACTCHECK_WORK_BUDGET_MS=200)
    text = greedy_text(20_000)
    answer = app.test_client().post("/v1/review", json={"text": text})
    assert answer.status_code == 200
    body = answer.get_json()
    cut = body["truncated"]
    assert cut["reason"] == "time" and cut["skipped"] > 0
    assert body["sentences"][-1]["end"] <= cut["resume_at"] < len(text)
    assert body["took_ms"] < 1000


def test_review_stops_when_the_checks_run_out(tight: Flask) -> None:
    body = tight.test_client().post("/v1/review", json={"text": greedy_text(2_000)}).get_json()
    assert body["truncated"]["reason"] == "checks"
    checks = sum(1 + len(s["clauses"]) for s in body["sentences"] if s["checked"])
    assert 4 <= checks <= 4 + 8  # checked between sentences: one sentence may overrun


def test_truncated_review_says_so_as_text(tight: Flask) -> None:
    answer = tight.test_client().post("/v1/review?format=text", json={"text": greedy_text(2_000)})
    assert answer.status_code == 200
    assert answer.get_data(as_text=True).splitlines()[1].startswith("Truncated (checks budget")
    assert answer.headers["X-Truncated"].startswith("checks; skipped=")


def test_truncated_claimreview_says_so_in_a_header(tight: Flask) -> None:
    answer = tight.test_client().post(
        "/v1/review?format=claimreview", json={"text": greedy_text(2_000)}
    )
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    reason, skipped, resume_at = answer.headers["X-Truncated"].split("; ")
    assert reason == "checks" and skipped.startswith("skipped=")
    assert resume_at.startswith("resume_at=")


def test_batch_stops_when_the_checks_run_out(tight: Flask) -> None:
    claims = [f"Armenia said {n} soldiers were killed." for n in range(1, 7)]
    body = tight.test_client().post("/v1/check/batch", json={"claims": claims}).get_json()
    assert [r["claim"] for r in body["results"]] == claims[:4]
    assert body["truncated"] == {"reason": "checks", "skipped": 2, "resume_at": 4}
    answer = tight.test_client().post("/v1/check/batch", json={"claims": claims})
    assert answer.headers["X-Truncated"] == "checks; skipped=2; resume_at=4"


def test_whole_batch_is_not_truncated(client) -> None:
    body = client.post("/v1/check/batch", json={"claims": ["A truce was holding."]}).get_json()
    assert body["truncated"] is None and len(body["results"]) == 1
    answer = client.post("/v1/check/batch", json={"claims": ["A truce was holding."]})
    assert "X-Truncated" not in answer.headers


@pytest.mark.parametrize(
    ("query", "headers", "status"),
    [
        ("?format=text", {}, 422),
        ("?format=claimreview", {}, 422),
        ("", {"Accept": "text/plain"}, 406),
        ("?format=json", {"Accept": "text/plain"}, 200),
        ("", {"Accept": "text/plain, application/json;q=0.5"}, 200),
    ],
    ids=["format-text", "format-claimreview", "accept-text", "format-wins", "json-allowed"],
)
def test_batch_refuses_other_formats(client, query: str, headers: dict, status: int) -> None:
    answer = client.post(
        f"/v1/check/batch{query}", json={"claims": ["A truce was holding."]}, headers=headers
    )
    assert answer.status_code == status, answer.get_json()
    if status == 422:
        assert "format" in answer.get_json()["errors"]


@pytest.mark.parametrize("path", ["/v1/review", "/v1/check/batch"])
def test_full_lane_is_503_and_checks_still_answer(
    make_app: Callable[..., Flask], path: str
) -> None:
    app = make_app(FACTCHECK_THREADS=3)  # a lane of 2
    client = app.test_client()
    lane = app.extensions[LANE_EXTENSION]
    body = {"text": "Armenia said 49 soldiers were killed."}
    if path.endswith("batch"):
        body = {"claims": ["Armenia said 49 soldiers were killed."]}
    assert lane.acquire(blocking=False) and lane.acquire(blocking=False)  # two running
    try:
        busy = client.post(path, json=body)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert client.post("/v1/check", json={"claim": "A truce was holding."}).status_code == 200
    finally:
        lane.release()
        lane.release()
    assert client.post(path, json=body).status_code == 200
