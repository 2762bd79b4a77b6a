"""Split a sentence that makes several assertions into its clauses (pure, no I/O)."""

from __future__ import annotations

import re

# A semicolon, or a comma before a conjunction that opens a new assertion.
_BOUNDARY = re.compile(r";\s+|,\s+(?=(?:and|but|while|whereas|with)\s)", re.IGNORECASE)
_LEADING = re.compile(r"(?:and|but|while|whereas|with)\s+", re.IGNORECASE)
MIN_WORDS = 4


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of ``text``; the whole text if it has only one.

    A clause keeps its wording but not the conjunction that joined it ("with X crediting Y"
    becomes "X crediting Y"). Fragments under ``MIN_WORDS`` words stay with the clause
    before them.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        lead = _LEADING.match(text, begin)
        begin = lead.end() if lead else begin
        if merged and len(text[begin:end].split()) < MIN_WORDS:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    if len(merged) > 1 and len(text[merged[0][0] : merged[0][1]].split()) < MIN_WORDS:
        merged[1] = (merged[0][0], merged[1][1])
        merged.pop(0)
    return [(b, e) for b, e in merged if text[b:e].strip()]
