"""The learned stance model: (claim, passage in context) -> supports / refutes / neutral.

A MiniLM-L6 cross-encoder fine-tuned on labelled claim/passage pairs (``bench/train_stance.py``;
its card is ``docs/MODEL.md``), shipped as int8 ONNX in ``data/stance/`` with its tokenizer and
run by onnxruntime: no torch at run time, nothing downloaded. The files' sha256 are pinned in
``data/stance/files.json``; a file that does not match stops start-up with one line.

The model reads the passage in its context (:func:`passage_input`): the report's date and
headline and the sentence before it, so that "he", "the ship" and "on Tuesday" resolve.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from service.engine.corpus import CorpusError
from service.engine.embedding import ProcessSession
from service.engine.model import Document, Passage

STANCE_DIR = Path(__file__).resolve().parent / "data" / "stance"
# The model's classes, in the order of its output; the training script writes the same.
LABELS = ("supports", "refutes", "neutral")
# The decision's features that carry the model's probabilities, in ``LABELS`` order.
LEARNED_FEATURES = tuple(f"model_{label}" for label in LABELS)
# Claim and passage in context, in tokens; a longer context loses its beginning (date,
# headline) first, never the passage (the training script truncates the same way).
MAX_TOKENS = 128
# Characters of context kept before the passage: the headline and the previous sentence.
HEADLINE_CHARS = 160
PREVIOUS_CHARS = 240


class StanceModelError(CorpusError):
    """The stance model's files are missing, altered or unreadable: start-up stops with one
    line naming the file, as for a broken corpus."""


def passage_input(passage: Passage, document: Document, previous: Passage | None) -> str:
    """The passage as the model reads it: ``date | headline | previous sentence | passage``.

    The headline is left out when the passage is the headline itself (its first line), and
    the previous sentence when it is the headline too.
    """
    parts = [document.published.isoformat() if document.published else "undated"]
    title = (document.title or "").strip()
    if title and passage.text.strip() != title:
        parts.append(title[:HEADLINE_CHARS])
    if previous is not None and previous.text.strip() != title:
        parts.append(previous.text[-PREVIOUS_CHARS:])
    parts.append(passage.text)
    return " | ".join(parts)


def sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def verified_files(folder: Path = STANCE_DIR) -> tuple[Path, Path]:
    """The model and tokenizer files, after checking them against ``files.json``."""
    manifest = folder / "files.json"
    try:
        pinned = json.loads(manifest.read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StanceModelError(f"{manifest}: unreadable stance model manifest ({exc})") from exc
    for name in ("model.onnx", "tokenizer.json"):
        path = folder / name
        if not path.is_file():
            raise StanceModelError(f"{path}: stance model file missing")
        if sha256(path) != pinned.get(name):
            raise StanceModelError(
                f"{path}: sha256 differs from {manifest.name}; retrain or restore"
            )
    return folder / "model.onnx", folder / "tokenizer.json"


class PairScorer(Protocol):
    """Anything that scores (claim, passage) pairs as the stance model does."""

    def probabilities(self, claim: str, passages: list[str]) -> np.ndarray: ...


class Unscored:
    """No opinion on any pair (every passage neutral): for the fitting scripts, which add
    the model's held-out scores afterwards."""

    def probabilities(self, claim: str, passages: list[str]) -> np.ndarray:
        rows = np.zeros((len(passages), len(LABELS)), dtype=np.float32)
        rows[:, LABELS.index("neutral")] = 1.0
        return rows


class StanceModel:
    """Scores (claim, passage) pairs in one onnxruntime call per batch. Thread-safe.

    As for the embedder, the onnxruntime session belongs to one process: it is made on
    first use in each process, and :meth:`release` drops it before a fork.
    """

    def __init__(self, model: Path, tokenizer: Path, *, threads: int = 1) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second", direction="left")
        self._tokenizer.enable_padding()
        # A claim too long to leave the passage any room is cut too (only_second refuses).
        self._long_claims = Tokenizer.from_file(str(tokenizer))
        self._long_claims.enable_truncation(MAX_TOKENS, strategy="longest_first", direction="left")
        self._long_claims.enable_padding()
        self._session = ProcessSession(model, threads=threads)

    def release(self) -> None:
        """Drop this process's session (the next call makes a new one)."""
        self._session.release()

    def probabilities(self, claim: str, passages: list[str]) -> np.ndarray:
        """One row of (supports, refutes, neutral) probabilities per passage."""
        if not passages:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        clean = [t.encode("utf-8", "replace").decode("utf-8") for t in (claim, *passages)]
        pairs = [(clean[0], p) for p in clean[1:]]
        try:
            encodings = self._tokenizer.encode_batch(pairs)
        except Exception:  # noqa: BLE001  (tokenizers raises a bare Exception when truncating)
            encodings = self._long_claims.encode_batch(pairs)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        logits = self._session.get().run(None, feed)[0].astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return (odds / odds.sum(axis=1, keepdims=True)).astype(np.float32)


@lru_cache(maxsize=1)
def default_stance_model() -> StanceModel:
    """The shipped model, verified and loaded once (its session once per process)."""
    return StanceModel(*verified_files())


def before_fork() -> None:
    """Release the default model's session in a process about to fork workers."""
    if default_stance_model.cache_info().currsize:
        default_stance_model().release()
