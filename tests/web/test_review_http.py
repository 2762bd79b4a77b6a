"""``POST /v1/review`` through the HTTP layer: shape, offsets, scoring, clauses, bad input."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REVIEW = "/v1/review"
SENTENCE_KEYS = {"text", "start", "end", "check_worthiness", "signals", "checked", "result"}
VERDICTS = ("supported", "refuted", "conflicting", "not_enough_info")
FACT = "Armenia said 105 of its soldiers had been killed since September 13."
OPINION = "I think this war is a disgrace and everyone should be ashamed."
QUESTION = "What will Armenia and Azerbaijan do next?"
BOILERPLATE = "Subscribe to our newsletter for more stories like this."
MULTI = (
    "Armenia lost 300 soldiers in the clashes; Azerbaijan said 71 of its servicemen were killed."
)

TEXTS = {
    "draft": f"{FACT} {OPINION}\n\n{QUESTION}\n{BOILERPLATE}",
    "headline": "Cease-fire announced after fresh clashes\nRussia keeps about 2,000 peacekeepers.",
    "padded": f"  \n\t{FACT}  \r\n  {MULTI}\n\n  ",
    "unicode": "«Überraschung» — Azerbaijan said 71 servicemen were killed… On Friday, 77.",
    "one-word": "Armenia",
    "repeated": f"{FACT} {FACT}\n{FACT}",
}


def review(client: FlaskClient, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.post(REVIEW, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def assert_segment(text: str, segment: dict[str, Any]) -> None:
    assert text[segment["start"] : segment["end"]] == segment["text"]
    assert segment["text"] == segment["text"].strip() and segment["text"]
    assert 0 <= segment["check_worthiness"] <= 1
    assert segment["checked"] == (segment["result"] is not None)
    if segment["checked"]:
        assert segment["result"]["claim"] == segment["text"]
        assert segment["result"]["verdict"] in VERDICTS


@pytest.mark.parametrize("name", TEXTS)
def test_shape_offsets_and_counts(client: FlaskClient, name: str) -> None:
    text = TEXTS[name]
    body = review(client, {"text": text})
    assert set(body) == {"sentences", "counts", "checked", "took_ms", "truncated"}
    assert body["truncated"] is None
    previous_end = 0
    for sentence in body["sentences"]:
        assert set(sentence) == SENTENCE_KEYS | {"clauses"}
        assert_segment(text, sentence)
        assert sentence["start"] >= previous_end  # text order, no overlap
        previous_end = sentence["end"]
        for clause in sentence["clauses"]:
            assert set(clause) == SENTENCE_KEYS
            assert_segment(text, clause)
            assert sentence["start"] <= clause["start"] < clause["end"] <= sentence["end"]
    # Every non-blank character of the text is in some sentence.
    covered = "".join(s["text"] for s in body["sentences"])
    assert "".join(covered.split()) == "".join(text.split())
    checked = [s for s in body["sentences"] if s["checked"]]
    assert body["checked"] == len(checked)
    assert body["counts"] == {
        v: Counter(s["result"]["verdict"] for s in checked)[v] for v in VERDICTS
    }


PIECES = st.sampled_from(
    [FACT, OPINION, QUESTION, BOILERPLATE, MULTI, "\n", "\r\n", " ", "\t", "“", '"', "…", "Dr. ",
     "U.S. ", "é", "\u2028", "—", "; ", ", and ", "3.5", "?!"]
)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(PIECES, st.text(max_size=12)), min_size=1, max_size=12).map("".join))
def test_offsets_hold_for_any_text(client: FlaskClient, text: str) -> None:
    response = client.post(REVIEW, json={"text": text})
    if not any(ch.isalnum() for ch in text):
        assert response.status_code == 422
        return
    assert response.status_code == 200, response.get_json()
    for sentence in response.get_json()["sentences"]:
        assert_segment(text, sentence)
        for clause in sentence["clauses"]:
            assert_segment(text, clause)


def test_check_worthiness_ranks_a_reported_figure_first(client: FlaskClient) -> None:
    sentences = {s["text"]: s for s in review(client, {"text": TEXTS["draft"]})["sentences"]}
    fact = sentences[FACT]
    assert fact["checked"] and {"figure", "attribution", "entity", "date"} <= set(fact["signals"])
    for text, signal in (
        (OPINION, "opinion"),
        (QUESTION, "question"),
        (BOILERPLATE, "boilerplate"),
    ):
        assert sentences[text]["check_worthiness"] < fact["check_worthiness"], text
        assert signal in sentences[text]["signals"]
        assert not sentences[text]["checked"] and sentences[text]["result"] is None
        assert sentences[text]["clauses"] == []


def test_checked_sentence_matches_a_single_check(client: FlaskClient) -> None:
    """A sentence of a review gets exactly the answer POST /v1/check gives it."""
    body = review(client, {"text": TEXTS["padded"], "top_k": 2})
    for sentence in body["sentences"]:
        single = client.post("/v1/check", json={"claim": sentence["text"], "top_k": 2}).get_json()
        for key in ("verdict", "confidence", "explanation", "evidence", "analysis"):
            assert sentence["result"][key] == single[key], key


def single(client: FlaskClient, claim: str, **query: Any) -> dict:
    """What POST /v1/check answers for one claim (review results must be the same)."""
    response = client.post("/v1/check", json={"claim": claim, **query})
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize(
    "text",
    [
        "Russia has some 5,000 peacekeepers in the region. Iran closed its border with Armenia "
        "during the clashes. Russia keeps about 2,000 peacekeepers in the region.",
        f"{OPINION} {QUESTION}",
    ],
    ids=["three-claims", "nothing-checked"],
)
def test_counts_by_verdict(client: FlaskClient, text: str) -> None:
    body = review(client, {"text": text})
    tally = dict.fromkeys(VERDICTS, 0)
    for sentence in body["sentences"]:
        if sentence["checked"] and not sentence["clauses"]:
            tally[sentence["result"]["verdict"]] += 1
    assert body["counts"] == tally


def test_multi_claim_sentence_is_split_into_clauses(client: FlaskClient) -> None:
    text = f"Background first. {MULTI}"
    (sentence,) = [s for s in review(client, {"text": text})["sentences"] if s["text"] == MULTI]
    assert sentence["start"] == text.index(MULTI) and sentence["checked"]
    first, second = "Armenia lost 300 soldiers in the clashes", MULTI.split("; ")[1]
    assert [(c["text"], c["start"]) for c in sentence["clauses"]] == [
        (first, text.index(first)),
        (second, text.index(second)),
    ]
    for clause in sentence["clauses"]:
        assert clause["result"]["verdict"] == single(client, clause["text"])["verdict"]


def test_each_distinct_text_is_checked_once(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checker = app.extensions["factcheck"]
    calls: list[str] = []
    original = checker.check

    def counting(claim: str, **kwargs: Any) -> Any:
        calls.append(claim)
        return original(claim, **kwargs)

    monkeypatch.setattr(checker, "check", counting)
    body = review(client, {"text": TEXTS["repeated"]})
    assert [s["text"] for s in body["sentences"]] == [FACT] * 3
    assert calls == [FACT]
    assert body["counts"][body["sentences"][0]["result"]["verdict"]] == 3


def test_too_long_sentence_is_scored_not_checked(client: FlaskClient) -> None:
    text = FACT[:-1] + ", and" + " the fighting went on" * 50 + "."
    (sentence,) = review(client, {"text": text})["sentences"]
    assert len(text) > 1000 and sentence["check_worthiness"] >= 0.3
    assert "too_long" in sentence["signals"] and not sentence["checked"]


def test_sources_filter(client: FlaskClient) -> None:
    text = "Armenia's death toll among its troops rose to 135."
    sources = ["002_7f193b2dbdda609d"]
    body = review(client, {"text": text, "sources": sources})
    (result,) = [s["result"] for s in body["sentences"]]
    assert {e["source"]["id"] for e in result["evidence"]} == set(sources)
    assert result["verdict"] == single(client, text, sources=sources, top_k=3)["verdict"]


@pytest.mark.parametrize("as_of", ["2022-09-14", "2022-09-12", None])
def test_as_of(client: FlaskClient, as_of: str | None) -> None:
    query = {"as_of": as_of} if as_of else {}
    body = review(client, {"text": "Armenia lost 135 soldiers.", **query})
    (result,) = [s["result"] for s in body["sentences"]]
    assert (
        result["verdict"]
        == single(client, "Armenia lost 135 soldiers.", top_k=3, **query)["verdict"]
    )
    if as_of:
        assert all(e["source"]["published"] <= as_of for e in result["evidence"])
    if as_of == "2022-09-12":  # before every report
        assert result["verdict"] == "not_enough_info" and result["evidence"] == []


def test_top_k_defaults_to_three(client: FlaskClient) -> None:
    body = review(client, {"text": FACT})
    assert 0 < len(body["sentences"][0]["result"]["evidence"]) <= 3
    body = review(client, {"text": FACT, "top_k": 1})
    assert len(body["sentences"][0]["result"]["evidence"]) == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"text": ""}, "text", "Must not be empty."),
        ({"text": " \n\t "}, "text", "Must contain at least one word"),
        ({"text": "?! ... -- “” ;"}, "text", "Must contain at least one word"),
        ({}, "text", "Missing data for required field."),
        ({"text": 42}, "text", "Not a valid string."),
        ({"text": FACT, "as_of": "2022-02-30"}, "as_of", "Not a valid date."),
        ({"text": FACT, "as_of": "14/09/2022"}, "as_of", "Not a valid date."),
        ({"text": FACT, "as_of": 20220914}, "as_of", "Not a valid date."),
        ({"text": FACT, "sources": ["nope", "003_76dd1eb450d0be15"]}, "sources",
         "unknown source id: nope"),
        ({"text": FACT, "sources": []}, "sources", "Shorter than minimum length 1."),
        ({"text": FACT, "top_k": 0}, "top_k", "Must be greater than or equal to 1"),
        ({"text": FACT, "claim": FACT}, "claim", "Unknown field."),
    ],
    ids=["empty", "whitespace", "punctuation", "missing", "not-string", "bad-day", "bad-format",
         "int-date", "unknown-source", "no-sources", "top-k", "unknown-field"],
)  # fmt: skip
def test_bad_input_is_422(client: FlaskClient, body: dict, field: str, message: str) -> None:
    problem = review(client, body, 422)
    assert problem["instance"] == REVIEW
    assert any(m.startswith(message) for m in problem["errors"][field]), problem["errors"]


def test_unknown_source_is_refused_even_when_nothing_is_checked(client: FlaskClient) -> None:
    problem = review(client, {"text": QUESTION, "sources": ["nope"]}, 422)
    assert problem["errors"] == {"sources": ["unknown source id: nope"]}


def test_text_over_the_limit_is_413(make_app: Callable[..., Flask]) -> None:
    client = make_app(FACTCHECK_MAX_REVIEW_CHARS=len(FACT)).test_client()
    assert client.post(REVIEW, json={"text": FACT}).status_code == 200
    response = client.post(REVIEW, json={"text": FACT + " "})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert f"limit is {len(FACT)} characters" in response.get_json()["detail"]


def test_default_limit_is_100000_characters(client: FlaskClient) -> None:
    filler = ("Word " * 20_000)[:100_000]
    assert client.post(REVIEW, json={"text": filler}).status_code == 200
    assert client.post(REVIEW, json={"text": filler + "x"}).status_code == 413
