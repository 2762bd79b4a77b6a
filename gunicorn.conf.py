"""gunicorn settings; run from the project root: ``gunicorn "service:create_app()"``.

Every value comes from ``service.web.config.Config`` (docs/SETTINGS.md), validated
here before gunicorn starts anything: a bad value stops the start with one line naming the
variable. Options given on gunicorn's command line (``--bind``, ``--workers``…) still win.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

# gunicorn puts the working directory on sys.path only later; the settings are read now.
_ROOT = str(Path(__file__).resolve().parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from service.web.config import Config, ConfigError  # noqa: E402  (needs the path above)

try:
    _settings = Config.from_env()
except ConfigError as exc:
    print(f"error: {exc}", file=sys.stderr, flush=True)
    sys.exit(1)

# Load the corpus once in the master; forked workers share it copy-on-write.
preload_app = True

# Loopback unless told otherwise (FACTCHECK_HOST=0.0.0.0; the Docker image does so).
_host = f"[{_settings.host}]" if ":" in _settings.host else _settings.host
bind = f"{_host}:{_settings.port}"
# gthread whose event loop reads each request whole before a thread serves it, so slow
# clients hold no thread (service/web/worker.py); it keeps connections alive like gthread.
worker_class = "service.web.worker.BufferedThreadWorker"
workers = _settings.workers
threads = _settings.threads
# A worker silent this long is killed and replaced (see docs/DEPLOYMENT.md, "Timeouts").
timeout = _settings.timeout
# On SIGTERM, workers finish the requests they hold for up to this long, then stop.
graceful_timeout = _settings.graceful_timeout
keepalive = _settings.keepalive
# A listening socket per worker (SO_REUSEPORT), the kernel spreading new connections over
# them. With one shared socket, connections opened together (a balancer's or a client's
# pool) tend to be accepted by whichever worker wakes first and, kept alive, stay there:
# under wrk (bench/http_load.py) all 8 connections went to one of 2 workers, which then did
# all the work while the other idled. The spread is by connection, so it evens out over
# many connections, not over two or three. on_starting() below keeps a shared socket where
# per-worker sockets cannot work, and refuses a port already taken.
reuse_port = True
# Heartbeat files on tmpfs: a slow disk must not make a busy worker look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Logs: JSON lines (FACTCHECK_LOG_FORMAT), access log on stdout, errors on stderr.
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level.lower()
logger_class = "service.web.logs.GunicornLogger"
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


def on_starting(server: Any) -> None:
    """Before any socket exists: decide between per-worker sockets and one shared socket.

    With ``reuse_port`` the master binds nothing and each worker binds its own socket, so a
    port held by another program would only show as workers failing to bind, over and over,
    and a second instance on the same port would silently share the traffic. So the port is
    tried here first, and a taken one stops the start (status 1) as a bad setting does.
    Unix sockets, port 0 (each worker would get a port of its own), sockets handed over by
    systemd and a re-executed master (USR2) keep gunicorn's usual shared socket.
    """
    if not server.cfg.reuse_port or server.master_pid or os.environ.get("LISTEN_FDS"):
        return
    addresses = server.cfg.address
    if not all(isinstance(a, tuple) and a[1] for a in addresses):
        server.cfg.set("reuse_port", False)
        return
    for host, port in addresses:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As gunicorn's own sockets: a previous run's connections in TIME_WAIT are fine.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                print(
                    f"error: cannot listen on {_shown(host, port)}: {exc.strerror}", file=sys.stderr
                )
                sys.exit(1)


def _shown(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def when_ready(server: Any) -> None:
    """Say where the workers listen; warn when a rate limit is counted by each worker; make
    SIGHUP (and FACTCHECK_RELOAD_WATCH) reload the corpus (service/web/reload.py)."""
    from service.web.watch import install

    install(server, _settings)
    if server.cfg.reuse_port:
        binds = ", ".join(_shown(host, port) for host, port in server.cfg.address)
        server.log.info("Each worker listens at %s on a socket of its own (SO_REUSEPORT)", binds)
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
_STARTUP_ERRORS = frozenset({"service.web.config.ConfigError", "service.engine.corpus.CorpusError"})


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


def pre_fork(server: Any, worker: Any) -> None:
    """The master's onnxruntime sessions stay in the master: each worker makes its own
    (an inherited one aborts the worker when it is joined or destroyed)."""
    from service.engine import embedding, stance_model

    embedding.before_fork()
    stance_model.before_fork()


def post_worker_init(worker: Any) -> None:
    """Make the worker's onnxruntime sessions before it takes requests, not on the first one."""
    from service.engine.embedding import default_embedder
    from service.engine.stance_model import default_stance_model

    default_embedder().encode(["warm-up"])
    default_stance_model().probabilities("warm-up", ["warm-up"])
