"""The compiled top-k kernel against a plain reference: same passages, scores and order."""

from __future__ import annotations

import numpy as np
import pytest

from service.retrieval.kernel import top_k, top_k_in


def _csc(postings: dict[int, dict[int, float]], rows: int) -> dict:
    """A bm25s-style CSC dictionary from {term: {row: contribution}}."""
    data, indices, indptr = [], [], [0]
    for term in range(max(postings, default=-1) + 1):
        for row, value in sorted(postings.get(term, {}).items()):
            indices.append(row)
            data.append(value)
        indptr.append(len(indices))
    return {
        "data": np.array(data, dtype=np.float32),
        "indices": np.array(indices, dtype=np.int32),
        "indptr": np.array(indptr, dtype=np.int64),
        "num_docs": rows,
    }


def _reference(csc: dict, terms: list[int], k: int, mask: np.ndarray | None):
    scores = np.zeros(csc["num_docs"], dtype=np.float32)
    for term in sorted(set(terms)):
        for j in range(csc["indptr"][term], csc["indptr"][term + 1]):
            scores[csc["indices"][j]] += csc["data"][j]
    if mask is not None:
        scores = scores * mask
    ranked = sorted((-float(s), row) for row, s in enumerate(scores) if s > 0)[:k]
    return [row for _, row in ranked], [-s for s, _ in ranked]


POSTINGS = {0: {0: 1.0, 2: 2.0, 5: 0.5}, 1: {2: 1.0, 3: 3.0}, 2: {4: 0.25}, 3: {}}

# (case, terms, k, mask)
CASES = [
    ("one term", [0], 2, None),
    ("two terms add up", [0, 1], 10, None),
    ("k larger than the matches", [0, 1, 2], 50, None),
    ("k of one", [0, 1], 1, None),
    ("a term twice counts once", [1, 1], 5, None),
    ("term with no postings", [3], 5, None),
    ("no terms", [], 5, None),
    ("mask removes the best", [0, 1], 5, np.array([1, 1, 0, 1, 1, 1], dtype=np.float32)),
    ("mask removes everything", [0], 5, np.zeros(6, dtype=np.float32)),
]


@pytest.mark.parametrize(("case", "terms", "k", "mask"), CASES, ids=[c[0] for c in CASES])
def test_matches_the_reference(case: str, terms: list[int], k: int, mask: np.ndarray | None):
    csc = _csc(POSTINGS, 6)
    rows, scores = top_k(csc, terms, k, mask)
    want_rows, want_scores = _reference(csc, terms, k, mask)
    assert rows == want_rows
    assert scores == pytest.approx(want_scores)


def test_ties_go_to_the_earlier_passage() -> None:
    csc = _csc({0: {row: 1.0 for row in range(100)}}, 100)
    assert top_k(csc, [0], 5)[0] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("seed", range(5))
def test_random_corpora_match_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, terms = 500, 40
    postings = {
        t: {int(r): float(rng.choice([0.5, 1.0, 1.5, rng.random() + 0.01])) for r in hits}
        for t in range(terms)
        for hits in [rng.choice(rows, size=rng.integers(0, 120), replace=False)]
    }
    csc = _csc(postings, rows)
    mask = (rng.random(rows) > 0.3).astype(np.float32)
    for k in (1, 7, 40, 600):
        query = [int(t) for t in rng.choice(terms, size=6)]
        for m in (None, mask):
            got_rows, got_scores = top_k(csc, query, k, m)
            want_rows, want_scores = _reference(csc, query, k, m)
            assert got_rows == want_rows
            assert got_scores == pytest.approx(want_scores, rel=1e-6)


# (case, terms, k, ranges): rows start <= row < end of each range, in row order.
RANGED = [
    ("one range", [0, 1], 5, [(0, 3)]),
    ("two ranges", [0, 1, 2], 5, [(0, 1), (3, 6)]),
    ("a range of nothing", [0], 5, [(3, 5)]),
    ("k of one", [0, 1], 1, [(2, 6)]),
    ("no ranges", [0], 5, []),
]


def _mask_of(ranges: list[tuple[int, int]], rows: int) -> np.ndarray:
    mask = np.zeros(rows, dtype=np.float32)
    for start, end in ranges:
        mask[start:end] = 1.0
    return mask


@pytest.mark.parametrize(("case", "terms", "k", "ranges"), RANGED, ids=[c[0] for c in RANGED])
def test_ranges_match_the_reference(case: str, terms: list[int], k: int, ranges) -> None:
    csc = _csc(POSTINGS, 6)
    starts = np.array([s for s, _ in ranges], dtype=np.int64)
    ends = np.array([e for _, e in ranges], dtype=np.int64)
    rows, scores = top_k_in(csc, terms, k, starts, ends)
    want_rows, want_scores = _reference(csc, terms, k, _mask_of(ranges, 6))
    assert rows == want_rows
    assert scores == pytest.approx(want_scores)


@pytest.mark.parametrize("seed", range(5))
def test_random_ranges_match_the_mask(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, terms = 500, 30
    postings = {
        t: {int(r): float(rng.choice([0.5, 1.0, rng.random() + 0.01])) for r in hits}
        for t in range(terms)
        for hits in [rng.choice(rows, size=rng.integers(0, 150), replace=False)]
    }
    csc = _csc(postings, rows)
    cuts = np.sort(rng.choice(np.arange(1, rows), size=12, replace=False))
    ranges = [(int(a), int(b)) for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
    starts = np.array([a for a, _ in ranges], dtype=np.int64)
    ends = np.array([b for _, b in ranges], dtype=np.int64)
    for k in (1, 10, 40):
        query = [int(t) for t in rng.choice(terms, size=5)]
        assert top_k_in(csc, query, k, starts, ends) == top_k(csc, query, k, _mask_of(ranges, rows))


def test_bm25s_writes_each_posting_list_in_row_order(app) -> None:
    # top_k_in cuts posting lists by binary search: it relies on this (bm25s is pinned).
    csc = app.extensions["factcheck"].index.bm25.scores
    indices, indptr = csc["indices"], csc["indptr"]
    for term in range(len(indptr) - 1):
        assert np.all(np.diff(indices[indptr[term] : indptr[term + 1]]) > 0)
