"""Each signal, table-driven, on claims of three beats (a power grid, an earthquake, an
election), including the cases that must not match: another figure, another unit's, another
day's, another name, the opposite polarity."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.engine.checker import FactChecker
from service.engine.corpus import load_corpus
from service.engine.signals import Pair, Signal
from service.engine.signals.coverage import coverage
from service.engine.signals.dates import dates
from service.engine.signals.entities import entities
from service.engine.signals.figures import figures
from service.engine.signals.polarity import polarity
from service.engine.signals.semantic import semantic
from service.retrieval.index import PassageIndex

DOMAINS = Path(__file__).resolve().parents[1] / "data" / "domains"


@pytest.fixture(scope="module")
def checker() -> FactChecker:
    return FactChecker.learn(load_corpus(DOMAINS), build=PassageIndex.build)


def pair(checker: FactChecker, claim: str, passage: str) -> Pair:
    """The claim against the corpus passage containing ``passage``."""
    rows = [i for i, p in enumerate(checker.corpus.passages) if passage in p.text]
    assert len(rows) == 1, f"{passage!r} is in {len(rows)} passages"
    item = checker.index.item(rows[0])
    cosine = float(checker.vectors.rows([rows[0]])[0] @ checker.vectors.claim(claim))
    return Pair(checker.analyse(claim), item, cosine, cosine)


def run(checker: FactChecker, signal, claim: str, passage: str) -> Signal:
    return signal(pair(checker, claim, passage), checker.knowledge)


FIGURES = [
    ("grid-same", "Demand hit a winter record of 69,150 MW", "69,150 MW", "fig_loose_agree"),
    ("grid-other", "Demand hit a winter record of 71,400 MW", "69,150 MW", "fig_loose_clash"),
    ("quake-same", "A magnitude 7.8 quake struck Turkey", "magnitude 7.8", "fig_loose_agree"),
    ("quake-other", "A magnitude 6.1 quake struck Turkey", "magnitude 7.8", "fig_loose_clash"),
    ("quake-other-unit", "The epicentre was about 33 miles from Gaziantep", "33 kilometres",
     "fig_loose_clash"),
    ("quake-toll-other", "By Monday evening 3,549 people had been killed", "2,379 people",
     "fig_strict_clash"),
    ("vote-same", "Lopez won with 52 percent of the vote", "52 percent", "fig_loose_agree"),
    ("vote-other", "Lopez won with 58 percent of the vote", "52 percent", "fig_loose_clash"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "claim", "passage", "raised"), FIGURES, ids=[c[0] for c in FIGURES]
)
def test_figures(checker: FactChecker, case: str, claim: str, passage: str, raised: str) -> None:
    signal = run(checker, figures, claim, passage)
    assert signal.features["fig_claimed"] == 1.0
    assert signal.features[raised] > 0, signal.features
    opposite = {"fig_loose_agree": "fig_loose_clash", "fig_loose_clash": "fig_loose_agree"}
    if raised in opposite:
        assert signal.features[opposite[raised]] == 0, signal.features


def test_no_figure_no_figure_features(checker: FactChecker) -> None:
    signal = run(checker, figures, "Abbott demanded an investigation", "Abbott called")
    assert set(signal.features.values()) == {0.0}


DATES = [
    ("grid-same-day", "ERCOT began the blackouts on Monday", "1:25 a.m.", "date_agree"),
    ("grid-other-day", "ERCOT began the blackouts on Thursday", "1:25 a.m.", "date_clash"),
    ("vote-other-day", "Hill conceded on Friday", "Hill conceded", "date_loose_clash"),
]


@pytest.mark.parametrize(("case", "claim", "passage", "raised"), DATES, ids=[c[0] for c in DATES])
def test_dates(checker: FactChecker, case: str, claim: str, passage: str, raised: str) -> None:
    signal = run(checker, dates, claim, passage)
    assert signal.features["date_claimed"] == 1.0
    assert signal.features[raised] == 1.0, signal.features


def test_undated_claim_has_no_date_features(checker: FactChecker) -> None:
    signal = run(checker, dates, "Hill conceded the election", "Hill conceded")
    assert set(signal.features.values()) == {0.0}


POLARITY = [
    ("quake-negated", "Officials confirmed how many buildings collapsed in Hatay",
     "have not confirmed", 1.0),
    ("quake-both-negated", "Officials have not confirmed how many buildings collapsed",
     "have not confirmed", 0.0),
    ("vote-plain", "Hill congratulated Lopez on her victory", "congratulated Lopez", 0.0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "claim", "passage", "differs"), POLARITY, ids=[c[0] for c in POLARITY]
)
def test_polarity(
    checker: FactChecker, case: str, claim: str, passage: str, differs: float
) -> None:
    assert run(checker, polarity, claim, passage).features["negation_differs"] == differs


NAMES = [
    ("grid-same-name", "Ted Cruz flew to Cancún", "Cancún", 0.0),
    ("vote-other-name", "Ted Cruz won a second term on Tuesday", "won a second term", 1.0),
    ("lowercase-claim", "ted cruz flew to cancun", "Cancún", 0.0),
]


@pytest.mark.parametrize(("case", "claim", "passage", "missing"), NAMES, ids=[c[0] for c in NAMES])
def test_names(checker: FactChecker, case: str, claim: str, passage: str, missing: float) -> None:
    assert run(checker, entities, claim, passage).features["name_missing"] == missing


def test_corpus_names_are_learned(checker: FactChecker) -> None:
    assert {"ercot", "cruz", "gaziantep", "lopez", "hill"} <= checker.names
    assert not {"the", "monday", "grid"} & checker.names


def test_paraphrase_is_closer_than_another_topic(checker: FactChecker) -> None:
    claim = "The mayor was re-elected, beating her rival"
    same = run(checker, semantic, claim, "won a second term").features["cosine"]
    other = run(checker, semantic, claim, "magnitude 7.8").features["cosine"]
    assert same > other + 0.2


COVERAGE = [
    (
        "stated",
        "Abbott demanded an investigation of the grid operator",
        "demanded an investigation",
    ),
    (
        "partly",
        "Abbott demanded an investigation of the stock exchange",
        "demanded an investigation",
    ),
]


def test_coverage_falls_when_content_is_missing(checker: FactChecker) -> None:
    full, partial = (run(checker, coverage, c, p).features["covered"] for _, c, p in COVERAGE)
    assert full > partial


@pytest.fixture(scope="module")
def seeds_checker() -> FactChecker:
    seeds = DOMAINS.parents[2] / "seeds"
    return FactChecker.learn(load_corpus(seeds), build=PassageIndex.build)


STRICT = [
    ("same-side-same-figure", "Armenia's military death toll rose to 135", 1.0, 0.0),
    ("same-side-other-figure", "Armenia's military death toll rose to 153", 0.0, 1.0),
    ("other-side-same-figure", "Azerbaijan's military death toll rose to 135", 0.0, 0.0),
]


@pytest.mark.parametrize(("case", "claim", "agree", "clash"), STRICT, ids=[c[0] for c in STRICT])
def test_strict_figures_are_the_same_sides(
    seeds_checker: FactChecker, case: str, claim: str, agree: float, clash: float
) -> None:
    """The strict view compares a figure only with one of the same party: another side's
    135 neither supports nor refutes a claim about this side's toll."""
    signal = run(seeds_checker, figures, claim, "has risen to 135")
    assert signal.features["fig_strict_agree"] == agree
    assert signal.features["fig_strict_clash"] == clash
    assert signal.features["fig_loose_agree"] == (0.0 if clash else 1.0)
