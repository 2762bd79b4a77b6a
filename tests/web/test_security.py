"""API keys, CORS, trusted proxies and security headers, through the Flask test client."""

from __future__ import annotations

import hmac
import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.web import security
from service.web.security import KeyRing

KEY = "client-key-0123456789abcdef"
OTHER_KEY = "other-key-0123456789abcdef"
METRICS_KEY = "metrics-key-0123456789abcdef"
PROBLEM = "application/problem+json"
CLAIM = {"claim": "Armenia lost 300 soldiers in the clashes."}
OPEN_PATHS = ["/healthz", "/readyz", "/openapi.yaml", "/docs", "/docs/swagger-ui.css"]


@pytest.fixture(scope="module")
def keyed_app(make_app: Callable[..., Flask], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    keys_file = tmp_path_factory.mktemp("keys") / "keys.txt"
    keys_file.write_text(f"# newsroom clients\n{OTHER_KEY}\n", encoding="utf-8")
    return make_app(FACTCHECK_API_KEYS=KEY, FACTCHECK_API_KEYS_FILE=str(keys_file))


@pytest.fixture()
def keyed(keyed_app: Flask) -> FlaskClient:
    return keyed_app.test_client()


def assert_401(response, detail: str) -> None:
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="factcheck"'
    body = response.get_json(force=True)
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert body["detail"] == detail


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/v1/check", {"json": CLAIM}),
        ("POST", "/v1/check/batch", {"json": {"claims": [CLAIM["claim"]]}}),
        ("GET", "/v1/sources", {}),
        ("GET", "/v1/sources/000_92c0525162caa70a", {}),
        ("GET", "/v1/no-such-route", {}),  # no key, no hint of which paths exist
        ("DELETE", "/v1/check", {}),
    ],
)
def test_every_v1_call_needs_a_key(keyed: FlaskClient, method: str, path: str, kwargs) -> None:
    assert_401(keyed.open(path, method=method, **kwargs), security.MISSING_KEY)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": f"bearer   {KEY}  "},
        {"X-API-Key": KEY},
        {"X-API-Key": OTHER_KEY},  # from the keys file
        {"Authorization": f"Bearer {OTHER_KEY}", "X-API-Key": KEY},
    ],
    ids=["bearer", "bearer-spacing", "x-api-key", "keys-file", "two-right-keys"],
)
def test_a_valid_key_opens_v1(keyed: FlaskClient, headers: dict[str, str]) -> None:
    response = keyed.post("/v1/check", json=CLAIM, headers=headers)
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-key-0123456789"},
        {"X-API-Key": KEY[:-1]},
        {"X-API-Key": KEY + "x"},
        {"X-API-Key": KEY.upper()},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": f"Token {KEY}"},
        {"Authorization": "Bearer wrong-key-0123456789", "X-API-Key": KEY},
        {"Authorization": f"Bearer {KEY}", "X-API-Key": "wrong-key-0123456789"},
        {"Authorization": "Basic dXNlcjpwYXNz", "X-API-Key": KEY},
    ],
    ids=[
        "bearer",
        "short",
        "long",
        "case",
        "basic",
        "token",
        "wrong-and-right",
        "right-and-wrong",
        "basic-and-right",
    ],
)
def test_a_wrong_key_gets_401(keyed: FlaskClient, headers: dict[str, str]) -> None:
    response = keyed.post("/v1/check", json=CLAIM, headers=headers)
    # Another scheme's credentials are refused, also beside a right X-API-Key (issue 13).
    other = not headers.get("Authorization", "Bearer").startswith("Bearer")
    assert_401(response, security.OTHER_SCHEME if other else security.WRONG_KEY)


@pytest.mark.parametrize("path", [*OPEN_PATHS, "/metrics"])
def test_probes_docs_and_metrics_stay_open(keyed: FlaskClient, path: str) -> None:
    with keyed.get(path) as response:  # closes the file of a send_file response
        assert response.status_code == 200


def test_metrics_behind_their_own_keys(make_app: Callable[..., Flask]) -> None:
    client = make_app(FACTCHECK_API_KEYS=KEY, FACTCHECK_METRICS_KEYS=METRICS_KEY).test_client()
    assert_401(client.get("/metrics"), security.MISSING_KEY)
    # A client key does not open /metrics, nor a metrics key /v1.
    assert_401(client.get("/metrics", headers={"X-API-Key": KEY}), security.WRONG_KEY)
    assert_401(client.get("/v1/sources", headers={"X-API-Key": METRICS_KEY}), security.WRONG_KEY)
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_KEY}"})
    assert ok.status_code == 200
    assert client.get("/healthz").status_code == 200


def test_without_keys_v1_is_open(client: FlaskClient) -> None:
    assert client.get("/v1/sources").status_code == 200


def test_keys_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    ring = KeyRing([KEY, OTHER_KEY, METRICS_KEY])
    assert ring.match([KEY]) is not None
    # Every key was compared even though the first matched, always as equal-length digests.
    assert len(calls) == 3
    assert {len(a) for a, _ in calls} == {len(b) for _, b in calls} == {32}
    calls.clear()
    assert ring.match(["x"]) is None and len(calls) == 3
    assert repr(ring) == "KeyRing(3 keys)" and KEY not in repr(ring)


