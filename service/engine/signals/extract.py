"""Every signal of one pair, as one feature vector in a fixed order."""

from __future__ import annotations

from service.engine.signals import Knowledge, Pair, Signal
from service.engine.signals.coverage import coverage
from service.engine.signals.dates import dates
from service.engine.signals.entities import entities
from service.engine.signals.figures import figures
from service.engine.signals.learned import learned
from service.engine.signals.polarity import polarity
from service.engine.signals.rules import rules
from service.engine.signals.semantic import semantic

# In the order their reasons are preferred when several point the same way.
SIGNALS = (figures, dates, entities, polarity, rules, learned, semantic, coverage)


def extract(pair: Pair, knowledge: Knowledge) -> tuple[dict[str, float], list[Signal]]:
    """All features of ``pair`` by name, and each signal (for its reason)."""
    found = [signal(pair, knowledge) for signal in SIGNALS]
    features: dict[str, float] = {}
    for signal in found:
        features.update(signal.features)
    return features, found
