"""BM25 retrieval over the keys of analysed passages, and their frames when retrieved."""

from __future__ import annotations

import math
import multiprocessing
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import bm25s
import numpy as np
from rapidfuzz import fuzz

from service.engine.analysis import Context, Frame, analyse
from service.engine.lexicon import Lexicon
from service.engine.model import Corpus
from service.engine.search import Allowed, Hit, IndexedPassage
from service.retrieval.kernel import top_k, top_k_in

# The BM25 short list re-ranked per search; no fewer than the engine asks for (its
# ``checker.CANDIDATES``). The corpus never needs more for one claim.
SHORT_LIST = 40
# Share of the re-ranking score given to BM25 (the rest is fuzzy overlap of the texts).
BM25_SHARE = 0.6
# Analysed passages kept (about 10 KB each); a corpus this small is analysed at start-up.
ITEMS_KEPT = 20_000
# Up to this many allowed documents a search reads their rows' postings alone; beyond it,
# every posting and a mask.
FEW_DOCUMENTS = 1_000


@dataclass(frozen=True, slots=True)
class PassageTables:
    """What lazy analysis needs of every passage, as arrays: saved with a prebuilt index.

    ``names`` are entity ids; the arrays hold positions in it (-1 for none). ``person`` and
    ``party`` are who "he" and "its" refer to when the passage starts (the analysis of the
    sentences before it), so one passage can be analysed alone exactly as in its document.
    ``entity_keys[entity_first[i]:entity_first[i + 1]]`` are the entities passage ``i`` refers
    to, from which the setting of a passage's neighbours and document is derived.
    """

    names: tuple[str, ...]
    person: np.ndarray
    party: np.ndarray
    entity_first: np.ndarray
    entity_keys: np.ndarray

    def entities(self, row: int) -> frozenset[str]:
        found = self.entity_keys[self.entity_first[row] : self.entity_first[row + 1]]
        return frozenset("E:" + self.names[i] for i in found.tolist())

    def context(self, row: int, published: date | None) -> Context:
        person, party = int(self.person[row]), int(self.party[row])
        return Context(
            person=self.names[person] if person >= 0 else None,
            party=self.names[party] if party >= 0 else None,
            published=published,
        )


