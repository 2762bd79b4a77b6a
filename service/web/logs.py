"""Structured logs: one JSON object a line, with the request id of the request being served.

``configure_logging`` sets up the service's own loggers (``service``, ``flask-limiter``);
``GunicornLogger`` (named by ``gunicorn.conf.py``) writes gunicorn's error and access logs in
the same shape. Nothing here ever logs a request header other than the request id, user
agent and referer, and every line, whatever its format, goes through :func:`redact` last:
a key sent in a query string (``?api_key=…``), a bearer token or a password in a URL
(``redis://:secret@host``) is replaced by ``[redacted]`` wherever it appears.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger

# The id of the request this thread is serving; set and reset by service/web/observability.py.
REQUEST_ID: ContextVar[str | None] = ContextVar("factcheck_request_id", default=None)

# The loggers of this service and of the libraries whose messages matter in production.
SERVICE_LOGGERS = ("service", "flask-limiter", "flask_cors")
_HANDLER_MARK = "_factcheck_handler"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

# LogRecord attributes that are not "extra" fields.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}
# json.dumps(entry, default=str, ensure_ascii=False) builds this encoder anew for every line
# (one a request in the access log); encoding holds no state, so one instance serves all.
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)
# What logging records as the caller when it does not look for one.
_UNKNOWN_FILE, _UNKNOWN_FUNC = "(unknown file)", "(unknown function)"


REDACTED = "[redacted]"
# Parameter names that carry secrets, as a query string or form writes them.
_SECRET_PARAM = re.compile(
    r"(?<![A-Za-z0-9_-])((?:x[_-]?)?api[_-]?key|apikey|key|token|access[_-]?token|"
    r"auth|authorization|password|passwd|secret|signature|sig)=([^&\s\"'#]*)",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@\"']*):([^/\s@\"']+)@", re.IGNORECASE)
_BEARER = re.compile(r"(bearer\s+)[^\s\"',]+", re.IGNORECASE)


def redact(line: str) -> str:
    """``line`` with secret query values, URL passwords and bearer tokens replaced."""
    if "=" in line:
        line = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}={REDACTED}" if m.group(2) else m[0], line)
    if "@" in line:
        line = _URL_PASSWORD.sub(rf"\1:{REDACTED}@", line)
    if "earer" in line:
        line = _BEARER.sub(rf"\1{REDACTED}", line)
    return line


class RedactingFormatter(logging.Formatter):
    """A text formatter whose lines go through :func:`redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra, "exception"?}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return redact(_ENCODER.encode(entry))


def make_formatter(log_format: str) -> logging.Formatter:
    """The formatter of ``FACTCHECK_LOG_FORMAT``: ``json`` (default) or ``text``."""
    if log_format == "json":
        return JsonFormatter()
    return RedactingFormatter(TEXT_FORMAT)


def configure_logging(level: str, log_format: str, stream: Any = None) -> None:
    """Send the service's logs to standard error in ``log_format``, at ``level``.

    Idempotent: a second call (another app in the same process) replaces the handler it
    installed rather than adding one more.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)
    for name in SERVICE_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
    # "service" is the parent of every module logger, so one level covers them all.
    logging.getLogger("service").setLevel(level)


def access_entry(
    environ: Mapping[str, Any], status: str | int, headers: Any, sent: int | None, seconds: float
) -> dict[str, Any]:
    """The fields of one access-log line (no query string values beyond the raw query)."""
    request_id = None
    for name, value in headers or ():
        if name.lower() == "x-request-id":
            request_id = value  # the last one, as a dict of the headers would keep
    code = str(status).split(None, 1)[0]
    return {
        "request_id": request_id,
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
        "query": environ.get("QUERY_STRING") or None,
        "status": int(code) if code.isdigit() else code,
        "bytes": sent,
        "duration_ms": round(seconds * 1000, 3),
        "remote_addr": environ.get("REMOTE_ADDR"),
        "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
        "user_agent": environ.get("HTTP_USER_AGENT"),
        "referer": environ.get("HTTP_REFERER"),
        "protocol": environ.get("SERVER_PROTOCOL"),
    }


class GunicornLogger(Logger):
    """gunicorn's logger with JSON lines for its error log and its access log.

    The access log is one JSON object a request (see :func:`access_entry`); ``access_log_format``
    is not used. ``FACTCHECK_LOG_FORMAT=text`` keeps gunicorn's usual text lines.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.json_lines = _log_format() == "json"  # read once, not on every access line
        for handler in (*self.error_log.handlers, *self.access_log.handlers):
            if self.json_lines:
                handler.setFormatter(JsonFormatter())
            else:  # gunicorn's own text lines, redacted
                old = handler.formatter or logging.Formatter()
                handler.setFormatter(RedactingFormatter(old._fmt, old.datefmt))

    def access(self, resp: Any, req: Any, environ: Mapping[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        if not self.json_lines:
            super().access(resp, req, environ, request_time)
            return
        try:
            entry = access_entry(
                environ,
                resp.status,
                resp.headers,
                getattr(resp, "sent", None),
                request_time.total_seconds(),
            )
            message = f"{entry['method']} {entry['path']} {entry['status']}"
            log = self.access_log
            if log.isEnabledFor(logging.INFO):
                # What log.info(message, extra=entry) does, less the search of the call
                # stack for the caller's file and line, which no access line shows.
                record = log.makeRecord(
                    log.name,
                    logging.INFO,
                    _UNKNOWN_FILE,
                    0,
                    message,
                    (),
                    None,
                    _UNKNOWN_FUNC,
                    entry,
                )
                log.handle(record)
        except Exception:
            self.error(traceback.format_exc())


def _log_format() -> str:
    # gunicorn.conf.py has validated the setting before gunicorn builds its logger.
    value = os.environ.get("FACTCHECK_LOG_FORMAT", "json").strip().lower()
    return value if value in ("json", "text") else "json"
