"""The real servers: gunicorn with gunicorn.conf.py, and ``python -m service``.

Everything listens on, and talks to, 127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from serving import START_TIMEOUT, clean_env, free_port, stop

pytestmark = pytest.mark.server

PROBLEM = "application/problem+json"
CLAIM = "Armenia said 105 of its soldiers had been killed."


def gunicorn(port: int, *args: str) -> list[str]:
    # --bind keeps the test server on loopback; PORT is still set to exercise the config file.
    bind = ["--bind", f"127.0.0.1:{port}"] if port else []
    return [sys.executable, "-m", "gunicorn", "service:create_app()", *bind, *args]


def wait_healthy(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server not healthy after {START_TIMEOUT}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def base_url(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = clean_env(PORT=str(port), FACTCHECK_CORPUS=str(project_root / "seeds"))
    with log.open("wb") as out:
        process = subprocess.Popen(
            gunicorn(port), cwd=project_root, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(process, base, log)
        yield base
    finally:
        stop(process)


def test_check(base_url: str) -> None:
    response = requests.post(f"{base_url}/v1/check", json={"claim": CLAIM, "top_k": 2}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] in {"supported", "refuted", "conflicting", "not_enough_info"}
    assert len(body["evidence"]) <= 2


def test_batch(base_url: str) -> None:
    body = {"claims": [CLAIM, {"claim": "A truce was holding.", "top_k": 1}]}
    response = requests.post(f"{base_url}/v1/check/batch", json=body, timeout=30)
    assert response.status_code == 200
    assert [r["claim"] for r in response.json()["results"]] == [CLAIM, "A truce was holding."]


def test_sources(base_url: str) -> None:
    listing = requests.get(f"{base_url}/v1/sources", timeout=10).json()
    assert listing["count"] == len(listing["sources"]) > 0
    first = listing["sources"][0]["id"]
    detail = requests.get(f"{base_url}/v1/sources/{first}", timeout=10).json()
    for passage in detail["passages"]:
        assert 0 <= passage["start"] < passage["end"] <= len(detail["text"])


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/v1/sources/nope", {}, 404),
        ("POST", "/v1/check", {"json": {"claim": "no"}}, 422),
        ("POST", "/v1/check", {"data": CLAIM, "headers": {"Content-Type": "text/plain"}}, 415),
        ("GET", "/v1/check", {}, 405),
    ],
    ids=["404", "422", "415", "405"],
)
def test_problems(base_url: str, method: str, path: str, kwargs: dict, status: int) -> None:
    response = requests.request(method, f"{base_url}{path}", timeout=10, **kwargs)
    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["status"] == status


def test_oversized_body_is_refused_before_it_is_read(base_url: str) -> None:
    """A Content-Length over the limit gets 413 at once; the body is never waited for."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("POST", "/v1/check")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(1 << 30))
        connection.endheaders(b'{"claim": "')
        response = connection.getresponse()
        assert response.status == 413
        assert response.getheader("Content-Type") == PROBLEM
    finally:
        connection.close()


def test_config_file_binds_port(project_root: Path, tmp_path: Path) -> None:
    env = clean_env(
        PORT="8123",
        FACTCHECK_WORKERS="3",
        FACTCHECK_THREADS="4",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    done = subprocess.run(
        gunicorn(0, "--print-config"),
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = {line.split(" = ", 1)[0].strip(): line for line in done.stdout.splitlines()}
    assert lines["bind"].endswith("= ['127.0.0.1:8123']")  # loopback unless FACTCHECK_HOST says
    assert lines["workers"].endswith("= 3") and lines["threads"].endswith("= 4")
    assert lines["preload_app"].endswith("= True")


@pytest.mark.parametrize("runner", ["gunicorn", "python -m service"])
def test_bad_corpus_fails_start_with_one_line(
    project_root: Path, tmp_path: Path, runner: str
) -> None:
    command = gunicorn(free_port()) if runner == "gunicorn" else [sys.executable, "-m", "service"]
    env = clean_env(PORT=str(free_port()), FACTCHECK_CORPUS=str(tmp_path))
    done = subprocess.run(
        command, cwd=project_root, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    if runner == "python -m service":
        assert done.returncode == 2
    assert str(tmp_path) in done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if str(tmp_path) in line] == [
        f"error: {tmp_path}: corpus folder holds no non-empty document"
    ]


def test_dev_server_serves(project_root: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "dev.log"
    env = clean_env(FACTCHECK_CORPUS=str(project_root / "seeds"))
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "--port", str(port)],
            cwd=project_root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(process, f"http://127.0.0.1:{port}", log)
    finally:
        stop(process)
