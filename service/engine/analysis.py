"""Turn a claim or a passage into a frame: keys, entities, figures, dates, cues and speakers.

Claims and passages go through the same analyser, so whatever one side can express the
other can match. Passages are analysed once, at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from service.engine.dates import DateRef, find_dates, resolve
from service.engine.lexicon import Entity, Lexicon
from service.engine.numbers import Amount, find_amounts
from service.engine.text import Token, fold, tokenize

T = TypeVar("T")

# Concepts that name what is counted rather than what happened.
COUNTABLE = frozenset({"military", "civilian", "people", "peacekeeper"})
# Words that open a new clause: a figure or a negation is read within its clause.
_CLAUSE_WORDS = frozenset({"with", "while", "whereas", "but", "although", "though", "however"})
_CLAUSE_MARKS = frozenset(',;:()"[]')
_POSSESSIVES = frozenset({"its", "their", "it", "they"})
_PERSONAL = frozenset({"he", "she", "his", "her", "him"})
_BOTH = (("both", "side"), ("either", "side"), ("both", "countri"), ("two", "side"))
SPEECH = "say"
# How far from a figure its noun, owner and event are looked for, in tokens.
_REACH = 12
# A date after these words is a point of reference, not when the reported thing happened.
_REFERENCE_WORDS = frozenset({"since", "until", "till"})
_SPEECH_WORDS = frozenset({"said", "says", "told", "tells", "according"})
# Speech verbs that may come before their speaker ("said Pashinyan").
_INVERTED = frozenset({"said", "says", "according", "tweeted", "wrote", "added"})


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity named in the text, at tokens [start, end)."""

    entity: Entity
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure with what it counts, whose it is and what happened to it."""

    amount: Amount
    counted: str | None
    owner: str | None
    event: str | None
    clause: int
    counted_text: str = ""
    event_text: str = ""

    def words(self) -> str:
        """The figure and, for a count, what it counts ("135 soldiers", "7.5 kilometers")."""
        counted = self.counted_text if self.amount.dim == "count" else ""
        return " ".join(w for w in (self.amount.text, counted) if w)

    def describe(self, lexicon: Lexicon) -> str:
        """ "135 troops of Armenia, killed": the figure in the words of its text."""
        owner = lexicon.entity(self.owner) if self.owner and self.owner != "BOTH" else None
        text = self.words()
        if owner is not None:
            text += f" of {owner.name}"
        elif self.owner == "BOTH":
            text += " on both sides"
        return f"{text}, {self.event_text}" if self.event_text else text


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date in the text, resolved against the document date where possible."""

    ref: DateRef
    start: int
    end: int
    clause: int
    reference: bool = False  # "since September 13", "since a 2020 war": a point of reference


