"""The order evidence is shown in (``aggregate.evidence_order``)."""

from __future__ import annotations

import pytest

from service.engine.aggregate import Judged, evidence_order
from service.engine.decision import PassageOdds


def _judged(name: str, relevance: float, refuting: float) -> Judged:
    # The hit stands in as the passage's name: ordering reads only the odds.
    return Judged(hit=name, odds=PassageOdds(relevance, refuting), signals=[], features={})


ORDERS = [
    # Passages taking a side come first, the most probable first.
    ([("a", 0.6, 0.1), ("b", 0.9, 0.05), ("c", 0.8, 0.9)], ["b", "c", "a"]),
    # Neutral passages follow, the likeliest to be about the claim first, not retrieval's order.
    ([("a", 0.1, 0.5), ("b", 0.4, 0.5), ("c", 0.9, 0.1)], ["c", "b", "a"]),
    # Only neutral passages: most relevant first.
    ([("a", 0.05, 0.5), ("b", 0.3, 0.5), ("c", 0.2, 0.5)], ["b", "c", "a"]),
    # Equally relevant neutral passages keep retrieval's order.
    ([("a", 0.2, 0.5), ("b", 0.2, 0.5)], ["a", "b"]),
]


@pytest.mark.parametrize(("passages", "expected"), ORDERS)
def test_evidence_order(passages: list, expected: list[str]) -> None:
    shown = evidence_order([_judged(*p) for p in passages])
    assert [j.hit for j in shown] == expected
