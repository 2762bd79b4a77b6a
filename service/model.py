"""Value types that cross module boundaries: documents, passages and check results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


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


@dataclass(frozen=True, slots=True)
class Corpus:
    """The loaded reference corpus: documents in id order, passages in document order."""

    documents: tuple[Document, ...]
    passages: tuple[Passage, ...]
    by_id: dict[str, Document] = field(default_factory=dict, compare=False, repr=False)
    # Passages by document, built once: a scan per document would be quadratic at start-up.
    _by_doc: dict[str, tuple[Passage, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Passage]] = {}
        for passage in self.passages:
            grouped.setdefault(passage.doc_id, []).append(passage)
        for doc in self.documents:
            self.by_id[doc.id] = doc
            self._by_doc[doc.id] = tuple(grouped.get(doc.id, ()))

    def document(self, doc_id: str) -> Document | None:
        return self.by_id.get(doc_id)

    def passages_of(self, doc_id: str) -> tuple[Passage, ...]:
        return self._by_doc.get(doc_id, ())


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
