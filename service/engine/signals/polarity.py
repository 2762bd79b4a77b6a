"""Polarity: negation, denial and opposite words ("opened"/"closed", "rose"/"fell")."""

from __future__ import annotations

from service.engine.analysis import Frame
from service.engine.roles import polarity_clash
from service.engine.signals import Knowledge, Pair, Signal


def polarity(pair: Pair, knowledge: Knowledge) -> Signal:
    claim, passage = pair.claim, pair.item.frame
    lexicon = knowledge.lexicon
    clash = polarity_clash(claim, passage, lexicon.events)
    opposite = _opposite(claim, passage, lexicon.opposites)
    features = {
        "negated_claim": float(_negated(claim)),
        "negated_passage": float(_negated(passage)),
        "negation_differs": float(_negated(claim) != _negated(passage)),
        "polarity_clash": float(bool(clash)),
        "opposite_word": float(opposite is not None),
        "modal_claim": float(bool(claim.cues.get("modality"))),
        "modal_passage": float(bool(passage.cues.get("modality"))),
    }
    if clash:
        return Signal(features, clash, "refutes")
    if opposite:
        return Signal(features, f"the passage says {opposite[1]!r} where the claim says "
                      f"{opposite[0]!r}", "refutes")  # fmt: skip
    return Signal(features)


def _negated(frame: Frame) -> bool:
    return bool(frame.cues.get("negation") or frame.cues.get("denial"))


def _opposite(
    claim: Frame, passage: Frame, opposites: dict[str, frozenset[str]]
) -> tuple[str, str] | None:
    """A word of the claim whose opposite the passage uses (and not the word itself)."""
    passage_stems = {t.stem: t.text for t in passage.tokens}
    for token in claim.tokens:
        if token.stem in passage_stems:
            continue
        for other in opposites.get(token.stem, ()):
            if other in passage_stems:
                return token.text, passage_stems[other]
    return None
