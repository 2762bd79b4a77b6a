"""Dates: the day or year the claim gives, against the passage's."""

from __future__ import annotations

from service.figures import report_day
from service.roles import date_clash, date_confirmed
from service.signals import Knowledge, Pair, Signal


def dates(pair: Pair, knowledge: Knowledge) -> Signal:
    claim = pair.claim
    refs = [d.ref for d in claim.when()]
    if not refs:
        return Signal({"date_claimed": 0.0, "date_agree": 0.0, "date_clash": 0.0})
    clash = date_clash(claim, pair.item.frame, knowledge.lexicon.events)
    agree = date_confirmed(refs, pair.item.frame, report_day(pair.item))
    features = {"date_claimed": 1.0, "date_agree": float(agree), "date_clash": float(bool(clash))}
    if clash:
        return Signal(features, clash, "refutes")
    return Signal(features)
