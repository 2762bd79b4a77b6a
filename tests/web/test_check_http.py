"""Verdicts through the HTTP layer: ``POST /v1/check`` and ``POST /v1/check/batch``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

# Claims of every kind the seed corpus can answer: agreeing and clashing figures, units,
# swapped places and roles, negation, another speaker, off-topic. The verdicts themselves
# are measured on three labelled corpora (tests/engine/test_decision.py); here the HTTP layer must
# relay the engine's answer faithfully, and every answer must hold together.
CLAIMS = [
    "Russia keeps about 2,000 peacekeepers in the region.",
    "Russia has some 5,000 peacekeepers in the region.",
    "Azerbaijani forces pushed nearly five miles into Armenian territory.",
    "Azerbaijani troops advanced 12 miles into Armenia.",
    "Armenia's death toll among its troops rose to 135.",
    "Armenia lost 77 soldiers in the fighting.",
    "Nancy Pelosi will travel to Azerbaijan at the weekend.",
    "Armenian forces advanced into Azerbaijani territory.",
    "Azerbaijan and Armenia are yet to reach a final peace deal.",
    "Pashinyan confirmed that he had signed a deal with Baku.",
    "Blinken tweeted that the US welcomed the cessation of hostilities.",
    "Lavrov tweeted that the US welcomed the cessation of hostilities.",
    "Iran closed its border with Armenia during the clashes.",
    "The price of gold rose sharply on Friday.",
]
# The stance a verdict needs among its evidence.
BACKING = {
    "supported": {"supports"},
    "refuted": {"refutes"},
    "conflicting": {"supports", "refutes"},
}


def post(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assert_evidence(app: Flask, result: dict[str, Any]) -> None:
    corpus = app.extensions["factcheck"].corpus
    for evidence in result["evidence"]:
        document = corpus.document(evidence["source"]["id"])
        assert document.text[evidence["start"] : evidence["end"]] == evidence["text"]
        assert evidence["reason"].strip()


def assert_coherent(result: dict[str, Any]) -> None:
    """Evidence that takes a side comes first, and includes the side the verdict needs."""
    stances = [e["stance"] for e in result["evidence"]]
    assert BACKING.get(result["verdict"], set()) <= set(stances), result
    taking = [s != "neutral" for s in stances]
    assert taking == sorted(taking, reverse=True), stances
    assert 0.0 <= result["confidence"] <= 1.0 and result["explanation"].strip()


@pytest.mark.parametrize("claim", CLAIMS, ids=[" ".join(c.split()[:6]) for c in CLAIMS])
def test_check(app: Flask, client: FlaskClient, claim: str) -> None:
    result = post(client, "/v1/check", {"claim": claim})
    engine = app.extensions["factcheck"].check(claim)
    assert (result["verdict"], result["confidence"]) == (engine.verdict.value, engine.confidence)
    assert [e["passage_id"] for e in result["evidence"]] == [e.passage.id for e in engine.evidence]
    assert_coherent(result)
    assert_evidence(app, result)


def test_batch_keeps_order_and_verdicts(app: Flask, client: FlaskClient) -> None:
    results = post(client, "/v1/check/batch", {"claims": CLAIMS, "top_k": 3})["results"]
    assert [r["claim"] for r in results] == CLAIMS
    for claim, result in zip(CLAIMS, results, strict=True):
        single = post(client, "/v1/check", {"claim": claim, "top_k": 3})
        assert (result["verdict"], result["evidence"]) == (single["verdict"], single["evidence"])
        assert len(result["evidence"]) <= 3
        assert_coherent(result)
        assert_evidence(app, result)


@pytest.mark.parametrize(
    ("claim", "quantity", "unit", "entities"),
    [
        ("Azerbaijani forces pushed nearly five miles into Armenian territory.",
         "nearly five miles", "mile", {"AZE", "ARM"}),
        ("Russia keeps about 2,000 peacekeepers in the region.", "about 2,000", None, {"RUS"}),
    ],
    ids=["miles", "peacekeepers"],
)  # fmt: skip
def test_analysis_in_response(
    client: FlaskClient, claim: str, quantity: str, unit: str | None, entities: set[str]
) -> None:
    analysis = post(client, "/v1/check", {"claim": claim})["analysis"]
    assert [q["text"] for q in analysis["quantities"]] == [quantity]
    assert analysis["quantities"][0]["unit"] == unit
    assert {e["id"] for e in analysis["entities"]} == entities


def test_sources_filter_keeps_to_those_sources(client: FlaskClient) -> None:
    """Without the 16 September reports, no passage gives the toll of 135."""
    claim = "Armenia's death toll among its troops rose to 135."
    result = post(client, "/v1/check", {"claim": claim, "sources": ["002_7f193b2dbdda609d"]})
    assert {e["source"]["id"] for e in result["evidence"]} == {"002_7f193b2dbdda609d"}
    assert not any("135" in e["text"] for e in result["evidence"])
    assert_coherent(result)
