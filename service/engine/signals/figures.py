"""Figures: does the passage state the claim's figures, or other figures of the same kind?

Two views. The strict one (``service.engine.figures``) compares a figure only with one that counts
the same thing for the same party on the same day. The loose one compares values of the same
dimension anywhere in the passage: the fitted decision learns how far to trust each.
"""

from __future__ import annotations

from service.engine.analysis import Figure
from service.engine.figures import compare_amounts, figure_reason, match_figures
from service.engine.signals import Knowledge, Pair, Signal


def figures(pair: Pair, knowledge: Knowledge) -> Signal:
    claimed = pair.claim.figures
    if not claimed:
        return Signal(_NONE)
    found = pair.item.frame.figures
    strict = match_figures(pair.claim, pair.item)
    loose = [_loose(f, found) for f in claimed]
    n = len(claimed)
    features = {
        "fig_claimed": 1.0,
        "fig_strict_agree": sum(m.relation == "supports" for m in strict) / n,
        "fig_strict_clash": sum(m.relation == "refutes" for m in strict) / n,
        "fig_loose_agree": loose.count("agree") / n,
        "fig_loose_clash": loose.count("clash") / n,
    }
    deciding = next((m for m in strict if m.relation == "refutes"), None) or next(
        (m for m in strict if m.relation == "supports"), None
    )
    if deciding is None:
        return Signal(features)
    return Signal(features, figure_reason(deciding, knowledge.lexicon), deciding.relation)


def _loose(claimed: Figure, found: list[Figure]) -> str:
    """ "agree": a figure of the same dimension agrees; "clash": some disagree, none agree;
    "absent": the passage has no figure of that dimension."""
    same = [f for f in found if f.amount.dim == claimed.amount.dim]
    if not same:
        return "absent"
    if any(compare_amounts(claimed, f) != "refutes" for f in same):
        return "agree"
    return "clash"


_NONE = {
    "fig_claimed": 0.0,
    "fig_strict_agree": 0.0,
    "fig_strict_clash": 0.0,
    "fig_loose_agree": 0.0,
    "fig_loose_clash": 0.0,
}
