"""Success shapes of every endpoint, through the real HTTP layer.

The engine is being replaced, so no test asserts a particular verdict: only invariants.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

VERDICTS = {"supported", "refuted", "conflicting", "not_enough_info"}
STANCES = {"supports", "refutes", "neutral"}
RESULT_KEYS = {
    "claim", "verdict", "confidence", "explanation", "analysis", "evidence", "took_ms", "notes"
}  # fmt: skip
EVIDENCE_KEYS = {"passage_id", "text", "start", "end", "stance", "score", "reason", "source"}
ANALYSIS_KEYS = {"normalized", "quantities", "entities", "negated", "speaker", "date"}
SOURCE_KEYS = {"id", "title", "publisher", "published", "url", "language"}
CLAIM = "Azerbaijan said 71 of its servicemen were killed in the clashes."


def assert_result(app: Flask, result: dict[str, Any], claim: str, top_k: int = 5) -> None:
    """The invariants every check result keeps, whatever the engine decides."""
    corpus = app.extensions["factcheck"].corpus
    assert set(result) == RESULT_KEYS
    assert result["claim"] == claim
    assert result["verdict"] in VERDICTS
    assert 0 <= result["confidence"] <= 1
    assert math.isfinite(result["took_ms"])
    assert set(result["analysis"]) == ANALYSIS_KEYS
    assert len(result["evidence"]) <= top_k
    for evidence in result["evidence"]:
        assert set(evidence) == EVIDENCE_KEYS
        assert evidence["stance"] in STANCES
        document = corpus.document(evidence["source"]["id"])
        assert document is not None
        assert document.text[evidence["start"] : evidence["end"]] == evidence["text"]
        assert evidence["passage_id"] in {p.id for p in corpus.passages_of(document.id)}


def post(client: FlaskClient, path: str, body: Any) -> Any:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    return response.get_json()


@pytest.mark.parametrize(
    ("body", "claim", "top_k"),
    [
        ({"claim": CLAIM}, CLAIM, 5),
        ({"claim": f"  {CLAIM}\n"}, CLAIM, 5),
        ({"claim": CLAIM, "top_k": 1}, CLAIM, 1),
        ({"claim": CLAIM, "top_k": 20}, CLAIM, 20),
        ({"claim": "Три"}, "Три", 5),
    ],
    ids=["default-top-k", "trimmed", "top-k-1", "top-k-20", "non-ascii"],
)
def test_check(app: Flask, client: FlaskClient, body: dict, claim: str, top_k: int) -> None:
    assert_result(app, post(client, "/v1/check", body), claim, top_k)


def test_check_sources_filter(app: Flask, client: FlaskClient, source_ids: list[str]) -> None:
    wanted = source_ids[1:3]
    result = post(client, "/v1/check", {"claim": CLAIM, "top_k": 20, "sources": wanted})
    assert_result(app, result, CLAIM, 20)
    assert {e["source"]["id"] for e in result["evidence"]} <= set(wanted)


def test_check_accepts_json_variants(client: FlaskClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = client.post("/v1/check", data='{"claim": "abc"}', content_type=content_type)
        assert response.status_code == 200, content_type


def test_batch_mixed_items(app: Flask, client: FlaskClient, source_ids: list[str]) -> None:
    only = source_ids[0]
    claims = [
        "A truce between Armenia and Azerbaijan was holding.",
        {"claim": CLAIM, "top_k": 1},
        {"claim": "  Russia brokered a ceasefire. ", "sources": [only], "top_k": 20},
        "Armenia said 105 of its soldiers were killed.",
    ]
    body = {"claims": claims, "top_k": 2, "sources": source_ids[:4]}
    results = post(client, "/v1/check/batch", body)["results"]
    assert len(results) == len(claims)
    assert_result(app, results[0], claims[0], 2)
    assert_result(app, results[1], CLAIM, 1)
    assert_result(app, results[2], "Russia brokered a ceasefire.", 20)
    assert_result(app, results[3], claims[3], 2)
    assert {e["source"]["id"] for e in results[2]["evidence"]} <= {only}
    for result in (results[0], results[3]):
        assert {e["source"]["id"] for e in result["evidence"]} <= set(source_ids[:4])


def test_batch_of_100(app: Flask, client: FlaskClient) -> None:
    claims = [f"claim number {i}" for i in range(100)]
    results = post(client, "/v1/check/batch", {"claims": claims, "top_k": 1})["results"]
    assert [r["claim"] for r in results] == claims


def test_sources_list(app: Flask, client: FlaskClient) -> None:
    corpus = app.extensions["factcheck"].corpus
    body = client.get("/v1/sources").get_json()
    assert body["count"] == len(body["sources"]) == len(corpus.documents)
    for source, document in zip(body["sources"], corpus.documents, strict=True):
        assert set(source) == SOURCE_KEYS | {"passage_count", "characters"}
        assert source["id"] == document.id
        assert source["characters"] == len(document.text)
        assert source["passage_count"] == len(corpus.passages_of(document.id))
    assert sum(s["passage_count"] for s in body["sources"]) == len(corpus.passages)


def test_source_detail_offsets(app: Flask, client: FlaskClient, source_ids: list[str]) -> None:
    corpus = app.extensions["factcheck"].corpus
    for source_id in source_ids:
        response = client.get(f"/v1/sources/{source_id}")
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) == SOURCE_KEYS | {
            "passage_count",
            "characters",
            "offset",
            "next_offset",
            "text",
            "passages",
        }
        assert body["text"] == corpus.document(source_id).text  # short: one window
        assert body["offset"] == 0 and body["next_offset"] is None
        assert body["passage_count"] == len(body["passages"])
        texts = {p.id: p.text for p in corpus.passages_of(source_id)}
        for passage in body["passages"]:
            assert set(passage) == {"id", "start", "end"}
            assert body["text"][passage["start"] : passage["end"]] == texts[passage["id"]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/healthz", {"status": "ok"}), ("/readyz", {"status": "ready"})],
    ids=["healthz", "readyz"],
)
def test_probes(client: FlaskClient, path: str, expected: dict[str, str]) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.get_json().items() >= expected.items()


def test_readyz_counts(app: Flask, client: FlaskClient) -> None:
    corpus = app.extensions["factcheck"].corpus
    body = client.get("/readyz").get_json()
    assert (body["documents"], body["passages"]) == (len(corpus.documents), len(corpus.passages))


def test_openapi_yaml(client: FlaskClient, project_root: Path) -> None:
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.data == (project_root / "openapi.yaml").read_bytes()
    response.close()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("HEAD", "/healthz", 200),
        ("HEAD", "/v1/sources", 200),
        ("OPTIONS", "/v1/check", 200),
        ("OPTIONS", "/v1/sources", 200),
    ],
    ids=["head-healthz", "head-sources", "options-check", "options-sources"],
)
def test_head_and_options(client: FlaskClient, method: str, path: str, status: int) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.data == b""
    if method == "OPTIONS":
        assert "OPTIONS" in response.headers["Allow"]


def test_source_comes_in_windows(app: Flask, client: FlaskClient, source_ids: list[str]) -> None:
    # Issue 13: a 50 MB document was answered as one 69 MB body; now in windows of <= 100,000.
    document = app.extensions["factcheck"].corpus.document(source_ids[0])
    texts, offset, windows = [], 0, 0
    while offset is not None and windows < 100:
        body = client.get(f"/v1/sources/{document.id}?offset={offset}&length=500").get_json()
        assert body["offset"] == offset and len(body["text"]) <= 500
        for passage in body["passages"]:  # the passages overlapping the window
            assert passage["end"] > offset and passage["start"] < offset + len(body["text"])
        texts.append(body["text"])
        offset, windows = body["next_offset"], windows + 1
    assert "".join(texts) == document.text and windows == -(-len(document.text) // 500)


@pytest.mark.parametrize("query", ["offset=-1", "length=0", "length=100001", "offset=x"])
def test_source_window_out_of_range_is_422(
    client: FlaskClient, source_ids: list[str], query: str
) -> None:
    assert client.get(f"/v1/sources/{source_ids[0]}?{query}").status_code == 422
