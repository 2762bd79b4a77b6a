"""Signals: what one passage says about one claim, as numbers a fitted decision weighs.

Each module looks at one phenomenon (the stance model's reading, semantic similarity,
coverage, figures, entities and names, dates, polarity) and returns a :class:`Signal`:
named features and, when it has something to say, a human reason. Nothing here names a
beat's concepts: the modules read the analysed frames, the corpus's own term weights and
names, and general word lists. They receive a :class:`Knowledge`, never the retrieval index itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.engine.analysis import Frame
from service.engine.lexicon import Lexicon
from service.engine.search import IndexedPassage


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What judging needs from the corpus: word lists, term weights, a passage's
    neighbours, and the words the corpus writes as names."""

    lexicon: Lexicon
    weight: Callable[[str], float]
    neighbours: Callable[..., list[IndexedPassage]]
    names: frozenset[str]


@dataclass(frozen=True, slots=True)
class Pair:
    """One claim and one candidate passage, with their sentence-vector similarity and the
    stance model's (supports, refutes, neutral) probabilities."""

    claim: Frame
    item: IndexedPassage
    cosine: float
    best_cosine: float
    learned: tuple[float, float, float] = (0.0, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class Signal:
    """Features of one phenomenon for one pair, and why."""

    features: dict[str, float]
    reason: str | None = None
    # Which way the reason points: "supports", "refutes" or None (it only describes).
    points: str | None = None
