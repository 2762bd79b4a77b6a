"""Schemas of ``POST /v1/review``: the request, and the reviewed sentences it answers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, TypedDict

from marshmallow import Schema, fields, post_load

from schemas.check import CheckResultSchema, TruncatedSchema, _CheckOptions
from service.engine.limits import DEFAULT_REVIEW_TOP_K
from service.engine.model import CheckResult
from service.engine.review import Review, Segment

_WORD = re.compile(r"[^\W_]")  # a letter or a digit, in any script


class ReviewQuery(TypedDict):
    """Keyword arguments for ``service.engine.review.Reviewer`` plus the text to review."""

    text: str
    top_k: int
    sources: list[str] | None
    as_of: date | None


class ReviewText(fields.String):
    """The text to review, kept exactly as sent (offsets point into it), holding a word."""

    default_error_messages = {
        "empty": "Must not be empty.",
        "no_words": "Must contain at least one word (a letter or a digit).",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            raise self.make_error("empty")
        if not _WORD.search(text):
            raise self.make_error("no_words")
        return text


class ReviewRequestSchema(_CheckOptions):
    """The body of ``POST /v1/review``; loads a :class:`ReviewQuery`.

    The length limit (``FACTCHECK_MAX_REVIEW_CHARS``) is a setting, so the view enforces it.
    """

    text = ReviewText(required=True)

    @post_load
    def _query(self, data: dict[str, Any], **_: Any) -> ReviewQuery:
        return ReviewQuery(
            **{"top_k": DEFAULT_REVIEW_TOP_K, "sources": None, "as_of": None, **data}
        )


class SegmentSchema(Schema):
    """Dumps the plain fields of a ``service.engine.review.Segment``; see :func:`dump_review`."""

    text = fields.String()
    start = fields.Integer()
    end = fields.Integer()
    check_worthiness = fields.Float()
    signals = fields.List(fields.String())
    checked = fields.Boolean()


REVIEW_REQUEST = ReviewRequestSchema()
_SEGMENT = SegmentSchema()
_RESULT = CheckResultSchema()
_TRUNCATED = TruncatedSchema()


def dump_review(review: Review) -> dict[str, Any]:
    """``{"sentences", "counts", "checked", "took_ms", "truncated"}`` of a review.

    Each sentence has its ``result`` (a check result or null) and its ``clauses`` (segments
    with their own ``result``). A text that occurs several times is checked once (the review
    caches it), so its result is also dumped once and shared.
    """
    dumped: dict[int, dict[str, Any]] = {}

    def result(found: CheckResult | None) -> dict[str, Any] | None:
        if found is None:
            return None
        if id(found) not in dumped:
            dumped[id(found)] = _RESULT.dump(found)
        return dumped[id(found)]

    def segment(item: Segment) -> dict[str, Any]:
        return {**_SEGMENT.dump(item), "result": result(item.result)}

    return {
        "sentences": [
            {**segment(s), "clauses": [segment(c) for c in s.clauses]} for s in review.sentences
        ],
        "counts": dict(review.counts),
        "checked": review.checked,
        "took_ms": review.took_ms,
        "truncated": None if review.truncated is None else _TRUNCATED.dump(review.truncated),
    }
