"""Who did what, when, and whether it is asserted or negated: the non-numeric slots."""

from __future__ import annotations

from collections.abc import Iterable

from service.engine.analysis import DateMention, Frame, Mention
from service.engine.dates import DateRef
from service.engine.lexicon import Lexicon

_LOCATION = frozenset({"country", "place"})
_LOCATIVE = frozenset({"in", "to", "into", "from", "at"})
_PREPOSITIONS = _LOCATIVE | frozenset(
    {"of", "with", "as", "by", "for", "on", "against", "toward", "between", "among"}
)
# Words that say who spoke do not say who acted; speakers are compared on their own.
_NOT_ROLES = frozenset({"C:say"})
_WINDOW = 4
_APPOSITIVE = 10  # tokens an aside between a subject and its verb may take
_DATE_WINDOW = 12


# --- entity roles ----------------------------------------------------------------------


def swap(claim: Frame, passage: Frame, lexicon: Lexicon) -> tuple[str, str, bool, int] | None:
    """An entity of the claim whose role the passage gives to another: (reason, claim
    entity, whether it contradicts, where the other entity stands in the passage).

    A plain substitution ("accused Azerbaijan" / "accused Armenia") counts when the other
    entity is not in the claim; a reversal ("Armenian forces ... into Azerbaijani territory")
    counts when the two entities trade places in an act that cannot go both ways at once
    (both sides can accuse each other; only one can advance into the other's land).
    """
    claim_ids = claim.entity_ids()
    seen: set[tuple] = set()
    for mention in claim.mentions:
        # One look per entity in one role, however often the claim repeats it.
        role = (mention.entity.id, _neighbours(claim, mention), _preposition(claim, mention))
        if role in seen:
            continue
        seen.add(role)
        if mention.entity.kind == "person" or _holds_role(
            claim, mention, passage, mention.entity.id
        ):
            continue
        for other in passage.mentions:
            rival = other.entity.id
            if _kind(other, mention) == "country" and other.entity.kind == "person":
                rival = other.entity.country or rival
            if _same_place(mention, other) or not _aligned(claim, mention, passage, other):
                continue
            where = passage.text[
                passage.tokens[other.start].start : passage.tokens[other.end - 1].end
            ]
            left, right = _neighbours(claim, mention)
            if right in lexicon.reciprocal and left != _neighbours(passage, other)[0]:
                continue  # another doer of an act many can do ("Turkey accused ...")
            if rival in claim_ids:
                if mention.entity.id not in passage.entity_ids():
                    continue
                if set(_neighbours(claim, mention)) & lexicon.reciprocal:
                    # Both sides may accuse each other: reversed roles neither confirm nor
                    # contradict the claim.
                    return (
                        f"the roles are reversed ({where})",
                        mention.entity.id,
                        False,
                        other.start,
                    )
            reason = f"claimed {mention.entity.name}; passage says {other.entity.name} ({where})"
            return reason, mention.entity.id, True, other.start
    return None


def _kind(a: Mention, b: Mention) -> str:
    """A person with a known country stands for it beside a country ("Pashinyan invoked")."""
    if a.entity.kind == "person" and a.entity.country and b.entity.kind == "country":
        return "country"
    return a.entity.kind


def _same_place(a: Mention, b: Mention) -> bool:
    """One entity, or a place and the country it lies in (Samarkand, Uzbekistan)."""
    x, y = a.entity, b.entity
    return x.id == y.id or x.country == y.id or y.country == x.id


def _holds_role(claim: Frame, mention: Mention, passage: Frame, entity_id: str) -> bool:
    """Does ``entity_id`` stand in the passage where ``mention`` stands in the claim?"""
    return any(
        o.entity.id == entity_id and _aligned(claim, mention, passage, o) for o in passage.mentions
    )


def _aligned(claim: Frame, mention: Mention, passage: Frame, other: Mention) -> bool:
    """Same kind of entity between the same content words, after the same preposition.

    A place may be the object of a verb on one side and of a preposition on the other
    ("visit Azerbaijan" / "travel to Armenia") when the verb is the same.
    """
    kinds = {_kind(mention, other), _kind(other, mention)}
    places = kinds <= _LOCATION
    prep_c, prep_p = _preposition(claim, mention), _preposition(passage, other)
    left_c, right_c = _neighbours(claim, mention)
    left_p, right_p = _neighbours(passage, other)
    if prep_c != prep_p:
        loose = places and {prep_c, prep_p} - {None} <= _LOCATIVE
        return loose and left_c is not None and left_c == left_p
    if len(kinds) > 1 and not (places and prep_c in _LOCATIVE):
        return False
    if (left_c and left_c == left_p) or (right_c and right_c == right_p):
        return True
    return prep_c in _LOCATIVE and mention.entity.kind in _LOCATION


