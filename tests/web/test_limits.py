"""One home per fact: the limits and defaults of service/engine/limits.py are what the
schemas enforce, the engine applies and openapi.yaml documents."""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml

from schemas.check import CLAIM_LENGTH, CheckRequestSchema
from service.engine import limits
from service.engine.checker import CANDIDATES, FactChecker
from service.engine.review import Reviewer
from service.retrieval.index import SHORT_LIST

OPENAPI = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi.yaml").read_text(encoding="utf-8")
)


def test_the_schemas_and_the_engine_read_the_limits():
    assert (CLAIM_LENGTH.min, CLAIM_LENGTH.max) == (limits.CLAIM_MIN_CHARS, limits.CLAIM_MAX_CHARS)
    top_k = CheckRequestSchema().fields["top_k"].validate
    assert top_k.max == limits.MAX_TOP_K  # type: ignore[union-attr]
    check = inspect.signature(FactChecker.check).parameters["top_k"].default
    review = inspect.signature(Reviewer).parameters["top_k"].default
    assert (check, review) == (limits.DEFAULT_TOP_K, limits.DEFAULT_REVIEW_TOP_K)


def test_openapi_documents_the_same_limits():
    schemas = OPENAPI["components"]["schemas"]
    claim, top_k = schemas["Claim"], schemas["TopK"]
    assert (claim["minLength"], claim["maxLength"]) == (
        limits.CLAIM_MIN_CHARS,
        limits.CLAIM_MAX_CHARS,
    )
    assert (top_k["maximum"], top_k["default"]) == (limits.MAX_TOP_K, limits.DEFAULT_TOP_K)
    review = schemas["ReviewRequest"]["properties"]["top_k"]
    assert (review["maximum"], review["default"]) == (
        limits.MAX_TOP_K,
        limits.DEFAULT_REVIEW_TOP_K,
    )


def test_the_index_short_list_holds_what_the_engine_asks_for():
    assert SHORT_LIST >= CANDIDATES
