"""The stance model: its files are the pinned ones, it loads with no network, it reads the
passage in context, and a broken file stops start-up with one line naming it."""

from __future__ import annotations

import json
import shutil
import socket
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from service.engine.model import Document, Passage
from service.engine.stance_model import (
    LABELS,
    STANCE_DIR,
    StanceModel,
    StanceModelError,
    Unscored,
    passage_input,
    sha256,
    verified_files,
)


def test_shipped_files_match_their_pinned_sha256() -> None:
    pinned = json.loads((STANCE_DIR / "files.json").read_text(encoding="utf-8"))["sha256"]
    for name, digest in pinned.items():
        assert sha256(STANCE_DIR / name) == digest, name


def test_model_is_small_enough_to_ship() -> None:
    assert (STANCE_DIR / "model.onnx").stat().st_size <= 30 * 1024 * 1024


def test_model_loads_and_scores_with_the_network_unavailable(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network unavailable in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    model = StanceModel(*verified_files())
    rows = model.probabilities("A claim", ["2022-09-16 | A headline | A passage."] * 3)
    assert rows.shape == (3, len(LABELS))
    assert np.allclose(rows.sum(axis=1), 1.0, atol=1e-5)


def test_no_passages_give_no_rows() -> None:
    assert StanceModel(*verified_files()).probabilities("A claim", []).shape == (0, 3)


@pytest.mark.parametrize(
    ("damage", "fault"),
    [
        (lambda d: (d / "model.onnx").unlink(), "model.onnx: stance model file missing"),
        (lambda d: (d / "model.onnx").write_bytes(b"not a model"), "model.onnx: sha256 differs"),
        (lambda d: (d / "tokenizer.json").write_text("{}"), "tokenizer.json: sha256 differs"),
        (lambda d: (d / "files.json").write_text("{"), "files.json: unreadable"),
    ],
    ids=["missing-model", "altered-model", "altered-tokenizer", "broken-manifest"],
)
def test_broken_model_files_are_named(tmp_path: Path, damage, fault: str) -> None:
    folder = tmp_path / "stance"
    shutil.copytree(STANCE_DIR, folder)
    damage(folder)
    with pytest.raises(StanceModelError, match=fault):
        verified_files(folder)


DOC = Document("r1", "Headline line\n\nFirst sentence. Second one.", "r1.txt", "Headline line",
               published=date(2023, 2, 6))  # fmt: skip
HEADLINE = Passage("r1:0", "r1", 0, 0, 13, "Headline line")
FIRST = Passage("r1:1", "r1", 1, 15, 30, "First sentence.")
SECOND = Passage("r1:2", "r1", 2, 31, 42, "Second one.")

CONTEXTS = [
    (SECOND, DOC, FIRST, "2023-02-06 | Headline line | First sentence. | Second one."),
    (FIRST, DOC, HEADLINE, "2023-02-06 | Headline line | First sentence."),
    (HEADLINE, DOC, None, "2023-02-06 | Headline line"),
    (SECOND, Document("r2", "x", "r2.txt"), None, "undated | Second one."),
]


@pytest.mark.parametrize(
    ("passage", "document", "previous", "expected"),
    CONTEXTS,
    ids=["date-headline-previous", "headline-not-repeated", "headline-itself", "undated-untitled"],
)
def test_passage_is_read_in_its_context(passage, document, previous, expected) -> None:
    assert passage_input(passage, document, previous) == expected


def test_unscored_says_neutral() -> None:
    rows = Unscored().probabilities("claim", ["a", "b"])
    assert rows.tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]


def test_a_claim_longer_than_the_model_reads_is_cut_not_refused() -> None:
    claim = " ".join(["Armenia said its soldiers held the line near Jermuk"] * 40)
    rows = StanceModel(*verified_files()).probabilities(claim, ["2022-09-16 | A passage."] * 2)
    assert rows.shape == (2, 3)
