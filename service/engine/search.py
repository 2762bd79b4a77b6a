"""The retrieval seam: what the engine asks of a passage index, and the values it gets back.

The engine never imports an index. :class:`PassageSearch` is the protocol it depends on; the
BM25 index (``service.retrieval.index.PassageIndex``) is one implementation, and another
backend (a search server for a corpus that outgrows one machine) is one more module that
implements it and a :class:`BuildSearch` to make it from a corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from service.engine.analysis import Frame
from service.engine.lexicon import Lexicon
from service.engine.model import Corpus, Document, Passage


@dataclass(frozen=True, slots=True)
class IndexedPassage:
    """A passage with its frame and the entities its neighbours name."""

    passage: Passage
    document: Document
    frame: Frame
    keys: frozenset[str]
    context_keys: frozenset[str]
    topic_keys: frozenset[str]
    position: int
    document_keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage and its retrieval score in [0, 1]."""

    item: IndexedPassage
    score: float


@dataclass(frozen=True, slots=True)
class Allowed:
    """The passages a search may return: a few ranges of rows, or a mask over every row."""

    starts: np.ndarray | None = None
    ends: np.ndarray | None = None
    mask: np.ndarray | None = None

    @property
    def ranges(self) -> tuple[np.ndarray, np.ndarray]:
        assert self.starts is not None and self.ends is not None
        return self.starts, self.ends


class PassageSearch(Protocol):
    """Search the passages of a corpus for a claim's frame, and read what judging needs."""

    def search(self, frame: Frame, *, limit: int, allowed: Allowed | None = None) -> list[Hit]:
        """The passages most likely to bear on ``frame``, best first, at most ``limit``."""
        ...

    def allow(self, documents: np.ndarray) -> Allowed:
        """The passages of the documents marked True in ``documents`` (one flag each)."""
        ...

    def item(self, row: int) -> IndexedPassage:
        """The passage at ``row`` of the corpus's passage table, analysed."""
        ...

    def weight(self, key: str) -> float:
        """How much a key tells (its inverse document frequency)."""
        ...

    def neighbours(
        self, item: IndexedPassage, *, naming: frozenset[str] | None = None
    ) -> list[IndexedPassage]:
        """The passages beside ``item`` in its document (``naming``: only those naming one of
        these entity ids)."""
        ...


class BuildSearch(Protocol):
    """Makes a :class:`PassageSearch` over a corpus (``FactChecker.learn`` calls it)."""

    def __call__(self, corpus: Corpus, lexicon: Lexicon, *, workers: int = 1) -> PassageSearch: ...
