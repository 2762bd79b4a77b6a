"""Rate limiting: per key, else per address; 429 problems; a shared Redis store for replicas."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from flask import Flask
from serving import free_port, gunicorn_server, needs_redis, redis_server

KEY = "client-key-0123456789abcdef"
OTHER_KEY = "other-key-0123456789abcdef"
PROBLEM = "application/problem+json"


def limited(make_app: Callable[..., Flask], rate: str = "3/minute", **settings: str) -> Flask:
    return make_app(FACTCHECK_RATE_LIMIT=rate, **settings)


def test_429_problem_with_retry_after_and_headers(make_app: Callable[..., Flask]) -> None:
    client = limited(make_app).test_client()
    remaining = []
    for _ in range(3):
        response = client.get("/v1/sources")
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    response = client.post("/v1/check", json={"claim": "Armenia lost 300 soldiers."})
    assert response.status_code == 429
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == 429 and body["title"] == "Too Many Requests"
    assert "3/minute" in body["detail"] and body["instance"] == "/v1/check"
    assert 0 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time())


def test_one_budget_across_the_api(make_app: Callable[..., Flask]) -> None:
    client = limited(make_app, "2/minute").test_client()
    assert client.get("/v1/sources").status_code == 200
    assert client.post("/v1/check", json={"claim": "A truce was holding."}).status_code == 200
    assert client.get("/v1/sources/000_92c0525162caa70a").status_code == 429


def test_per_key_then_per_address(make_app: Callable[..., Flask]) -> None:
    client = limited(make_app, "2/minute", FACTCHECK_API_KEYS=f"{KEY},{OTHER_KEY}").test_client()
    for _ in range(2):
        assert client.get("/v1/sources", headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/v1/sources", headers={"X-API-Key": KEY}).status_code == 429
    # The same key by either header is the same client.
    assert client.get("/v1/sources", headers={"Authorization": f"Bearer {KEY}"}).status_code == 429
    # Another key from the same address has its own budget.
    assert client.get("/v1/sources", headers={"X-API-Key": OTHER_KEY}).status_code == 200


def test_wrong_keys_use_up_the_address_budget(make_app: Callable[..., Flask]) -> None:
    """Guessing keys costs the guesser's address: no unlimited 401s."""
    client = limited(make_app, "2/minute", FACTCHECK_API_KEYS=KEY).test_client()
    for guess in ("guess-0000000000000001", "guess-0000000000000002"):
        assert client.get("/v1/sources", headers={"X-API-Key": guess}).status_code == 401
    assert client.get("/v1/sources", headers={"X-API-Key": "guess-3"}).status_code == 429
    assert client.get("/v1/sources", headers={"X-API-Key": KEY}).status_code == 200


def test_addresses_have_their_own_budgets(make_app: Callable[..., Flask]) -> None:
    client = limited(make_app, "1/minute").test_client()
    first = {"REMOTE_ADDR": "192.0.2.1"}
    assert client.get("/v1/sources", environ_base=first).status_code == 200
    assert client.get("/v1/sources", environ_base=first).status_code == 429
    assert client.get("/v1/sources", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.yaml", "/docs"])
def test_operations_are_not_limited(make_app: Callable[..., Flask], path: str) -> None:
    client = limited(make_app, "1/minute").test_client()
    for _ in range(3):
        with client.get(path) as response:
            assert response.status_code == 200
            assert "X-RateLimit-Limit" not in response.headers


def test_preflight_is_not_limited(make_app: Callable[..., Flask]) -> None:
    client = limited(make_app, "1/minute").test_client()
    headers = {"Origin": "https://x.example", "Access-Control-Request-Method": "POST"}
    for _ in range(3):
        assert client.options("/v1/check", headers=headers).status_code == 200
    assert client.get("/v1/sources").status_code == 200


def test_off_by_default(client) -> None:
    for _ in range(5):
        response = client.get("/v1/sources")
        assert response.status_code == 200 and "X-RateLimit-Limit" not in response.headers


def test_unreachable_store_does_not_take_the_api_down(make_app: Callable[..., Flask]) -> None:
    """Redis down: requests are still answered, counted in memory meanwhile."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    client = limited(make_app, "2/minute", FACTCHECK_RATE_LIMIT_STORAGE=dead).test_client()
    statuses = [client.get("/v1/sources").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.server
@pytest.mark.redis
@needs_redis
def test_replicas_share_one_budget_through_redis(tmp_path: Path) -> None:
    """Two gunicorn instances (two replicas, two workers each) behind one Redis."""
    with redis_server(tmp_path / "redis") as url:
        settings = {
            "FACTCHECK_RATE_LIMIT": "6/minute",
            "FACTCHECK_RATE_LIMIT_STORAGE": url,
            "FACTCHECK_API_KEYS": KEY,
            "FACTCHECK_WORKERS": "2",
        }
        with (
            gunicorn_server(tmp_path / "a", **settings) as a,
            gunicorn_server(tmp_path / "b", **settings) as b,
        ):
            headers = {"X-API-Key": KEY, "Connection": "close"}
            statuses = []
            for server in (a, b) * 4:
                response = requests.get(f"{server.base}/v1/sources", headers=headers, timeout=10)
                statuses.append(response.status_code)
            assert statuses == [200] * 6 + [429] * 2
            assert response.headers["Content-Type"] == PROBLEM
            assert "Retry-After" in response.headers
            # The budget is per key: an unauthenticated caller is counted by its address.
            anonymous = requests.get(f"{a.base}/v1/sources", timeout=10)
            assert anonymous.status_code == 401
