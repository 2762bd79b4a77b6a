"""openapi.yaml documents the production surface: keys, 401, 429, /metrics and /docs, and
what the server sends for them matches it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:factcheck:openapi"
KEY = "spec-key-0123456789abcdef"


@pytest.fixture(scope="module")
def spec(project_root: Path) -> dict[str, Any]:
    return yaml.safe_load((project_root / "openapi.yaml").read_text(encoding="utf-8"))


def component(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    found: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def assert_matches(spec: dict[str, Any], response: Any, described: dict[str, Any]) -> None:
    """The response's media type, headers and body are those ``described``."""
    if "$ref" in described:
        described = component(spec, described["$ref"])
    media = described["content"][response.mimetype]
    for header in described.get("headers", {}):
        assert header in response.headers, header
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, DRAFT202012))
    schema = media["schema"]
    if "$ref" in schema:
        schema = {"$ref": f"{SPEC_URI}{schema['$ref']}"}
    validator = Draft202012Validator(schema, registry=registry)
    errors = [e.message for e in validator.iter_errors(response.get_json(force=True))]
    assert not errors, errors


def v1_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_security_schemes(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKeyHeader"]["in"] == "header"
    assert schemes["apiKeyHeader"]["name"] == "X-API-Key"
    assert spec["security"] == [{"bearerAuth": []}, {"apiKeyHeader": []}]


def test_every_v1_operation_documents_401_and_429(spec: dict[str, Any]) -> None:
    operations = v1_operations(spec)
    assert len(operations) >= 4
    for path, method, operation in operations:
        assert "security" not in operation, (path, method)  # the top-level requirement holds
        for status, name in (("401", "Unauthorized"), ("429", "TooManyRequests")):
            assert operation["responses"][status] == {"$ref": f"#/components/responses/{name}"}, (
                path,
                method,
                status,
            )


def test_open_operations_say_so(spec: dict[str, Any]) -> None:
    for path in ("/healthz", "/readyz", "/openapi.yaml", "/docs", "/docs/{name}"):
        assert spec["paths"][path]["get"]["security"] == [], path
    assert {} in spec["paths"]["/metrics"]["get"]["security"]


def test_401_and_429_match_the_spec(spec: dict[str, Any], make_app: Callable[..., Flask]) -> None:
    client = make_app(FACTCHECK_API_KEYS=KEY, FACTCHECK_RATE_LIMIT="1/minute").test_client()
    unauthorized = client.post("/v1/check", json={"claim": "Armenia lost 300 soldiers."})
    assert unauthorized.status_code == 401
    assert_matches(spec, unauthorized, spec["paths"]["/v1/check"]["post"]["responses"]["401"])
    headers = {"X-API-Key": KEY}
    assert client.get("/v1/sources", headers=headers).status_code == 200
    limited = client.get("/v1/sources", headers=headers)
    assert limited.status_code == 429
    assert_matches(spec, limited, spec["paths"]["/v1/sources"]["get"]["responses"]["429"])
    for header in (
        "Retry-After",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    ):
        assert int(limited.headers[header]) >= 0


def test_metrics_and_docs_media_types_are_documented(
    spec: dict[str, Any], make_app: Callable[..., Flask]
) -> None:
    client = make_app().test_client()
    metrics = spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert client.get("/metrics").mimetype in metrics
    openmetrics = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert openmetrics.mimetype in metrics
    assert (
        client.get("/docs").mimetype in spec["paths"]["/docs"]["get"]["responses"]["200"]["content"]
    )
    assets = spec["paths"]["/docs/{name}"]["get"]["responses"]["200"]["content"]
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js", "favicon-32x32.png"):
        with client.get(f"/docs/{name}") as response:
            assert response.mimetype in assets, (name, response.mimetype)
