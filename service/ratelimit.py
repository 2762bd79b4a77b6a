"""Rate limiting of ``/v1``: per API key, else per client address (Flask-Limiter).

``FACTCHECK_RATE_LIMIT`` (``60/minute``, ``10/second;1000/day``…) is one budget per client
across the whole ``/v1`` API; unset means no limit. A request over it gets a ``429`` problem
with ``Retry-After`` and ``X-RateLimit-Limit/-Remaining/-Reset``; every limited response
carries the ``X-RateLimit-*`` headers.

Counters live in memory by default: per process, so per gunicorn worker. Several workers or
replicas share one budget only through ``FACTCHECK_RATE_LIMIT_STORAGE`` (a Redis URL). If
that store is unreachable the service keeps answering, falls back to in-memory counting and
logs a warning (Flask-Limiter's ``in_memory_fallback``); it checks the store again later.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import ApplicationLimit, Limiter

from service.config import Config
from service.security import API_PREFIX, client_identity

LIMITER_EXTENSION = "factcheck.limiter"
STRATEGY = "fixed-window"


def exempt() -> bool:
    """Only /v1 is limited, and never a CORS preflight."""
    if request.method == "OPTIONS":
        return True
    rule = request.url_rule.rule if request.url_rule is not None else ""
    return not (request.path.startswith(API_PREFIX) or rule.startswith(API_PREFIX))


def init_rate_limit(app: Flask, settings: Config) -> Limiter | None:
    """Install the limiter when ``FACTCHECK_RATE_LIMIT`` is set; returns it (or None)."""
    if not settings.rate_limit:
        return None
    rate = settings.rate_limit
    limiter = Limiter(
        key_func=client_identity,
        application_limits=[
            ApplicationLimit(
                rate,
                error_message=(
                    f"Too many requests: each client may make {rate} (FACTCHECK_RATE_LIMIT); "
                    "retry after the number of seconds in Retry-After."
                ),
            )
        ],
        storage_uri=settings.rate_limit_storage,
        strategy=STRATEGY,
        headers_enabled=True,
        retry_after="delta-seconds",
        key_prefix="factcheck",
        # A store outage must not take the API down: count in memory until it is back.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.request_filter(exempt)
    limiter.init_app(app)
    app.extensions[LIMITER_EXTENSION] = limiter
    return limiter