class PassageIndex:
    """The passages of a corpus, weighted and indexed for retrieval, analysed when needed.

    Building the index analyses every passage once (for its keys); after that a passage's
    frame is made again only when retrieval returns it, and the most recent ones are kept.
    That is what lets a prebuilt index of millions of passages load in seconds.
    """

    def __init__(
        self,
        corpus: Corpus,
        lexicon: Lexicon,
        *,
        bm25: bm25s.BM25,
        idf: dict[str, float],
        tables: PassageTables,
        frames: dict[int, Frame] | None = None,
    ) -> None:
        """``frames``: passages already analysed (by :meth:`build`), by row."""
        self.corpus = corpus
        self.lexicon = lexicon
        self.bm25 = bm25
        self.idf = idf
        self.tables = tables
        self._unseen = math.log(1 + max(len(corpus.passages), 1))
        self._vocabulary: dict[str, int] = bm25.vocab_dict
        self._everything = np.ones(len(corpus.passages), dtype=np.float32)
        if self._vocabulary:  # load the compiled kernel now, not during the first claim
            top_k(bm25.scores, [0], 1, self._everything)
        self.item = lru_cache(maxsize=ITEMS_KEPT)(self._item)
        self._setting = lru_cache(maxsize=ITEMS_KEPT)(self._document_setting)
        self._lower = lru_cache(maxsize=ITEMS_KEPT)(self._lower_text)
        self._fresh = frames or {}
        if len(corpus.passages) <= ITEMS_KEPT:
            for row in range(len(corpus.passages)):  # a corpus that fits is analysed up front
                self.item(row)
        self._fresh = {}

    @classmethod
    def build(cls, corpus: Corpus, lexicon: Lexicon, *, workers: int = 1) -> PassageIndex:
        """Analyse every passage of ``corpus`` (in ``workers`` processes) and index its keys."""
        names: dict[str, int] = {}
        person: list[int] = []
        party: list[int] = []
        entity_first = [0]
        entity_keys: list[int] = []
        terms: list[list[str]] = []
        df: Counter[str] = Counter()
        # A corpus analysed up front keeps these frames rather than making them again.
        frames: dict[int, Frame] = {}
        keep = len(corpus.passages) <= ITEMS_KEPT
        for row, (who, whose, keys, frame) in enumerate(
            _analysed_passages(corpus, lexicon, workers)
        ):
            if keep and frame is not None:
                frames[row] = frame
            person.append(_name(names, who))
            party.append(_name(names, whose))
            df.update(keys)
            terms.append(list(keys))
            entity_keys.extend(_name(names, k[2:]) for k in keys if k.startswith("E:"))
            entity_first.append(len(entity_keys))
        n = max(len(terms), 1)
        bm25 = bm25s.BM25()
        bm25.index(terms, show_progress=False)
        tables = PassageTables(
            names=tuple(names),
            person=np.array(person, dtype=np.int32),
            party=np.array(party, dtype=np.int32),
            entity_first=np.array(entity_first, dtype=np.int64),
            entity_keys=np.array(entity_keys, dtype=np.int32),
        )
        idf = {k: math.log(1 + n / c) for k, c in df.items()}
        return cls(corpus, lexicon, bm25=bm25, idf=idf, tables=tables, frames=frames)

    def __len__(self) -> int:
        return len(self.corpus.passages)

    def _item(self, row: int) -> IndexedPassage:
        passages = self.corpus.passages
        number = int(passages.doc[row])
        document = self.corpus.documents[number]
        frame = self._fresh.get(row) or analyse(
            passages[row].text, self.lexicon, self.tables.context(row, document.published)
        )
        rows = passages.rows_of(number)
        previous = self.tables.entities(row - 1) if row > rows.start else frozenset()
        named, topic = self._setting(number)
        return IndexedPassage(
            passages[row], document, frame, passage_keys(frame, self.lexicon), previous,
            topic, row, named,
        )  # fmt: skip

    def _lower_text(self, row: int) -> str:
        return self.corpus.passages[row].text.lower()

    def _document_setting(self, number: int) -> tuple[frozenset[str], frozenset[str]]:
        """The entities a document names, and the places among them.

        The places a report is about stay its setting in every sentence ("the region").
        """
        rows = self.corpus.passages.rows_of(number)
        named = frozenset().union(*(self.tables.entities(row) for row in rows))
        places = frozenset(
            k for k in named if getattr(self.lexicon.entity(k[2:]), "kind", None) == "place"
        )
        return named, places

    def weight(self, key: str) -> float:
        """Inverse document frequency of a key; a key the corpus lacks weighs most."""
        return self.idf.get(key, self._unseen)

    def neighbours(
        self, item: IndexedPassage, *, naming: frozenset[str] | None = None
    ) -> list[IndexedPassage]:
        """The passages just before and after ``item`` in its document; with ``naming``, only
        those that refer to one of those entity ids (known without analysing them again)."""
        rows = self.corpus.passages.rows_of(self.corpus.number[item.document.id])
        around = [i for i in (item.position - 1, item.position + 1) if i in rows]
        if naming is not None:
            keys = {"E:" + e for e in naming}
            around = [i for i in around if keys & self.tables.entities(i)]
        return [self.item(i) for i in around]

    def search(self, frame: Frame, *, limit: int, allowed: Allowed | None = None) -> list[Hit]:
        """The passages most likely to bear on ``frame``, best first; ``allowed`` (from
        :meth:`allow`) keeps the search to some documents."""
        terms = _bm25_terms(frame.key_set | {"E:" + e for e in frame.entity_ids()})
        if not terms or not len(self):
            return []
        ids = [self._vocabulary[t] for t in terms if t in self._vocabulary]
        if allowed is None:
            rows, scores = top_k(self.bm25.scores, ids, SHORT_LIST, self._everything)
        elif allowed.mask is not None:
            rows, scores = top_k(self.bm25.scores, ids, SHORT_LIST, allowed.mask)
        else:
            rows, scores = top_k_in(self.bm25.scores, ids, SHORT_LIST, *allowed.ranges)
        found = list(zip(rows, scores, strict=True))
        if not found:
            return []
        top = found[0][1]
        # Re-rank the short list by fuzzy overlap of the texts; only the passages kept are
        # analysed (a passage not analysed recently costs about 0.2 ms).
        claim = frame.text.lower()
        scored = [
            (
                BM25_SHARE * score / top
                + (1 - BM25_SHARE) * fuzz.token_set_ratio(claim, self._lower(row)) / 100,
                row,
            )
            for row, score in found
        ]
        scored.sort(key=lambda pair: -pair[0])  # stable: ties keep the BM25 order
        return [Hit(self.item(row), score) for score, row in scored[:limit]]

    def allow(self, documents: np.ndarray) -> Allowed:
        """The passages of the documents marked True in ``documents`` (one flag each)."""
        chosen = np.flatnonzero(documents)
        if len(chosen) > FEW_DOCUMENTS:
            return Allowed(mask=documents[self.corpus.passages.doc].astype(np.float32))
        # A few sources (the usual filter): their passages are consecutive rows.
        bounds = self.corpus.passages.bounds
        return Allowed(starts=bounds[chosen], ends=bounds[chosen + 1])


