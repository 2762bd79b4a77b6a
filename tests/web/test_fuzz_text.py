"""Hostile text against the text-analysis functions (hypothesis), and the pathological
inputs of the issue named one by one: huge numbers, "1,1,1,1…", thousands of repeated
tokens, mixed scripts with combining marks, control characters, a 1 MiB body.

Every function must return (no exception) within a second, and its result must keep its
invariants. The number of examples is fixed and derandomized so CI runs the same cases:
``FACTCHECK_FUZZ_EXAMPLES`` (default 100) raises it locally.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from schemas.check import CHECK_RESULT
from service.engine.analysis import analyse
from service.engine.checker import FactChecker
from service.engine.clauses import split_clauses
from service.engine.lexicon import load_lexicon
from service.engine.model import Verdict
from service.engine.segment import split_passages
from service.engine.text import fold, tokenize

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FACTCHECK_FUZZ_EXAMPLES", "100"))
SECOND = 1.0
CLAIM_MAX = 1000
LEXICON = load_lexicon()
VERDICTS = {v.value for v in Verdict}

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,  # timed by hand below, with a message naming the input
    database=None,
    suppress_health_check=list(HealthCheck),
    # No shrinking: shrinking a slow input takes minutes; the failure names the input anyway.
    phases=[Phase.explicit, Phase.generate],
)

# Words the engine gives meaning to: numbers, multipliers, qualifiers, entities, events.
WORDS = [
    "Armenia", "Azerbaijan", "Baku", "Yerevan", "Pashinyan", "Russia", "soldiers", "troops",
    "killed", "wounded", "said", "not", "denied", "more", "than", "about", "dozens", "of",
    "hundred", "thousand", "million", "and", "or", "but", "on", "September", "13", "Tuesday",
    "2022", "300", "1,000", "1.5", "1/2", "½", "50%", "km", "miles", "-", "–", ";", ",", ".",
    "\"", "'s", "who", "that", "between", "rose", "to", "toll", "ceasefire", "١٢", "三百",
]  # fmt: skip
SEPARATORS = [" ", ", ", ",", ".", "; ", "\n", "\t", "\u00a0", "\u200b", "-", "/"]
COMBINING = [chr(c) for c in range(0x0300, 0x0370)]
SCRIPTS = "Армения Ադրբեջան ארמניה أذربيجان アルメニア 아르메니아 Ἀρμενία ਅਰਮੀਨੀਆ 🇦🇲 ३०० ٣٠٠"


def repeated(unit: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(unit, st.sampled_from(SEPARATORS), st.integers(1, 3000)).map(
        lambda t: t[1].join([t[0]] * t[2])
    )


HOSTILE = st.one_of(
    st.text(max_size=300),  # anything, lone surrogates and control characters included
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]), max_size=300),
    st.integers(1, 5000).map(lambda n: "Armenia lost " + "9" * n + " soldiers"),
    repeated(st.sampled_from(["1", "1.1", "1,1", "1/1", "-1", "1e9", "0", "00"])),
    repeated(st.sampled_from(WORDS)),
    repeated(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)),
    st.lists(st.sampled_from(WORDS), max_size=400).map(" ".join),
    st.lists(
        st.tuples(
            st.sampled_from(SCRIPTS.split() + WORDS), st.lists(st.sampled_from(COMBINING))
        ).map(lambda t: t[0] + "".join(t[1])),
        max_size=200,
    ).map(" ".join),
)

# The engine crashes (IndexError in service/engine/numbers.py, _number_words) when a multiplier word
# is the last-but-one token, followed by "and": "a thousand and". Reported; see
# test_multiplier_then_and_at_the_end below (xfail). Kept out of the general properties so
# they keep looking for other failures.
_MULTIPLIERS = "|".join(map(re.escape, ["hundred", *LEXICON.quantities["multipliers"]]))
_MULTIPLIER_AND = re.compile(rf"\b(?:{_MULTIPLIERS})\b\W*\band\b", re.IGNORECASE)
# Claims are at most 1000 characters; longer text reaches the analyser only through
# /v1/review, whose sentences are measured separately (test_analysis_time_is_quadratic…).
CLAIMS = HOSTILE.map(lambda text: text[:CLAIM_MAX])


def known_crash(text: str) -> bool:
    return bool(_MULTIPLIER_AND.search(fold(text)))


def timed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    took = time.perf_counter() - started
    name = getattr(function, "__name__", repr(function))
    assert took < SECOND, f"{name} took {took:.2f} s on {args[0][:120]!r}…"
    return result


@pytest.fixture(scope="module")
def checker(app: Flask) -> FactChecker:
    return app.extensions["factcheck"]


@FUZZ
@given(text=HOSTILE)
def test_tokenize_and_fold(text: str) -> None:
    folded = timed(fold, text)
    for token in timed(tokenize, folded):
        assert folded[token.start : token.end] == token.raw and token.text and token.stem


@FUZZ
@given(text=HOSTILE)
def test_split_passages(text: str) -> None:
    spans = timed(split_passages, text)
    previous = 0
    for start, end in spans:
        assert previous <= start < end <= len(text)
        previous = end


@FUZZ
@given(text=HOSTILE)
def test_split_clauses(text: str) -> None:
    for start, end in timed(split_clauses, text):
        assert 0 <= start <= end <= len(text)


@FUZZ
@given(text=CLAIMS)
def test_analyse(text: str) -> None:
    assume(not known_crash(text))
    frame = timed(analyse, text, LEXICON)
    for figure in frame.figures:
        assert figure.amount.low <= figure.amount.high or figure.amount.high != figure.amount.high


@FUZZ
@given(text=CLAIMS, top_k=st.integers(1, 20))
def test_check(checker: FactChecker, text: str, top_k: int) -> None:
    assume(not known_crash(text))
    result = timed(checker.check, text, top_k=top_k)
    assert result.verdict.value in VERDICTS
    assert 0.0 <= result.confidence <= 1.0
    assert len(result.evidence) <= top_k
    # What the API would send is strict JSON (no NaN or Infinity from a huge number).
    json.dumps(CHECK_RESULT.dump(result), allow_nan=False)


# --- the pathological inputs, one by one, through HTTP -----------------------------

PATHOLOGICAL = {
    "huge-number": "Armenia lost " + "9" * 980 + " soldiers.",
    "huge-number-grouped": "Armenia lost " + ",".join(["999"] * 240) + " soldiers.",
    "ones-commas": ",".join(["1"] * 500),
    "ones-comma-space": ", ".join(["1"] * 333),
    "ones-dots": ".".join(["1"] * 500),
    "fractions": " ".join(["1/2"] * 333),
    "vulgar-fractions": " ".join(["½"] * 500),
    "repeated-entity": " ".join(["Armenia"] * 140),
    "repeated-verb": " ".join(["killed"] * 160),
    "repeated-figure": " ".join(["300 soldiers"] * 80),
    "repeated-mixed": "; ".join(["Russia; 2022; 1/2"] * 60),
    "mixed-scripts": (SCRIPTS + " ") * 12,
    "combining-marks": "A" + "\u0301" * 998,
    "zalgo": "".join(c + "\u0336\u0301\u0308" for c in "Armenia lost 300 soldiers " * 9),
    "control-characters": "".join(chr(i) for i in range(32)) * 31,
    "bidi-and-zero-width": "\u202eArmenia\u200b lost\u200d 300\ufeff soldiers\u2066" * 20,
    "lone-surrogates": "Armenia \ud800 lost \udfff 300 soldiers",
    "emoji": "😀👍🏽👨‍👩‍👧" * 140,
}


@pytest.mark.parametrize("claim", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_claims_over_http(client: FlaskClient, claim: str) -> None:
    body = json.dumps({"claim": claim[:CLAIM_MAX]})
    started = time.perf_counter()
    response = client.post("/v1/check", data=body, content_type="application/json")
    took = time.perf_counter() - started
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]
    assert took < SECOND, f"{took:.2f} s"


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        # Exactly 1 MiB, the default limit: a claim padded with whitespace is accepted.
        ("padded-claim", lambda: _padded({"claim": "Armenia lost 300 soldiers."}), 200),
        # 1 MiB of nesting: refused as invalid JSON, not a RecursionError.
        ("deep-nesting", lambda: "[" * (1 << 20), 400),
        # 1 MiB of unknown fields, and of claims far over the length limit: 422.
        ("unknown-fields", lambda: _padded({"claim": "Armenia lost 300.", "x": ""}, "x"), 422),
        ("long-claims", lambda: json.dumps({"claims": ["x" * 10_400] * 100}), 422),
        # One byte over the limit: 413.
        ("over-limit", lambda: _padded({"claim": "Armenia lost 300 soldiers."}, extra=1), 413),
    ],
)
def test_one_mebibyte_bodies(client: FlaskClient, name: str, body: Any, status: int) -> None:
    data = body()
    assert len(data.encode()) >= 1_000_000
    path = "/v1/check/batch" if name == "long-claims" else "/v1/check"
    started = time.perf_counter()
    response = client.post(path, data=data, content_type="application/json")
    took = time.perf_counter() - started
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype in ("application/json", "application/problem+json")
    assert took < SECOND, f"{took:.2f} s"


def _padded(body: dict[str, str], field: str | None = None, extra: int = 0) -> str:
    """``body`` as JSON of exactly 1 MiB (+ ``extra``): ``field`` filled, else whitespace."""
    size = (1 << 20) + extra
    text = json.dumps(body)
    if field is None:
        return text[:-1] + " " * (size - len(text)) + "}"
    return json.dumps({**body, field: "y" * (size - len(text))})


# --- inputs that once broke the engine --------------------------------------------------


@pytest.mark.parametrize("claim", ["The toll rose to a thousand and", "a hundred and"])
def test_multiplier_then_and_at_the_end(checker: FactChecker, claim: str) -> None:
    checker.check(claim)


def test_batch_of_figure_heavy_claims_within_a_second(client: FlaskClient) -> None:
    # Distinct claims: the engine caches the analysis of a text it has seen.
    claims = [(" ".join(["1/2"] * 333) + f" {n}")[-CLAIM_MAX:] for n in range(20)]
    started = time.perf_counter()
    response = client.post("/v1/check/batch", json={"claims": claims})
    took = time.perf_counter() - started
    assert response.status_code == 200
    assert took < SECOND, f"{took:.2f} s"


def test_analysis_time_is_linear_in_figures() -> None:
    text = " ".join(["1"] * 2000)  # 3999 characters
    timed(analyse, text, LEXICON)
