"""Sentence vectors of the corpus's passages and of claims, computed once and kept.

A small corpus is embedded whole at start-up (in a helper process, see
``embedding.encode_elsewhere``), before gunicorn forks, so every worker shares the matrix.
A large one is embedded when its prebuilt index is built (:func:`embed_all`; about 6 ms a
passage on one core) and its vectors saved with the index as :class:`QuantisedVectors`,
memory-mapped when loaded. A large corpus started without an index would take hours to
embed, so its passages are embedded when a claim first retrieves them and kept in a bounded
cache (at 20,000 documents that costs a first check about 110 ms).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from threading import Lock

import numpy as np

from service.engine.embedding import DIMENSIONS, Embedder, encode_elsewhere
from service.engine.model import PassageTable

# Up to this many passages, all are embedded at start-up (about 2 s for the seed corpus).
EAGER_PASSAGES = 1_000
# Lazily embedded passages kept (1.5 KB each).
CACHED_PASSAGES = 50_000
# Claim vectors kept (a review embeds each sentence once, then checks it).
CACHED_CLAIMS = 4_096


class PassageVectors:
    """Unit vectors for passage rows and claim texts."""

    def __init__(
        self,
        passages: PassageTable,
        embedder: Embedder,
        matrix: np.ndarray | QuantisedVectors | None = None,
    ) -> None:
        """``matrix``: the passages' vectors when already computed (``start``, a prebuilt
        index)."""
        self._passages = passages
        self._embedder = embedder
        self._lock = Lock()
        self._rows: OrderedDict[int, np.ndarray] = OrderedDict()
        self._claims: OrderedDict[str, np.ndarray] = OrderedDict()
        self.matrix = matrix
        if matrix is None and len(passages) <= EAGER_PASSAGES:
            self.matrix = start(passages)()

    def rows(self, rows: Sequence[int]) -> np.ndarray:
        """The vectors of passage ``rows``, in that order."""
        if self.matrix is not None:
            return self.matrix[list(rows)] if rows else np.zeros((0, DIMENSIONS), np.float32)
        with self._lock:
            missing = [r for r in dict.fromkeys(rows) if r not in self._rows]
        if missing:
            fresh = self._embedder.encode([self._passages[r].text for r in missing])
            with self._lock:
                for row, vector in zip(missing, fresh, strict=True):
                    _remember(self._rows, row, vector, CACHED_PASSAGES)
        with self._lock:
            return np.array([self._rows[r] for r in rows], dtype=np.float32).reshape(
                len(rows), DIMENSIONS
            )

    def claim(self, text: str) -> np.ndarray:
        """The vector of one claim text."""
        with self._lock:
            found = self._claims.get(text)
        if found is None:
            found = self._embedder.encode([text])[0]
            with self._lock:
                _remember(self._claims, text, found, CACHED_CLAIMS)
        return found


class QuantisedVectors:
    """Unit vectors stored as int8 codes with one float32 scale per row: a quarter of the
    size of float32 (a prebuilt index of 20,000 documents holds 457,484 of them), cosines
    within about 0.002 of the float32 vectors'. Indexed like a matrix: ``vectors[rows]``."""

    def __init__(self, codes: np.ndarray, scales: np.ndarray) -> None:
        if codes.shape != (len(scales), DIMENSIONS) or codes.dtype != np.int8:
            raise ValueError(f"vectors of shape {codes.shape}, {len(scales)} scales")
        self.codes = codes
        self.scales = np.asarray(scales, dtype=np.float32)

    @classmethod
    def of(cls, matrix: np.ndarray) -> QuantisedVectors:
        scales = np.abs(matrix).max(axis=1) / 127 if len(matrix) else np.zeros(0, np.float32)
        safe = np.where(scales > 0, scales, 1)[:, None]
        codes = np.clip(np.rint(matrix / safe), -127, 127).astype(np.int8)
        return cls(codes, scales.astype(np.float32))

    @classmethod
    def join(cls, parts: Sequence[QuantisedVectors]) -> QuantisedVectors:
        return cls(
            np.concatenate([p.codes for p in parts]), np.concatenate([p.scales for p in parts])
        )

    def __len__(self) -> int:
        return len(self.scales)

    def __getitem__(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The float32 vectors of ``rows`` (a list or an integer array), in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        return self.codes[rows].astype(np.float32) * self.scales[rows, None]

    def take(self, rows: np.ndarray) -> QuantisedVectors:
        """These rows alone, as stored (no rounding again)."""
        return QuantisedVectors(self.codes[rows], self.scales[rows])


def embed_all(texts: Sequence[str], workers: int = 1) -> QuantisedVectors:
    """Every text's vector, embedded in ``workers`` helper processes (a prebuilt index's
    build: about 6 ms a passage on one core)."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    shares = [order[i::workers] for i in range(max(1, workers))]
    pending = [encode_elsewhere([texts[i] for i in share]) for share in shares if len(share)]
    codes = np.zeros((len(texts), DIMENSIONS), dtype=np.int8)
    scales = np.zeros(len(texts), dtype=np.float32)
    for share, result in zip((s for s in shares if len(s)), pending, strict=True):
        part = QuantisedVectors.of(result())
        codes[share], scales[share] = part.codes, part.scales
    return QuantisedVectors(codes, scales)


# Matrices of recently embedded corpora, by their texts: an app built again over the same
# corpus in one process (tests, a reload) does not embed it again.
_EMBEDDED: OrderedDict[str, np.ndarray] = OrderedDict()


def start(passages: PassageTable) -> Callable[[], np.ndarray | None]:
    """Begin embedding a small corpus's passages; call the result for the matrix (None for
    a large corpus, embedded lazily instead)."""
    if len(passages) > EAGER_PASSAGES:
        return lambda: None
    texts = [passages[i].text for i in range(len(passages))]
    key = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    if key in _EMBEDDED:
        return lambda: _EMBEDDED[key]
    pending = encode_elsewhere(texts)

    def finish() -> np.ndarray:
        if key not in _EMBEDDED:
            _remember(_EMBEDDED, key, pending(), 4)
        return _EMBEDDED[key]

    return finish


def _remember(cache: OrderedDict, key: object, value: np.ndarray, limit: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > limit:
        cache.popitem(last=False)
