"""Retrieval that feeds the judge: BM25's short list re-ranked by reciprocal-rank fusion with
the claim's sentence similarity before the best few are judged."""

from __future__ import annotations

import numpy as np
import pytest

from service.engine.checker import fused_order

ORDERS = [
    # BM25 order kept when similarity agrees with it.
    ([0.9, 0.8, 0.7, 0.6], [0, 1, 2, 3]),
    # A paraphrase BM25 ranked last (7) but most similar to the claim rises to fourth.
    ([0.2, 0.3, 0.1, 0.25, 0.2, 0.1, 0.15, 0.95], [1, 0, 3, 7, 2, 4, 6, 5]),
    # Ties keep BM25's order.
    ([0.5, 0.5, 0.5], [0, 1, 2]),
]


@pytest.mark.parametrize(("cosines", "expected"), ORDERS, ids=["agree", "paraphrase", "ties"])
def test_fused_order(cosines: list[float], expected: list[int]) -> None:
    assert fused_order(np.array(cosines)).tolist() == expected


def test_fused_order_is_a_permutation() -> None:
    cosines = np.random.default_rng(3).random(30)
    assert sorted(fused_order(cosines).tolist()) == list(range(30))
