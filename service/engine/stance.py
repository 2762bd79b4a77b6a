"""Compare what a claim asserts with what one passage asserts, slot by slot.

Similarity only decides which passages are looked at. The stance comes from the slots:
figures (interval against interval, same thing counted, same owner), entities in the same
role, polarity (negation, denial), modality (a plan is not an event), dates and speakers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from service.engine.analysis import Frame, Mention
from service.engine.dates import DateRef
from service.engine.figures import FigureMatch, figure_reason, match_figures, report_day
from service.engine.model import Stance
from service.engine.roles import assigns_blame, date_clash, date_confirmed, polarity_clash, swap
from service.engine.search import IndexedPassage
from service.engine.signals import Knowledge

# Share of the claim's weighted content a passage must cover to be about the same thing.
RELEVANT = 0.5
# ... to refute it through one mismatched slot (the rest must match this well).
REFUTE = 0.55
# ... to support it (every slot must also agree).
SUPPORT = 0.72
# ... to support it together with the sentence beside it (tried from JOIN_FROM on).
SUPPORT_JOINED = 0.8
JOIN_FROM = 0.4
SWAP_GATE = 0.25
# A word of a clause that only describes something ("the truce that halted ...") weighs this.
BACKGROUND_WEIGHT = 0.5
# A claim entity found only in the passage's setting counts this much.
CONTEXT_WEIGHT = 0.5
# Concepts that carry no assertion of their own (who said it is checked separately).
UNWEIGHTED = frozenset({"C:say"})
# Words that only frame a figure.
FIGURE_FRAMING = frozenset({"C:increase"})
# Acts that the sides of a conflict blame on each other.
BLAME = frozenset({"C:start", "C:attack", "C:accuse"})


@dataclass(frozen=True, slots=True)
class Judgement:
    """The stance of one passage on the claim, and why."""

    stance: Stance
    reason: str
    coverage: float
    slot: str
    figure: object | None = None
    disputed: bool = False
    exact: bool = False
    same_speaker: bool = False  # the passage quotes the claim's very speaker, not their side


def judge(claim: Frame, item: IndexedPassage, knowledge: Knowledge) -> Judgement:
    """The stance of ``item`` on ``claim``."""
    keys = claim_keys(claim)
    coverage, missing = coverage_of(keys, item, knowledge, background_keys(claim))
    judgement = _judge(claim, item, knowledge, keys, coverage, missing)
    if judgement.stance is Stance.NEUTRAL and judgement.slot == "none" and coverage >= JOIN_FROM:
        return _with_neighbour(claim, item, knowledge, keys) or judgement
    return judgement


def _with_neighbour(
    claim: Frame, item: IndexedPassage, knowledge: Knowledge, keys: frozenset[str]
) -> Judgement | None:
    """Support spread over a passage and the sentence beside it ("... he said. He added ...").

    The two together must cover the claim more fully than one passage alone, the passage
    itself must name what happened, and the neighbour must not deny it.
    """
    if not _events(claim, knowledge) <= item.keys:
        return None
    people = frozenset(e for e in item.frame.entity_ids() if e.startswith("person:"))
    # The two sentences must be about the same person.
    for neighbour in knowledge.neighbours(item, naming=people):
        if polarity_clash(claim, neighbour.frame, knowledge.lexicon.events) or (
            _modal(neighbour.frame, claim, knowledge.lexicon.events) and not _modal(claim)
        ):
            continue
        joined = replace(item, keys=item.keys | neighbour.keys)
        coverage, missing = coverage_of(keys, joined, knowledge)
        if missing or coverage < SUPPORT_JOINED:
            continue
        judgement = _judge(claim, joined, knowledge, keys, coverage, missing)
        if judgement.stance is Stance.SUPPORTS:
            reason = f"{judgement.reason}, with the adjacent sentence {quote(neighbour, 60)}"
            return replace(judgement, reason=reason)
    return None


def _judge(
    claim: Frame,
    item: IndexedPassage,
    knowledge: Knowledge,
    keys: frozenset[str],
    coverage: float,
    missing: list[str],
) -> Judgement:
    clash = _affiliation_clash(claim, item, knowledge) or _place_clash(claim, item, knowledge)
    if clash:
        return Judgement(Stance.REFUTES, clash, coverage, "entity")
    speaker = _speaker_match(claim, item, knowledge)
    if speaker is False:
        return Judgement(Stance.NEUTRAL, "reports what someone else said", coverage, "speaker")
    # A swap needs REFUTE without the swapped entity; below this share it cannot get there,
    # and nothing else can either.
    if coverage < SWAP_GATE:
        return Judgement(Stance.NEUTRAL, _unrelated(missing, knowledge), coverage, "none")
    figures = match_figures(claim, item)
    swapped = _swap_judgement(claim, item, knowledge, keys, figures)
    if swapped and swapped.stance is Stance.REFUTES:
        return swapped
    if missing or coverage < RELEVANT:
        return Judgement(Stance.NEUTRAL, _unrelated(missing, knowledge), coverage, "none")
    judgement = _compare_slots(claim, item, knowledge, coverage, figures, quoted=speaker is True)
    if swapped and judgement.stance is Stance.SUPPORTS:
        return swapped  # reversed roles in an act both sides can do: no support either
    # A country's claim is spoken by its officials too; a person's only by that person.
    if claim.speakers & _with_countries(item.frame.speakers, knowledge):
        judgement = replace(judgement, same_speaker=True)
    return judgement


def _compare_slots(
    claim: Frame,
    item: IndexedPassage,
    knowledge: Knowledge,
    coverage: float,
    figures: list[FigureMatch],
    *,
    quoted: bool,
) -> Judgement:
    if coverage >= REFUTE and _disputed(claim, item.frame):
        reason = "the sides dispute this: " + quote(item)
        return Judgement(Stance.REFUTES, reason, coverage, "dispute", disputed=True)
    refuted = next((m for m in figures if m.relation == "refutes"), None)
    if refuted and coverage >= REFUTE:
        reason = figure_reason(refuted, knowledge.lexicon)
        return Judgement(Stance.REFUTES, reason, coverage, "figure", refuted.found)
    # A claim's date tied to a figure only picks which day's figure to compare (see figures).
    dated = None if claim.figures else date_clash(claim, item.frame, knowledge.lexicon.events)
    if dated and coverage >= REFUTE:
        return Judgement(Stance.REFUTES, dated, coverage, "date")
    negated = polarity_clash(claim, item.frame, knowledge.lexicon.events)
    if negated and coverage >= REFUTE:
        return Judgement(Stance.REFUTES, f"{negated}: {quote(item)}", coverage, "polarity")
    opposed = _opposite(claim, item, knowledge)
    if opposed:
        return opposed
    if claim.speakers and not quoted:
        # "X said Y" is borne out only by a passage in which X says Y.
        return Judgement(
            Stance.NEUTRAL, "does not attribute this to the claimed speaker", coverage, "speaker"
        )
    return _support(claim, item, knowledge, coverage, figures)


def _support(
    claim: Frame,
    item: IndexedPassage,
    knowledge: Knowledge,
    coverage: float,
    figures: list[FigureMatch],
) -> Judgement:
    keys = claim_keys(claim)
    if not _asserts_something(claim, keys):
        return Judgement(Stance.NEUTRAL, "the claim names no checkable statement", coverage, "none")
    with_slots = _with_slots(claim, item, knowledge, keys, coverage, figures)
    if with_slots < SUPPORT:
        # Ranked by the words it shares; an unmatched figure should not bury it.
        return Judgement(Stance.NEUTRAL, "only partly about the claim", coverage, "none")
    coverage = max(coverage, with_slots)
    background = background_keys(claim) & item.document_keys
    unnamed = [
        k for k in keys
        if k.startswith("E:") and k not in item.keys | item.topic_keys and k not in background
    ]  # fmt: skip
    if unnamed:
        # A party or person the passage does not name itself: only the sentence beside it
        # (see _with_neighbour) can make the support complete.
        return Judgement(Stance.NEUTRAL, _unrelated(unnamed, knowledge), coverage, "none")
    absent = _events(claim, knowledge) - item.keys
    if absent:
        what = ", ".join(sorted(k[2:] for k in absent))
        return Judgement(Stance.NEUTRAL, f"does not say it happened ({what})", coverage, "none")
    unmatched = next((m for m in figures if m.relation != "supports"), None)
    if unmatched:
        reason = f"gives no comparable figure for {unmatched.claimed.amount.text}"
        return Judgement(Stance.NEUTRAL, reason, coverage, "none")
    if claim.when() and not date_confirmed(_refs(claim), item.frame, report_day(item)):
        return Judgement(Stance.NEUTRAL, "does not give the claimed date", coverage, "date")
    if (
        _modal(item.frame, claim, knowledge.lexicon.events)
        and not _modal(claim)
        and not claim.speakers
    ):
        reason = "reports a plan or an offer, not that it happened"
        return Judgement(Stance.NEUTRAL, reason, coverage, "modality")
    if figures:
        reason = "; ".join(figure_reason(m, knowledge.lexicon) for m in figures)
        exact = all(m.exact for m in figures)
        return Judgement(Stance.SUPPORTS, reason, coverage, "figure", figures[0].found, exact=exact)
    dated = bool(claim.when()) and date_confirmed(_refs(claim), item.frame, None)
    slot = "date" if dated else "content"
    return Judgement(Stance.SUPPORTS, "says the same: " + quote(item), coverage, slot, exact=dated)


def _opposite(claim: Frame, item: IndexedPassage, knowledge: Knowledge) -> Judgement | None:
    """The passage says the opposite word ("welcomed" where the claim says "condemned")
    and matches the rest of the claim."""
    keys = claim_keys(claim)
    for key in keys:
        rivals = knowledge.lexicon.opposites.get(key, frozenset()) & item.keys
        if not rivals or key in item.keys:
            continue
        coverage, missing = coverage_of(keys - {key}, item, knowledge, background_keys(claim))
        if not missing and coverage >= SUPPORT:
            said = _surface(claim, key)
            found = _surface(item.frame, next(iter(sorted(rivals))))
            return Judgement(
                Stance.REFUTES, f"claimed {said}; passage says {found}", coverage, "polarity"
            )
    return None


def _surface(frame: Frame, key: str) -> str:
    return next((t.text for t, k in zip(frame.tokens, frame.keys, strict=True) if k == key), key)


def _asserts_something(claim: Frame, keys: frozenset[str]) -> bool:
    """Something is said (a word that is not a name) about someone, something or some time:
    "Armenia Armenia" or "killed killed" assert nothing."""
    said = {k for k in keys if not k.startswith("E:")}
    about = claim.mentions or claim.figures or claim.dates or len(said) > 1
    return bool(said) and bool(about)


def _with_slots(
    claim: Frame,
    item: IndexedPassage,
    knowledge: Knowledge,
    keys: frozenset[str],
    coverage: float,
    figures: list[FigureMatch],
) -> float:
    """Coverage counting the claim's dates and figures as content: a date the passage
    bears out (or its report's date, if it gives none), or a figure it bears out, weighs as
    much as the rarest word."""
    slots = len(figures) + len(claim.when())
    if not slots:
        return coverage
    matched = sum(m.relation == "supports" for m in figures)
    reported = report_day(item)
    matched += sum(date_confirmed([ref], item.frame, reported) for ref in _refs(claim))
    total = sum(knowledge.weight(k) for k in keys) or 1.0
    weight = knowledge.weight("")  # a key the corpus lacks: the highest weight there is
    return (coverage * total + weight * matched) / (total + weight * slots)


def _refs(claim: Frame) -> list[DateRef]:
    return [d.ref for d in claim.when()]


def _swap_judgement(
    claim: Frame,
    item: IndexedPassage,
    knowledge: Knowledge,
    keys: frozenset[str],
    figures: list[FigureMatch],
) -> Judgement | None:
    """An entity of the claim replaced, in the same role, by another one."""
    found = swap(claim, item.frame, knowledge.lexicon)
    if not found:
        return None
    reason, replaced, contradicts, at = found
    if not _events(claim, knowledge) <= item.keys:
        return None  # another act: "Azerbaijani forces advanced" says nothing of who was killed
    frame = item.frame
    planned = any(
        frame.clause_of[start] == frame.clause_of[at] for start, _ in frame.cues["modality"]
    )
    if planned and not _modal(claim) and not claim.speakers:
        return None  # a demand or a plan ("Armenia should withdraw") says nothing of what was done
    # The figures must be the passage's own, whoever they are credited to.
    if any(m.relation == "none" and not m.same_value for m in figures):
        return None
    rest = keys - {"E:" + replaced}
    coverage, missing = coverage_of(rest, item, knowledge)
    # The other entities must be named in the passage itself, not just in its setting.
    unnamed = [k for k in rest if k.startswith("E:") and k not in item.keys | item.topic_keys]
    if missing or unnamed or coverage < REFUTE:
        return None
    stance = Stance.REFUTES if contradicts else Stance.NEUTRAL
    return Judgement(stance, reason, coverage, "entity")


def _events(claim: Frame, knowledge: Knowledge) -> set[str]:
    """What the claim says happened ("killed", "advanced"): the passage itself must say it."""

    def compute() -> set[str]:
        asserted = claim_keys(claim) - background_keys(claim)
        return {k for k in asserted if k.startswith("C:") and k[2:] in knowledge.lexicon.events}

    return claim.derived("events", compute)


def background_keys(claim: Frame) -> frozenset[str]:
    """Keys that only describe something the claim is about (see ``_relative_clauses``)."""
    return claim.derived("background", lambda: _background_keys(claim))


def _background_keys(claim: Frame) -> frozenset[str]:
    inside = {k for i, k in enumerate(claim.keys) if k and i in claim.background}
    outside = {k for i, k in enumerate(claim.keys) if k and i not in claim.background}
    return frozenset(inside - outside)


def claim_keys(claim: Frame) -> frozenset[str]:
    """The claim's content keys without its attribution ("Russia's foreign ministry said")."""
    return claim.derived("keys", lambda: _claim_keys(claim))


def _claim_keys(claim: Frame) -> frozenset[str]:
    keys = {
        k
        for i, k in enumerate(claim.keys)
        if k and i not in claim.attribution and k not in UNWEIGHTED
    }
    keys.update("E:" + e for i, e in claim.resolved.items() if i not in claim.attribution)
    if claim.figures:
        keys -= FIGURE_FRAMING  # "the toll rose to 77" asserts 77, which the figure checks
    return frozenset(keys)


def coverage_of(
    keys: frozenset[str],
    item: IndexedPassage,
    knowledge: Knowledge,
    background: frozenset[str] = frozenset(),
) -> tuple[float, list[str]]:
    """Weighted share of ``keys`` the passage covers, and the entities it lacks.

    A place the report is about, or a party the sentence before names, is not missing,
    but counts for less than one the passage names itself.
    """
    if not keys:
        return 0.0, []
    total = covered = 0.0
    missing = []
    weight_of = knowledge.weight
    for key in keys:
        weight = weight_of(key) * (BACKGROUND_WEIGHT if key in background else 1.0)
        total += weight
        if key in item.keys:
            covered += weight
        elif key in item.topic_keys or key in item.context_keys:
            covered += CONTEXT_WEIGHT * weight
        elif key in background and key in item.document_keys:
            covered += CONTEXT_WEIGHT * weight  # "the clashes with Azerbaijan": its report's
        elif key.startswith("E:"):
            missing.append(key)
    return covered / total, missing


def _unrelated(missing: list[str], knowledge: Knowledge) -> str:
    if missing:
        names = [_name(k[2:], knowledge) for k in missing]
        return "does not mention " + ", ".join(sorted(names))
    return "is about something else"


def quote(item: IndexedPassage, limit: int = 90) -> str:
    """The passage's opening words, quoted."""
    text = item.passage.text
    return "\u201c" + (text if len(text) <= limit else text[:limit] + "\u2026") + "\u201d"


def _name(entity_id: str, knowledge: Knowledge) -> str:
    entity = knowledge.lexicon.entity(entity_id)
    return entity.name if entity else entity_id


# --- speakers and affiliations ---------------------------------------------------------


def _speaker_match(claim: Frame, item: IndexedPassage, knowledge: Knowledge) -> bool | None:
    """True if the passage quotes the claim's speaker, False if someone else, None if nobody
    (the report's own voice) or the claim names no speaker."""
    said = _with_countries(item.frame.speakers, knowledge)
    if not claim.speakers or not said:
        return None
    # A person's words are theirs alone; a country speaks through its officials too.
    people = {s for s in claim.speakers if s.startswith("person:")}
    if people:
        return bool(people & item.frame.speakers)
    return bool(_with_countries(claim.speakers, knowledge) & said)


def _with_countries(ids: frozenset[str], knowledge: Knowledge) -> set[str]:
    out = set(ids)
    for entity_id in ids:
        entity = knowledge.lexicon.entity(entity_id)
        if entity is not None and entity.country:
            out.add(entity.country)
    return out


def _affiliation_clash(claim: Frame, item: IndexedPassage, knowledge: Knowledge) -> str | None:
    """ "Azerbaijani spokesman Aram Torosian" when the corpus knows him as Armenian."""
    for mention in claim.mentions:
        person = mention.entity
        if person.kind != "person" or not person.country or "E:" + person.id not in item.keys:
            continue
        said = _title_country(claim, mention)
        if said and said != person.country:
            return (
                f"claimed {_name(said, knowledge)}; the corpus names {person.name} as "
                f"{_name(person.country, knowledge)}"
            )
    return None


def _place_clash(claim: Frame, item: IndexedPassage, knowledge: Knowledge) -> str | None:
    """ "Samarkand, Kazakhstan" when the place is known to lie in another country."""
    for place, country in zip(claim.mentions, claim.mentions[1:], strict=False):
        known = place.entity.country
        if place.entity.kind != "place" or not known or country.entity.kind != "country":
            continue
        if country.start == place.end and country.entity.id != known:
            if "E:" + place.entity.id in item.keys:
                return (
                    f"claimed {place.entity.name} is in {country.entity.name}; "
                    f"it is in {_name(known, knowledge)}"
                )
    return None


def _title_country(frame: Frame, mention: Mention) -> str | None:
    """The country named in the title just before a person ("Azerbaijani defence ... X")."""
    for other in frame.mentions:
        if other.end <= mention.start and mention.start - other.end <= 4:
            between = [k for k in frame.keys[other.end : mention.start] if k]
            # Only title words may stand between ("Azerbaijani defence ministry spokesman"),
            # not a verb ("the Azerbaijani ministry said Lavrov ...").
            if other.entity.kind == "country" and all(
                not k.startswith("E:") and k != "C:say" for k in between
            ):
                return other.entity.id
    return None


# --- modality and disputes ------------------------------------------------------------


def _modal(frame: Frame, claim: Frame | None = None, events: frozenset[str] = frozenset()) -> bool:
    """Does the text report a plan or an offer? With ``claim``, only a modal word in a clause
    holding the claim's words counts ("Putin will meet Erdogan of Turkey, which is
    Azerbaijan's main ally" plans a meeting, not the alliance)."""
    cues = frame.cues.get("modality", ())
    if claim is None or not cues:
        return bool(cues)
    # The clause that says what the claim says happened, else the one sharing most words.
    concepts = claim.derived("concepts", lambda: {k for k in claim_keys(claim) if k[:2] == "C:"})
    wanted = {k for k in concepts if k[2:] in events} or concepts
    wanted = wanted or {k for k in claim_keys(claim) if not k.startswith("E:")}
    best = max(set(frame.clause_of), key=lambda c: len(frame.clause_keys(c) & wanted), default=None)
    return any(frame.clause_of[start] == best for start, _ in cues)


def _disputed(claim: Frame, passage: Frame) -> bool:
    """The passage says the sides blame each other for what the claim asserts.

    Only a bare assertion is disputed this way: a figure or a quotation is checked on its own.
    """
    if claim.cues.get("dispute") or claim.figures or claim.speakers or "C:accuse" in claim.key_set:
        return False  # reporting an accusation is not taking a side
    if not assigns_blame(claim, BLAME):
        return False
    # Blame for starting the fighting covers who attacked, and the other way round.
    topic = ({k for k in claim.key_set if k.startswith("C:")} - {"C:fighting"}) | BLAME
    for _, end in passage.cues.get("dispute", ()):
        scope = {k for k in passage.keys[end : end + 6] if k} - {"C:fighting"}
        if scope & topic:
            return True
    return False
