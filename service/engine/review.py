"""Review a whole draft: find its check-worthy sentences and check each of them.

Pure domain code (no Flask). The text is split into sentences with exact offsets
(``service.engine.segment``), every sentence gets a check-worthiness score in [0, 1], and every
sentence that reaches ``CHECK_WORTHY`` is checked. A check-worthy sentence that makes
several assertions is also split into clauses (``service.engine.clauses``); its check-worthy
clauses are checked on their own, each with offsets into the submitted text.

Check-worthiness is a weighted sum of what makes a statement verifiable, read from the
checker's analysis of the sentence (``FactChecker.analyse``):

=====================  =======  ============================================================
signal                 weight   when
=====================  =======  ============================================================
``figure``             0.35     a number that is not a date ("300 soldiers", "five miles")
``counted``            +0.10    the figure says what it counts or what happened to it
``entity``             0.20     a known country, place, organisation or person; +0.10 for a
                                second one; an unknown proper name counts 0.10
``attribution``        0.20     a statement attributed to a named speaker ("Armenia said");
                                0.10 for a speech verb without a known speaker
``date``               0.25     a date or weekday
``event``              0.10     an event word of the lexicon (killed, signed, advanced, ...)
=====================  =======  ============================================================

The sum (at most 1) is then lowered by what makes a sentence not a checkable claim:

* ``question`` (ends with "?") × 0.1, ``exclamation`` × 0.6;
* ``opinion`` × 0.4: first-person words or opinion words ("I think", "should",
  "disgraceful") outside quotation marks, unless the sentence is attributed to a speaker
  (what someone said can be checked even when it is an opinion);
* ``short`` (under four words) × 0.5;
* ``boilerplate`` (score 0): link teasers ("Also read", "Subscribe"), credits and
  copyright lines, URLs and e-mail addresses; fewer than ``MIN_WORDS`` words also scores 0.

A sentence is checked when its score is at least ``CHECK_WORTHY``; a sentence longer than
``CLAIM_MAX_CHARS`` (the longest claim ``POST /v1/check`` accepts) is scored but not checked
(signal ``too_long``). Within one review each distinct sentence or clause text is analysed
and checked once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from service.engine.analysis import Frame
from service.engine.budget import Budget, Truncated
from service.engine.checker import FactChecker, UnknownSourcesError
from service.engine.clauses import split_clauses
from service.engine.limits import CLAIM_MAX_CHARS, DEFAULT_REVIEW_TOP_K
from service.engine.model import CheckResult, Verdict
from service.engine.segment import split_passages

CHECK_WORTHY = 0.3
MIN_WORDS = 3
SHORT_WORDS = 4

W_FIGURE = 0.35
W_COUNTED = 0.10
W_ENTITY = 0.20
W_SECOND_ENTITY = 0.10
W_PROPER_NAME = 0.10
W_ATTRIBUTION = 0.20
W_SPEECH = 0.10
W_DATE = 0.25
W_EVENT = 0.10

PENALTIES: dict[str, float] = {
    "question": 0.1,
    "opinion": 0.4,
    "exclamation": 0.6,
    "short": 0.5,
}

# Words that mark an opinion or a personal view rather than a reported fact (lowercase).
OPINION_WORDS: frozenset[str] = frozenset(
    {
        "think", "believe", "feel", "opinion", "view", "should", "shouldn't", "must",
        "ought", "arguably", "clearly", "obviously", "surely", "undoubtedly", "hopefully",
        "unfortunately", "fortunately", "sadly", "shameful", "disgrace", "disgraceful",
        "outrageous", "ridiculous", "absurd", "terrible", "awful", "wonderful", "amazing",
        "beautiful", "brilliant", "stupid", "pathetic", "deserve", "deserves", "hope",
    }
)  # fmt: skip
FIRST_PERSON: frozenset[str] = frozenset({"me", "my", "mine", "we", "our", "ours"})

_BOILERPLATE = re.compile(
    r"""^\W*(?:also\ read|read\ (?:more|also|next)|related(?:\ articles?)?\s*[:|]|see\ also
    |subscribe|sign\ up|click\ here|follow\ us|share\ (?:this|on)|advertisement|sponsored
    |(?:watch|listen|photo|image|video|credit|source)\s*[:|]|more\ stories
    |(?:with\ )?(?:additional\ )?(?:reporting|writing|editing|inputs)\ (?:by|from)
    |copyright|terms\ of\ (?:use|service)|privacy\ policy|cookies?\b
    |download\ (?:the|our)\ app|(?:updated|published)\s*[:|])
    |https?://|www\.|\S+@\S+\.\w|\b[\w-]+\.(?:com|org|net)\W*$|©|\(c\)\s*\d{4}
    |all\ rights\ reserved|^\s*\((?:updates|adds|corrects|recasts)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CLOSERS = "\"'”’)]}»› \t"


@dataclass(frozen=True, slots=True)
class Worthiness:
    """How check-worthy a text is, and the signals that made the score (see module doc)."""

    score: float
    signals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence (or a clause of one) of the reviewed text: ``text[start:end] == self.text``.

    ``result`` is its check result, or ``None`` when it was not checked. ``clauses`` holds the
    clauses of a checked sentence that makes several assertions (empty otherwise).
    """

    text: str
    start: int
    end: int
    check_worthiness: float
    signals: tuple[str, ...]
    result: CheckResult | None = None
    clauses: tuple[Segment, ...] = ()

    @property
    def checked(self) -> bool:
        return self.result is not None


@dataclass(frozen=True, slots=True)
class Review:
    """The sentences of a text in text order, and how many checked sentences got each verdict."""

    sentences: tuple[Segment, ...]
    counts: dict[str, int]
    took_ms: float = 0.0
    # Set when a work budget stopped the review early: the sentences cover text[:resume_at].
    truncated: Truncated | None = None

    @property
    def checked(self) -> int:
        return sum(s.checked for s in self.sentences)


def check_worthiness(frame: Frame, text: str, events: frozenset[str] = frozenset()) -> Worthiness:
    """Score one sentence or clause from its analysis ``frame`` (see the module docstring).

    ``events`` are the lexicon's event concepts (``Lexicon.events``).
    """
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return Worthiness(0.0, ("short",))
    if _BOILERPLATE.search(text):
        return Worthiness(0.0, ("boilerplate",))
    score, signals = 0.0, []
    if frame.figures:
        score += W_FIGURE
        signals.append("figure")
        if any(f.counted or f.event for f in frame.figures):
            score += W_COUNTED
            signals.append("counted")
    entity = _entity_weight(frame)
    if entity:
        score += entity
        signals.append("entity")
    attributed = bool(frame.speakers)
    if attributed:
        score += W_ATTRIBUTION
        signals.append("attribution")
    elif any(k == "C:say" for k in frame.keys):
        score += W_SPEECH
        signals.append("attribution")
    if frame.dates:
        score += W_DATE
        signals.append("date")
    if any(k and k.startswith("C:") and k[2:] in events for k in frame.keys):
        score += W_EVENT
        signals.append("event")
    score = min(score, 1.0)
    for name in _penalties(text, words, attributed):
        score *= PENALTIES[name]
        signals.append(name)
    return Worthiness(round(score, 3), tuple(signals))


def _entity_weight(frame: Frame) -> float:
    known = {m.entity.id for m in frame.mentions}
    if known:
        return W_ENTITY + (W_SECOND_ENTITY if len(known) > 1 else 0.0)
    # Capitalised words after the first one that the lexicon does not know and that are not
    # part of a date ("September", "Friday"): a proper name.
    in_dates = {i for d in frame.dates for i in range(d.start, d.end)}
    named = any(
        t.raw[:1].isupper() and not t.raw.isupper() and t.raw.lower() not in FIRST_PERSON
        for i, t in enumerate(frame.tokens)
        if i > 0 and i not in in_dates
    )
    return W_PROPER_NAME if named else 0.0


def _penalties(text: str, words: list[str], attributed: bool) -> list[str]:
    found = []
    tail = text.rstrip(_CLOSERS)
    if tail.endswith("?"):
        found.append("question")
    elif tail.endswith("!"):
        found.append("exclamation")
    if not attributed:
        unquoted = _WORD.findall(_QUOTED.sub(" ", text))
        # "I" only as written: "i" is no word, and "US" (the country) is not "us".
        if any(
            w == "I" or w.lower() in FIRST_PERSON or w.lower() in OPINION_WORDS for w in unquoted
        ):
            found.append("opinion")
    if len(words) < SHORT_WORDS:
        found.append("short")
    return found


class Reviewer:
    """Reviews texts with one checker; one instance per request keeps its caches small."""

    def __init__(
        self,
        checker: FactChecker,
        *,
        top_k: int = DEFAULT_REVIEW_TOP_K,
        sources: Iterable[str] | None = None,
        as_of: date | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.checker = checker
        self.sources = None if sources is None else tuple(sources)
        self.top_k = top_k
        self.as_of = as_of
        self.budget = budget
        self._scores: dict[str, Worthiness] = {}
        self._results: dict[str, CheckResult] = {}

    def review(self, text: str) -> Review:
        """Every sentence of ``text`` in order; check-worthy ones checked (see module doc)."""
        started = time.perf_counter()
        if self.sources is not None:
            unknown = self.checker.corpus.unknown(self.sources)
            if unknown:
                raise UnknownSourcesError(unknown)
        spans = list(split_passages(text))
        done: list[Segment] = []
        truncated = None
        for start, end in spans:
            # The budget is checked between sentences, never within one.
            reason = self.budget.exhausted() if self.budget is not None else None
            if reason:
                truncated = Truncated(reason, len(spans) - len(done), start)
                break
            done.append(self._sentence(text, start, end))
        sentences = tuple(done)
        counts = {verdict.value: 0 for verdict in Verdict}
        for sentence in sentences:
            if sentence.result is not None:
                counts[sentence.result.verdict.value] += 1
        took = round((time.perf_counter() - started) * 1000, 3)
        return Review(sentences, counts, took, truncated)

    def score(self, text: str) -> Worthiness:
        """The check-worthiness of ``text``, computed once per distinct text."""
        found = self._scores.get(text)
        if found is None:
            found = check_worthiness(self.checker.analyse(text), text, self.checker.lexicon.events)
            self._scores[text] = found
        return found

    def check(self, text: str) -> CheckResult:
        """The check result of ``text``, computed once per distinct text."""
        found = self._results.get(text)
        if found is None:
            if self.budget is not None:
                self.budget.spend()
            found = self.checker.check(
                text, top_k=self.top_k, sources=self.sources, as_of=self.as_of
            )
            self._results[text] = found
        return found

    def _sentence(self, text: str, start: int, end: int) -> Segment:
        sentence = self._segment(text, start, end)
        if sentence.result is None:
            return sentence
        spans = split_clauses(sentence.text)
        if len(spans) < 2:
            return sentence
        clauses = tuple(self._segment(text, start + b, start + e) for b, e in spans)
        return Segment(
            sentence.text,
            start,
            end,
            sentence.check_worthiness,
            sentence.signals,
            sentence.result,
            tuple(c for c in clauses if c.text),
        )

    def _segment(self, text: str, start: int, end: int) -> Segment:
        # Trim the span to its non-blank part so the offsets frame exactly the text.
        part = text[start:end]
        start += len(part) - len(part.lstrip())
        end -= len(part) - len(part.rstrip())
        part = text[start:end]
        # A sentence too long to check is scored on its opening only: analysis time grows
        # with length, and a pasted block with no full stop must not stall the review.
        worth = self.score(part[:CLAIM_MAX_CHARS])
        if worth.score < CHECK_WORTHY:
            return Segment(part, start, end, worth.score, worth.signals)
        if len(part) > CLAIM_MAX_CHARS:
            return Segment(part, start, end, worth.score, (*worth.signals, "too_long"))
        return Segment(part, start, end, worth.score, worth.signals, self.check(part))
