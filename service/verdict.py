"""Aggregate per-passage judgements into one verdict, with revised figures ordered by date."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from service.analysis import Frame
from service.index import Hit
from service.model import Stance, Verdict
from service.stance import Judgement

# Events whose figures only grow while a story unfolds: a later, larger toll revises an
# earlier one instead of contradicting it.
CUMULATIVE = frozenset({"kill", "wound"})


@dataclass(frozen=True, slots=True)
class Judged:
    """A retrieved passage with its judgement."""

    hit: Hit
    judgement: Judgement

    @property
    def published(self) -> date:
        return self.hit.item.document.published or date.min


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict, how sure it is, why, and the judgements as finally labelled."""

    verdict: Verdict
    confidence: float
    explanation: str
    judged: tuple[Judged, ...]


def decide(claim: Frame, judged: list[Judged]) -> Decision:
    """Turn the passages' stances into a verdict."""
    revision = _revision(claim, judged)
    if revision:
        return revision
    supports = _best(judged, Stance.SUPPORTS)
    refutes = _best(judged, Stance.REFUTES)
    if supports and refutes:
        return _mixed(claim, judged, supports, refutes)
    if supports:
        return _decision(Verdict.SUPPORTED, supports, judged, _agreeing(judged, Stance.SUPPORTS))
    if refutes:
        if refutes[0].judgement.disputed:
            return _decision(Verdict.CONFLICTING, refutes, judged, "Sources dispute this claim")
        if any(f.event in CUMULATIVE for f in claim.figures):
            # A toll that no report gives: cite the latest one first.
            refutes.sort(key=lambda j: j.published, reverse=True)
        return _decision(Verdict.REFUTED, refutes, judged, _agreeing(judged, Stance.REFUTES))
    return _not_enough(judged)


def _best(judged: list[Judged], stance: Stance) -> list[Judged]:
    found = [j for j in judged if j.judgement.stance is stance]
    # Same order as the evidence list: explicitly dated or exact matches first.
    return sorted(found, key=lambda j: (not j.judgement.exact, -j.judgement.coverage, -j.hit.score))


def _mixed(
    claim: Frame, judged: list[Judged], supports: list[Judged], refutes: list[Judged]
) -> Decision:
    top_s, top_r = supports[0].judgement, refutes[0].judgement
    anchored = bool(claim.speakers) or any(
        d.ref.day is not None or d.ref.weekday is not None for d in claim.dates
    )
    # A claim tied to a speaker or a date is about one statement. Other figures from that
    # speaker are other statements, so a passage where the speaker says it settles it; any
    # other disagreement is settled only by a clearly closer match.
    if anchored and not top_r.disputed:
        # The speaker's own words outweigh what is credited to their side.
        lead = top_s.coverage - top_r.coverage + 0.2 * (top_s.same_speaker - top_r.same_speaker)
        if lead > -0.1 if top_r.slot == "figure" else lead >= 0.1:
            return _decision(Verdict.SUPPORTED, supports, _quiet(judged, Stance.REFUTES),
                             _agreeing(judged, Stance.SUPPORTS), outweighed=True)  # fmt: skip
        if lead <= -0.1:
            return _decision(Verdict.REFUTED, refutes, _quiet(judged, Stance.SUPPORTS),
                             _agreeing(judged, Stance.REFUTES), outweighed=True)  # fmt: skip
    explanation = (
        f"Sources disagree: {_source(supports[0])} supports it ({top_s.reason}), "
        f"while {_source(refutes[0])} contradicts it ({top_r.reason})"
    )
    confidence = 0.5 + 0.3 * min(top_s.coverage, top_r.coverage)
    return Decision(Verdict.CONFLICTING, round(confidence, 3), explanation + ".", tuple(judged))


def _revision(claim: Frame, judged: list[Judged]) -> Decision | None:
    """Figures for an unfolding event: the latest report decides, earlier ones are context."""
    if claim.dates or claim.cues.get("anchor_earliest"):
        return None
    if claim.speakers and not claim.present_speech:
        return None  # "X said 105" is true of what X said then; "X says" means now
    if not any(f.event in CUMULATIVE for f in claim.figures):
        return None
    series = [j for j in judged if j.judgement.slot == "figure" and j.judgement.figure is not None]
    stances = {j.judgement.stance for j in series}
    if not {Stance.SUPPORTS, Stance.REFUTES} <= stances:
        return None
    series.sort(key=lambda j: (j.published, j.judgement.figure.amount.low))
    latest = series[-1]
    earlier = sorted(
        {j.judgement.figure.amount.text for j in series[:-1]}
        - {latest.judgement.figure.amount.text}
    )
    history = f" (earlier reports: {', '.join(earlier)})" if earlier else ""
    when = latest.hit.item.document.published
    dated = f" on {when.isoformat()}" if when else ""
    if latest.judgement.stance is Stance.SUPPORTS:
        relabelled = [
            _superseded(j, latest) if j in series and j.judgement.stance is Stance.REFUTES else j
            for j in judged
        ]
        text = f"The latest report{dated} matches ({latest.judgement.reason}){history}."
        return Decision(Verdict.SUPPORTED, _confidence(latest), text, tuple(relabelled))
    reason = latest.judgement.reason
    text = f"The figure was superseded by the latest report{dated} ({reason}){history}."
    confidence = round(0.5 + 0.3 * latest.judgement.coverage, 3)
    return Decision(Verdict.CONFLICTING, confidence, text, tuple(judged))


