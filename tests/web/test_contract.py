"""Contract details of issue 13: each request that was mishandled, and what it gets now."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"
CLAIM = "Armenia said 49 of its soldiers were killed."


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/check", '{"claim": "A truce held.", "claim": "A truce was holding."}'),
        ("/v1/check/batch", '{"claims": [{"claim": "A truce held.", "top_k": 1, "top_k": 2}]}'),
    ],
    ids=["top-level", "nested"],
)
def test_duplicate_json_keys_are_400(client: FlaskClient, path: str, body: str) -> None:
    answer = client.post(path, data=body, content_type="application/json")
    assert answer.status_code == 400 and answer.mimetype == PROBLEM
    assert "is given twice" in answer.get_json()["detail"]


@pytest.mark.parametrize(("top_k", "status"), [(14.0, 200), (14.5, 422), ("14", 422), (True, 422)])
def test_top_k_is_a_json_integer(client: FlaskClient, top_k: object, status: int) -> None:
    answer = client.post("/v1/check", json={"claim": CLAIM, "top_k": top_k})
    assert answer.status_code == status, answer.get_json()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/check", {"claim": "\u200b\u200b\u200b\u200b"}, "claim"),
        ("/v1/check", {"claim": "\u200d\ufeff\u2060 ..."}, "claim"),
        ("/v1/check/batch", {"claims": ["\u200b\u200b\u200b"]}, "claims"),
    ],
    ids=["zero-width", "joiners-and-dots", "batch-item"],
)
def test_claim_without_a_word_is_422(
    client: FlaskClient, path: str, body: dict, field: str
) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 422 and field in answer.get_json()["errors"]


def test_listed_origin_is_echoed_with_vary_origin(make_app: Callable[..., Flask]) -> None:
    client = make_app(FACTCHECK_CORS_ORIGINS="https://newsroom.example").test_client()
    for origin in ("https://newsroom.example", "https://other.example"):
        answer = client.get("/healthz", headers={"Origin": origin})
        assert "Origin" in answer.vary, origin
    echoed = client.get("/healthz", headers={"Origin": "https://newsroom.example"})
    assert echoed.headers["Access-Control-Allow-Origin"] == "https://newsroom.example"


def test_oversized_chunked_body_is_413(make_app: Callable[..., Flask]) -> None:
    client = make_app(FACTCHECK_MAX_BODY_BYTES=1000).test_client()
    body = b'{"claim": "' + b"a" * 2000 + b'"}'
    answer = client.post(
        "/v1/check",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn sets for chunked
    )
    assert answer.status_code == 413 and answer.mimetype == PROBLEM
