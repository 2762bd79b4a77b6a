"""API keys, CORS, trusted proxies and security headers.

API keys are optional. When ``FACTCHECK_API_KEYS`` or ``FACTCHECK_API_KEYS_FILE`` holds any,
every ``/v1`` request needs ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, else a
``401`` problem (also when it offers both headers and either holds a wrong key).
``/metrics`` needs one of ``FACTCHECK_METRICS_KEYS`` when that is set. The probes,
``/openapi.yaml`` and ``/docs`` stay open, and so does every CORS preflight (browsers send no
credentials with one).

Keys are kept as SHA-256 digests and compared in constant time; a key is never logged, and
the rate limiter sees only a short digest of it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from service.web.config import Config
from service.web.errors import problem

AUTH_EXTENSION = "factcheck.auth"
API_PREFIX = "/v1/"
METRICS_PATH = "/metrics"
# Request headers a cross-origin page may send, and response headers it may read.
CORS_ALLOW_HEADERS = ("Authorization", "Content-Type", "X-API-Key", "X-Request-ID")
CORS_EXPOSE_HEADERS = (
    "X-Request-ID",
    "X-Truncated",
    "X-Corpus-Generation",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
CORS_MAX_AGE = 600  # seconds a browser may cache a preflight answer
CHALLENGE = 'Bearer realm="factcheck"'
MISSING_KEY = "This API needs a key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'."
WRONG_KEY = "The API key is not valid."
OTHER_SCHEME = (
    "This API takes only 'Authorization: Bearer <key>' or 'X-API-Key: <key>'; "
    "an Authorization header of another scheme is refused."
)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


class KeyRing:
    """A set of keys, held as digests and matched in constant time."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = tuple(dict.fromkeys(_digest(key) for key in keys))

    def __bool__(self) -> bool:
        return bool(self._digests)

    def __repr__(self) -> str:
        return f"KeyRing({len(self._digests)} keys)"

    def match(self, candidates: Iterable[str]) -> str | None:
        """A short id (digest prefix) of the offered key when every candidate is a key.

        A request that offers a wrong key is refused even if it offers a right one too.
        Every candidate is compared with every key, whether or not one matched already, so
        the time taken does not tell which key (or how much of one) was right.
        """
        found: str | None = None
        every = True
        for candidate in candidates:
            digest = _digest(candidate)
            hit = False
            for known in self._digests:
                hit |= hmac.compare_digest(digest, known)
            every &= hit
            if found is None:
                found = digest.hex()[:16]
        return found if every else None


class Keys:
    """The key rings of an app: client keys for /v1, scraper keys for /metrics."""

    def __init__(self, settings: Config) -> None:
        self.clients = KeyRing(settings.client_keys)
        self.metrics = KeyRing(settings.metrics_keys)


