"""The benchmark scripts still run end to end on tiny inputs (their figures are not checked:
speed is measured by running them, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from serving import clean_env


def _run(project_root: Path, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=project_root,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def test_latency_reports_the_seed_corpus(project_root: Path) -> None:
    lines = _run(project_root, "bench/latency.py", "--variants", "1")
    figures = json.loads(lines[-1])
    assert (figures["documents"], figures["passages"]) == (5, 115)
    assert figures["claims"] >= 60
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]


def test_scale_series_builds_loads_and_reports(project_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    args = ["--sizes", "20", "--work", str(tmp_path), "--workers", "1", "--variants", "0"]
    _run(project_root, "bench/scale.py", *args, "--json", str(out), "--no-plot")
    (result,) = json.loads(out.read_text())
    assert result["documents"] == 25  # the synthetic documents and the five seeds
    assert result["build_s"] > 0 and result["index_mb"] > 0
    assert (tmp_path / "index-20" / "manifest.json").is_file()
