"""Entities and names: the claim's actors and places, in the passage or replaced there.

Known entities come from the lexicon and what the corpus taught it (people and their titles,
acronyms). Names are the words the corpus itself writes capitalised mid-sentence, so a beat
nobody listed still has its names checked, and a lowercase claim ("ted cruz") still names.
"""

from __future__ import annotations

from service.engine.roles import swap
from service.engine.signals import Knowledge, Pair, Signal
from service.engine.text import tokenize


def entities(pair: Pair, knowledge: Knowledge) -> Signal:
    claim, passage = pair.claim, pair.item.frame
    wanted = claim.entity_ids()
    present = passage.entity_ids() | _context_entities(pair)
    missing = wanted - present
    claim_names = names_in(claim.text, knowledge.names)
    passage_names = names_in(passage.text, knowledge.names)
    lost = claim_names - passage_names
    swapped = swap(claim, passage, knowledge.lexicon)
    features = {
        "ent_missing": len(missing) / len(wanted) if wanted else 0.0,
        "ent_other": float(bool(missing) and bool(passage.entity_ids() - wanted)),
        "name_missing": len(lost) / len(claim_names) if claim_names else 0.0,
        "name_other": float(bool(lost) and bool(passage_names - claim_names)),
        "role_swap": float(bool(swapped and swapped[2])),
    }
    if swapped and swapped[2]:
        return Signal(features, swapped[0], "refutes")
    return Signal(features)


def _context_entities(pair: Pair) -> frozenset[str]:
    return frozenset(k[2:] for k in pair.item.context_keys if k.startswith("E:"))


def names_in(text: str, names: frozenset[str]) -> frozenset[str]:
    """The words of ``text`` the corpus writes as names (lowercase)."""
    return frozenset(t.text for t in tokenize(text) if t.text in names)
