"""The learned stance: what the cross-encoder reads in the passage (``stance_model``).

The checker runs the model, in one batch, on the candidates the other signals make the
likeliest evidence (``Decision.reading_order``), then takes this signal again for them
(``extract.with_learned``); it passes the three probabilities to the fitted decision, with
a reason a reader can weigh. An unread candidate keeps the default: neutral.
"""

from __future__ import annotations

from service.engine.signals import Knowledge, Pair, Signal
from service.engine.stance_model import LABELS, LEARNED_FEATURES


def learned(pair: Pair, knowledge: Knowledge) -> Signal:
    features = dict(zip(LEARNED_FEATURES, pair.learned, strict=True))
    best = max(range(len(LABELS)), key=lambda i: pair.learned[i])
    if LABELS[best] == "neutral":
        return Signal(features)
    verb = "supporting" if LABELS[best] == "supports" else "contradicting"
    reason = f"the stance model reads it as {verb} the claim ({pair.learned[best]:.2f})"
    return Signal(features, reason, LABELS[best])