def _preposition(frame: Frame, mention: Mention) -> str | None:
    return frame.derived(f"prep:{mention.start}", lambda: _find_preposition(frame, mention))


def _find_preposition(frame: Frame, mention: Mention) -> str | None:
    for i in range(mention.start - 1, max(mention.start - 3, -1), -1):
        word = frame.tokens[i].text
        if word in _PREPOSITIONS:
            return word
        if word not in ("the", "a", "an"):
            return None
    return None


def _neighbours(frame: Frame, mention: Mention) -> tuple[str | None, str | None]:
    return frame.derived(f"near:{mention.start}", lambda: _find_neighbours(frame, mention))


def _find_neighbours(frame: Frame, mention: Mention) -> tuple[str | None, str | None]:
    """The nearest content words before and after a mention, within its clause.

    An appositive is skipped: in "Turkey, a longtime ally of Azerbaijan, accused Armenia"
    Turkey's right neighbour is "accused".
    """
    own = "E:" + mention.entity.id
    clause = frame.clause_of[mention.start]
    left, seen = None, 0
    for i in range(mention.start - 1, -1, -1):
        if frame.clause_of[i] != clause and not _quote_gap(frame, i + 1):
            break
        if _role_key(frame, i, own):
            left = frame.keys[i]
            break
        seen += not (frame.keys[i] or "").startswith("E:")  # names do not use up the window
        if seen >= 2 * _WINDOW:
            break
    start = mention.end
    if start < len(frame.keys) and frame.clause_of[start] != clause:
        after = _clause_end(frame, start)
        start = after if after is not None and after - start <= _APPOSITIVE else len(frame.keys)
    right = None
    for j in range(start, min(start + _WINDOW, len(frame.keys))):
        if frame.clause_of[j] != frame.clause_of[start] and not _quote_gap(frame, j):
            break
        if _role_key(frame, j, own):
            right = frame.keys[j]
            break
    return _role_word(left), _role_word(right)


def _quote_gap(frame: Frame, j: int) -> bool:
    """Only a quotation mark separates token ``j`` from the one before: same clause."""
    gap = frame.text[frame.tokens[j - 1].end : frame.tokens[j].start]
    return bool(gap.strip()) and set(gap.strip()) <= {'"', "'"}


def _role_key(frame: Frame, i: int, own: str) -> bool:
    key = frame.keys[i]
    # Adverbs ("formally invoked") and coordinated names ("the UN and the CSTO") sit
    # between an entity and its act without changing its role.
    if not key or key == own or key.startswith("E:"):
        return False
    return not frame.tokens[i].text.endswith("ly")


def _clause_end(frame: Frame, start: int) -> int | None:
    """The first token after the clause that begins at ``start``, if there is one."""
    for k in range(start + 1, len(frame.keys)):
        if frame.clause_of[k] != frame.clause_of[start]:
            return k
    return None


def _role_word(key: str | None) -> str | None:
    # An entity next to an entity says nothing about roles ("Putin and Aliyev").
    if key is None or key.startswith("E:") or key in _NOT_ROLES:
        return None
    return key


# --- dates -----------------------------------------------------------------------------


Topic = tuple[str | None, bool, frozenset[str]]
# An act this close to a date (in tokens) is surely what the date is the date of.
_BOUND = 3


def _date_topic(frame: Frame, date: DateMention, events: frozenset[str]) -> Topic:
    """What a date is the date of: the act nearest before it ("ended ... overnight on
    September 15"; else the nearest after it, "on Thursday spoke"), and the concepts around
    it in its clause."""
    act, bound = None, False
    for i in range(date.start - 1, max(date.start - _DATE_WINDOW, 0) - 1, -1):
        if frame.keys[i] and frame.keys[i][2:] in events:
            act, bound = frame.keys[i], date.start - i <= _BOUND
            break
    if act is None:
        for i in range(date.end, min(date.end + 8, len(frame.keys))):
            if frame.keys[i] and frame.keys[i][2:] in events:
                act, bound = frame.keys[i], i - date.end < _BOUND
                break
    # "On September 13, a meeting took place": a date leading its sentence dates the clause
    # after the comma.
    start = date.end
    leading = date.start <= 1 and start < len(frame.keys)
    clause = frame.clause_of[start] if leading else date.clause
    near = range(max(date.start - _DATE_WINDOW, 0), date.start)
    after = range(start, len(frame.keys) if leading else min(start + 8, len(frame.keys)))
    found = _concepts(frame, near, date.clause) | _concepts(frame, after, clause)
    return act, bound, frozenset(k for k in found if k not in _NOT_ROLES)


def _concepts(frame: Frame, span: range, clause: int) -> frozenset[str]:
    keys, clauses = frame.keys, frame.clause_of
    return frozenset(k for i in span if (k := keys[i]) and k[:2] == "C:" and clauses[i] == clause)


