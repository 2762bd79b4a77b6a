"""Coverage: how much of the claim's weighted content the passage states."""

from __future__ import annotations

from service.engine.analysis import Frame
from service.engine.signals import Knowledge, Pair, Signal

# Concepts that carry no assertion of their own (who said it is the entity signal's).
UNWEIGHTED = frozenset({"C:say"})
# Words that only frame a figure.
FIGURE_FRAMING = frozenset({"C:increase"})


def coverage(pair: Pair, knowledge: Knowledge) -> Signal:
    """Share of the claim's content keys (stems, concepts, entities) in the passage,
    weighted by rarity, and the share missing although the passage's document has them."""
    keys = claim_keys(pair.claim)
    if not keys:
        return Signal({"covered": 0.0, "missing_rare": 0.0})
    item = pair.item
    weights = {k: knowledge.weight(k) for k in keys}
    total = sum(weights.values())
    here = sum(w for k, w in weights.items() if k in item.keys)
    near = sum(w for k, w in weights.items() if k not in item.keys and k in item.context_keys)
    missing = [k for k in keys if k not in item.keys and k not in item.context_keys]
    rarest = max((weights[k] for k in missing), default=0.0) / max(weights.values())
    reason = None
    if missing:
        words = sorted(_surface(k) for k in missing)[:3]
        reason = "does not state " + ", ".join(words)
    return Signal(
        {"covered": (here + 0.5 * near) / total, "missing_rare": rarest},
        reason,
    )


def _surface(key: str) -> str:
    return key.split(":", 1)[-1].replace("_", " ")


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
