"""Value types that cross module boundaries: documents, passages and check results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import overload

import numpy as np


@dataclass(frozen=True, slots=True)
class Document:
    """One source document of the reference corpus."""

    id: str
    text: str
    path: str
    title: str | None = None
    publisher: str | None = None
    published: date | None = None
    url: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence (or a headline) of a document; ``document.text[start:end] == text``."""

    id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str


class PassageTable(Sequence[Passage]):
    """Every passage of a corpus as three integer arrays, in document order.

    A large corpus holds millions of sentences: keeping them as offsets into the documents'
    text, and making a :class:`Passage` only when one is asked for, keeps memory to about
    12 bytes a passage.
    """

    def __init__(
        self,
        documents: tuple[Document, ...],
        doc: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
    ) -> None:
        self.documents = documents
        self.doc = doc
        self.start = start
        self.end = end
        # Where each document's passages begin: passage ``i`` of document ``d`` is row
        # ``first[d] + i``.
        self.bounds = np.searchsorted(doc, np.arange(len(documents) + 1)).astype(np.int64)
        self.first = self.bounds.tolist()  # the same as Python ints, for lookups one at a time

    @classmethod
    def from_spans(
        cls, documents: tuple[Document, ...], spans: Iterable[list[tuple[int, int]]]
    ) -> PassageTable:
        """A table from each document's ``(start, end)`` spans, one list per document."""
        doc: list[int] = []
        bounds: list[int] = []
        for number, doc_spans in enumerate(spans):
            doc.extend([number] * len(doc_spans))
            for span in doc_spans:
                bounds.extend(span)
        pairs = np.array(bounds, dtype=np.int64).reshape(-1, 2)
        return cls(documents, np.array(doc, dtype=np.int32), pairs[:, 0], pairs[:, 1])

    def __len__(self) -> int:
        return len(self.doc)

    @overload
    def __getitem__(self, row: int) -> Passage: ...
    @overload
    def __getitem__(self, row: slice) -> PassageSpan: ...
    def __getitem__(self, row: int | slice) -> Passage | PassageSpan:
        if isinstance(row, slice):
            return PassageSpan(self, range(len(self))[row])
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        number = int(self.doc[row])
        document = self.documents[number]
        start, end = int(self.start[row]), int(self.end[row])
        index = row - self.first[number]
        return Passage(f"{document.id}:{index}", document.id, index, start, end,
                       document.text[start:end])  # fmt: skip

    def rows_of(self, number: int) -> range:
        """The rows of document ``number``'s passages."""
        return range(self.first[number], self.first[number + 1])


class PassageSpan(Sequence[Passage]):
    """Consecutive rows of a :class:`PassageTable`, each made into a Passage when read."""

    def __init__(self, table: PassageTable, rows: range) -> None:
        self.table = table
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> PassageSpan: ...
    def __getitem__(self, i: int | slice) -> Passage | PassageSpan:
        if isinstance(i, slice):
            return PassageSpan(self.table, self.rows[i])
        return self.table[self.rows[i]]


@dataclass(frozen=True, slots=True)
class Corpus:
    """The loaded reference corpus: documents in id order, passages in document order."""

    documents: tuple[Document, ...]
    passages: PassageTable
    by_id: dict[str, Document] = field(default_factory=dict, compare=False, repr=False)
    number: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for number, doc in enumerate(self.documents):
            self.by_id[doc.id] = doc
            self.number[doc.id] = number

    def document(self, doc_id: str) -> Document | None:
        return self.by_id.get(doc_id)

    def unknown(self, ids: Iterable[str]) -> list[str]:
        """The ids of ``ids`` no document has, sorted: the one check of a ``sources`` filter
        (the checker, a review and a batch all ask here)."""
        return sorted(set(ids) - self.by_id.keys())

    def passages_of(self, doc_id: str) -> PassageSpan:
        """The document's passages, made when read (listing every source stays cheap)."""
        number = self.number.get(doc_id)
        rows = range(0) if number is None else self.passages.rows_of(number)
        return PassageSpan(self.passages, rows)


class Verdict(StrEnum):
    SUPPORTED = "supported"
    REFUTED = "refuted"
    CONFLICTING = "conflicting"
    NOT_ENOUGH_INFO = "not_enough_info"


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number the text asserts, as an interval so qualifiers ("more than", "about") compare."""

    text: str
    value: float
    low: float
    high: float
    unit: str | None = None
    qualifier: str | None = None
    counted: str | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A mention of a known entity, resolved to its canonical id (``ARM``, ``person:pashinyan``)."""

    id: str
    kind: str
    text: str
    name: str


@dataclass(frozen=True, slots=True)
class ClaimAnalysis:
    """What the checker understood of a claim."""

    normalized: str
    quantities: tuple[Quantity, ...] = ()
    entities: tuple[EntityMention, ...] = ()
    negated: bool = False
    speaker: str | None = None
    date: date | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One passage judged against the claim."""

    passage: Passage
    document: Document
    stance: Stance
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer to one claim."""

    claim: str
    verdict: Verdict
    confidence: float
    explanation: str
    evidence: tuple[Evidence, ...]
    analysis: ClaimAnalysis
    took_ms: float = 0.0
    notes: tuple[str, ...] = ()
