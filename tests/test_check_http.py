"""Verdicts through the HTTP layer: ``POST /v1/check`` and ``POST /v1/check/batch``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

# (claim, verdict, stance of the first evidence item)
CLAIMS = [
    ("Russia keeps about 2,000 peacekeepers in the region.", "supported", "supports"),
    ("Russia has some 5,000 peacekeepers in the region.", "refuted", "refutes"),
    ("Azerbaijani forces pushed nearly five miles into Armenian territory.", "supported",
     "supports"),
    ("Azerbaijani troops advanced 12 miles into Armenia.", "refuted", "refutes"),
    ("Armenia's death toll among its troops rose to 135.", "supported", "supports"),
    ("Armenia lost 77 soldiers in the fighting.", "refuted", "refutes"),
    ("Nancy Pelosi will travel to Azerbaijan at the weekend.", "refuted", "refutes"),
    ("Armenian forces advanced into Azerbaijani territory.", "refuted", "refutes"),
    ("Azerbaijan and Armenia are yet to reach a final peace deal.", "supported", "supports"),
    ("Pashinyan confirmed that he had signed a deal with Baku.", "refuted", "refutes"),
    ("Blinken tweeted that the US welcomed the cessation of hostilities.", "supported",
     "supports"),
    ("Lavrov tweeted that the US welcomed the cessation of hostilities.", "not_enough_info",
     "neutral"),
    ("Iran closed its border with Armenia during the clashes.", "not_enough_info", "neutral"),
    ("The price of gold rose sharply on Friday.", "not_enough_info", "neutral"),
]  # fmt: skip


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


@pytest.mark.parametrize(
    ("claim", "verdict", "first"), CLAIMS, ids=[" ".join(c.split()[:6]) for c, *_ in CLAIMS]
)
def test_check(app: Flask, client: FlaskClient, claim: str, verdict: str, first: str) -> None:
    result = post(client, "/v1/check", {"claim": claim})
    assert result["verdict"] == verdict, result["explanation"]
    assert result["evidence"][0]["stance"] == first
    if verdict == "not_enough_info":
        assert {e["stance"] for e in result["evidence"]} == {"neutral"}
    assert_evidence(app, result)


def test_batch_keeps_order_and_verdicts(app: Flask, client: FlaskClient) -> None:
    claims = [claim for claim, *_ in CLAIMS]
    results = post(client, "/v1/check/batch", {"claims": claims, "top_k": 3})["results"]
    assert [r["claim"] for r in results] == claims
    assert [(r["verdict"], r["evidence"][0]["stance"]) for r in results] == [
        (verdict, first) for _, verdict, first in CLAIMS
    ]
    for result in results:
        assert len(result["evidence"]) <= 3
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


def test_sources_filter_changes_the_latest_report(client: FlaskClient) -> None:
    """Without the 16 September reports, 135 is no longer the latest Armenian toll."""
    claim = "Armenia's death toll among its troops rose to 135."
    result = post(client, "/v1/check", {"claim": claim, "sources": ["002_7f193b2dbdda609d"]})
    assert result["verdict"] == "refuted", result["explanation"]
    assert {e["source"]["id"] for e in result["evidence"]} == {"002_7f193b2dbdda609d"}
