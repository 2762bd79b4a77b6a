"""Top-k BM25 retrieval over a bm25s index, in one compiled pass over the claim's postings.

bm25s stores, for every key, the BM25 contribution of each passage that holds it
(a CSC matrix: ``data``, ``indices``, ``indptr``). Its numpy scorer adds postings with
``np.add.at`` and then partitions an array as long as the corpus: on 2.5 million passages
that costs 30 to 500 ms a claim. This kernel adds the postings into a buffer, remembers
which passages it touched, and keeps the best ``k`` of those in a small heap, so its cost
follows the number of postings read (a few milliseconds), not the corpus size. Ties go to
the earlier passage, so results do not depend on the order of the arithmetic.

numba compiles the kernel once per machine (``cache=True`` keeps the machine code next to
this file, or under ``NUMBA_CACHE_DIR`` when that folder is not writable).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _top_k(data, indptr, indices, terms, mask, k):  # pragma: no cover (compiled)
    rows = len(mask)
    scores = np.zeros(rows, dtype=np.float32)
    for term in terms:
        for j in range(indptr[term], indptr[term + 1]):
            scores[indices[j]] += data[j]
    heap_score, heap_row = _empty_heap(k, rows)
    for row in range(rows):
        # Rows come in order, so a row that only ties the worst kept one loses the tie.
        if scores[row] <= heap_score[0] or mask[row] == 0.0:
            continue
        _replace_worst(heap_score, heap_row, scores[row], row)
    found = heap_row < rows
    return heap_score[found], heap_row[found]


@njit(cache=True, nogil=True)
def _top_k_in(data, indptr, indices, terms, starts, ends, k):  # pragma: no cover (compiled)
    """``_top_k`` over a few ranges of rows: each posting list (sorted by row, as bm25s
    writes it) is cut to the ranges by binary search, so the cost follows the ranges."""
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    for r in range(len(starts)):
        offsets[r + 1] = offsets[r] + ends[r] - starts[r]
    scores = np.zeros(offsets[-1], dtype=np.float32)
    for term in terms:
        postings = indices[indptr[term] : indptr[term + 1]]
        for r in range(len(starts)):
            first = indptr[term] + np.searchsorted(postings, starts[r])
            last = indptr[term] + np.searchsorted(postings, ends[r])
            for j in range(first, last):
                scores[offsets[r] + indices[j] - starts[r]] += data[j]
    past_end = ends.max() if len(ends) else 0
    heap_score, heap_row = _empty_heap(k, past_end)
    for r in range(len(starts)):  # ranges in row order, as in _top_k
        for n in range(offsets[r], offsets[r + 1]):
            if scores[n] > heap_score[0]:
                _replace_worst(heap_score, heap_row, scores[n], starts[r] + n - offsets[r])
    found = heap_row < past_end
    return heap_score[found], heap_row[found]


@njit(cache=True, nogil=True)
def _empty_heap(k, past_end):  # pragma: no cover (compiled)
    """A min-heap of the best k (score, row), "worse" = lower score, then later row. It
    starts full of placeholders (score 0, a row past the end) that any real passage beats;
    once it holds real passages most rows are passed over by one comparison with its root."""
    return np.zeros(k, dtype=np.float32), np.full(k, past_end, dtype=np.int64)


@njit(cache=True, nogil=True)
def _replace_worst(heap_score, heap_row, score, row):  # pragma: no cover (compiled)
    """Put (score, row), better than the root, in the root's place and sift it down."""
    k = len(heap_score)
    i = 0
    while True:
        child = 2 * i + 1
        if child >= k:
            break
        if child + 1 < k and _worse(
            heap_score[child + 1], heap_row[child + 1], heap_score[child], heap_row[child]
        ):
            child += 1
        if _worse(heap_score[child], heap_row[child], score, row):
            heap_score[i] = heap_score[child]
            heap_row[i] = heap_row[child]
            i = child
        else:
            break
    heap_score[i] = score
    heap_row[i] = row


@njit(cache=True, nogil=True, inline="always")
def _worse(score_a, row_a, score_b, row_b):  # pragma: no cover (compiled)
    return score_a < score_b or (score_a == score_b and row_a > row_b)


def top_k(
    csc: dict, term_ids: list[int], k: int, mask: np.ndarray | None = None
) -> tuple[list[int], list[float]]:
    """The ``k`` best passages for ``term_ids``, best first: (rows, scores).

    ``csc`` is a bm25s index's ``scores`` dictionary; ``mask`` holds 1.0 for passages that
    may be returned and 0.0 for the rest. Passages holding none of the terms are never
    returned.
    """
    if not term_ids or k <= 0:
        return [], []
    if mask is None:
        mask = np.ones(csc["num_docs"], dtype=np.float32)
    scores, rows = _top_k(csc["data"], csc["indptr"], csc["indices"], _terms(term_ids), mask, k)
    return _best_first(scores, rows)


def top_k_in(
    csc: dict, term_ids: list[int], k: int, starts: np.ndarray, ends: np.ndarray
) -> tuple[list[int], list[float]]:
    """``top_k`` restricted to rows ``starts[i] <= row < ends[i]``; the ranges must be in
    row order and must not overlap (a few documents' passages)."""
    if not term_ids or k <= 0 or not len(starts):
        return [], []
    postings = csc["data"], csc["indptr"], csc["indices"]
    scores, rows = _top_k_in(*postings, _terms(term_ids), starts, ends, k)
    return _best_first(scores, rows)


def _terms(term_ids: list[int]) -> np.ndarray:
    """Each term once, in order: the sums then come out the same whichever way they are read."""
    return np.array(sorted(set(term_ids)), dtype=np.int64)


def _best_first(scores: np.ndarray, rows: np.ndarray) -> tuple[list[int], list[float]]:
    """The heap's passages by score, ties to the earlier row, as plain Python numbers."""
    order = np.lexsort((rows, -scores))
    return rows[order].tolist(), scores[order].tolist()
