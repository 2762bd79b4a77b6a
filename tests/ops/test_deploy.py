"""The container image, checked without a Docker engine: the Dockerfile's shape, and the app
served from exactly the files the image copies, with the image's environment, answering the
image's HEALTHCHECK command."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from serving import clean_env, free_port, stop

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
FINAL_STAGE = DOCKERFILE.rsplit("\nFROM ", 1)[1]


def image_env() -> dict[str, str]:
    """The final stage's ENV (quotes removed)."""
    blocks = re.findall(r"^ENV ((?:.*\\\n)*.*)$", FINAL_STAGE, re.M)
    assert blocks
    words = shlex.split(" ".join(block.replace("\\\n", " ") for block in blocks))
    return dict(word.split("=", 1) for word in words)


def copied_paths() -> list[str]:
    paths = []
    for line in FINAL_STAGE.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            paths += [p.rstrip("/") for p in line.split()[1:-1]]
    return paths


def test_dockerfile_shape() -> None:
    assert DOCKERFILE.count("\nFROM ") + DOCKERFILE.startswith("FROM ") >= 2  # build stage
    assert FINAL_STAGE.startswith("python:3.11-slim")
    user = re.findall(r"^USER (\S+)$", FINAL_STAGE, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*CMD ", FINAL_STAGE, re.M)
    assert re.search(r'^CMD \["gunicorn", "service:create_app\(\)"\]$', FINAL_STAGE, re.M)
    assert "requirements-dev" not in DOCKERFILE  # runtime requirements only
    assert "pip install -r /tmp/requirements.txt" in DOCKERFILE


def test_dockerignore_keeps_the_context_small() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for entry in (".git", ".venv", "tests", ".hypothesis", "**/__pycache__", "bench"):
        assert entry in ignored, entry
    for path in copied_paths():
        assert path not in ignored, path


def test_every_copied_path_exists() -> None:
    for path in copied_paths() + ["requirements.txt"]:
        assert (ROOT / path).exists(), path


@pytest.mark.server
def test_the_image_files_serve_with_the_image_environment(tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    for path in copied_paths():
        source = ROOT / path
        if source.is_dir():
            shutil.copytree(source, app_dir / path, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, app_dir / path)
    port = free_port()
    env = clean_env(**{k: v for k, v in image_env().items() if k != "PATH"})
    env |= {
        "PORT": str(port),
        "FACTCHECK_CORPUS": str(app_dir / "seeds"),
        "FACTCHECK_WORKERS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    env.pop("PYTHONPATH", None)
    assert env["FACTCHECK_AUTHOR_NAME"] == "Fact-checking service"
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "service:create_app()"],
            cwd=app_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        healthcheck = json.loads(re.search(r"CMD (\[.*\])$", FINAL_STAGE, re.M).group(1))
        assert healthcheck[0] == "python"
        deadline = time.monotonic() + 60
        while True:
            done = subprocess.run(
                [sys.executable, *healthcheck[1:]], env=env, capture_output=True, timeout=10
            )
            if done.returncode == 0:
                break
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        assert requests.get(f"{base}/readyz", timeout=10).json()["documents"] == 5
        assert requests.get(f"{base}/docs/swagger-ui.css", timeout=10).status_code == 200
        check = requests.post(
            f"{base}/v1/check", json={"claim": "A truce was holding."}, timeout=30
        )
        assert check.status_code == 200
    finally:
        stop(process)
    lines = log.read_text().splitlines()
    assert all(line.startswith("{") for line in lines), lines[:5]  # JSON logs, as in the image
    assert os.path.isdir(tmp_path / "metrics")
