"""One error shape for every failure: RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from service.engine.checker import UnknownSourcesError

PROBLEM_MIMETYPE = "application/problem+json"
VALIDATION_DETAIL = "The request is invalid; see 'errors' for the message of each field."


def problem(
    status: int,
    detail: str,
    *,
    errors: Any = None,
    headers: Iterable[tuple[str, str]] = (),
) -> Response:
    """Build a problem response; ``errors`` maps fields to messages (422 only)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = _field_errors(errors)
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    response.headers.extend(headers)
    return response


def _field_errors(messages: Any) -> dict[str, Any]:
    # marshmallow keys list items by int; JSON objects need str keys (and sort_keys needs one type).
    if isinstance(messages, dict):
        return {str(key): _jsonable(value) for key, value in messages.items()}
    return {"_schema": _jsonable(messages)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return _field_errors(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def handle_http_exception(exc: HTTPException) -> Response:
    """Render werkzeug's HTTP errors (404, 405, 413...) as problems, keeping e.g. ``Allow``."""
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return problem(status, _http_detail(exc), headers=headers)


def _http_detail(exc: HTTPException) -> str:
    if isinstance(exc, RequestEntityTooLarge):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return f"The request body is larger than the limit of {limit} bytes."
    return exc.description or HTTPStatus(exc.code or 500).phrase


def handle_validation_error(exc: ValidationError) -> Response:
    """A request body that does not match its schema: 422 with per-field messages."""
    return problem(422, VALIDATION_DETAIL, errors=exc.messages)


def handle_unknown_sources(exc: UnknownSourcesError) -> Response:
    """A ``sources`` filter naming ids that the corpus does not hold."""
    return problem(422, VALIDATION_DETAIL, errors={"sources": unknown_source_messages(exc.ids)})


def unknown_source_messages(ids: Iterable[str]) -> list[str]:
    """The field message for each unknown source id (shared with the batch pre-check)."""
    return [f"unknown source id: {source_id}" for source_id in ids]


def handle_unexpected(exc: Exception) -> Response:
    """Anything else: log the traceback, tell the client nothing internal."""
    current_app.logger.error("Unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500, "The server hit an unexpected error; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; Flask picks the most specific class for each exception."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(UnknownSourcesError, handle_unknown_sources)
    app.register_error_handler(Exception, handle_unexpected)
