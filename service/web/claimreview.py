"""Map check results to schema.org ``ClaimReview`` JSON-LD (pure, no Flask).

The mapping (also documented in docs/API.md, "ClaimReview mapping"):

* ``claimReviewed`` — the claim as checked; ``itemReviewed`` — a ``Claim`` with the same
  text and, when the claim names one, its speaker as ``author`` (``Person`` or
  ``Organization``).
* ``reviewRating`` — a ``Rating`` on a 1–5 scale (``worstRating`` 1, ``bestRating`` 5):
  ``refuted`` 1, ``conflicting`` 3, ``supported`` 5. ``not_enough_info`` is no point on a
  truth scale, so it has no ``ratingValue``: only its ``alternateName``. ``alternateName``
  is the verdict in words (``RATINGS``), ``ratingExplanation`` the check's explanation.
* ``reviewBody`` — the explanation, followed by the result's notes (e.g. sources kept for
  ``as_of`` although their dates are unknown).
* ``author`` — the service, an ``Organization`` with the configured name and URL.
* ``datePublished`` — the day the review was made (UTC).
* ``citation`` — one ``CreativeWork`` per evidence passage, in the check result's order:
  ``text`` is the passage, ``identifier`` its passage id, ``description`` its stance and
  reason, ``isPartOf`` the source document (``identifier``, ``name``, ``url``,
  ``datePublished``, ``publisher``; unknown fields are left out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from service.engine.model import CheckResult, Document, Evidence, Verdict

CONTEXT = "https://schema.org"
BEST_RATING = 5
WORST_RATING = 1

# Verdict -> (ratingValue or None, alternateName).
RATINGS: dict[Verdict, tuple[int | None, str]] = {
    Verdict.REFUTED: (1, "Refuted"),
    Verdict.CONFLICTING: (3, "Conflicting"),
    Verdict.SUPPORTED: (5, "Supported"),
    Verdict.NOT_ENOUGH_INFO: (None, "Not enough information"),
}


@dataclass(frozen=True, slots=True)
class Author:
    """Who publishes the reviews: the service (``FACTCHECK_AUTHOR_NAME``/``_URL``)."""

    name: str
    url: str | None = None

    def as_jsonld(self) -> dict[str, Any]:
        return _compact({"@type": "Organization", "name": self.name, "url": self.url})


def claim_review(
    result: CheckResult, author: Author, published: date, *, context: bool = True
) -> dict[str, Any]:
    """One ``ClaimReview`` object; ``context=False`` leaves ``@context`` out (inside a graph)."""
    value, words = RATINGS[result.verdict]
    rating = _compact(
        {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": words,
            "ratingExplanation": result.explanation,
        }
    )
    review: dict[str, Any] = {"@context": CONTEXT} if context else {}
    review.update(
        {
            "@type": "ClaimReview",
            "claimReviewed": result.claim,
            "itemReviewed": _claim(result),
            "reviewRating": rating,
            "reviewBody": " ".join((result.explanation, *result.notes)),
            "author": author.as_jsonld(),
            "datePublished": published.isoformat(),
            "citation": [_citation(e) for e in result.evidence],
        }
    )
    return review


def claim_review_graph(
    results: Iterable[CheckResult], author: Author, published: date
) -> dict[str, Any]:
    """Several reviews as one JSON-LD document: ``{"@context", "@graph": [ClaimReview, ...]}``."""
    return {
        "@context": CONTEXT,
        "@graph": [claim_review(r, author, published, context=False) for r in results],
    }


def _claim(result: CheckResult) -> dict[str, Any]:
    claim: dict[str, Any] = {"@type": "Claim", "text": result.claim}
    speaker = result.analysis.speaker
    if speaker:
        kinds = {m.name: m.kind for m in result.analysis.entities}
        kind = "Person" if kinds.get(speaker) == "person" else "Organization"
        claim["author"] = {"@type": kind, "name": speaker}
    return claim


def _citation(evidence: Evidence) -> dict[str, Any]:
    return {
        "@type": "CreativeWork",
        "text": evidence.passage.text,
        "identifier": evidence.passage.id,
        "description": f"{evidence.stance.value}: {evidence.reason}",
        "isPartOf": _source(evidence.document),
    }


def _source(document: Document) -> dict[str, Any]:
    publisher = {"@type": "Organization", "name": document.publisher}
    return _compact(
        {
            "@type": "CreativeWork",
            "identifier": document.id,
            "name": document.title,
            "url": document.url,
            "datePublished": document.published.isoformat() if document.published else None,
            "publisher": publisher if document.publisher else None,
        }
    )


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Leave out unknown (None) properties: JSON-LD has no null values worth sending."""
    return {key: value for key, value in obj.items() if value is not None}
