"""openapi.yaml is valid, matches the routes, and describes what the server really sends."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from service.engine.model import (
    CheckResult,
    ClaimAnalysis,
    EntityMention,
    Evidence,
    Quantity,
    Stance,
    Verdict,
)

SPEC_URI = "urn:factcheck:openapi"
AUTOMATIC = {"HEAD", "OPTIONS"}  # added by Flask to every route; not documented per operation
CLAIM = "Azerbaijan said 71 of its servicemen were killed."
FIRST = "000_92c0525162caa70a"
JSON = "application/json"


@pytest.fixture(scope="module")
def spec(project_root: Path) -> dict[str, Any]:
    return yaml.safe_load((project_root / "openapi.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry(spec: dict[str, Any]) -> Registry:
    return Registry().with_resource(SPEC_URI, Resource.from_contents(spec, DRAFT202012))


def pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def validate(registry: Registry, instance: Any, *parts: str) -> None:
    """Validate ``instance`` against the schema at ``parts`` inside the spec (refs resolve)."""
    schema = {"$ref": f"{SPEC_URI}#{pointer(*parts)}"}
    validator = Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, errors


def response_parts(spec: dict[str, Any], path: str, method: str, status: int) -> list[str]:
    """The location of a documented response, following a components/responses $ref."""
    response = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        return response["$ref"].removeprefix("#/").split("/")
    return ["paths", path, method, "responses", str(status)]


def flask_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_spec_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    validate_spec(spec)


def test_routes_and_spec_agree(app: Flask, spec: dict[str, Any]) -> None:
    served = {
        (flask_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - AUTOMATIC
    }
    documented = {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert served == documented


def test_request_schemas_forbid_unknown_fields(spec: dict[str, Any]) -> None:
    for name in ("CheckRequest", "BatchRequest", "ReviewRequest"):
        assert spec["components"]["schemas"][name]["additionalProperties"] is False


def test_request_examples_are_valid_and_served(
    spec: dict[str, Any], registry: Registry, client: FlaskClient
) -> None:
    for path, item in spec["paths"].items():
        body = item.get("post", {}).get("requestBody")
        if not body:
            continue
        media = body["content"]["application/json"]
        for name, example in media["examples"].items():
            schema_at = ("paths", path, "post", "requestBody", "content", JSON, "schema")
            validate(registry, example["value"], *schema_at)
            assert client.post(path, json=example["value"]).status_code == 200, name


CHECK, BATCH, REVIEW = "/v1/check", "/v1/check/batch", "/v1/review"
SOURCE = "/v1/sources/{source_id}"
DRAFT = {"text": f"{CLAIM} What happens next?\nSubscribe now.", "top_k": 2}
LD, TEXT = {"Accept": "application/ld+json"}, {"Accept": "text/plain"}


def exchange(name: str, method: str, path: str, kwargs: dict, status: int, doc: str | None) -> Any:
    """A request, its status, and the documented path whose response describes it."""
    return pytest.param(method, path, kwargs, status, doc, id=name)


EXCHANGES = [
    exchange("check", "POST", CHECK, {"json": {"claim": CLAIM, "top_k": 3}}, 200, CHECK),
    exchange("check-400", "POST", CHECK, {"data": "{", "content_type": JSON}, 400, CHECK),
    exchange("check-415", "POST", CHECK, {"data": "x", "content_type": "text/plain"}, 415, CHECK),
    exchange("check-422", "POST", CHECK, {"json": {"claim": 1, "top_k": 0}}, 422, CHECK),
    exchange(
        "check-422-source", "POST", CHECK, {"json": {"claim": CLAIM, "sources": ["x"]}}, 422, CHECK
    ),
    exchange(
        "batch",
        "POST",
        BATCH,
        {"json": {"claims": [CLAIM, {"claim": CLAIM, "sources": [FIRST]}]}},
        200,
        BATCH,
    ),
    exchange("batch-400", "POST", BATCH, {"json": [CLAIM]}, 400, BATCH),
    exchange("batch-415", "POST", BATCH, {"data": "{}"}, 415, BATCH),
    exchange("batch-422", "POST", BATCH, {"json": {"claims": [CLAIM, "x", {}]}}, 422, BATCH),
    exchange(
        "batch-as-of",
        "POST",
        BATCH,
        {"json": {"claims": [CLAIM], "as_of": "2022-09-14"}},
        200,
        BATCH,
    ),
    exchange("check-jsonld", "POST", CHECK, {"json": {"claim": CLAIM}, "headers": LD}, 200, CHECK),
    exchange(
        "check-format",
        "POST",
        f"{CHECK}?format=claimreview",
        {"json": {"claim": CLAIM}},
        200,
        CHECK,
    ),
    exchange("check-text", "POST", CHECK, {"json": {"claim": CLAIM}, "headers": TEXT}, 200, CHECK),
    exchange(
        "check-406",
        "POST",
        CHECK,
        {"json": {"claim": CLAIM}, "headers": {"Accept": "image/png"}},
        406,
        CHECK,
    ),
    exchange(
        "check-422-format", "POST", f"{CHECK}?format=xml", {"json": {"claim": CLAIM}}, 422, CHECK
    ),
    exchange("review", "POST", REVIEW, {"json": DRAFT}, 200, REVIEW),
    exchange("review-jsonld", "POST", REVIEW, {"json": DRAFT, "headers": LD}, 200, REVIEW),
    exchange("review-text", "POST", f"{REVIEW}?format=text", {"json": DRAFT}, 200, REVIEW),
    exchange("review-400", "POST", REVIEW, {"data": "[", "content_type": JSON}, 400, REVIEW),
    exchange(
        "review-406",
        "POST",
        REVIEW,
        {"json": DRAFT, "headers": {"Accept": "text/html"}},
        406,
        REVIEW,
    ),
    exchange("review-413", "POST", REVIEW, {"json": {"text": "a" * 100_001}}, 413, REVIEW),
    exchange("review-415", "POST", REVIEW, {"data": "text"}, 415, REVIEW),
    exchange("review-422", "POST", REVIEW, {"json": {"text": " ?! ", "as_of": "May"}}, 422, REVIEW),
    exchange("sources", "GET", "/v1/sources", {}, 200, "/v1/sources"),
    exchange("source", "GET", f"/v1/sources/{FIRST}", {}, 200, SOURCE),
    exchange("source-404", "GET", "/v1/sources/nope", {}, 404, SOURCE),
    exchange("healthz", "GET", "/healthz", {}, 200, "/healthz"),
    exchange("readyz", "GET", "/readyz", {}, 200, "/readyz"),
    # No operation serves these: the shared components/responses describe them.
    exchange("path-404", "GET", "/nope", {}, 404, None),
    exchange("method-405", "DELETE", CHECK, {}, 405, None),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "documented"), EXCHANGES)
def test_responses_match_spec(
    spec: dict[str, Any],
    registry: Registry,
    client: FlaskClient,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    documented: str | None,
) -> None:
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status
    if documented is None:
        name = {404: "NotFound", 405: "MethodNotAllowed"}[status]
        parts = ["components", "responses", name]
    else:
        parts = response_parts(spec, documented, method.lower(), status)
    described = spec
    for part in parts:
        described = described[part]
    assert response.mimetype in described["content"]
    for header, about in described.get("headers", {}).items():
        if "$ref" in about:
            about = resolve(spec, about["$ref"])
        if about.get("required", True):  # an optional header (X-Truncated) says so
            assert header in response.headers
    if response.mimetype == "text/plain":
        body: Any = response.get_data(as_text=True)
    else:
        body = response.get_json(force=True)
    validate(registry, body, *parts, "content", response.mimetype, "schema")


def test_unbounded_quantities_are_documented_as_null(spec: dict[str, Any]) -> None:
    quantity = spec["components"]["schemas"]["Quantity"]["properties"]
    assert "null" in quantity["low"]["type"] and "null" in quantity["high"]["type"]


def test_rich_result_matches_spec(
    app: Flask, client: FlaskClient, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fields the placeholder engine leaves empty: quantities, entities, dates, inf bounds."""
    corpus = app.extensions["factcheck"].corpus
    passage = corpus.passages[0]
    result = CheckResult(
        claim=CLAIM,
        verdict=Verdict.CONFLICTING,
        confidence=0.5,
        explanation="sources disagree",
        evidence=(Evidence(passage, corpus.by_id[passage.doc_id], Stance.REFUTES, 0.7, "count"),),
        analysis=ClaimAnalysis(
            normalized=CLAIM.lower(),
            quantities=(Quantity("more than 200", 200, 200, math.inf, None, "more than"),),
            entities=(EntityMention("AZE", "country", "Azerbaijan", "Azerbaijan"),),
            speaker="ministry",
            date=date(2022, 9, 15),
        ),
        took_ms=1.5,
    )
    monkeypatch.setattr(app.extensions["factcheck"], "check", lambda *a, **k: result)
    body = client.post("/v1/check", json={"claim": CLAIM}).get_json()
    assert body["analysis"]["quantities"][0]["high"] is None
    assert body["analysis"]["date"] == "2022-09-15"
    assert body["verdict"] == "conflicting" and body["evidence"][0]["stance"] == "refutes"
    validate(registry, body, "components", "schemas", "CheckResult")


def resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    """The object a local ``$ref`` (``#/components/...``) points at."""
    found: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found
