"""The HTTP API: thin views that load a request, call the checker once and dump the result."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from marshmallow import ValidationError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    NotFound,
    RequestEntityTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)

from schemas.check import BATCH_REQUEST, BATCH_RESULT, CHECK_REQUEST, CHECK_RESULT, CheckQuery
from schemas.review import REVIEW_REQUEST, dump_review
from schemas.sources import READY, SOURCE_DETAIL, SOURCE_LIST, SOURCE_QUERY, SourceView
from service.engine.budget import Budget, Truncated
from service.engine.checker import FactChecker
from service.engine.model import Corpus
from service.engine.review import Reviewer
from service.web.claimreview import claim_review, claim_review_graph
from service.web.config import PROJECT_ROOT
from service.web.errors import unknown_source_messages
from service.web.formats import json_only, negotiate, respond
from service.web.generation import current_generation
from service.web.lane import expensive_lane
from service.web.plaintext import render_check, render_review

EXTENSION = "factcheck"
OPENAPI_PATH = PROJECT_ROOT / "openapi.yaml"

bp = Blueprint("api", __name__)


@bp.post("/v1/check")
def check() -> Response:
    """Judge one claim; answers JSON, ClaimReview JSON-LD or plain text (service/web/formats.py)."""
    media = negotiate()
    query = CHECK_REQUEST.load(json_body())
    result = checker().check(**query)
    return respond(
        media,
        json=lambda: CHECK_RESULT.dump(result),
        claimreview=lambda author, day: claim_review(result, author, day),
        text=lambda: render_check(result),
    )


@bp.post("/v1/check/batch")
def check_batch() -> Response:
    """Judge up to 100 claims, answering in request order."""
    json_only()
    with expensive_lane():
        batch = BATCH_REQUEST.load(json_body())
        results, truncated = check_all(checker(), batch, budget=work_budget())
    response = jsonify(BATCH_RESULT.dump({"results": results, "truncated": truncated}))
    return said_truncated(response, truncated)


@bp.post("/v1/review")
def review() -> Response:
    """Find the check-worthy sentences of a text and check them (service/engine/review.py)."""
    media = negotiate()
    with expensive_lane():
        query = REVIEW_REQUEST.load(json_body())
        text = query.pop("text")
        limit = current_app.config["FACTCHECK"].max_review_chars
        if len(text) > limit:
            raise TextTooLong(
                f"The text has {len(text)} characters; the limit is {limit} characters."
            )
        done = Reviewer(checker(), **query, budget=work_budget()).review(text)
    response = respond(
        media,
        json=lambda: dump_review(done),
        claimreview=lambda author, day: claim_review_graph(
            (s.result for s in done.sentences if s.result is not None), author, day
        ),
        text=lambda: render_review(done),
    )
    return said_truncated(response, done.truncated)


TRUNCATED_HEADER = "X-Truncated"


def said_truncated(response: Response, truncated: Truncated | None) -> Response:
    """Name a spent work budget in a header too: every format then says the answer is partial
    (a ClaimReview graph has no field for it)."""
    if truncated is not None:
        response.headers[TRUNCATED_HEADER] = (
            f"{truncated.reason}; skipped={truncated.skipped}; resume_at={truncated.resume_at}"
        )
    return response


class TextTooLong(HTTPException):
    """413 for a review text over ``FACTCHECK_MAX_REVIEW_CHARS`` (the body limit is separate)."""

    code = 413


@bp.get("/v1/sources")
def list_sources() -> dict[str, Any]:
    """List the documents of the reference corpus."""
    sources = source_views(checker().corpus)
    return SOURCE_LIST.dump({"sources": sources, "generation": current_generation()})


@bp.get("/v1/sources/<source_id>")
def get_source(source_id: str) -> dict[str, Any]:
    """One document with (a window of) its text and the passages in it (``?offset&length``)."""
    window = SOURCE_QUERY.load(request.args)
    corpus = checker().corpus
    document = corpus.document(source_id)
    if document is None:
        raise NotFound(f"No source has the id {source_id!r}.")
    start = min(window["offset"], len(document.text))
    end = min(start + window["length"], len(document.text))
    passages = [p for p in corpus.passages_of(source_id) if p.end > start and p.start < end]
    return SOURCE_DETAIL.dump(SourceView(document, passages, start, end))


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> dict[str, Any]:
    """Readiness: the corpus is loaded and the checker built; which generation of it."""
    checker()
    return READY.dump(current_generation())


@bp.get("/openapi.yaml")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return send_file(OPENAPI_PATH, mimetype="application/yaml")


def checker() -> FactChecker:
    """The app's checker; 503 if the factory did not install one."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        raise ServiceUnavailable("The fact checker is not loaded yet.")
    return found


def json_body() -> dict[str, Any]:
    """The request body as a JSON object, or the 415/400/413 that explains why not."""
    if not request.is_json:  # is_json accepts parameters (charset) and application/*+json
        raise UnsupportedMediaType(
            "Send the request body as JSON (Content-Type: application/json)."
        )
    _refuse_long_chunked_body()
    try:
        # get_data, called by get_json, enforces MAX_CONTENT_LENGTH (413) before reading.
        data = request.get_json(cache=True)
    except (BadRequest, RecursionError) as exc:
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, DuplicateKeyError):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise BadRequest(f"The request body is ambiguous JSON: {cause}.") from exc
        raise BadRequest("The request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


class DuplicateKeyError(ValueError):
    """A JSON object names a key twice; Python would keep the last value without a word."""


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` of the app's JSON: an object naming a key twice is refused."""
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise DuplicateKeyError(f"the key {twice!r} is given twice in one object")
    return found


def _refuse_long_chunked_body() -> None:
    """413 for a chunked body over the limit: werkzeug would cut it there and say 400."""
    if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if len(request.get_data(cache=True)) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def work_budget() -> Budget:
    """The work budget of one review or batch (``FACTCHECK_WORK_BUDGET_MS``, ``_MAX_CHECKS``)."""
    settings = current_app.config["FACTCHECK"]
    return Budget(seconds=settings.work_budget_ms / 1000, checks=settings.max_checks)


def check_all(
    checker: FactChecker, batch: dict[str, Any], *, budget: Budget | None = None
) -> tuple[list[Any], Truncated | None]:
    """Check the claims of a loaded batch in order, after refusing unknown source ids up
    front; stop between claims once ``budget`` is spent (then say what was skipped)."""
    corpus = checker.corpus
    top_level = corpus.unknown(batch["sources"] or ())
    if top_level:
        raise ValidationError({"sources": unknown_source_messages(top_level)})
    errors = {
        index: {"sources": unknown_source_messages(unknown)}
        for index, query in enumerate(batch["claims"])
        if (unknown := corpus.unknown(query["sources"] or ()))
    }
    if errors:
        raise ValidationError({"claims": errors})
    queries: list[CheckQuery] = batch["claims"]
    results = []
    for index, query in enumerate(queries):
        reason = budget.exhausted() if budget is not None else None
        if reason:
            return results, Truncated(reason, len(queries) - index, index)
        results.append(checker.check(**query))
        if budget is not None:
            budget.spend()
    return results, None


def source_views(corpus: Corpus) -> list[SourceView]:
    """Every document with its passages (counted, not made)."""
    return [SourceView(doc, corpus.passages_of(doc.id)) for doc in corpus.documents]
