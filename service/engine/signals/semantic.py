"""Semantic similarity: the passage says the same thing in other words."""

from __future__ import annotations

from service.engine.signals import Knowledge, Pair, Signal


def semantic(pair: Pair, knowledge: Knowledge) -> Signal:
    """Cosine of the claim's and passage's sentence vectors, and how far it is from the
    claim's best candidate (a passage is judged against its rivals too)."""
    return Signal({"cosine": pair.cosine, "cosine_gap": pair.best_cosine - pair.cosine})
