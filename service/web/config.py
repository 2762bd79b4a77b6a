"""Typed service settings, read from ``FACTCHECK_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# Resolved from the package, not the cwd, so `gunicorn` and `python -m service` agree.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting has a value the service cannot use; the message names the variable."""


def _path(name: str, raw: Any) -> Path:
    if not isinstance(raw, str | os.PathLike) or not str(raw).strip():
        raise ConfigError(f"{name} must be a non-empty folder path, got {raw!r}")
    return Path(raw).expanduser()


def _optional_path(name: str, raw: Any) -> Path | None:
    if isinstance(raw, str) and not raw.strip():
        return None  # empty: unset
    return _path(name, raw)


def _positive_int(name: str, raw: Any) -> int:
    # bool is an int subclass; True must not silently mean 1 byte.
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        value = int(raw.strip())  # isascii: "²".isdigit() is true, but int() refuses it
    else:
        raise ConfigError(f"{name} must be a positive integer, got {raw!r}")
    if value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {raw!r}")
    return value


def _log_level(name: str, raw: Any) -> str:
    level = raw.strip().upper() if isinstance(raw, str) else raw
    if level not in LOG_LEVELS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def _text(name: str, raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(f"{name} must be a non-empty string, got {raw!r}")
    return raw.strip()


def _optional_url(name: str, raw: Any) -> str | None:
    # An empty value means "no URL"; anything else must be an absolute http(s) URL.
    if isinstance(raw, str) and not raw.strip():
        return None
    if not isinstance(raw, str) or not raw.strip().startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http:// or https:// URL or empty, got {raw!r}")
    return raw.strip()


# Serving, security, rate-limit and observability settings.
LOG_FORMATS = ("json", "text")
API_KEY_MIN_LENGTH = 16
API_KEY_MAX_LENGTH = 256
# Visible ASCII except the comma (the list separator): safe in a header, never ambiguous.
_API_KEY = re.compile(r"[\x21-\x2b\x2d-\x7e]+")
# An origin is scheme://host[:port], nothing after; extension schemes (chrome-extension://) too.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s,?#@]+")
RATE_LIMIT_STORAGE_SCHEMES = (
    "local",
    "memory",
    "redis",
    "rediss",
    "redis+unix",
    "redis+sentinel",
    "redis+cluster",
)


def usable_cores() -> int:
    """CPU cores this process may run on (a container's cpuset, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _bounded_int(low: int, high: int) -> Callable[[str, Any], int]:
    def parse(name: str, raw: Any) -> int:
        value = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            value = int(raw.strip())
        if value is None or not low <= value <= high:
            raise ConfigError(f"{name} must be an integer from {low} to {high}, got {raw!r}")
        return value

    return parse


def _host(name: str, raw: Any) -> str:
    """An IP address to listen on (``127.0.0.1``, ``0.0.0.0``, ``::``)."""
    try:
        return str(ipaddress.ip_address(raw.strip() if isinstance(raw, str) else raw))
    except ValueError:
        raise ConfigError(
            f"{name} must be an IP address such as 127.0.0.1 or 0.0.0.0, got {raw!r}"
        ) from None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)


def _networks(name: str, raw: Any) -> tuple[Network, ...]:
    """Comma-separated addresses or networks (``10.0.0.0/8``, ``::1``)."""
    if not isinstance(raw, str):
        raise ConfigError(f"{name} must be a comma-separated list of IP addresses or networks")
    found = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                f"{name} must be a comma-separated list of IP addresses or networks such as "
                f"10.0.0.0/8, got {item!r}"
            ) from None
    return tuple(found)


def _log_format(name: str, raw: Any) -> str:
    value = raw.strip().lower() if isinstance(raw, str) else raw
    if value not in LOG_FORMATS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_FORMATS)}, got {raw!r}")
    return value


def _cors_origins(name: str, raw: Any) -> tuple[str, ...]:
    """``*`` (any origin), or exact origins; empty means no cross-origin access at all."""
    if not isinstance(raw, str):
        raise ConfigError(f"{name} must be * or a comma-separated list of origins, got {raw!r}")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if items == ["*"]:
        return ("*",)
    for item in items:
        if not _ORIGIN.fullmatch(item.lower()):
            raise ConfigError(
                f"{name} must be * or a comma-separated list of origins such as "
                f"https://newsroom.example or chrome-extension://<id> (scheme://host[:port], "
                f"no path), got {item!r}"
            )
    return tuple(dict.fromkeys(item.lower() for item in items))


def _key_problem(key: str) -> str | None:
    if len(key) < API_KEY_MIN_LENGTH:
        return f"is shorter than {API_KEY_MIN_LENGTH} characters"
    if len(key) > API_KEY_MAX_LENGTH:
        return f"is longer than {API_KEY_MAX_LENGTH} characters"
    if not _API_KEY.fullmatch(key):
        return "may only hold visible ASCII characters, without spaces or commas"
    return None


def _keys(name: str, raw: Any) -> tuple[str, ...]:
    """Comma-separated keys; an error names the key's position, never the key."""
    if not isinstance(raw, str):
        raise ConfigError(f"{name} must be a comma-separated list of keys")
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    for position, key in enumerate(keys, 1):
        problem = _key_problem(key)
        if problem:
            raise ConfigError(f"{name}: key {position} {problem} (keys are never shown)")
    return tuple(dict.fromkeys(keys))


def _keys_file(name: str, raw: Any) -> tuple[str, ...]:
    """Read a keys file: one key a line, blank lines and ``#`` comments ignored."""
    if isinstance(raw, str) and not raw.strip():
        return ()
    if not isinstance(raw, str | os.PathLike):
        raise ConfigError(f"{name} must be a file path, got {raw!r}")
    path = Path(raw).expanduser()
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read {path}: {exc.strerror or exc}") from None
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        key = line.strip()
        if not key or key.startswith("#"):
            continue
        problem = _key_problem(key)
        if problem:
            raise ConfigError(f"{name}: {path} line {number}: the key {problem}")
        keys.append(key)
    if not keys:
        raise ConfigError(f"{name}: {path} holds no key")
    return tuple(dict.fromkeys(keys))


def _rate_limit(name: str, raw: Any) -> str | None:
    """A limits rate string (``60/minute``, ``10/second;1000/day``); empty means off."""
    if isinstance(raw, str) and not raw.strip():
        return None
    from limits import parse_many  # only when set: gunicorn.conf.py reads this module too

    expected = f"{name} must be a rate such as 60/minute or 10/second;1000/day, got {raw!r}"
    if not isinstance(raw, str):
        raise ConfigError(expected)
    try:
        rates = parse_many(raw)
    except ValueError:
        raise ConfigError(expected) from None
    if not rates or any(rate.amount < 1 for rate in rates):
        raise ConfigError(expected)
    return raw.strip()


def _storage_uri(name: str, raw: Any) -> str:
    # The URL may hold a password: errors show its scheme only.
    scheme = raw.strip().split("://", 1)[0].lower() if isinstance(raw, str) and "://" in raw else ""
    if scheme not in RATE_LIMIT_STORAGE_SCHEMES:
        schemes = ", ".join(f"{s}://" for s in RATE_LIMIT_STORAGE_SCHEMES)
        raise ConfigError(
            f"{name} must be local://, memory:// or a Redis URL such as redis://redis:6379/0 "
            f"(one of {schemes}); got a value with scheme {scheme or 'none'!r}"
        )
    return raw.strip()


def setting(
    env: str, parse: Callable[[str, Any], Any], default: Any, *, secret: bool = False
) -> Any:
    """Declare a field read from environment variable ``env`` (adding a setting = one line).

    A ``secret`` setting (keys, a storage URL with a password) is left out of ``repr``, so a
    logged or printed ``Config`` never shows it.
    """
    return field(default=default, repr=not secret, metadata={"env": env, "parse": parse})


@dataclass(frozen=True, slots=True)
class Config:
    """All settings; build with :meth:`from_env`, never mutate."""

    corpus: Path = setting("FACTCHECK_CORPUS", _path, DEFAULT_CORPUS)
    max_body_bytes: int = setting("FACTCHECK_MAX_BODY_BYTES", _positive_int, 1_048_576)
    log_level: str = setting("FACTCHECK_LOG_LEVEL", _log_level, "INFO")
    # A prebuilt index of that corpus (python -m service.retrieval.prebuilt); none: analyse at
    # start-up.
    index: Path | None = setting("FACTCHECK_INDEX", _optional_path, None)
    # Seconds between two looks at the corpus (and index) for changes to reload; 0: only SIGHUP.
    reload_watch: int = setting("FACTCHECK_RELOAD_WATCH", _bounded_int(0, 3600), 0)
    # Review and ClaimReview output (service/engine/review.py, service/web/claimreview.py).
    max_review_chars: int = setting("FACTCHECK_MAX_REVIEW_CHARS", _positive_int, 100_000)
    # The work one review or batch may cost (service/engine/budget.py): then it answers partial.
    work_budget_ms: int = setting("FACTCHECK_WORK_BUDGET_MS", _bounded_int(1, 600_000), 5000)
    max_checks: int = setting("FACTCHECK_MAX_CHECKS", _bounded_int(1, 100_000), 1000)
    author_name: str = setting("FACTCHECK_AUTHOR_NAME", _text, "Fact-checking service")
    author_url: str | None = setting("FACTCHECK_AUTHOR_URL", _optional_url, None)
    # Serving: read by gunicorn.conf.py (PORT also by `python -m service`).
    host: str = setting("FACTCHECK_HOST", _host, "127.0.0.1")
    port: int = setting("PORT", _bounded_int(1, 65535), 8000)
    workers: int = setting("FACTCHECK_WORKERS", _bounded_int(1, 256), usable_cores())
    threads: int = setting("FACTCHECK_THREADS", _bounded_int(1, 256), 2)
    timeout: int = setting("FACTCHECK_TIMEOUT", _bounded_int(1, 3600), 30)
    graceful_timeout: int = setting("FACTCHECK_GRACEFUL_TIMEOUT", _bounded_int(1, 3600), 30)
    keepalive: int = setting("FACTCHECK_KEEPALIVE", _bounded_int(1, 3600), 5)
    # Seconds a client has to send a whole request, and to take its answer (service/web/worker.py).
    read_timeout: int = setting("FACTCHECK_READ_TIMEOUT", _bounded_int(1, 3600), 10)
    trusted_proxies: int = setting("FACTCHECK_TRUSTED_PROXIES", _bounded_int(0, 10), 0)
    # Peers whose X-Forwarded-For is believed; from any other, the header is ignored.
    proxy_addresses: tuple[Network, ...] = setting("FACTCHECK_PROXY_ADDRESSES", _networks, LOOPBACK)
    # Security, rate limiting and observability (service/web/security.py, ratelimit.py,
    # observability.py).
    log_format: str = setting("FACTCHECK_LOG_FORMAT", _log_format, "json")
    cors_origins: tuple[str, ...] = setting("FACTCHECK_CORS_ORIGINS", _cors_origins, ("*",))
    api_keys: tuple[str, ...] = setting("FACTCHECK_API_KEYS", _keys, (), secret=True)
    api_keys_from_file: tuple[str, ...] = setting(
        "FACTCHECK_API_KEYS_FILE", _keys_file, (), secret=True
    )
    metrics_keys: tuple[str, ...] = setting("FACTCHECK_METRICS_KEYS", _keys, (), secret=True)
    rate_limit: str | None = setting("FACTCHECK_RATE_LIMIT", _rate_limit, None)
    rate_limit_storage: str = setting(
        "FACTCHECK_RATE_LIMIT_STORAGE", _storage_uri, "local://", secret=True
    )

    @property
    def client_keys(self) -> tuple[str, ...]:
        """Every key that opens /v1: FACTCHECK_API_KEYS and the keys file together."""
        return tuple(dict.fromkeys(self.api_keys + self.api_keys_from_file))

    @classmethod
    def env_names(cls) -> tuple[str, ...]:
        """The environment variable of every setting, in declaration order."""
        return tuple(f.metadata["env"] for f in fields(cls))

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Config:
        """Read settings from ``environ`` (default ``os.environ``), then apply ``overrides``.

        Overrides use the same names as the environment (``FACTCHECK_CORPUS``...) and may hold
        typed values (a ``Path``, an ``int``) as well as strings.
        """
        environ = os.environ if environ is None else environ
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(cls.env_names()))
        if unknown:
            known = ", ".join(cls.env_names())
            raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; expected one of {known}")
        values = {}
        for f in fields(cls):
            name = f.metadata["env"]
            raw = overrides.get(name, environ.get(name))
            if raw is not None:
                values[f.name] = f.metadata["parse"](name, raw)
        return cls(**values)