def test_keys_never_reach_the_logs(make_app: Callable[..., Flask]) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        app = make_app(FACTCHECK_API_KEYS=KEY, FACTCHECK_RATE_LIMIT="2/minute")
        client = app.test_client()
        for headers in (
            {"X-API-Key": KEY},
            {"Authorization": f"Bearer {KEY}"},
            {"X-API-Key": "bad"},
        ):
            for _ in range(3):
                client.post("/v1/check", json=CLAIM, headers=headers)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        logging.getLogger("service").setLevel(logging.INFO)
    logged = stream.getvalue()
    assert "loaded corpus" in logged  # the capture worked
    assert KEY not in logged


def test_cors_default_is_any_origin_without_credentials(client: FlaskClient) -> None:
    response = client.get("/v1/sources", headers={"Origin": "https://anywhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert {"X-Request-ID", "Retry-After", "X-RateLimit-Remaining"} <= {
        h.strip() for h in exposed.split(",")
    }


@pytest.mark.parametrize("asked", ["authorization, content-type", "x-api-key, content-type"])
def test_preflight_is_answered_without_a_key(keyed: FlaskClient, asked: str) -> None:
    response = keyed.options(
        "/v1/check",
        headers={
            "Origin": "chrome-extension://abcdefghijklmnop",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": asked,
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert set(asked.split(", ")) <= allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Max-Age"] == str(security.CORS_MAX_AGE)


def test_cors_with_listed_origins(make_app: Callable[..., Flask]) -> None:
    origins = "https://newsroom.example, chrome-extension://abcdefghijklmnop"
    client = make_app(FACTCHECK_CORS_ORIGINS=origins).test_client()
    listed = client.get("/v1/sources", headers={"Origin": "chrome-extension://abcdefghijklmnop"})
    assert listed.headers["Access-Control-Allow-Origin"] == "chrome-extension://abcdefghijklmnop"
    assert "Origin" in listed.headers.get("Vary", "")
    other = client.get("/v1/sources", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200  # CORS is the browser's to enforce
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/v1/check",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_can_be_turned_off(make_app: Callable[..., Flask]) -> None:
    client = make_app(FACTCHECK_CORS_ORIGINS="").test_client()
    response = client.get("/v1/sources", headers={"Origin": "https://newsroom.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_errors_carry_cors_headers(keyed: FlaskClient) -> None:
    """A browser page can read the problem of a 401 (and 404, 422…), not just successes."""
    for response in (
        keyed.get("/v1/sources", headers={"Origin": "https://x.example"}),
        keyed.get("/nope", headers={"Origin": "https://x.example"}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_trusted_proxy_sets_the_client_address(make_app: Callable[..., Flask]) -> None:
    headers = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
    behind = make_app(FACTCHECK_TRUSTED_PROXIES="1", FACTCHECK_RATE_LIMIT="1/minute")
    client = behind.test_client()
    # One trusted proxy: the client is the right-most address, 10.0.0.2, not a spoofed one.
    assert client.get("/v1/sources", headers=headers).status_code == 200
    assert client.get("/v1/sources", headers=headers).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.9, 10.0.0.3"}
    assert client.get("/v1/sources", headers=other).status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(make_app: Callable[..., Flask]) -> None:
    client = make_app(FACTCHECK_RATE_LIMIT="1/minute").test_client()
    assert client.get("/v1/sources", headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 200
    # A forged header does not buy a new budget.
    assert client.get("/v1/sources", headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 429


def test_keys_file_is_read_at_start_up(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text(f"{KEY}\n", encoding="utf-8")
    client = make_app(FACTCHECK_API_KEYS_FILE=str(keys_file)).test_client()
    keys_file.write_text(f"{OTHER_KEY}\n", encoding="utf-8")  # read once: restart to change
    assert client.get("/v1/sources", headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/v1/sources", headers={"X-API-Key": OTHER_KEY}).status_code == 401


@pytest.mark.parametrize(
    ("peer", "forwarded", "seen"),
    [
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),  # a trusted (loopback) proxy
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # a client on the port directly
        ("127.0.0.1", "<script>", "127.0.0.1"),  # not an address: not taken
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),  # the configured network
    ],
    ids=["trusted-peer", "direct-client", "junk", "configured-network"],
)
def test_forwarded_for_only_from_proxy_addresses(
    make_app: Callable[..., Flask], peer: str, forwarded: str, seen: str
) -> None:
    app = make_app(FACTCHECK_TRUSTED_PROXIES="1", FACTCHECK_PROXY_ADDRESSES="127.0.0.1, 10.0.0.0/8")
    environ = {"REMOTE_ADDR": peer}
    captured: dict[str, str] = {}

    def spy(environ: dict, start_response) -> list[bytes]:
        captured["addr"] = environ["REMOTE_ADDR"]
        start_response("204 No Content", [])
        return []

    app.wsgi_app.app = spy  # the middleware's own app: what reaches Flask
    app.test_client().get("/", headers={"X-Forwarded-For": forwarded}, environ_base=environ)
    assert captured["addr"] == seen