def _superseded(j: Judged, latest: Judged) -> Judged:
    figure = j.judgement.figure.amount.text if j.judgement.figure else "figure"
    reason = f"earlier count ({figure}), revised by the {latest.hit.item.document.published} report"
    return replace(j, judgement=replace(j.judgement, stance=Stance.NEUTRAL, reason=reason))


def _quiet(judged: list[Judged], stance: Stance) -> list[Judged]:
    """Outweighed passages keep their reason but lose their stance."""
    return [
        replace(j, judgement=replace(j.judgement, stance=Stance.NEUTRAL))
        if j.judgement.stance is stance else j
        for j in judged
    ]  # fmt: skip


def _decision(
    verdict: Verdict,
    best: list[Judged],
    judged: list[Judged],
    lead: str,
    *,
    outweighed: bool = False,
) -> Decision:
    sources = len({j.hit.item.document.id for j in best})
    confidence = _confidence(best[0], sources, outweighed)
    text = f"{lead}: {best[0].judgement.reason}."
    return Decision(verdict, confidence, text, tuple(judged))


def _confidence(best: Judged, sources: int = 1, outweighed: bool = False) -> float:
    """How sure a supported or refuted verdict is.

    0.5 + 0.45 x (share of the claim the decisive passage covers) x directness, where
    directness is 1 when a slot decided (a figure, an entity, a date, a negation) and 0.9
    when only the wording matched; +0.03 for each further source that agrees (at most two),
    -0.1 when other passages pointed the other way and were outweighed; at most 0.98.
    """
    judgement = best.judgement
    directness = 0.9 if judgement.slot == "content" else 1.0
    value = 0.5 + 0.45 * judgement.coverage * directness + 0.03 * min(sources - 1, 2)
    return round(min(0.98, value - (0.1 if outweighed else 0.0)), 3)


def _agreeing(judged: list[Judged], stance: Stance) -> str:
    docs = {j.hit.item.document.id for j in judged if j.judgement.stance is stance}
    passages = sum(j.judgement.stance is stance for j in judged)
    verb = "supports" if stance is Stance.SUPPORTS else "contradicts"
    if passages == 1:
        return f"One passage {verb} the claim"
    return f"{passages} passages from {len(docs)} source(s) {verb.rstrip('s')} the claim"


def _not_enough(judged: list[Judged]) -> Decision:
    closest = max((j.judgement.coverage for j in judged), default=0.0)
    if judged:
        text = (
            "No passage confirms or contradicts the claim; the closest one "
            f"({_source(judged[0])}) {judged[0].judgement.reason}."
        )
    else:
        text = "Nothing in the corpus is about this claim."
    # A near miss (a passage covering most of the claim) leaves more doubt than silence.
    confidence = round(0.95 - 0.45 * closest, 3)
    return Decision(Verdict.NOT_ENOUGH_INFO, confidence, text, tuple(judged))


def _source(j: Judged) -> str:
    document = j.hit.item.document
    name = document.publisher or document.title or document.id
    return f"{name}, {document.published}" if document.published else name


def combine(parts: list[Decision]) -> Decision | None:
    """The verdict on a claim made of several clauses, each decided on its own.

    Every clause supported gives supported; a refuted clause among supported ones gives
    refuted. Anything else is left to the verdict on the whole claim (None).
    """
    verdicts = [p.verdict for p in parts]
    if all(v is Verdict.SUPPORTED for v in verdicts):
        verdict = Verdict.SUPPORTED
    elif Verdict.REFUTED in verdicts and set(verdicts) <= {Verdict.SUPPORTED, Verdict.REFUTED}:
        verdict = Verdict.REFUTED
    else:
        return None
    deciding = [p for p in parts if p.verdict is verdict]
    text = "Each part of the claim was checked on its own: " + " ".join(
        f"({n}) {p.explanation}" for n, p in enumerate(parts, 1)
    )
    judged = tuple(j for p in parts for j in p.judged)
    return Decision(verdict, min(p.confidence for p in deciding), text, judged)
