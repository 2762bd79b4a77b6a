"""Which corpus answered: its generation, named on every response.

A generation is the corpus as one load saw it: a short hash of its documents (ids,
metadata and texts) and how many there are. Every response carries it in
``X-Corpus-Generation`` (``<hash>; documents=<n>``), and ``/readyz`` and ``/v1/sources``
in their bodies, so a client can key a cache on it and an editor can see that a report
published ten minutes ago is in. Two loads of the same texts have the same hash, whichever
way they were loaded (the corpus folder or a prebuilt index).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app

from service.engine.model import Corpus

GENERATION_HEADER = "X-Corpus-Generation"
GENERATION_EXTENSION = "factcheck.generation"
# Hex digits of the hash shown: 48 bits, ample to tell the versions of one archive apart.
SHORT_HASH = 12


@dataclass(frozen=True, slots=True)
class Generation:
    """One loaded version of the corpus."""

    id: str
    documents: int
    passages: int
    loaded_at: float  # Unix time the load finished

    @property
    def header(self) -> str:
        return f"{self.id}; documents={self.documents}"


def generation_of(corpus: Corpus) -> Generation:
    """The generation of a loaded corpus: a hash of what its documents say, and their count."""
    digest = hashlib.sha256()
    for doc in corpus.documents:
        about = (doc.id, doc.title, doc.publisher, doc.published, doc.url, doc.language)
        digest.update(repr(about).encode("utf-8"))
        digest.update(hashlib.sha256(doc.text.encode("utf-8")).digest())
    return Generation(
        id=digest.hexdigest()[:SHORT_HASH],
        documents=len(corpus.documents),
        passages=len(corpus.passages),
        loaded_at=time.time(),
    )


def current_generation() -> Generation:
    """The generation the current app serves."""
    return current_app.extensions[GENERATION_EXTENSION]


def init_generation(app: Flask, generation: Generation) -> None:
    """Serve ``generation`` and name it on every response."""
    app.extensions[GENERATION_EXTENSION] = generation

    @app.after_request
    def name_generation(response: Response) -> Response:
        response.headers[GENERATION_HEADER] = current_generation().header
        return response
