"""Coverage: how much of the claim's weighted content the passage states."""

from __future__ import annotations

from service.engine.signals import Knowledge, Pair, Signal
from service.engine.stance import claim_keys


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