@dataclass(slots=True)
class Frame:
    """Everything the comparison step needs to know about one text."""

    text: str
    tokens: list[Token]
    keys: list[str | None]
    clause_of: list[int]
    mentions: list[Mention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    cues: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    speakers: frozenset[str] = frozenset()
    attribution: frozenset[int] = frozenset()
    background: frozenset[int] = frozenset()
    present_speech: bool = False  # "Armenia says ...": the speaker's current position
    resolved: dict[int, str] = field(default_factory=dict)
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def derived(self, name: str, compute: Callable[[], T]) -> T:
        """A value computed from the frame once (frames are not changed after analysis)."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]  # type: ignore[return-value]

    @property
    def key_set(self) -> frozenset[str]:
        return self.derived("key_set", lambda: frozenset(k for k in self.keys if k))

    def clause_keys(self, clause: int) -> frozenset[str]:
        return frozenset(
            k for k, c in zip(self.keys, self.clause_of, strict=True) if k and c == clause
        )

    def when(self) -> list[DateMention]:
        """The dates of what the text reports, without points of reference ("since ...")."""
        return [d for d in self.dates if not d.reference]

    def entity_ids(self) -> frozenset[str]:
        return self.derived(
            "entity_ids",
            lambda: (
                frozenset(m.entity.id for m in self.mentions) | frozenset(self.resolved.values())
            ),
        )


@dataclass(frozen=True, slots=True)
class Context:
    """What earlier sentences of the same document tell a passage: who "he" and "its" are."""

    person: str | None = None
    party: str | None = None
    published: date | None = None


def analyse(text: str, lexicon: Lexicon, context: Context = Context()) -> Frame:
    """Analyse one text (a claim or a passage) into a Frame."""
    folded = fold(text)
    tokens = tokenize(folded)
    frame = Frame(folded, tokens, [None] * len(tokens), _clauses(folded, tokens))
    _mark_entities(frame, lexicon)
    _mark_concepts(frame, lexicon)
    frame.cues = {
        name: [(i, j) for i, j, _ in table.scan(tokens)] for name, table in lexicon.cues.items()
    }
    frame.cues["modality"] += _headline_future(frame)
    for start, end in frame.cues["modality"] + frame.cues["anchor_earliest"]:
        for i in range(start, end):
            frame.keys[i] = None  # "expected to", "initially": compared on their own
    _resolve_pronouns(frame, lexicon, context)
    _mark_dates(frame, context.published, lexicon)
    skip = {i for d in frame.dates for i in range(d.start, d.end)}
    amounts = find_amounts(tokens, folded.lower(), lexicon, skip)
    for amount in amounts:
        _unframe(frame, amount.first, lexicon)
    frame.figures = [_figure(frame, a, lexicon) for a in amounts]
    for figure in frame.figures:
        for i in range(figure.amount.first, figure.amount.end):
            frame.keys[i] = None
    frame.speakers, frame.attribution = _speakers(frame)
    frame.present_speech = any(
        frame.keys[i] == "C:" + SPEECH and frame.tokens[i].text.endswith("s")
        and not frame.tokens[i].text.endswith("ss")
        for i in frame.attribution
    )  # fmt: skip
    frame.background = _relative_clauses(frame, lexicon) | _setting(frame)
    return frame


def _setting(frame: Frame) -> frozenset[int]:
    """Parties that only name the conflict ("the clashes with Azerbaijan", "the war between
    Armenia and Azerbaijan"): background, not what the claim asserts about them."""
    found: set[int] = set()
    for i, key in enumerate(frame.keys):
        if key != "C:fighting" and key != "C:war":
            continue
        j = i + 1
        if j < len(frame.tokens) and frame.tokens[j].text in ("with", "between", "against"):
            j += 1
            while j < len(frame.tokens) and (
                frame.tokens[j].text in ("and", "the") or (frame.keys[j] or "").startswith("E:")
            ):
                found.add(j)
                j += 1
    return frozenset(found)


def _relative_clauses(frame: Frame, lexicon: Lexicon) -> frozenset[int]:
    """Tokens of "that ..." clauses describing a thing ("the truce that halted the fighting"):
    background to the claim rather than what it asserts. "said that ..." is not one."""
    found: set[int] = set()
    for i, tok in enumerate(frame.tokens):
        if tok.text != "that" or i == 0:
            continue
        before = frame.keys[i - 1]
        if before is None or before.startswith("E:") or before == "C:" + SPEECH:
            continue
        if before.startswith("C:") and before[2:] in lexicon.events:
            continue
        if not before.startswith("C:") and frame.tokens[i - 1].text.endswith("ed"):
            continue
        end = i + 1
        while end < len(frame.tokens) and frame.clause_of[end] == frame.clause_of[i]:
            end += 1
        found.update(range(i + 1, end))
    return frozenset(found)


def _unframe(frame: Frame, first: int, lexicon: Lexicon) -> None:
    """Drop the verb that only frames a figure ("reached 135", "rose to 77")."""
    i = first - 1
    while i >= 0 and frame.tokens[i].text in ("to", "at", "of"):
        i -= 1
    if i >= 0 and frame.keys[i] in lexicon.figure_framing:
        key = frame.keys[i]
        while i >= 0 and frame.keys[i] == key:
            frame.keys[i] = None
            i -= 1


def _year_or_figure(frame: Frame, start: int, end: int, lexicon: Lexicon) -> bool:
    """Is "2000" in "roughly 2000 peacekeepers" a figure rather than a year?"""
    before = frame.tokens[start - 1].text if start else ""
    after = frame.keys[end] if end < len(frame.keys) else None
    qualified = lexicon.qualifiers.match([frame.tokens[start - 1]], 0) if start else None
    return (
        bool(qualified)
        or before in ("about", "some", "over")
        or (after is not None and after[2:] in COUNTABLE)
    )


def _headline_future(frame: Frame) -> list[tuple[int, int]]:
    """ "Putin to hold talks": a name followed by "to" and a verb announces a plan."""
    ends = {m.end for m in frame.mentions if m.start <= 1}
    return [
        (i, i + 1)
        for i, tok in enumerate(frame.tokens[:-1])
        if tok.text == "to" and i in ends and frame.keys[i + 1] is not None
    ]


def _clauses(text: str, tokens: list[Token]) -> list[int]:
    clause, out, prev_end = 0, [], 0
    for tok in tokens:
        gap = text[prev_end : tok.start]
        if out and (_CLAUSE_MARKS.intersection(gap) or " - " in gap or tok.text in _CLAUSE_WORDS):
            clause += 1
        out.append(clause)
        prev_end = tok.end
    return out


def _mark_entities(frame: Frame, lexicon: Lexicon) -> None:
    for start, end, entity_id in lexicon.entities.scan(frame.tokens):
        span = frame.tokens[start:end]
        if tuple(t.stem for t in span) in lexicon.acronyms and not all(
            t.raw.isupper() for t in span
        ):
            continue  # "us" the pronoun is not "US" the country
        entity = lexicon.by_id[entity_id]
        text = frame.text[span[0].start : span[-1].end]
        frame.mentions.append(Mention(entity, start, end, text))
        for i in range(start, end):
            frame.keys[i] = "E:" + entity.id


def _mark_concepts(frame: Frame, lexicon: Lexicon) -> None:
    for start, end, concept in lexicon.concepts.scan(frame.tokens):
        if all(frame.keys[i] is None for i in range(start, end)):
            for i in range(start, end):
                frame.keys[i] = "C:" + str(concept)
    for i, tok in enumerate(frame.tokens):
        if frame.keys[i] is None and not tok.is_number and tok.stem not in lexicon.stopwords:
            if len(tok.stem) > 1:
                frame.keys[i] = tok.stem


def _resolve_pronouns(frame: Frame, lexicon: Lexicon, context: Context) -> None:
    """Bind "its"/"their" to the party the clause (else the sentence) is about, and
    "he"/"his" to the last person named."""
    person = context.person
    starts = {m.start: m for m in frame.mentions}
    parties = [m for m in frame.mentions if m.entity.kind in ("country", "org")]
    for i, tok in enumerate(frame.tokens):
        mention = starts.get(i)
        if mention and mention.entity.kind == "person":
            person = mention.entity.id
        elif tok.text in _POSSESSIVES:
            # After a quotation ("...," it added) the speaker comes from before the quote.
            quoted = i > 0 and '"' in frame.text[frame.tokens[i - 1].end : tok.start]
            party = (context.party if quoted else None) or _subject_party(frame, parties, i)
            party = party or context.party
            if party:
                frame.resolved[i] = party
        elif tok.text in _PERSONAL and person:
            frame.resolved[i] = person


def _subject_party(frame: Frame, parties: list[Mention], i: int) -> str | None:
    """The first party named in the clause before token ``i``, else in the sentence."""
    before = [m for m in parties if m.end <= i]
    same = [m for m in before if frame.clause_of[m.start] == frame.clause_of[i]]
    chosen = (same or before)[:1]
    return chosen[0].entity.id if chosen else None


def _mark_dates(frame: Frame, published: date | None, lexicon: Lexicon) -> None:
    for start, end, ref in find_dates(frame.tokens):
        if (
            ref.month is None
            and ref.weekday is None
            and _year_or_figure(frame, start, end, lexicon)
        ):
            continue
        before = [t.text for t in frame.tokens[max(start - 2, 0) : start]]
        reference = bool(_REFERENCE_WORDS.intersection(before))
        clause = frame.clause_of[start]
        frame.dates.append(DateMention(resolve(ref, published), start, end, clause, reference))
        for i in range(start, end):
            frame.keys[i] = None


def _figure(frame: Frame, amount: Amount, lexicon: Lexicon) -> Figure:
    clause = frame.clause_of[amount.start]
    counted, counted_at = _counted(frame, amount, clause, lexicon.events)
    owner = _owner(frame, amount, counted_at, lexicon)
    event, event_at = _event(frame, amount, clause, lexicon.events)
    return Figure(
        amount,
        counted,
        owner,
        event,
        clause,
        counted_text=_word_at(frame, counted_at),
        event_text=_word_at(frame, event_at),
    )


def _word_at(frame: Frame, i: int | None) -> str:
    """The whole phrase that token ``i`` belongs to ("death toll", "service personnel")."""
    if i is None:
        return ""
    first = last = i
    while first > 0 and frame.keys[first - 1] == frame.keys[i]:
        first -= 1
    while last + 1 < len(frame.keys) and frame.keys[last + 1] == frame.keys[i]:
        last += 1
    return frame.text[frame.tokens[first].start : frame.tokens[last].end].lower()


def _counted(
    frame: Frame, amount: Amount, clause: int, events: frozenset[str]
) -> tuple[str | None, int | None]:
    """The countable noun after the figure ("105 Armenian soldiers"), else the one before."""
    after = range(amount.end, min(amount.end + 6, len(frame.tokens)))
    for i in after:
        if frame.clause_of[i] != clause:
            break
        if frame.keys[i] and frame.keys[i][2:] in COUNTABLE:
            return frame.keys[i][2:], i
    for i in range(amount.start - 1, max(amount.start - _REACH, 0) - 1, -1):
        if frame.clause_of[i] != clause:
            break
        if frame.keys[i] and frame.keys[i][2:] in COUNTABLE:
            return frame.keys[i][2:], i
    for i in after:
        key = frame.keys[i]
        if key and frame.clause_of[i] == clause and not key.startswith("E:"):
            return (None, None) if key[2:] in events else (key.removeprefix("C:"), None)
    return None, None


def _owner(frame: Frame, amount: Amount, counted_at: int | None, lexicon: Lexicon) -> str | None:
    """Whose figure: a party named or referred to by the figure, else the sentence's party."""
    clause = frame.clause_of[amount.start]
    if frame.derived(f"both:{clause}", lambda: _says_both_sides(frame, clause)):
        return "BOTH"
    lo = min(amount.first, counted_at) if counted_at is not None else amount.first
    hi = max(amount.end, counted_at + 1) if counted_at is not None else amount.end
    # "105 Azerbaijani soldiers": a party between the figure and its noun comes first.
    for i in [*range(amount.end, hi + 1), *range(max(lo - 2, 0), amount.end)]:
        party = _party_at(frame, i, lexicon)
        if party and frame.clause_of[min(i, len(frame.tokens) - 1)] == clause:
            return party
    for i in range(amount.first - 1, max(amount.first - _REACH, 0) - 1, -1):
        if frame.clause_of[i] != clause:
            break
        party = _party_at(frame, i, lexicon)
        if party:
            return party
    # Otherwise the figure belongs to the party the sentence is about: its first one.
    return frame.derived("first_party", lambda: _first_party(frame, lexicon))


def _says_both_sides(frame: Frame, clause: int) -> bool:
    return frame.derived(f"both_sides:{clause}", lambda: _both_sides(frame, clause))


def _both_sides(frame: Frame, clause: int) -> bool:
    stems = [t.stem for t, c in zip(frame.tokens, frame.clause_of, strict=True) if c == clause]
    pairs = set(zip(stems, stems[1:], strict=False))
    return any(pair in pairs for pair in _BOTH)


def _first_party(frame: Frame, lexicon: Lexicon) -> str | None:
    return next((p for i in range(len(frame.tokens)) if (p := _party_at(frame, i, lexicon))), None)


def _party_at(frame: Frame, i: int, lexicon: Lexicon) -> str | None:
    if i >= len(frame.tokens):
        return None
    entity_id = frame.resolved.get(i)
    if entity_id is None:
        key = frame.keys[i]
        entity_id = key[2:] if key and key.startswith("E:") else None
    entity = lexicon.entity(entity_id) if entity_id else None
    if entity is None:
        return None
    return entity.id if entity.kind == "country" else entity.country


def _event(
    frame: Frame, amount: Amount, clause: int, events: frozenset[str]
) -> tuple[str | None, int | None]:
    """The nearest event concept ("killed", "advanced") in the figure's clause, and where."""
    best, best_at, best_gap = None, None, 99
    lo, hi = max(amount.start - _REACH, 0), min(amount.end + _REACH, len(frame.keys))
    for i in range(lo, hi):
        key = frame.keys[i]
        if frame.clause_of[i] == clause and key and key.startswith("C:") and key[2:] in events:
            gap = amount.start - i if i < amount.start else i - amount.end + 2
            if gap < best_gap:
                best, best_at, best_gap = key[2:], i, gap
    return best, best_at


def _speakers(frame: Frame) -> tuple[frozenset[str], frozenset[int]]:
    """Who the text quotes, and the tokens that say so ("Russia's foreign ministry said").

    A speaker is a party or person just before a speech verb in its clause, or just after
    it ("said Pashinyan", "according to Blinken"), or the "X:" that leads a headline.
    """
    speakers: set[str] = set()
    span: set[int] = set()
    verbs = [i for i, k in enumerate(frame.keys) if k in ("C:" + SPEECH, "C:deny")]
    verbs += [i for i, t in enumerate(frame.tokens) if t.text in _SPEECH_WORDS]
    for verb in verbs:
        found = _speaker_before(frame, verb) or _speaker_after(frame, verb)
        if found:
            speakers.add(found[0])
            span.update(range(min(found[1], verb), max(found[1], verb) + 1))
        elif frame.tokens[verb].text == "according" and verb:
            # ", according to RFE/RL": a source the corpus does not know is still only a
            # source, not part of what is claimed.
            gap = frame.text[frame.tokens[verb - 1].end : frame.tokens[verb].start]
            if "," in gap:
                clause = frame.clause_of[verb]
                span.update(
                    i for i in range(verb, len(frame.tokens)) if frame.clause_of[i] == clause
                )
    first = frame.mentions[0] if frame.mentions else None
    if first and first.start == 0 and frame.text[frame.tokens[first.end - 1].end :].startswith(":"):
        speakers.add(first.entity.id)
        span.update(range(first.start, first.end))
    return frozenset(speakers), frozenset(span)


def _speaker_before(frame: Frame, verb: int) -> tuple[str, int] | None:
    if verb and frame.tokens[verb - 1].text == "who":
        # "... against Pashinyan, who dismissed reports": the person before "who".
        for i in range(verb - 2, max(verb - 5, -1), -1):
            entity_id = _entity_at(frame, i)
            if entity_id:
                return entity_id, i
    # The subject, a few words before the verb in its clause: the person named there
    # ("Armenian Prime Minister Nikol Pashinyan said"), else the first party.
    found: tuple[str, int] | None = None
    person: tuple[str, int] | None = None
    for i in range(verb - 1, max(verb - 7, -1), -1):
        if frame.clause_of[i] != frame.clause_of[verb]:
            break
        entity_id = _entity_at(frame, i)
        if entity_id:
            found = (entity_id, i)
            if person is None and entity_id.startswith("person:"):
                person = (entity_id, i)
    if found is None:
        return _subject_before_aside(frame, verb)
    return (person[0], found[1]) if person and found else found


def _subject_before_aside(frame: Frame, verb: int) -> tuple[str, int] | None:
    """ "Catherine Colonna, in a call with ..., also called for": the person before an aside."""
    for i in range(verb - 1, max(verb - 14, 0), -1):
        entity_id = _entity_at(frame, i)
        gap = frame.text[frame.tokens[i].end : frame.tokens[i + 1].start]
        if entity_id and entity_id.startswith("person:") and gap.strip() == ",":
            return entity_id, i
    return None


def _speaker_after(frame: Frame, verb: int) -> tuple[str, int] | None:
    # "according to the press office of the president of Belarus", "was announced by
    # Armenia's Security Council": the speaker comes a few words on.
    nxt = frame.tokens[verb + 1].text if verb + 1 < len(frame.tokens) else ""
    # '..., said the ministry's press secretary, Aram Torosian': after a quote or a comma.
    gap = frame.text[frame.tokens[verb - 1].end : frame.tokens[verb].start] if verb else ""
    trailing = frame.tokens[verb].text in _INVERTED and bool(set(gap) & set(',"'))
    reach = 10 if frame.tokens[verb].text == "according" or nxt == "by" or trailing else 3
    if not (frame.tokens[verb].text in _INVERTED or nxt == "by"):
        return None
    found = []
    for i in range(verb + 1, min(verb + reach, len(frame.tokens))):
        if frame.tokens[i].text == "to":
            continue
        entity_id = _entity_at(frame, i)
        if entity_id:
            found.append((entity_id, i))
        elif reach <= 3:
            break
    # "according to spokesman for the Armenian Defense Ministry Aram Torosian": the person.
    people = [f for f in found if f[0].startswith("person:")]
    return (people or found or [None])[0]


def _entity_at(frame: Frame, i: int) -> str | None:
    key = frame.keys[i]
    if key and key.startswith("E:"):
        return key[2:]
    return frame.resolved.get(i)
