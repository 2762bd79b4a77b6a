"""The stance model's training script, end to end on a tiny sample: train, export to ONNX,
quantise, check agreement, write the manifest the service verifies.

Training needs torch (requirements-train.txt), which the service and this suite do not:
where torch is not installed the test is skipped, and docs/MODEL.md quotes the output of
the same command (``bench/train_stance.py smoke``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.engine.stance_model import StanceModel, verified_files

pytest.importorskip("torch", reason="training needs requirements-train.txt (torch)")
pytest.importorskip("transformers", reason="training needs requirements-train.txt")

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_run_trains_exports_and_verifies(tmp_path: Path) -> None:
    target = tmp_path / "stance"
    done = subprocess.run(
        [sys.executable, "bench/train_stance.py", "smoke", "--out", str(target)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((target / "files.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == ["supports", "refutes", "neutral"]
    model = StanceModel(*verified_files(target))
    assert model.probabilities("A claim", ["2022-09-16 | A passage."]).shape == (1, 3)
