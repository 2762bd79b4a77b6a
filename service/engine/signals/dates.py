"""Dates: the day or year the claim gives, against the passage's.

Two views, as for figures: the slot rules' (a date of the same event, ``service.engine.roles``) and
a loose one that compares the claim's dates with every date the passage gives.
"""

from __future__ import annotations

from service.engine.dates import DateRef
from service.engine.figures import report_day
from service.engine.roles import date_clash, date_confirmed
from service.engine.signals import Knowledge, Pair, Signal

_NONE = {"date_claimed": 0.0, "date_agree": 0.0, "date_clash": 0.0, "date_loose_clash": 0.0}


def dates(pair: Pair, knowledge: Knowledge) -> Signal:
    claim = pair.claim
    refs = [d.ref for d in claim.when()]
    if not refs:
        return Signal(dict(_NONE))
    passage = pair.item.frame
    clash = date_clash(claim, passage, knowledge.lexicon.events)
    agree = date_confirmed(refs, passage, report_day(pair.item))
    given = [d.ref for d in passage.when()]
    loose = [_loose(ref, given) for ref in refs]
    features = {
        "date_claimed": 1.0,
        "date_agree": float(agree),
        "date_clash": float(bool(clash)),
        "date_loose_clash": loose.count(False) / len(refs),
    }
    if clash:
        return Signal(features, clash, "refutes")
    return Signal(features)


def _loose(claimed: DateRef, given: list[DateRef]) -> bool | None:
    """True: a date of the passage is the claimed one; False: the passage's comparable dates
    are all other days; None: nothing to compare."""
    verdicts = [claimed.same_as(ref) for ref in given]
    if any(verdicts):
        return True
    return False if False in verdicts else None
