"""Every signal of one pair, as one feature vector in a fixed order."""

from __future__ import annotations

from service.engine.signals import Knowledge, Pair, Signal
from service.engine.signals.coverage import coverage
from service.engine.signals.dates import dates
from service.engine.signals.entities import entities
from service.engine.signals.figures import figures
from service.engine.signals.learned import learned
from service.engine.signals.polarity import polarity
from service.engine.signals.semantic import semantic

# In the order their reasons are preferred when several point the same way.
SIGNALS = (figures, dates, entities, polarity, learned, semantic, coverage)


def extract(pair: Pair, knowledge: Knowledge) -> tuple[dict[str, float], list[Signal]]:
    """All features of ``pair`` by name, and each signal (for its reason)."""
    found = [signal(pair, knowledge) for signal in SIGNALS]
    features: dict[str, float] = {}
    for signal in found:
        features.update(signal.features)
    return features, found


def with_learned(
    extracted: tuple[dict[str, float], list[Signal]], pair: Pair, knowledge: Knowledge
) -> tuple[dict[str, float], list[Signal]]:
    """``extracted`` with the stance model's signal taken again from ``pair``, once the model
    has read it (the other signals do not depend on it)."""
    features, found = extracted
    signal = learned(pair, knowledge)
    found = [signal if i == SIGNALS.index(learned) else s for i, s in enumerate(found)]
    return {**features, **signal.features}, found
