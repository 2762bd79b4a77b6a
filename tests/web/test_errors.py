"""Every kind of bad request gets the right status and one problem+json shape."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROBLEM = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
JSON = "application/json"
CLAIM = "Armenia and Azerbaijan agreed a truce."

CHECK, BATCH = "/v1/check", "/v1/check/batch"


def case(
    name: str, path: str, kwargs: dict[str, Any], status: int, method: str = "POST", **errors: str
) -> Any:
    """One bad request; ``errors`` maps a dotted error path (claims.3.claim) to a fragment."""
    return pytest.param(method, path, kwargs, status, errors, id=name)


def raw(data: str, content_type: str | None = JSON) -> dict[str, Any]:
    return {"data": data, "content_type": content_type}


def payload(**fields: Any) -> dict[str, Any]:
    return {"json": fields}


def claim_with(**fields: Any) -> dict[str, Any]:
    return payload(claim=CLAIM, **fields)


IN_RANGE = "between 1 and 100"
UNKNOWN_SOURCE = "unknown source id: nope"
CASES = [
    case("malformed-json", CHECK, raw('{"claim": '), 400),
    case("empty-body", CHECK, raw(""), 400),
    case("json-array", CHECK, {"json": [CLAIM]}, 400),
    case("json-number", CHECK, raw("5"), 400),
    case("json-null", BATCH, raw("null"), 400),
    case("json-nan", CHECK, raw('{"claim": "abc", "top_k": NaN}'), 400),
    case("deep-json", CHECK, raw("[" * 100_000), 400),
    case("no-content-type", CHECK, raw('{"claim": "abc"}', None), 415),
    case("text-plain", CHECK, raw(CLAIM, "text/plain"), 415),
    case("form", BATCH, {"data": {"claims": "abc"}}, 415),
    case("missing-claim", CHECK, payload(), 422, claim="Missing data"),
    case("claim-null", CHECK, payload(claim=None), 422, claim="null"),
    case("claim-short", CHECK, payload(claim="ab"), 422, claim="between 3 and 1000"),
    case("claim-long", CHECK, payload(claim="x" * 1001), 422, claim="between 3 and 1000"),
    case("claim-blank", CHECK, payload(claim=" \t\n  "), 422, claim="between 3"),
    case("claim-padded-short", CHECK, payload(claim="  ab   "), 422, claim="between 3"),
    case("claim-int", CHECK, payload(claim=12345), 422, claim="string"),
    case("top-k-string", CHECK, claim_with(top_k="5"), 422, top_k="integer"),
    case("top-k-true", CHECK, claim_with(top_k=True), 422, top_k="integer"),
    case("top-k-float", CHECK, claim_with(top_k=5.5), 422, top_k="integer"),
    case("top-k-zero", CHECK, claim_with(top_k=0), 422, top_k="greater than or equal to 1"),
    case("top-k-21", CHECK, claim_with(top_k=21), 422, top_k="less than or equal to 20"),
    case("unknown-field", CHECK, claim_with(lang="en"), 422, lang="Unknown field"),
    case("sources-string", CHECK, claim_with(sources="a"), 422, sources="list"),
    case("sources-empty", CHECK, claim_with(sources=[]), 422, sources="minimum length 1"),
    case("sources-int-item", CHECK, claim_with(sources=[3]), 422, **{"sources.0": "string"}),
    case("sources-unknown", CHECK, claim_with(sources=["nope"]), 422, sources=UNKNOWN_SOURCE),
    case("batch-missing", BATCH, payload(), 422, claims="Missing data"),
    case("batch-empty", BATCH, payload(claims=[]), 422, claims=IN_RANGE),
    case("batch-101", BATCH, payload(claims=[CLAIM] * 101), 422, claims=IN_RANGE),
    case("batch-not-list", BATCH, payload(claims=CLAIM), 422, claims="list"),
    case("batch-short-item", BATCH, payload(claims=[CLAIM, "ab"]), 422, **{"claims.1.claim": "3"}),
    case(
        "batch-object-item",
        BATCH,
        payload(claims=[CLAIM, CLAIM, CLAIM, {"top_k": 2}]),
        422,
        **{"claims.3.claim": "Missing data"},
    ),
    case("batch-int-item", BATCH, payload(claims=[7]), 422, **{"claims.0": "claim string"}),
    case(
        "batch-item-unknown-field",
        BATCH,
        payload(claims=[{"claim": CLAIM, "x": 1}]),
        422,
        **{"claims.0.x": "Unknown field"},
    ),
    case("batch-top-k", BATCH, payload(claims=[CLAIM], top_k="2"), 422, top_k="integer"),
    case(
        "batch-sources-unknown",
        BATCH,
        payload(claims=[CLAIM], sources=["nope"]),
        422,
        sources=UNKNOWN_SOURCE,
    ),
    case(
        "batch-item-sources-unknown",
        BATCH,
        payload(claims=[CLAIM, {"claim": CLAIM, "sources": ["nope"]}]),
        422,
        **{"claims.1.sources": UNKNOWN_SOURCE},
    ),
    case("batch-unknown-field", BATCH, payload(claims=[CLAIM], n=1), 422, n="Unknown field"),
    case("unknown-path", "/v2/check", {}, 404, method="GET"),
    case("unknown-source", "/v1/sources/nope", {}, 404, method="GET"),
    case("trailing-path", "/v1/sources/a/b", {}, 404, method="GET"),
]


def messages_at(errors: Any, path: str) -> list[str]:
    for key in path.split("."):
        errors = errors[key]
    return errors


def assert_problem(response: Any, status: int, path: str) -> dict[str, Any]:
    """The one error shape: RFC 9457 problem+json with the request path as instance."""
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert PROBLEM_KEYS <= set(body)
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert body["instance"] == path
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "expected"), CASES)
def test_bad_request(
    client: FlaskClient,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    expected: dict[str, str],
) -> None:
    body = assert_problem(client.open(path, method=method, **kwargs), status, path)
    assert ("errors" in body) == (status == 422)
    if status == 422:
        assert set(body["errors"]) == {p.split(".")[0] for p in expected}
    for error_path, fragment in expected.items():
        messages = messages_at(body["errors"], error_path)
        assert any(fragment in m for m in messages), messages


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/v1/check", {"POST", "OPTIONS"}),
        ("PUT", "/v1/check/batch", {"POST", "OPTIONS"}),
        ("POST", "/v1/sources", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/v1/sources/x", {"GET", "HEAD", "OPTIONS"}),
        ("POST", "/healthz", {"GET", "HEAD", "OPTIONS"}),
    ],
    ids=["get-check", "put-batch", "post-sources", "delete-source", "post-healthz"],
)
def test_wrong_method(client: FlaskClient, method: str, path: str, allow: set[str]) -> None:
    response = client.open(path, method=method)
    assert_problem(response, 405, path)
    assert set(response.headers["Allow"].split(", ")) == allow


@pytest.mark.parametrize(
    ("size", "status"), [(200, 413), (40, 200)], ids=["over-limit", "under-limit"]
)
def test_body_limit(make_app: Callable[..., Flask], size: int, status: int) -> None:
    client = make_app(FACTCHECK_MAX_BODY_BYTES=64).test_client()
    body = '{"claim": "' + "x" * (size - 13) + '"}'
    response = client.post("/v1/check", data=body, content_type=JSON)
    assert response.status_code == status
    if status == 413:
        assert "64 bytes" in assert_problem(response, 413, "/v1/check")["detail"]


def test_internal_error_leaks_nothing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret /srv/internal/state")

    monkeypatch.setattr(app.extensions["factcheck"], "check", explode)
    with caplog.at_level(logging.ERROR):
        response = client.post("/v1/check", json={"claim": CLAIM})
    body = assert_problem(response, 500, "/v1/check")
    assert "secret" not in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    assert set(body) == PROBLEM_KEYS
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


@pytest.mark.parametrize("path", ["/readyz", "/v1/sources"], ids=["readyz", "sources"])
def test_checker_missing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.delitem(app.extensions, "factcheck")
    assert_problem(client.get(path), 503, path)
    assert client.get("/healthz").status_code == 200


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
FIELDS = st.sampled_from(["claim", "claims", "top_k", "sources", "x"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(["/v1/check", "/v1/check/batch"]),
    body=JSON_VALUES | st.dictionaries(FIELDS, JSON_VALUES, max_size=4),
)
def test_any_json_body_is_answered_not_crashed(app: Flask, path: str, body: Any) -> None:
    response = app.test_client().post(path, data=json.dumps(body), content_type=JSON)
    assert response.status_code in {200, 400, 422}
    if response.status_code != 200:
        assert_problem(response, response.status_code, path)
