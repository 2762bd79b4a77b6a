"""Schemas of ``GET /v1/sources``, ``GET /v1/sources/<id>`` and the probes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import Range

from service.engine.model import Document, Passage

# The most characters of a document one GET /v1/sources/<id> answers (about 100 KB).
MAX_SOURCE_CHARS = 100_000


class SourceView(NamedTuple):
    """A document with its passages (those of the window ``start:end`` for one source)."""

    document: Document
    passages: Sequence[Passage]
    start: int = 0
    end: int | None = None


class SourceQuerySchema(Schema):
    """The query of ``GET /v1/sources/<id>``: which characters of the text to send."""

    class Meta:
        unknown = EXCLUDE  # a cache-buster or a tracker's parameter is not an error

    offset = fields.Integer(load_default=0, validate=Range(min=0))
    length = fields.Integer(load_default=MAX_SOURCE_CHARS, validate=Range(1, MAX_SOURCE_CHARS))


class SourceSchema(Schema):
    """One source in the list (``passage_count``, not the passages themselves)."""

    id = fields.String(attribute="document.id")
    title = fields.String(attribute="document.title")
    publisher = fields.String(attribute="document.publisher")
    published = fields.Date(attribute="document.published")
    url = fields.String(attribute="document.url")
    language = fields.String(attribute="document.language")
    passage_count = fields.Function(lambda view: len(view.passages))
    characters = fields.Function(lambda view: len(view.document.text))


class PassageRefSchema(Schema):
    id = fields.String()
    start = fields.Integer()
    end = fields.Integer()


def _next_offset(view: SourceView) -> int | None:
    end = len(view.document.text) if view.end is None else view.end
    return end if end < len(view.document.text) else None


class SourceDetailSchema(SourceSchema):
    """One source with (a window of) its text and the passages in that window.

    ``text`` is ``full_text[offset:offset + length]``; passage offsets are into the full
    text; ``next_offset`` is where the next window starts (null at the end).
    """

    offset = fields.Integer(attribute="start")
    next_offset = fields.Function(_next_offset)
    text = fields.Function(lambda view: view.document.text[view.start : view.end])
    passages = fields.List(fields.Nested(PassageRefSchema))


class SourceListSchema(Schema):
    """Dumps ``{"sources": [SourceView, ...], "generation": Generation}`` with its count."""

    count = fields.Function(lambda data: len(data["sources"]))
    generation = fields.String(attribute="generation.id")
    sources = fields.List(fields.Nested(SourceSchema))


def _loaded_at(generation: Any) -> str:
    moment = datetime.fromtimestamp(generation.loaded_at, tz=UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


class ReadySchema(Schema):
    """Dumps the ``Generation`` of the corpus served (service/web/generation.py) as the
    readiness report."""

    status = fields.Constant("ready")
    documents = fields.Integer()
    passages = fields.Integer()
    generation = fields.String(attribute="id")
    loaded_at = fields.Function(_loaded_at)


SOURCE_LIST = SourceListSchema()
SOURCE_QUERY = SourceQuerySchema()
SOURCE_DETAIL = SourceDetailSchema()
READY = ReadySchema()
