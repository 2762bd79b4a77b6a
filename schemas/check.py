"""Schemas of ``POST /v1/check`` and ``POST /v1/check/batch``."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from marshmallow import RAISE, Schema, fields, post_load
from marshmallow.validate import Length, Range

from schemas.fields import Bound, SizedList, StrictInteger, TrimmedString, has_word
from service.engine.limits import CLAIM_MAX_CHARS, CLAIM_MIN_CHARS, DEFAULT_TOP_K, MAX_TOP_K
from service.engine.model import Stance, Verdict

CLAIM_LENGTH = Length(
    CLAIM_MIN_CHARS, CLAIM_MAX_CHARS, error="Length must be between {min} and {max} once trimmed."
)
MAX_BATCH = 100


class CheckQuery(TypedDict):
    """Keyword arguments for ``FactChecker.check``."""

    claim: str
    top_k: int
    sources: list[str] | None
    as_of: date | None


class _Request(Schema):
    class Meta:
        unknown = RAISE


class _CheckOptions(_Request):
    # No load_default: a batch item that leaves an option unset takes the batch's value.
    top_k = StrictInteger(validate=Range(1, MAX_TOP_K))
    sources = fields.List(fields.String(), validate=Length(min=1))
    as_of = fields.Date()


class CheckItemSchema(_CheckOptions):
    """One claim with its optional options, as sent."""

    claim = TrimmedString(required=True, validate=[CLAIM_LENGTH, has_word])


def _resolve(item: dict[str, Any], defaults: dict[str, Any]) -> CheckQuery:
    return CheckQuery(
        **{"top_k": DEFAULT_TOP_K, "sources": None, "as_of": None, **defaults, **item}
    )


class CheckRequestSchema(CheckItemSchema):
    """The body of ``POST /v1/check``; loads a :class:`CheckQuery`."""

    @post_load
    def _query(self, data: dict[str, Any], **_: Any) -> CheckQuery:
        return _resolve(data, {})


_ITEM = CheckItemSchema()


class ClaimItem(fields.Field):
    """A batch item: a bare claim string, or an object shaped like a single check request."""

    default_error_messages = {"invalid": "Must be a claim string or an object with a claim."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = {"claim": value}
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        return _ITEM.load(value)


class BatchRequestSchema(_CheckOptions):
    """The body of ``POST /v1/check/batch``; top-level options are defaults for the items."""

    claims = SizedList(ClaimItem(), required=True, validate=Length(1, MAX_BATCH))

    @post_load
    def _queries(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        defaults = {key: data[key] for key in ("top_k", "sources", "as_of") if key in data}
        return {
            "claims": [_resolve(item, defaults) for item in data["claims"]],
            "sources": data.get("sources"),
        }


class QuantitySchema(Schema):
    text = fields.String()
    value = fields.Float()
    low = Bound()
    high = Bound()
    unit = fields.String()
    qualifier = fields.String()
    counted = fields.String()
    owner = fields.String()


class EntitySchema(Schema):
    id = fields.String()
    kind = fields.String()
    text = fields.String()
    name = fields.String()


class AnalysisSchema(Schema):
    normalized = fields.String()
    quantities = fields.List(fields.Nested(QuantitySchema))
    entities = fields.List(fields.Nested(EntitySchema))
    negated = fields.Boolean()
    speaker = fields.String()
    date = fields.Date()


class SourceRefSchema(Schema):
    id = fields.String()
    title = fields.String()
    publisher = fields.String()
    published = fields.Date()
    url = fields.String()


class EvidenceSchema(Schema):
    passage_id = fields.String(attribute="passage.id")
    text = fields.String(attribute="passage.text")
    start = fields.Integer(attribute="passage.start")
    end = fields.Integer(attribute="passage.end")
    stance = fields.Enum(Stance, by_value=True)
    score = fields.Float()
    reason = fields.String()
    source = fields.Nested(SourceRefSchema, attribute="document")


class CheckResultSchema(Schema):
    """Dumps a ``CheckResult``."""

    claim = fields.String()
    verdict = fields.Enum(Verdict, by_value=True)
    confidence = fields.Float()
    explanation = fields.String()
    analysis = fields.Nested(AnalysisSchema)
    evidence = fields.List(fields.Nested(EvidenceSchema))
    took_ms = fields.Float()
    notes = fields.List(fields.String())


class TruncatedSchema(Schema):
    """Dumps a ``service.engine.budget.Truncated``: why the work stopped early, what it skipped."""

    reason = fields.String()
    skipped = fields.Integer()
    resume_at = fields.Integer()


class BatchResultSchema(Schema):
    """Dumps ``{"results": [CheckResult, ...], "truncated": Truncated | None}``."""

    results = fields.List(fields.Nested(CheckResultSchema))
    truncated = fields.Nested(TruncatedSchema, allow_none=True)


CHECK_REQUEST = CheckRequestSchema()
BATCH_REQUEST = BatchRequestSchema()
CHECK_RESULT = CheckResultSchema()
BATCH_RESULT = BatchResultSchema()
