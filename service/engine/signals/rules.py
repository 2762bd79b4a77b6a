"""The slot rules: the first engine's reading of one passage, as one more signal.

``service.engine.stance.judge`` compares claim and passage slot by slot with hand-set thresholds.
Its verdicts were tuned on one corpus, so here they only feed the fitted decision, which
learns from several corpora how much they are worth.
"""

from __future__ import annotations

from service.engine.model import Stance
from service.engine.signals import Knowledge, Pair, Signal
from service.engine.stance import judge


def rules(pair: Pair, knowledge: Knowledge) -> Signal:
    judgement = judge(pair.claim, pair.item, knowledge)
    features = {
        "rule_supports": float(judgement.stance is Stance.SUPPORTS),
        "rule_refutes": float(judgement.stance is Stance.REFUTES),
        "rule_coverage": judgement.coverage,
        "rule_disputed": float(judgement.disputed),
        "rule_exact": float(judgement.exact),
    }
    points = None if judgement.stance is Stance.NEUTRAL else judgement.stance.value
    return Signal(features, judgement.reason, points)
