"""Content negotiation for the check and review answers (the HTTP side of the renderers).

``POST /v1/check`` and ``POST /v1/review`` answer in one of three formats:

==================  ======================  ============================================
``?format=``        ``Accept``              answer
==================  ======================  ============================================
``json`` (default)  ``application/json``    the check result / review as JSON
``claimreview``     ``application/ld+json`` schema.org ``ClaimReview`` JSON-LD
``text``            ``text/plain``          compact lines for a terminal (UTF-8)
==================  ======================  ============================================

``?format=`` wins over ``Accept``; an unknown ``format`` value is a 422 naming the field.
No ``Accept`` header (or ``*/*``) gives JSON; on equal preference JSON comes first, then
JSON-LD, then text. An ``Accept`` that none of the three satisfies gets a 406 problem,
before the body is read. Errors are always ``application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, current_app, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import NotAcceptable

from service.web.claimreview import Author

JSON = "application/json"
JSONLD = "application/ld+json"
TEXT = "text/plain"
FORMATS: dict[str, str] = {"json": JSON, "claimreview": JSONLD, "text": TEXT}
OFFERED = (JSON, JSONLD, TEXT)


def negotiate() -> str:
    """The media type to answer the current request with (422/406 when there is none)."""
    name = request.args.get("format")
    if name is not None:
        if name not in FORMATS:
            names = ", ".join(FORMATS)
            raise ValidationError({"format": [f"Must be one of: {names}."]})
        return FORMATS[name]
    accept = request.accept_mimetypes
    if not accept:
        return JSON
    best = accept.best_match(OFFERED)
    if best is None:
        raise NotAcceptable(
            f"This resource can answer {', '.join(OFFERED)}; the Accept header allows none "
            "of them (or use ?format=json, claimreview or text)."
        )
    return best


def json_only() -> None:
    """Refuse a ``format`` or ``Accept`` asking for anything but JSON (a batch answers JSON).

    ``?format=`` other than ``json`` is a 422 naming the field; an ``Accept`` that does not
    allow ``application/json`` is a 406, before the body is read.
    """
    name = request.args.get("format")
    if name is not None and name != "json":
        raise ValidationError({"format": ["This resource answers JSON only: json."]})
    accept = request.accept_mimetypes
    if name is None and accept and accept.best_match((JSON,)) is None:
        raise NotAcceptable(
            f"This resource answers {JSON} only; the Accept header does not allow it."
        )


def respond(
    media: str,
    *,
    json: Callable[[], Any],
    claimreview: Callable[[Author, date], Any],
    text: Callable[[], str],
) -> Response:
    """Build the answer in ``media`` from the renderer of that format (only it is called)."""
    if media == JSONLD:
        settings = current_app.config["FACTCHECK"]
        author = Author(settings.author_name, settings.author_url)
        response = jsonify(claimreview(author, datetime.now(UTC).date()))
        response.mimetype = JSONLD
    elif media == TEXT:
        response = current_app.response_class(text(), mimetype=TEXT)
    else:
        response = jsonify(json())
    response.vary.add("Accept")
    return response
