"""The single entry point the HTTP layer calls: claim in, CheckResult out."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from service.analysis import Frame, analyse
from service.clauses import split_clauses
from service.index import Allowed, PassageIndex
from service.knowledge import Speller, harvest_people, vocabulary
from service.lexicon import DATA_DIR, Lexicon, load_lexicon
from service.model import (
    CheckResult,
    ClaimAnalysis,
    Corpus,
    EntityMention,
    Evidence,
    Quantity,
    Stance,
)
from service.stance import judge
from service.verdict import Decision, Judged, combine, decide

# Claim texts whose analysis is kept (a few MB at most).
ANALYSED = 4096
# A claim of more clauses than this is a paragraph: it is judged whole, not clause by clause.
MAX_CLAUSES = 4
# Passages judged per claim: retrieval recall on paraphrases is reached well before this.
CANDIDATES = 30


class UnknownSourcesError(ValueError):
    """Raised when a ``sources`` filter names ids the corpus does not hold."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = tuple(ids)
        super().__init__("unknown source id(s): " + ", ".join(self.ids))


class FactChecker:
    """Checks claims against an analysed corpus. Read-only once built.

    :meth:`learn` analyses a corpus; ``service.prebuilt`` saves and loads what it learned.
    """

    def __init__(
        self, corpus: Corpus, *, lexicon: Lexicon, index: PassageIndex, speller: Speller
    ) -> None:
        self.corpus = corpus
        self.lexicon = lexicon
        self.index = index
        self.speller = speller
        self._analysed = lru_cache(maxsize=ANALYSED)(self._analyse)
        # Publication days as ordinals (-1: unknown), so as_of filters without a Python loop.
        self._published = np.array(
            [doc.published.toordinal() if doc.published else -1 for doc in corpus.documents],
            dtype=np.int64,
        )

    @classmethod
    def learn(cls, corpus: Corpus, *, data_dir: Path = DATA_DIR, workers: int = 1) -> FactChecker:
        """Learn the corpus's people and words, then analyse and index every passage
        (in ``workers`` processes)."""
        lexicon = load_lexicon(data_dir)
        texts = [doc.text for doc in corpus.documents]
        harvest_people(texts, lexicon, lexicon.titles)
        index = PassageIndex.build(corpus, lexicon, workers=workers)
        speller = Speller(vocabulary(texts) | lexicon.words)
        return cls(corpus, lexicon=lexicon, index=index, speller=speller)

    def _analyse(self, claim: str) -> Frame:
        return analyse(self.speller.correct(claim), self.lexicon)

    def analyse(self, claim: str) -> Frame:
        """The claim's frame, after correcting words the corpus and lexicon do not know.

        Frames are never changed after analysis, so one text is analysed once per process
        (a review scores a sentence and then checks it).
        """
        return self._analysed(claim)

    def check(
        self,
        claim: str,
        *,
        top_k: int = 5,
        sources: Iterable[str] | None = None,
        as_of: date | None = None,
    ) -> CheckResult:
        """Judge one claim.

        ``sources`` restricts the documents consulted; ``as_of`` keeps only documents
        published on or before that date (and those whose date is unknown, which the
        result's notes then name).
        """
        started = time.perf_counter()
        allowed = self._allowed(sources, as_of)
        frame = self.analyse(claim)
        decision = self._decide(frame, allowed)
        clauses = split_clauses(claim)
        if 1 < len(clauses) <= MAX_CLAUSES:
            # Several assertions: each clause is checked on its own when they agree; otherwise
            # the claim is judged whole.
            parts = [self._decide(self.analyse(claim[b:e]), allowed) for b, e in clauses]
            decision = combine(parts) or decision
        return CheckResult(
            claim=claim,
            verdict=decision.verdict,
            confidence=decision.confidence,
            explanation=decision.explanation,
            evidence=_evidence(decision, top_k),
            analysis=self._describe(frame),
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            notes=self._undated_notes(decision, as_of),
        )

    def _decide(self, frame: Frame, allowed: Allowed | None) -> Decision:
        hits = self.index.search(frame, limit=CANDIDATES, allowed=allowed)
        return decide(frame, [Judged(hit, judge(frame, hit.item, self.index)) for hit in hits])

    def _allowed(self, sources: Iterable[str] | None, as_of: date | None = None) -> Allowed | None:
        """The passages that may be consulted; None: all of them."""
        if sources is None and as_of is None:
            return None
        documents = np.ones(len(self.corpus.documents), dtype=bool)
        if sources is not None:
            wanted = frozenset(sources)
            unknown = sorted(wanted - self.corpus.by_id.keys())
            if unknown:
                raise UnknownSourcesError(unknown)
            documents[:] = False
            documents[[self.corpus.number[doc_id] for doc_id in wanted]] = True
        if as_of is not None:
            # Documents of unknown date (-1) are kept; the result's notes name them.
            documents &= self._published <= as_of.toordinal()
        return self.index.allow(documents)

    def _undated_notes(self, decision: Decision, as_of: date | None) -> tuple[str, ...]:
        if as_of is None:
            return ()
        undated = sorted(
            {
                j.hit.item.document.id
                for j in decision.judged
                if j.hit.item.document.published is None
            }
        )
        if not undated:
            return ()
        return (
            f"Kept for as_of {as_of.isoformat()} although their publication dates are unknown: "
            + ", ".join(undated),
        )

    def _describe(self, frame: Frame) -> ClaimAnalysis:
        speaker = next(iter(sorted(frame.speakers)), None)
        entity = self.lexicon.entity(speaker) if speaker else None
        when = frame.dates[0].ref if frame.dates else None
        return ClaimAnalysis(
            normalized=frame.text.lower(),
            quantities=tuple(_quantity(f) for f in frame.figures),
            entities=tuple(
                EntityMention(m.entity.id, m.entity.kind, m.text, m.entity.name)
                for m in frame.mentions
            ),
            negated=bool(frame.cues.get("negation") or frame.cues.get("denial")),
            speaker=entity.name if entity else None,
            date=when.as_date() if when else None,
        )


def _quantity(figure) -> Quantity:
    amount = figure.amount
    return Quantity(
        text=amount.text,
        value=amount.value,
        low=amount.low,
        high=amount.high,
        unit=amount.unit,
        qualifier=amount.qualifier,
        counted=figure.counted,
        owner=figure.owner,
    )


def _evidence(decision: Decision, top_k: int) -> tuple[Evidence, ...]:
    """Decisive passages first (best match first), then the neutral ones by retrieval score."""
    ranked = sorted(
        decision.judged,
        key=lambda j: (
            j.judgement.stance is Stance.NEUTRAL,
            not j.judgement.exact,
            -j.judgement.coverage,
            -j.hit.score,
        ),
    )
    return tuple(
        Evidence(
            passage=j.hit.item.passage,
            document=j.hit.item.document,
            stance=j.judgement.stance,
            score=round(j.hit.score, 3),
            reason=j.judgement.reason,
        )
        for j in ranked[:top_k]
    )
