"""Answer formats of check and review: ClaimReview JSON-LD, plain text, negotiation, 406."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from service.web.config import Config, ConfigError

CHECK, REVIEW = "/v1/check", "/v1/review"


SUPPORTED = "Russia keeps about 2,000 peacekeepers in the region."
REFUTED = "Armenia lost 300 soldiers in the clashes."
UNKNOWN = "The price of gold rose sharply on Friday."
SPOKEN = "Blinken tweeted that the US welcomed the cessation of hostilities."
LD = "application/ld+json"
RATINGS = {
    SUPPORTED: (5, "Supported"),
    REFUTED: (1, "Refuted"),
    UNKNOWN: (None, "Not enough information"),
}


@pytest.fixture(scope="module")
def schema_of(project_root: Path) -> Callable[[str], Draft202012Validator]:
    spec = yaml.safe_load((project_root / "openapi.yaml").read_text(encoding="utf-8"))
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, DRAFT202012))

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"urn:spec#/components/schemas/{name}"},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    return validator


def claim_review(client: FlaskClient, claim: str, how: str, **body: Any) -> dict[str, Any]:
    """Ask for a ClaimReview through the Accept header or through ?format=."""
    if how == "accept":
        response = client.post(CHECK, json={"claim": claim, **body}, headers={"Accept": LD})
    else:
        response = client.post(f"{CHECK}?format=claimreview", json={"claim": claim, **body})
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == LD
    assert "Accept" in response.headers["Vary"]
    return response.get_json()


@pytest.mark.parametrize("how", ["accept", "format"])
@pytest.mark.parametrize(
    "claim",
    [
        SUPPORTED,
        REFUTED,
        UNKNOWN,
    ],
    ids=["supported", "refuted", "nei"],
)
def test_check_as_claimreview(
    client: FlaskClient, schema_of: Callable, claim: str, how: str
) -> None:
    review = claim_review(client, claim, how, top_k=2)
    schema_of("ClaimReviewDocument").validate(review)
    result = client.post(CHECK, json={"claim": claim, "top_k": 2}).get_json()
    value, words = RATINGS[claim]
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim
    assert review["itemReviewed"] == {"@type": "Claim", "text": claim}
    rating = review["reviewRating"]
    assert (rating.get("ratingValue"), rating["alternateName"]) == (value, words)
    assert (rating["bestRating"], rating["worstRating"]) == (5, 1)
    assert rating["ratingExplanation"] == result["explanation"]
    assert review["author"] == {"@type": "Organization", "name": "Fact-checking service"}
    assert review["datePublished"] == datetime.now(UTC).date().isoformat()
    cited = [(c["identifier"], c["text"], c["isPartOf"]["identifier"]) for c in review["citation"]]
    assert cited == [(e["passage_id"], e["text"], e["source"]["id"]) for e in result["evidence"]]
    for citation, evidence in zip(review["citation"], result["evidence"], strict=True):
        assert citation["description"] == f"{evidence['stance']}: {evidence['reason']}"
        assert citation["isPartOf"].get("datePublished") == evidence["source"]["published"]


def test_claimreview_names_the_speaker_and_the_publisher(client: FlaskClient) -> None:
    review = claim_review(client, SPOKEN, "accept")
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Antony Blinken"}
    bloomberg = claim_review(client, "The death toll among Armenian troops rose to 135.", "accept")
    sources = [c["isPartOf"] for c in bloomberg["citation"]]
    assert {"@type": "Organization", "name": "Bloomberg"} in [s.get("publisher") for s in sources]


def test_author_is_configurable(make_app: Callable[..., Flask]) -> None:
    app = make_app(FACTCHECK_AUTHOR_NAME="Desk", FACTCHECK_AUTHOR_URL="https://desk.example/")
    review = claim_review(app.test_client(), SUPPORTED, "format")
    assert review["author"] == {
        "@type": "Organization",
        "name": "Desk",
        "url": "https://desk.example/",
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FACTCHECK_AUTHOR_NAME", "  ", "non-empty string"),
        ("FACTCHECK_AUTHOR_URL", "desk.example", "http:// or https:// URL"),
        ("FACTCHECK_MAX_REVIEW_CHARS", "0", "positive integer"),
    ],
)
def test_bad_review_settings_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Config.from_env({name: value})
    assert name in str(caught.value)


def test_review_settings_defaults() -> None:
    config = Config.from_env({"FACTCHECK_AUTHOR_URL": ""})
    assert (config.max_review_chars, config.author_name) == (100_000, "Fact-checking service")
    assert config.author_url is None


def test_review_as_claimreview_graph(client: FlaskClient, schema_of: Callable) -> None:
    text = f"{SUPPORTED} What next?\n{REFUTED}"
    for kwargs in ({"headers": {"Accept": LD}}, {"query_string": {"format": "claimreview"}}):
        response = client.post(REVIEW, json={"text": text}, **kwargs)
        assert response.status_code == 200 and response.mimetype == LD
        graph = response.get_json()
        schema_of("ClaimReviewGraph").validate(graph)
        assert graph["@context"] == "https://schema.org"
        assert [r["claimReviewed"] for r in graph["@graph"]] == [SUPPORTED, REFUTED]
        assert [r["reviewRating"]["ratingValue"] for r in graph["@graph"]] == [5, 1]
        assert all("@context" not in r for r in graph["@graph"])


def plain(client: FlaskClient, path: str, body: dict[str, Any], how: str) -> list[str]:
    if how == "accept":
        response = client.post(path, json=body, headers={"Accept": "text/plain"})
    else:
        response = client.post(path, json=body, query_string={"format": "text"})
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.endswith("\n") and not text.lstrip().startswith("{")
    return text.splitlines()


@pytest.mark.parametrize("how", ["accept", "format"])
def test_check_as_plain_text(client: FlaskClient, how: str) -> None:
    result = client.post(CHECK, json={"claim": REFUTED, "top_k": 3}).get_json()
    lines = plain(client, CHECK, {"claim": REFUTED, "top_k": 3}, how)
    assert lines[0] == f"REFUTED (confidence {result['confidence']:.2f}): {REFUTED}"
    assert lines[1] == result["explanation"]
    decisive = [e for e in result["evidence"] if e["stance"] != "neutral"]
    assert len(lines) == 2 + len(decisive) and decisive
    for line, evidence in zip(lines[2:], decisive, strict=True):
        source = evidence["source"]
        label = source["id"] + (f" ({source['publisher']})" if source["publisher"] else "")
        passage = " ".join(evidence["text"].split())
        assert line == f'  {evidence["stance"]:<8} {label}, {source["published"]}: "{passage}"'


def test_plain_text_without_decisive_passage(client: FlaskClient) -> None:
    lines = plain(client, CHECK, {"claim": UNKNOWN}, "accept")
    assert lines[0].startswith("NOT ENOUGH INFO (confidence ")
    assert lines[2] == "  (no passage supports or refutes the claim)"


@pytest.mark.parametrize("how", ["accept", "format"])
def test_review_as_plain_text(client: FlaskClient, how: str) -> None:
    text = f"{SUPPORTED} What next?\n{REFUTED}"
    lines = plain(client, REVIEW, {"text": text}, how)
    assert (
        lines[0]
        == "3 sentence(s), 2 checked: 1 supported, 1 refuted, 0 conflicting, 0 not enough info."
    )
    start = text.index(REFUTED)
    headlines = [line for line in lines if line.startswith("[")]
    assert headlines[0].startswith(f"[0:{len(SUPPORTED)}] SUPPORTED (confidence ")
    assert headlines[1].startswith(f"[{start}:{start + len(REFUTED)}] REFUTED (confidence ")
    assert "What next?" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("text/plain, application/json", "application/json"),
        ("application/json;q=0.5, text/plain", "text/plain"),
        ("text/*", "text/plain"),
        ("application/*", "application/json"),
        ("application/ld+json", LD),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
    ],
)
def test_negotiation(client: FlaskClient, accept: str | None, mimetype: str) -> None:
    headers = {"Accept": accept} if accept else {}
    for path, body in ((CHECK, {"claim": SUPPORTED}), (REVIEW, {"text": SUPPORTED})):
        response = client.post(path, json=body, headers=headers)
        assert (response.status_code, response.mimetype) == (200, mimetype)


def test_format_parameter_beats_accept(client: FlaskClient) -> None:
    response = client.post(
        f"{CHECK}?format=json", json={"claim": SUPPORTED}, headers={"Accept": "text/plain"}
    )
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("accept", ["text/html", "image/png", "text/plain;q=0", "application/xml"])
@pytest.mark.parametrize("path", [CHECK, REVIEW])
def test_unsatisfiable_accept_is_406(client: FlaskClient, path: str, accept: str) -> None:
    body = {"claim": SUPPORTED} if path == CHECK else {"text": SUPPORTED}
    response = client.post(path, json=body, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"
    assert "Accept" in response.get_json()["detail"]


@pytest.mark.parametrize("value", ["xml", "", "JSON", "claim-review"])
def test_unknown_format_is_422(client: FlaskClient, value: str) -> None:
    response = client.post(CHECK, json={"claim": SUPPORTED}, query_string={"format": value})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"format": ["Must be one of: json, claimreview, text."]}


def test_errors_stay_problem_json(client: FlaskClient) -> None:
    for headers in ({"Accept": "text/plain"}, {"Accept": LD}):
        response = client.post(REVIEW, json={"text": "  "}, headers=headers)
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
