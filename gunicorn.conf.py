"""gunicorn settings; run from the project root: ``gunicorn "service:create_app()"``.

Every value comes from ``service.config.Config`` (the README's settings table), validated
here before gunicorn starts anything: a bad value stops the start with one line naming the
variable. Options given on gunicorn's command line (``--bind``, ``--workers``…) still win.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

# gunicorn puts the working directory on sys.path only later; the settings are read now.
_ROOT = str(Path(__file__).resolve().parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from service.config import Config, ConfigError  # noqa: E402  (needs the path above)

try:
    _settings = Config.from_env()
except ConfigError as exc:
    print(f"error: {exc}", file=sys.stderr, flush=True)
    sys.exit(1)

# Load the corpus once in the master; forked workers share it copy-on-write.
preload_app = True

bind = f"0.0.0.0:{_settings.port}"
# gthread also for one thread: it keeps connections alive between a load balancer's requests.
worker_class = "gthread"
workers = _settings.workers
threads = _settings.threads
# A worker silent this long is killed and replaced (see README, "Timeouts").
timeout = _settings.timeout
# On SIGTERM, workers finish the requests they hold for up to this long, then stop.
graceful_timeout = _settings.graceful_timeout
keepalive = _settings.keepalive
# Heartbeat files on tmpfs: a slow disk must not make a busy worker look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Logs: JSON lines (FACTCHECK_LOG_FORMAT), access log on stdout, errors on stderr.
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level.lower()
logger_class = "service.logs.GunicornLogger"
# No gunicornc control socket: nothing uses it, and its default path under $HOME would be
# shared by every instance on the machine (and need a writable home in the container).
control_socket_disable = True

# Prometheus multiprocess mode, set up before the app (and so prometheus_client) is imported:
# each process writes its samples to files in this folder, /metrics adds them up.
_READY_MARK = "FACTCHECK_METRICS_DIR_READY"
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if os.environ.get(_READY_MARK) != str(os.getpid()):  # not again on a configuration reload
    if _metrics_dir:
        # The operator's folder: drop the files of a previous run, or counts would carry on.
        os.makedirs(_metrics_dir, exist_ok=True)
        for _stale in Path(_metrics_dir).glob("*.db"):
            _stale.unlink(missing_ok=True)
    else:
        import atexit
        import tempfile

        _metrics_dir = tempfile.mkdtemp(prefix="factcheck-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir
        _master = os.getpid()
        # Removed when the master exits, also when the app fails to load (no on_exit then);
        # forked workers inherit the handler, and leave the folder alone.
        atexit.register(
            lambda: os.getpid() == _master and shutil.rmtree(_metrics_dir, ignore_errors=True)
        )
    os.environ[_READY_MARK] = str(os.getpid())


def when_ready(server: Any) -> None:
    """Warn when a rate limit would be counted separately by each worker."""
    if _settings.rate_limit and _settings.rate_limit_storage.startswith("memory://"):
        if server.cfg.workers > 1:
            server.log.warning(
                "FACTCHECK_RATE_LIMIT is counted in memory, by each of the %d workers on its "
                "own; set FACTCHECK_RATE_LIMIT_STORAGE to a Redis URL for one shared budget",
                server.cfg.workers,
            )


def child_exit(server: Any, worker: Any) -> None:
    """A worker is gone: drop its live gauges from the metrics (prometheus_client's rule)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


_default_excepthook = sys.excepthook
# Matched by name: the corpus module is imported only when the app is built.
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
