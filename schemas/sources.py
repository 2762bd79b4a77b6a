"""Schemas of ``GET /v1/sources``, ``GET /v1/sources/<id>`` and the probes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from marshmallow import Schema, fields

from service.model import Document, Passage


class SourceView(NamedTuple):
    """A document with its passages: what the source schemas dump."""

    document: Document
    passages: Sequence[Passage]


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


class SourceDetailSchema(SourceSchema):
    """One source with its full text and the offsets of its passages in that text."""

    text = fields.String(attribute="document.text")
    passages = fields.List(fields.Nested(PassageRefSchema))


class SourceListSchema(Schema):
    """Dumps ``{"sources": [SourceView, ...]}`` with its count."""

    count = fields.Function(lambda data: len(data["sources"]))
    sources = fields.List(fields.Nested(SourceSchema))


class ReadySchema(Schema):
    """Dumps a loaded ``Corpus`` as the readiness report."""

    status = fields.Constant("ready")
    documents = fields.Function(lambda corpus: len(corpus.documents))
    passages = fields.Function(lambda corpus: len(corpus.passages))


SOURCE_LIST = SourceListSchema()
SOURCE_DETAIL = SourceDetailSchema()
READY = ReadySchema()
