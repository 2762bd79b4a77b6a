"""A per-request work budget: how long, and how many checks, one review or batch may cost.

Pure domain code (no Flask). A review or a batch spends its budget between sentences or
claims; once the deadline has passed or the checks are used up, it stops there and answers
what it has done, with a :class:`Truncated` saying why and what was left out. One check is
never cut in the middle, so the deadline may be passed by one sentence's work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Truncated:
    """Why a review or batch stopped early, and what it left out.

    ``reason`` is ``"time"`` (the deadline passed) or ``"checks"`` (the checks ran out);
    ``skipped`` counts the sentences (review) or claims (batch) left out; ``resume_at`` is
    where they start: a character offset into the text, or the index of the first claim.
    """

    reason: str
    skipped: int
    resume_at: int


class Budget:
    """``seconds`` of work and ``checks`` checks, counted from creation (monotonic clock)."""

    def __init__(self, *, seconds: float, checks: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.checks_left = checks

    def __repr__(self) -> str:
        left = self.deadline - time.monotonic()
        return f"Budget({left:.3f} s, {self.checks_left} checks left)"

    def spend(self, checks: int = 1) -> None:
        """Count ``checks`` checks done."""
        self.checks_left -= checks

    def exhausted(self) -> str | None:
        """``"time"`` or ``"checks"`` once that is spent; None while work may go on."""
        if time.monotonic() >= self.deadline:
            return "time"
        if self.checks_left <= 0:
            return "checks"
        return None
