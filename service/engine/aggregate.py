"""From judged passages to what the answer shows: evidence order, reasons, explanation.

The verdict itself comes from the fitted decision (``service.engine.decision``); this module says
which passages back it, in what order, and why, in words a reader can check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from service.engine.decision import PassageOdds
from service.engine.model import Stance, Verdict
from service.engine.search import Hit
from service.engine.signals import Signal

_POINTS = {Stance.SUPPORTS: "supports", Stance.REFUTES: "refutes"}


@dataclass(frozen=True, slots=True)
class Judged:
    """A retrieved passage with its signals and the fitted odds of its stance."""

    hit: Hit
    odds: PassageOdds
    signals: list[Signal]
    features: dict[str, float]
    # Set when the verdict rests on this passage although alone it leaned another way.
    backing: Stance | None = None

    @property
    def stance(self) -> Stance:
        return self.backing or self.odds.stance

    @property
    def strength(self) -> float:
        """How strongly the passage takes its stance (its probability)."""
        if self.stance is Stance.SUPPORTS:
            return self.odds.supports
        if self.stance is Stance.REFUTES:
            return self.odds.refutes
        return 1.0 - self.odds.relevance

    @property
    def reason(self) -> str:
        """The reason of the first signal pointing the passage's way, else a description."""
        points = _POINTS.get(self.stance)
        for signal in self.signals:
            if points and signal.points == points and signal.reason:
                return signal.reason
        if self.stance is Stance.SUPPORTS:
            return f"says the same in other words (similarity {self.features['cosine']:.2f})"
        if self.stance is Stance.REFUTES:
            return "is about the same thing and says otherwise"
        described = next((s.reason for s in self.signals if s.reason and not s.points), None)
        return described or "is about something else"


def backed(verdict: Verdict, judged: list[Judged]) -> list[Judged]:
    """The passages with the stances the verdict rests on shown as such.

    The verdict weighs every candidate together; when no single passage reached the stance
    the verdict needs (a supported claim with no supporting passage), the likeliest one for
    that stance is shown with it, so the answer never says "refuted" beside no refutation.
    """
    needed = {
        Verdict.SUPPORTED: (Stance.SUPPORTS,),
        Verdict.REFUTED: (Stance.REFUTES,),
        Verdict.CONFLICTING: (Stance.SUPPORTS, Stance.REFUTES),
    }.get(verdict, ())
    result = list(judged)
    for stance in needed:
        if result and not any(j.stance is stance for j in result):
            odds = (lambda j: j.odds.supports) if stance is Stance.SUPPORTS else (
                lambda j: j.odds.refutes)  # fmt: skip
            best = max(range(len(result)), key=lambda i: odds(result[i]))
            result[best] = replace(result[best], backing=stance)
    return result


def evidence_order(judged: list[Judged]) -> list[Judged]:
    """Passages that support or refute first (most probable first), then neutral ones, the
    likeliest to be about the claim first (the gold passage of a claim judged neutral is
    more often among the first five shown than in retrieval order: docs/VERDICT.md)."""
    taking = [j for j in judged if j.stance is not Stance.NEUTRAL]
    neutral = [j for j in judged if j.stance is Stance.NEUTRAL]
    taking.sort(key=lambda j: -j.strength)
    neutral.sort(key=lambda j: -j.odds.relevance)
    return taking + neutral


def explain(verdict: Verdict, judged: list[Judged]) -> str:
    """One or two sentences saying why: the deciding passage and its reason; for a revised
    figure, the earlier reports by date."""
    if not judged:
        return "Nothing in the corpus is about this claim."
    supports = _best(judged, Stance.SUPPORTS)
    refutes = _best(judged, Stance.REFUTES)
    if verdict is Verdict.SUPPORTED and supports:
        return f"{_source(supports)} supports it: {supports.reason}.{_earlier(supports, judged)}"
    if verdict is Verdict.REFUTED and refutes:
        return f"{_source(refutes)} contradicts it: {refutes.reason}."
    if verdict is Verdict.CONFLICTING and supports and refutes:
        return (
            f"Sources disagree: {_source(supports)} supports it ({supports.reason}), while "
            f"{_source(refutes)} contradicts it ({refutes.reason})."
        )
    closest = max(judged, key=lambda j: j.odds.relevance)
    return (
        "No passage clearly confirms or contradicts the claim; the closest one "
        f"({_source(closest)}) {closest.reason}."
    )


def _best(judged: list[Judged], stance: Stance) -> Judged | None:
    found = [j for j in judged if j.stance is stance]
    return max(found, key=lambda j: j.strength) if found else None


def _earlier(latest: Judged, judged: list[Judged]) -> str:
    """Earlier reports of another figure, named as superseded context."""
    day = latest.hit.item.document.published
    if day is None:
        return ""
    earlier = sorted(
        {
            f"{j.hit.item.document.published}"
            for j in judged
            if j.stance is Stance.REFUTES
            and j.features.get("fig_claimed")
            and j.hit.item.document.published
            and j.hit.item.document.published < day
        }
    )
    if not earlier:
        return ""
    return (
        f" Earlier reports ({', '.join(earlier)}) gave other figures; the latest, of {day},"
        " decides."
    )


def _source(j: Judged) -> str:
    document = j.hit.item.document
    name = document.publisher or document.title or document.id
    return f"{name} ({document.published})" if document.published else name
