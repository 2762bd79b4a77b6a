"""gunicorn settings; run from the project root: ``gunicorn "service:create_app()"``."""

from __future__ import annotations

import os
import sys
from types import TracebackType

# Load the corpus once in the master; forked workers share it copy-on-write.
preload_app = True

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("FACTCHECK_THREADS", "2"))
timeout = 30
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# No gunicornc control socket: nothing uses it, and its default path under $HOME would be
# shared by every instance on the machine (and need a writable home in the container).
control_socket_disable = True
loglevel = os.environ.get("FACTCHECK_LOG_LEVEL", "info").lower()

_default_excepthook = sys.excepthook
# Matched by name: importing the service here would load it before gunicorn sets sys.path.
_STARTUP_ERRORS = frozenset({"service.config.ConfigError", "service.corpus.CorpusError"})


def _startup_excepthook(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Print a bad corpus or setting as one line; gunicorn would show a full traceback."""
    if any(f"{cls.__module__}.{cls.__qualname__}" in _STARTUP_ERRORS for cls in kind.__mro__):
        print(f"error: {exc}", file=sys.stderr, flush=True)
    else:
        _default_excepthook(kind, exc, tb)


# With preload_app the factory runs in the master, so its errors reach this hook; the
# process still exits with status 1.
sys.excepthook = _startup_excepthook
