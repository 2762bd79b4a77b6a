"""Passages analysed once at start-up, and BM25 retrieval over their keys."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import bm25s
import numpy as np
from rapidfuzz import fuzz

from service.analysis import Context, Frame, analyse
from service.lexicon import Lexicon
from service.model import Corpus, Document, Passage

# Candidates taken from BM25 before re-ranking; the corpus never needs more for one claim.
CANDIDATES = 40
# Share of the re-ranking score given to BM25 (the rest is fuzzy overlap of the texts).
BM25_SHARE = 0.6


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

    @property
    def lower(self) -> str:
        return self.frame.derived("lower", self.passage.text.lower)


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage and its retrieval score in [0, 1]."""

    item: IndexedPassage
    score: float


class PassageIndex:
    """All passages of a corpus, analysed, weighted and indexed for retrieval."""

    def __init__(self, corpus: Corpus, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.items: tuple[IndexedPassage, ...] = tuple(_analyse_corpus(corpus, lexicon))
        df = Counter(k for item in self.items for k in item.keys)
        n = max(len(self.items), 1)
        self._idf = {k: math.log(1 + n / c) for k, c in df.items()}
        self._unseen = math.log(1 + n)
        self._doc_ids = np.array([item.document.id for item in self.items])
        self._bm25 = bm25s.BM25()
        self._bm25.index([_bm25_terms(item.keys) for item in self.items], show_progress=False)

    def weight(self, key: str) -> float:
        """Inverse document frequency of a key; a key the corpus lacks weighs most."""
        return self._idf.get(key, self._unseen)

    def neighbours(self, item: IndexedPassage) -> list[IndexedPassage]:
        """The passages just before and after ``item`` in its document."""
        around = (
            self.items[i]
            for i in (item.position - 1, item.position + 1)
            if 0 <= i < len(self.items)
        )
        return [other for other in around if other.document.id == item.document.id]

    def search(
        self, frame: Frame, *, limit: int, sources: frozenset[str] | None = None
    ) -> list[Hit]:
        """The passages most likely to bear on ``frame``, best first."""
        terms = _bm25_terms(frame.key_set | {"E:" + e for e in frame.entity_ids()})
        if not terms or not self.items:
            return []
        mask = None if sources is None else np.isin(self._doc_ids, list(sources)).astype(float)
        k = min(CANDIDATES, len(self.items))
        docs, scores = self._bm25.retrieve(
            [terms], k=k, show_progress=False, weight_mask=mask, n_threads=0
        )
        # Plain Python numbers: numpy scalars are slow to convert one by one.
        pairs = zip(docs[0].tolist(), scores[0].tolist(), strict=True)
        found = [(self.items[i], s) for i, s in pairs if s > 0]
        if not found:
            return []
        top = found[0][1]
        # Re-rank the short list by fuzzy overlap of the texts (one vectorised call).
        claim = frame.text.lower()
        fuzzy = [fuzz.token_set_ratio(claim, item.lower) for item, _ in found]
        hits = [
            Hit(item, BM25_SHARE * score / top + (1 - BM25_SHARE) * float(ratio) / 100)
            for (item, score), ratio in zip(found, fuzzy, strict=True)
        ]
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]


def _bm25_terms(keys: frozenset[str] | set[str]) -> list[str]:
    return sorted(keys)


def _analyse_corpus(corpus: Corpus, lexicon: Lexicon) -> list[IndexedPassage]:
    items: list[IndexedPassage] = []
    for document in corpus.documents:
        context = Context(published=document.published)
        analysed = []
        for passage in corpus.passages_of(document.id):
            frame = analyse(passage.text, lexicon, context)
            analysed.append((passage, frame, passage_keys(frame, lexicon)))
            context = _next_context(context, frame)
        # The places a report is about stay its setting in every sentence ("the region").
        topic = frozenset(
            k for _, _, keys in analysed for k in keys
            if k.startswith("E:") and getattr(lexicon.entity(k[2:]), "kind", None) == "place"
        )  # fmt: skip
        named = frozenset(k for _, _, keys in analysed for k in keys if k.startswith("E:"))
        previous: frozenset[str] = frozenset()
        for passage, frame, keys in analysed:
            items.append(
                IndexedPassage(passage, document, frame, keys, previous, topic, len(items), named)
            )
            previous = frozenset(k for k in keys if k.startswith("E:"))
    return items


def passage_keys(frame: Frame, lexicon: Lexicon) -> frozenset[str]:
    """The frame's keys plus the entities it refers to and the countries of its people."""
    keys = set(frame.key_set)
    # What a passage says entails more general concepts: a meeting is also talks.
    for key in frame.key_set:
        keys.update("C:" + c for c in lexicon.implies.get(key[2:], ()) if key.startswith("C:"))
    if any(f.amount.dim == "time" for f in frame.figures):
        keys.add("C:duration")  # "a 44-day war" says how long it lasted
    for entity_id in frame.entity_ids():
        keys.add("E:" + entity_id)
        entity = lexicon.entity(entity_id)
        if entity is not None and entity.country:
            keys.add("E:" + entity.country)
    return frozenset(keys)


def _next_context(context: Context, frame: Frame) -> Context:
    person, party = context.person, context.party
    for mention in frame.mentions:
        if mention.entity.kind == "person":
            person = mention.entity.id
        elif mention.entity.kind in ("country", "org"):
            party = mention.entity.id
    return Context(person=person, party=party, published=context.published)
