"""Sentence vectors of the corpus's passages and of claims, computed once and kept.

A small corpus is embedded whole at start-up (in a helper process, see
``embedding.encode_elsewhere``), before gunicorn forks, so every worker shares the matrix.
A large one would take hours (about 15 ms a passage on one core), so its passages are
embedded when a claim first retrieves them and kept in a bounded cache.
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
        self, passages: PassageTable, embedder: Embedder, matrix: np.ndarray | None = None
    ) -> None:
        """``matrix``: the passages' vectors when already computed (``start``)."""
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
