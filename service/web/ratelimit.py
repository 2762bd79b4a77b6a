"""Rate limiting of ``/v1``: per API key, else per client address (Flask-Limiter).

``FACTCHECK_RATE_LIMIT`` (``60/minute``, ``10/second;1000/day``…) is one budget per client
across the whole ``/v1`` API; unset means no limit. A request over it gets a ``429`` problem
with ``Retry-After`` and ``X-RateLimit-Limit/-Remaining/-Reset``; every limited response
carries the ``X-RateLimit-*`` headers.

By default (``local://``) the counters live in a SQLite file that the app creates in the
gunicorn master (``preload_app``): every worker forked from it counts in the same file, so
the limit is exact across the workers of one host with no set-up (issue 13: counted per
worker, ``10/minute`` let 20 of 30 requests through with two workers). ``local:///path``
names the file, for instances that should share it. Replicas on several hosts share one
budget through a Redis URL. ``memory://`` counts in each process alone. If the store is
unreachable the service keeps answering, falls back to in-memory counting and logs a
warning (Flask-Limiter's ``in_memory_fallback``); it checks the store again later.
"""

from __future__ import annotations

import atexit
import os
import random
import sqlite3
import tempfile
import threading
import time
from typing import Any

from flask import Flask, request
from flask_limiter import ApplicationLimit, Limiter
from limits.storage import Storage

from service.web.config import Config
from service.web.security import API_PREFIX, client_identity

LIMITER_EXTENSION = "factcheck.limiter"
STRATEGY = "fixed-window"
# One write in this many also drops every expired counter (each one expires on its own).
SWEEP_EVERY = 200
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters "
    "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
)


class LocalStorage(Storage):
    """Fixed-window counters in a SQLite file shared by the processes of one host.

    ``local://`` makes a new file (removed when the process that made it exits);
    ``local:///path/file.sqlite`` uses that one. Each process and thread opens its own
    connection (SQLite connections must not cross a fork); a counter is read and written
    in one ``BEGIN IMMEDIATE`` transaction, so concurrent workers never lose a hit.
    """

    STORAGE_SCHEME = ["local"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        path = (uri or "").split("://", 1)[-1] if uri and "://" in uri else ""
        if not path:
            shared = "/dev/shm" if os.path.isdir("/dev/shm") else None
            handle, path = tempfile.mkstemp(prefix="factcheck-ratelimit-", dir=shared)
            os.close(handle)
            atexit.register(_remove, path, os.getpid())
        self.path = path
        self._local = threading.local()
        self._db().execute(_SCHEMA)
        super().__init__(uri, wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # counters, not records: speed over durability
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            if random.randrange(SWEEP_EVERY) == 0:
                db.execute("DELETE FROM counters WHERE expires <= ?", (now,))
            else:
                db.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            db.execute(
                "INSERT INTO counters (key, count, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + excluded.count",
                (key, amount, now + expiry),
            )
            (count,) = db.execute("SELECT count FROM counters WHERE key = ?", (key,)).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return count

    def get(self, key: str) -> int:
        row = (
            self._db()
            .execute("SELECT count FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = (
            self._db()
            .execute("SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, now))
            .fetchone()
        )
        return row[0] if row else now

    def check(self) -> bool:
        return self._db().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))


def _remove(path: str, owner: int) -> None:
    # Forked workers inherit the handler; only the process that made the file removes it.
    if os.getpid() == owner:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(path + suffix)
            except OSError:
                pass


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