class TrustedProxies:
    """WSGI middleware: ``X-Forwarded-For``/``-Proto`` believed from trusted peers only.

    Behind ``hops`` proxies the client address is the ``hops``-th from the right of
    ``X-Forwarded-For`` (werkzeug's ``ProxyFix``), but only when the connection comes from
    one of ``networks``: a client reaching the port directly cannot pick its own address
    (and so its own rate-limit budget). An address that is not an IP address (any text a
    client wrote into the header) is not taken either.
    """

    def __init__(self, app: Any, *, hops: int, networks: Iterable[Any]) -> None:
        self.app = app
        self.networks = tuple(networks)
        self.fixed = ProxyFix(self._checked, x_for=hops, x_proto=hops)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if _within(environ.get("REMOTE_ADDR"), self.networks):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)

    def _checked(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not _within(environ.get("REMOTE_ADDR"), None):
            original = environ.get("werkzeug.proxy_fix.orig", {})
            environ["REMOTE_ADDR"] = original.get("REMOTE_ADDR")
        return self.app(environ, start_response)


def _within(address: str | None, networks: tuple[Any, ...] | None) -> bool:
    """Whether ``address`` is an IP address (in one of ``networks``, unless None)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return networks is None or any(ip in network for network in networks)


def presented_keys() -> list[str]:
    """The keys a request offers: a Bearer token and/or an X-API-Key header.

    A header that is present offers a key even when empty (and so a wrong one). So does an
    ``Authorization`` header of another scheme (``Basic``…): it offers credentials this
    service never accepts, so the request is refused whatever ``X-API-Key`` holds, as any
    request offering a wrong key beside a right one is.
    """
    candidates = []
    if "Authorization" in request.headers:
        raw = request.headers["Authorization"].strip()
        scheme, _, token = raw.partition(" ")
        # Another scheme's credentials can never equal a key: compared whole, they fail.
        candidates.append(token.strip() if scheme.lower() == "bearer" else f"\n{raw}")
    if "X-API-Key" in request.headers:
        candidates.append(request.headers["X-API-Key"].strip())
    return candidates


def client_key_id() -> str | None:
    """The digest id of the request's valid client key, if it offers one (cached per request)."""
    if "client_key_id" not in g:
        keys: Keys = current_app.extensions[AUTH_EXTENSION]
        g.client_key_id = keys.clients.match(presented_keys()) if keys.clients else None
    return g.client_key_id


def client_identity() -> str:
    """Who a request counts against for rate limiting: its API key, else its address."""
    key_id = client_key_id()
    if key_id is not None:
        return f"key:{key_id}"
    return f"addr:{request.remote_addr or 'unknown'}"


def _protected_ring(keys: Keys) -> KeyRing | None:
    # By the path (so unknown /v1 paths need a key too, and reveal nothing) and by the
    # matched route (so no spelling of a path that reaches a /v1 view escapes the check).
    path = request.path
    rule = request.url_rule.rule if request.url_rule is not None else ""
    if path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/") or rule.startswith(API_PREFIX):
        return keys.clients
    if path == METRICS_PATH or rule == METRICS_PATH:
        return keys.metrics
    return None


def authenticate() -> Response | None:
    """Before-request hook: a 401 problem for a protected path without a valid key."""
    if request.method == "OPTIONS":
        return None
    keys: Keys = current_app.extensions[AUTH_EXTENSION]
    ring = _protected_ring(keys)
    if not ring:
        return None
    offered = presented_keys()
    matched = client_key_id() if ring is keys.clients else ring.match(offered)
    if matched is not None:
        return None
    detail = WRONG_KEY if offered else MISSING_KEY
    if any(key.startswith("\n") for key in offered):
        detail = OTHER_SCHEME
    return problem(401, detail, headers=[("WWW-Authenticate", CHALLENGE)])


def vary_by_origin(response: Response) -> Response:
    """With a list of origins the answer depends on ``Origin`` (echoed or not): say so.

    Otherwise a shared cache could serve one origin's answer, with its
    ``Access-Control-Allow-Origin``, to a page of another origin.
    """
    response.vary.add("Origin")
    return response


def security_headers(response: Response) -> Response:
    """Headers every response carries; ``/docs`` adds its own Content-Security-Policy."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_security(app: Flask, settings: Config) -> None:
    """Install CORS, the proxy fix, API-key checks and security headers.

    Call after the rate limiter is installed: the limiter must count requests with a wrong
    key against their address before this hook turns them away (no free key guessing).
    """
    app.extensions[AUTH_EXTENSION] = Keys(settings)
    if settings.trusted_proxies and settings.proxy_addresses:
        app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app, hops=settings.trusted_proxies, networks=settings.proxy_addresses
        )
    if settings.cors_origins:
        origins = "*" if settings.cors_origins == ("*",) else list(settings.cors_origins)
        CORS(
            app,
            origins=origins,
            # "*" is sent as is (not the caller's origin echoed back): no credentials.
            send_wildcard=origins == "*",
            supports_credentials=False,
            allow_headers=list(CORS_ALLOW_HEADERS),
            expose_headers=list(CORS_EXPOSE_HEADERS),
            methods=["GET", "HEAD", "POST", "OPTIONS"],
            max_age=CORS_MAX_AGE,
        )
        if origins != "*":
            app.after_request(vary_by_origin)
    app.before_request(authenticate)
    app.after_request(security_headers)
