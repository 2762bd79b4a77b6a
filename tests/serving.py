"""Helpers for tests that start real processes: gunicorn, redis-server, headless Chromium.

Everything listens on, and talks to, 127.0.0.1 only; every wait is bounded, and every
process started here is stopped by the helper that started it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
START_TIMEOUT = 60.0


def bench_module(name: str) -> Any:
    """A script of ``bench/`` imported as a module (the scripts are not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


STOP_TIMEOUT = 15.0
# Settings a developer may have exported; the servers started here get only what a test says.
_OWN_VARIABLES = ("PORT", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's FACTCHECK_* settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FACTCHECK_") and k not in _OWN_VARIABLES
    }
    return env | {"FACTCHECK_WORKERS": "1", "FACTCHECK_THREADS": "2"} | extra


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def gunicorn_config(env: dict[str, str], *args: str) -> dict[str, str]:
    """The settings gunicorn prints with ``--print-config`` (gunicorn.conf.py, ``env``)."""
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "service:create_app()", *args, "--print-config"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return {
        name.strip(): value.strip()
        for name, _, value in (line.partition(" = ") for line in done.stdout.splitlines())
    }


@dataclass
class Server:
    """A running gunicorn: its base URL, process and log files."""

    base: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def access_log(self) -> list[dict[str, Any]]:
        """The JSON lines of the access log written so far."""
        lines = self.stdout.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def error_log(self) -> str:
        return self.stderr.read_text(encoding="utf-8")


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited with {server.process.returncode}:\n{server.error_log()}")
        try:
            if requests.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy starting
            pass
        time.sleep(0.1)
    pytest.fail(f"server not healthy after {START_TIMEOUT}s:\n{server.error_log()}")


@contextmanager
def gunicorn_server(folder: Path, **settings: str) -> Iterator[Server]:
    """gunicorn as the README starts it, on a free port; ``settings`` are env vars.

    No ``--bind``: gunicorn.conf.py listens on 127.0.0.1:$PORT by default.
    """
    port = free_port()
    env = clean_env(**({"PORT": str(port), "FACTCHECK_CORPUS": str(SEEDS)} | settings))
    folder.mkdir(parents=True, exist_ok=True)
    stdout, stderr = folder / "stdout.log", folder / "stderr.log"
    command = [sys.executable, "-m", "gunicorn", "service:create_app()"]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err)
    server = Server(f"http://127.0.0.1:{port}", process, stdout, stderr)
    try:
        _wait_healthy(server)
        yield server
    finally:
        stop(process)


REDIS_SERVER = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (Debian: apt-get install redis-server; .ci/run does)",
)


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port; yields its URL."""
    import redis

    assert REDIS_SERVER is not None
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(folder)]
    with (folder / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start: {(folder / 'redis.log').read_text()}")
                time.sleep(0.05)
        yield url
    finally:
        stop(process)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does)",
)


def chromium_dom(url: str, profile: Path, *, budget_ms: int = 10_000) -> str:
    """The DOM of ``url`` after its scripts ran, from headless Chromium.

    Host names other than 127.0.0.1 resolve to nothing, so a page that needed the network
    (a CDN) would fail to render: what renders here renders offline.
    """
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # tests may run as root, where the sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--no-default-browser-check",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _PageHandler(BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def page_server(html: str) -> Iterator[str]:
    """Serve ``html`` at / on a free loopback port (another origin than the API's)."""
    handler = type("Handler", (_PageHandler,), {"page": html.encode("utf-8")})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=STOP_TIMEOUT)
