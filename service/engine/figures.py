"""Figures of a claim against the figures of a passage: same thing counted, same owner, and
whether the intervals agree."""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.engine.analysis import Figure, Frame
from service.engine.dates import DateRef
from service.engine.lexicon import Lexicon
from service.engine.search import IndexedPassage


@dataclass(frozen=True, slots=True)
class FigureMatch:
    """How one figure of the claim fares against the passage's comparable figures."""

    claimed: Figure
    relation: str  # "supports", "refutes" or "none"
    found: Figure | None
    same_value: bool = False

    @property
    def exact(self) -> bool:
        return self.found is not None and self.found.amount.low == self.claimed.amount.low


def match_figures(claim: Frame, item: IndexedPassage) -> list[FigureMatch]:
    """How each figure of the claim fares against the passage."""
    if not claim.figures:
        return []
    on_day = _same_day(claim, item)
    return [match_figure(f, item, on_day) for f in claim.figures]


def match_figure(claimed: Figure, item: IndexedPassage, on_day: bool) -> FigureMatch:
    """The best comparable figure of the passage: one that agrees, else one that disagrees."""
    refuting: Figure | None = None
    same_value = any(
        f.amount.dim == claimed.amount.dim and compare_amounts(claimed, f) == "supports"
        for f in item.frame.figures
    )
    if not on_day:
        return FigureMatch(claimed, "none", None, same_value)
    for found in item.frame.figures:
        if not comparable(claimed, found, item.frame):
            continue
        relation = compare_amounts(claimed, found)
        if relation == "supports":
            return FigureMatch(claimed, relation, found, True)
        if relation == "refutes" and refuting is None:
            refuting = found
    if refuting is not None:
        return FigureMatch(claimed, "refutes", refuting, same_value)
    return FigureMatch(claimed, "none", None, same_value)


def _same_day(claim: Frame, item: IndexedPassage) -> bool:
    """A figure the claim dates ("on Friday", "on 15 September", "the 2020 war") is compared
    only with figures of that day or year; an undated figure is the report's own."""
    published = item.document.published
    reported = report_day(item)
    years = list(
        dict.fromkeys(d.ref for d in claim.when() if d.ref.day is None and d.ref.weekday is None)
    )
    passage_years = [d.ref for d in item.frame.when() if d.ref.day is None and d.ref.year]
    if not years and published is not None:
        # A figure the passage dates to another year ("the war in the early 1990s") is about
        # another event than an undated claim.
        if passage_years and not any(y.year == published.year for y in passage_years):
            return False
    for year in years:
        rivals = [ref for ref in passage_years if year.same_as(ref) is not None]
        rivals = rivals or ([DateRef(year=published.year)] if published else [])
        if rivals and not any(year.same_as(ref) for ref in rivals):
            return False
    days = list(
        dict.fromkeys(
            d.ref for d in claim.when() if d.ref.day is not None or d.ref.weekday is not None
        )
    )
    if not days:
        return True
    passage_days = [d.ref for d in item.frame.when() if d.ref.same_as(days[0]) is not None]
    passage_days = passage_days or ([reported] if reported else [])
    return any(ref.same_as(days[0]) for ref in passage_days)


def report_day(item: IndexedPassage) -> DateRef | None:
    """The document's publication date, as a DateRef."""
    day = item.document.published
    return DateRef(day.year, day.month, day.day, day.weekday()) if day else None


def comparable(claimed: Figure, found: Figure, passage: Frame) -> bool:
    """Same kind of quantity, of the same thing, for the same party, in the same event."""
    a, b = claimed.amount, found.amount
    if a.dim != b.dim:
        return False
    clause = passage.clause_keys(found.clause)
    counted = {claimed.counted, found.counted}
    if None not in counted and len(counted) > 1 and "people" not in counted:
        if "C:" + claimed.counted not in clause and claimed.counted not in clause:
            return False
    if claimed.event and claimed.event != found.event and "C:" + claimed.event not in clause:
        return False
    if a.dim == "time":
        return True  # how long something lasted belongs to no party
    return not (claimed.owner and found.owner and claimed.owner != found.owner)


def compare_amounts(claimed: Figure, found: Figure) -> str:
    """ "supports" when one interval holds the other (the passage's bounded), "refutes" when
    they are disjoint, "none" when they only overlap."""
    c, p = claimed.amount, found.amount
    if c.high < p.low or p.high < c.low:
        return "refutes"
    if c.low == c.high and c.low in (p.low, p.high):
        return "supports"  # "49" against "at least 49": the same figure, qualified
    if c.low <= p.low and p.high <= c.high:
        return "supports"
    if p.low <= c.low and c.high <= p.high and not math.isinf(p.high):
        return "supports"
    return "none"


def figure_reason(match: FigureMatch, lexicon: Lexicon) -> str:
    """ "claimed 135 soldiers; passage reports 135 troops of Armenia, death toll"."""
    claimed = match.claimed
    said = claimed.words()
    if match.found is None:
        return f"claimed {said}; no comparable figure"
    return f"claimed {said}; passage reports {match.found.describe(lexicon)}"
