"""The fitted decision: signals in, passage stances and a claim verdict out.

Four small logistic regressions, fitted by ``bench/accuracy.py fit`` on the labelled
development corpora and shipped as ``data/decision.json`` (plain numbers, read with numpy):

0. *reading*: from the signals alone, before the stance model has read anything, how likely
   is this passage the evidence? The stance model reads the likeliest few (its cost is per
   passage), so a passage holding the claim's figure is read even when retrieval ranks it low.
1. *relevance*: is this passage evidence about the claim at all?
2. *direction*: if it is, does it refute rather than support?
3. *verdict*: from what the best passages say, which of the four verdicts?

A passage's stance is the most likely of supports (relevant x not refuting), refutes
(relevant x refuting) and neutral (not relevant). The verdict's probability is the
confidence; it was calibrated by judging each corpus with a model fitted on the others.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.engine.corpus import CorpusError
from service.engine.model import Stance, Verdict
from service.engine.stance_model import LEARNED_FEATURES

DECISION_FILE = Path(__file__).resolve().parent / "data" / "decision.json"
# The order of the verdict model's classes; the fitting script writes the same order.
VERDICTS = (Verdict.SUPPORTED, Verdict.REFUTED, Verdict.CONFLICTING, Verdict.NOT_ENOUGH_INFO)
# Features of the verdict model, computed by ``claim_features`` in this order.
CLAIM_FEATURES = (
    "best_relevance",
    "best_support",
    "best_refute",
    "second_support",
    "second_refute",
    "sources_supporting",
    "sources_refuting",
    "support_later",
    "both_ways",
    "model_support",
    "model_refute",
    "model_sources_supporting",
    "model_sources_refuting",
    "model_both_ways",
)
# A passage counts towards "sources supporting/refuting" from this joint probability on.
SOURCE_SHARE = 0.3
# ... and towards the stance model's own count from this probability on (its likeliest class).
MODEL_SHARE = 0.5


class DecisionFileError(CorpusError):
    """The fitted parameters are missing or do not fit this code.

    A kind of corpus error, as for a broken prebuilt index: the server cannot judge, so it
    stops at start-up with one line naming the file.
    """


@dataclass(frozen=True, slots=True)
class Logistic:
    """A standardised logistic regression: binary (one row) or multinomial."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def from_dict(cls, raw: dict) -> Logistic:
        return cls(
            *(np.asarray(raw[k], dtype=np.float64) for k in ("mean", "scale", "coef", "intercept"))
        )

    def to_dict(self) -> dict:
        return {
            k: np.round(getattr(self, k), 6).tolist()
            for k in ("mean", "scale", "coef", "intercept")
        }

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.coef.T + self.intercept

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Binary: P(class 1) per row. Multinomial: one row of class probabilities per row."""
        z = self.logits(rows)
        if self.coef.shape[0] == 1:
            return 1.0 / (1.0 + np.exp(-z[:, 0]))
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True, slots=True)
class PassageOdds:
    """How one passage stands towards the claim."""

    relevance: float
    refuting: float

    @property
    def supports(self) -> float:
        return self.relevance * (1.0 - self.refuting)

    @property
    def refutes(self) -> float:
        return self.relevance * self.refuting

    @property
    def stance(self) -> Stance:
        best = max(self.supports, self.refutes, 1.0 - self.relevance)
        if best == self.supports:
            return Stance.SUPPORTS
        return Stance.REFUTES if best == self.refutes else Stance.NEUTRAL


@dataclass(frozen=True, slots=True)
class Decision:
    """The fitted models and the feature order they were fitted on."""

    features: tuple[str, ...]
    candidates: int
    reading: Logistic
    relevance: Logistic
    direction: Logistic
    verdict: Logistic

    @classmethod
    def load(cls, path: Path = DECISION_FILE) -> Decision:
        """Read the fitted parameters; a missing or foreign file stops start-up."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            decision = cls(
                features=tuple(raw["features"]),
                candidates=int(raw["candidates"]),
                reading=Logistic.from_dict(raw["reading"]),
                relevance=Logistic.from_dict(raw["relevance"]),
                direction=Logistic.from_dict(raw["direction"]),
                verdict=Logistic.from_dict(raw["verdict"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DecisionFileError(f"{path}: unreadable fitted decision ({exc})") from exc
        if tuple(raw.get("claim_features", ())) != CLAIM_FEATURES:
            raise DecisionFileError(f"{path}: fitted for other claim features; refit it")
        return decision

    @classmethod
    def unfitted(cls, candidates: int) -> Decision:
        """A placeholder that only says how many candidates to judge: for the fitting
        script, which computes the signals before any model exists."""
        blank = Logistic(np.zeros(1), np.ones(1), np.zeros((1, 1)), np.zeros(1))
        return cls((), candidates, blank, blank, blank, blank)

    def to_dict(self) -> dict:
        return {
            "features": list(self.features),
            "claim_features": list(CLAIM_FEATURES),
            "verdicts": [v.value for v in VERDICTS],
            "candidates": self.candidates,
            "reading": self.reading.to_dict(),
            "relevance": self.relevance.to_dict(),
            "direction": self.direction.to_dict(),
            "verdict": self.verdict.to_dict(),
        }

    def rows(self, features: Sequence[dict[str, float]]) -> np.ndarray:
        """Feature dicts as a matrix in the fitted order (a missing feature is an error)."""
        return np.array([[f[name] for name in self.features] for f in features], dtype=np.float64)

    @property
    def reading_features(self) -> tuple[str, ...]:
        """The inputs of the reading model: every feature but the stance model's own."""
        return tuple(name for name in self.features if name not in LEARNED_FEATURES)

    def reading_order(self, features: Sequence[dict[str, float]]) -> np.ndarray:
        """Candidate indices, likeliest evidence first by the signals alone (ties, and an
        unfitted decision, keep retrieval's order): the order the stance model reads in."""
        if not features or not self.features:
            return np.arange(len(features))
        rows = np.array(
            [[f[name] for name in self.reading_features] for f in features], dtype=np.float64
        )
        # Rounded: sums over sets differ in their last bits from process to process (string
        # hashing), and that noise must not break a tie that retrieval's order should.
        likely = np.round(self.reading.probabilities(rows), 9)
        return np.argsort(-likely, kind="stable")

    def passages(self, features: Sequence[dict[str, float]]) -> list[PassageOdds]:
        """Each passage's relevance and direction."""
        if not features:
            return []
        if not self.features:  # unfitted: no opinion yet
            return [PassageOdds(0.0, 0.0) for _ in features]
        rows = self.rows(features)
        relevance = self.relevance.probabilities(rows)
        refuting = self.direction.probabilities(rows)
        return [PassageOdds(float(a), float(b)) for a, b in zip(relevance, refuting, strict=True)]

    def decide(self, odds: Sequence[PassageOdds], sources: Sequence[str],
               recency: Sequence[float], features: Sequence[dict[str, float]] = (),
               ) -> tuple[Verdict, float, np.ndarray]:  # fmt: skip
        """The verdict, its probability, and every verdict's probability (``features``: the
        candidates' signals, for the stance model's own reading)."""
        probabilities = self.verdict.probabilities(
            np.array([claim_features(odds, sources, recency, features)], dtype=np.float64)
        )[0]
        best = int(np.argmax(probabilities))
        return VERDICTS[best], float(probabilities[best]), probabilities


def claim_features(
    odds: Sequence[PassageOdds],
    sources: Sequence[str],
    recency: Sequence[float],
    features: Sequence[dict[str, float]] = (),
) -> list[float]:
    """What the verdict model reads (``CLAIM_FEATURES``) from the candidates' odds.

    ``sources``: each candidate's document id; ``recency``: its document's place in the
    corpus's timeline, 0 (earliest) to 1 (latest), so a later report can outweigh an
    earlier count.
    """
    if not odds:
        return [0.0] * len(CLAIM_FEATURES)
    support = np.array([o.supports for o in odds])
    refute = np.array([o.refutes for o in odds])
    i_support, i_refute = int(np.argmax(support)), int(np.argmax(refute))
    ranked_support, ranked_refute = np.sort(support)[::-1], np.sort(refute)[::-1]
    return [
        max(o.relevance for o in odds),
        float(ranked_support[0]),
        float(ranked_refute[0]),
        float(ranked_support[1]) if len(odds) > 1 else 0.0,
        float(ranked_refute[1]) if len(odds) > 1 else 0.0,
        float(len({s for s, v in zip(sources, support, strict=True) if v > SOURCE_SHARE})),
        float(len({s for s, v in zip(sources, refute, strict=True) if v > SOURCE_SHARE})),
        recency[i_support] - recency[i_refute],
        float(min(ranked_support[0], ranked_refute[0])),
        *_model_reading(features, sources),
    ]


def _model_reading(features: Sequence[dict[str, float]], sources: Sequence[str]) -> list[float]:
    """The stance model's own view of the claim: its strongest support and refutation, how
    many sources it reads each way, and both ways at once from different sources (a
    dispute, not one report revising itself)."""
    support = np.array([f.get("model_supports", 0.0) for f in features]) if features else None
    if support is None:
        return [0.0] * 5
    refute = np.array([f.get("model_refutes", 0.0) for f in features])
    i, j = int(np.argmax(support)), int(np.argmax(refute))
    apart = sources[i] != sources[j]
    return [
        float(support[i]),
        float(refute[j]),
        float(len({s for s, v in zip(sources, support, strict=True) if v > MODEL_SHARE})),
        float(len({s for s, v in zip(sources, refute, strict=True) if v > MODEL_SHARE})),
        float(min(support[i], refute[j])) if apart else 0.0,
    ]