def _same_topic(a: Topic, b: Topic) -> bool:
    """Two dates of one thing: an act bound to either date must be the other's act too
    ("ended on the 14th" is not "erupted on the 13th"); otherwise shared concepts do."""
    for one, other in ((a, b), (b, a)):
        if one[0] and one[1]:
            return one[0] == other[0] or one[0] in other[2]
    return a[0] is not None and a[0] == b[0] or bool(a[2] & b[2])


def date_clash(claim: Frame, passage: Frame, events: frozenset[str]) -> str | None:
    """A claim day for an event that the passage dates to another day.

    A year that differs says the passage is about another event ("the 1990s war"), so only
    days and weekdays clash.
    """
    for claimed in claim.when():
        if claimed.ref.day is None and claimed.ref.weekday is None:
            continue
        topic = _date_topic(claim, claimed, events)
        rivals = [
            d for d in passage.when()
            if _same_topic(topic, _date_topic(passage, d, events))
            and claimed.ref.same_as(d.ref) is not None
        ]  # fmt: skip
        if rivals and not any(claimed.ref.same_as(d.ref) for d in rivals):
            return f"claimed {claimed.ref.label()}; passage says {rivals[0].ref.label()}"
    return None


def date_confirmed(dates: Iterable[DateRef], passage: Frame, reported: DateRef | None) -> bool:
    """Every one of ``dates`` is a date of the passage (an undated passage reports what
    happened on the day of its report)."""
    days = [d.ref for d in passage.when()] or ([reported] if reported else [])
    return all(any(ref.same_as(d) for d in days) for ref in dates)


# --- polarity --------------------------------------------------------------------------


def negations(frame: Frame, *, endings: bool = False) -> list[tuple[frozenset[str], str | None]]:
    """Each negation or denial: the content keys it governs, and who it is about (the party
    or person just before it: "Azerbaijan has not confirmed"), if named.

    "have not stopped shelling" asserts the shelling, so a negated ending cancels out,
    unless ``endings``: against a claim that the shelling stopped, it is a negation.
    """
    found = []
    for name in ("negation", "denial"):
        for start, end in frame.cues.get(name, ()):
            after = frame.keys[end : end + 2]
            if name == "negation" and "C:end" in after and not endings:
                continue
            scope = frozenset(k for k in frame.keys[end : end + 8] if k)
            found.append((scope | _subject(frame, start), _negated_party(frame, start)))
    return found


def _negated_party(frame: Frame, cue: int) -> str | None:
    for i in range(cue - 1, max(cue - 7, -1), -1):
        if frame.clause_of[i] != frame.clause_of[cue]:
            break
        key = frame.keys[i]
        if key and key.startswith("E:"):
            return key[2:]
        if i in frame.resolved:
            return frame.resolved[i]
    return None


def _subject(frame: Frame, cue: int) -> frozenset[str]:
    before = frame.keys[max(cue - 3, 0) : cue]
    return frozenset(k for k in before if k and k.startswith("C:"))


def polarity_clash(claim: Frame, passage: Frame, events: frozenset[str]) -> str | None:
    """One side negates or denies what the other asserts, about the same party."""
    endings = "C:end" in claim.key_set
    claim_scopes = [
        s for s, party in negations(claim, endings=endings)
        if _governs(s, passage.key_set, events) and _about(party, passage)
    ]  # fmt: skip
    # What the passage negates must be all the claim asserts happened, not a part of it.
    aside = claim.background | claim.attribution
    acts = {k for i, k in enumerate(claim.keys) if k and k[2:] in events and i not in aside}
    acts -= {"C:deny"}  # a denial is the negation itself, not what is negated
    passage_scopes = [
        s for s, party in negations(passage, endings=endings)
        if _governs(s, claim.key_set, events) and acts <= s and _about(party, claim)
    ]  # fmt: skip
    if bool(claim_scopes) == bool(passage_scopes):
        return None
    if claim_scopes:
        return "the claim negates what the passage asserts"
    return "the passage negates or denies it"


def _about(party: str | None, other: Frame) -> bool:
    return party is None or party in other.entity_ids()


def _governs(scope: frozenset[str], other: frozenset[str], events: frozenset[str]) -> bool:
    """The negated words are largely the other side's words (names alone do not count), and
    the negated act, if one is named, is the other side's act. A short claim whose act is
    negated is governed even if it shares only that act ("attacked" / "refuted reports that
    its soldiers were attacking")."""
    acts = {k for k in scope if k[2:] in events}
    if acts and not acts & other:
        return False
    shared = {k for k in scope & other if not k.startswith("E:")}
    if len(shared) >= 2 and len(shared) * 2 >= min(len(scope), 4):
        return True
    words = {k for k in other if not k.startswith("E:")}
    return bool(acts & shared) and len(shared) * 2 >= len(words)


# --- blame -----------------------------------------------------------------------------