def _bm25_terms(keys: frozenset[str] | set[str]) -> list[str]:
    return sorted(keys)


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


# What forked analysis processes read: set before the pool starts, inherited, never sent.
_SHARED: tuple[Corpus, Lexicon] | None = None
# Documents a worker analyses per task: large enough that sending results costs little.
DOCUMENTS_PER_TASK = 200

# Who "he" and "its" are at a passage's start, its keys, and its frame (None when it was
# made in another process: frames are not worth sending back).
PassageAnalysis = tuple[str | None, str | None, tuple[str, ...], Frame | None]


def _analysed_passages(corpus: Corpus, lexicon: Lexicon, workers: int) -> Iterator[PassageAnalysis]:
    """Every passage's analysis, in corpus order."""
    numbers = range(len(corpus.documents))
    if workers <= 1 or len(numbers) <= DOCUMENTS_PER_TASK:
        yield from _analyse_documents(corpus, lexicon, numbers)
        return
    global _SHARED
    _SHARED = (corpus, lexicon)
    tasks = [
        numbers[i : i + DOCUMENTS_PER_TASK] for i in range(0, len(numbers), DOCUMENTS_PER_TASK)
    ]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap(_analyse_task, tasks):
                yield from part
    finally:
        _SHARED = None


def _analyse_task(numbers: range) -> list[PassageAnalysis]:
    assert _SHARED is not None
    return [(*found[:3], None) for found in _analyse_documents(*_SHARED, numbers)]


def _analyse_documents(
    corpus: Corpus, lexicon: Lexicon, numbers: range
) -> Iterator[PassageAnalysis]:
    for number in numbers:
        context = Context(published=corpus.documents[number].published)
        for row in corpus.passages.rows_of(number):
            frame = analyse(corpus.passages[row].text, lexicon, context)
            keys = tuple(_bm25_terms(passage_keys(frame, lexicon)))
            yield context.person, context.party, keys, frame
            context = _next_context(context, frame)


def _name(names: dict[str, int], name: str | None) -> int:
    """Position of ``name`` in the table of names, added if new; -1 for none."""
    if name is None:
        return -1
    return names.setdefault(name, len(names))


def _next_context(context: Context, frame: Frame) -> Context:
    person, party = context.person, context.party
    for mention in frame.mentions:
        if mention.entity.kind == "person":
            person = mention.entity.id
        elif mention.entity.kind in ("country", "org"):
            party = mention.entity.id
    return Context(person=person, party=party, published=context.published)
