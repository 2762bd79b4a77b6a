"""Which candidates the stance model reads: the decision's reading model orders them from the
other signals alone, and the checker gives the model the first ``MODEL_READS`` of that order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.engine.checker import MODEL_READS, FactChecker
from service.engine.corpus import load_corpus
from service.engine.decision import Decision, Logistic
from service.engine.stance_model import LEARNED_FEATURES, Unscored
from service.retrieval.index import PassageIndex

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NAMES = ("fig_strict_agree", "covered", *LEARNED_FEATURES)


def reading_on(weights: dict[str, float]) -> Decision:
    """A decision whose reading model weighs the non-model features as given."""
    reading_names = [n for n in NAMES if n not in LEARNED_FEATURES]
    reading = Logistic(
        np.zeros(len(reading_names)),
        np.ones(len(reading_names)),
        np.array([[weights.get(n, 0.0) for n in reading_names]]),
        np.zeros(1),
    )
    blank = Logistic(np.zeros(len(NAMES)), np.ones(len(NAMES)), np.zeros((1, len(NAMES))),
                     np.zeros(1))  # fmt: skip
    return Decision(NAMES, 10, reading, blank, blank, blank)


def candidates(*figure_agrees: float) -> list[dict[str, float]]:
    """Candidates in retrieval order, each agreeing with the claim's figure or not; the stance
    model's features are set to values the reading model must ignore."""
    return [
        {"fig_strict_agree": agree, "covered": i / 10, "model_supports": 1.0 - i / 10,
         "model_refutes": 0.0, "model_neutral": 0.0}
        for i, agree in enumerate(figure_agrees)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("decision", "figure_agrees", "expected"),
    [
        (Decision.unfitted(10), (0, 0, 1, 0), [0, 1, 2, 3]),
        (reading_on({"fig_strict_agree": 2.0}), (0, 0, 0, 0, 0, 0, 1), [6, 0, 1, 2, 3, 4, 5]),
        (reading_on({"fig_strict_agree": 2.0}), (0, 1, 0, 1), [1, 3, 0, 2]),
        (reading_on({"covered": 1.0}), (0, 0, 0), [2, 1, 0]),
        (reading_on({}), (0, 1, 1), [0, 1, 2]),
    ],
    ids=[
        "unfitted-keeps-retrieval-order",
        "figure-holder-read-first",
        "ties-keep-order",
        "more-covered-first",
        "no-weights-keep-order",
    ],  # fmt: skip
)
def test_reading_order(decision: Decision, figure_agrees: tuple, expected: list[int]) -> None:
    assert decision.reading_order(candidates(*figure_agrees)).tolist() == expected


def test_reading_model_never_reads_the_stance_model() -> None:
    assert not set(Decision.load().reading_features) & set(LEARNED_FEATURES)


class Recorder:
    """A stance scorer that says nothing and remembers what it was given to read."""

    def __init__(self) -> None:
        self.read: list[list[str]] = []

    def probabilities(self, claim: str, passages: list[str]) -> np.ndarray:
        self.read.append(list(passages))
        return Unscored().probabilities(claim, passages)


@pytest.fixture(scope="module")
def recorded() -> tuple[FactChecker, Recorder]:
    recorder = Recorder()
    checker = FactChecker.learn(load_corpus(SEEDS), build=PassageIndex.build, stance=recorder)
    return checker, recorder


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("Armenia lost 135 soldiers", "has risen to 135"),
        ("Azerbaijan said 71 of its servicemen had been killed", "a total of 71 of its servicemen"),
    ],
)
def test_the_passage_holding_the_claims_figure_is_read(
    recorded: tuple[FactChecker, Recorder], claim: str, passage: str
) -> None:
    checker, recorder = recorded
    recorder.read.clear()
    judged = checker.judge(claim, checker.analyse(claim))
    (read,) = recorder.read
    assert len(read) == MODEL_READS < len(judged)
    assert any(passage in text for text in read), read
