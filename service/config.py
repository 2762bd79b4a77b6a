"""Typed service settings, read from ``FACTCHECK_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# Resolved from the package, not the cwd, so `gunicorn` and `python -m service` agree.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting has a value the service cannot use; the message names the variable."""


def _path(name: str, raw: Any) -> Path:
    if not isinstance(raw, str | os.PathLike) or not str(raw).strip():
        raise ConfigError(f"{name} must be a non-empty folder path, got {raw!r}")
    return Path(raw).expanduser()


def _positive_int(name: str, raw: Any) -> int:
    # bool is an int subclass; True must not silently mean 1 byte.
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw.strip())
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


def setting(env: str, parse: Callable[[str, Any], Any], default: Any) -> Any:
    """Declare a field read from environment variable ``env`` (adding a setting = one line)."""
    return field(default=default, metadata={"env": env, "parse": parse})


@dataclass(frozen=True, slots=True)
class Config:
    """All settings; build with :meth:`from_env`, never mutate."""

    corpus: Path = setting("FACTCHECK_CORPUS", _path, DEFAULT_CORPUS)
    max_body_bytes: int = setting("FACTCHECK_MAX_BODY_BYTES", _positive_int, 1_048_576)
    log_level: str = setting("FACTCHECK_LOG_LEVEL", _log_level, "INFO")

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
