"""Split document text into passages: sentences, with a line lacking final punctuation on its own.

Pure functions, no I/O. The text is cut into whitespace-separated tokens; a passage ends
between two tokens when

* the whitespace between them holds a line break (a headline, a dateline or a credit line
  such as "©2022 Bloomberg L.P." is therefore always a passage of its own), or
* the first token ends a sentence: it ends with ``.``, ``!``, ``?``, ``…`` or ``...``
  (optionally followed by closing quotes or brackets), the next token starts with an
  uppercase letter, a digit or an opening double quote (after any opening brackets), the
  period is not that of an abbreviation (``ABBREVIATIONS``, dotted forms such as "U.S." or
  "a.m.", single capital initials such as "J."; ``NUMBER_ABBREVIATIONS`` such as "No." only
  before a number), and the gap is not inside a quotation that closes on the same line.

Decimals ("7.5"), times ("9.00 am"), dashes ("--", "–", "—") and ellipses inside a token
("drones…striking") never split because they hold no whitespace. A quotation left unclosed
at the end of its line protects nothing, so unbalanced quotes in news copy cannot merge
sentences. Long sentences are kept whole. Every step is a single left-to-right scan, so the
running time is linear in the length of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import pairwise

# Words (lower-cased, without their final period) whose period does not end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # titles and ranks
        "mr", "mrs", "ms", "messrs", "dr", "prof", "rev", "hon", "fr", "st", "mt", "ft",
        "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "cmdr", "adm", "brig", "gov",
        "sen", "rep", "pres", "supt", "insp", "det", "amb",
        # months
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        # dotted forms (also caught by the generic dotted pattern)
        "u.s", "u.n", "u.k", "e.u", "a.m", "p.m", "e.g", "i.e", "l.p", "d.c",
        # others
        "vs", "v", "cf", "ca", "al", "approx", "dept", "univ", "ave", "blvd",
    }
)  # fmt: skip

# Abbreviations that stand before a number ("No. 5", "pp. 12"); elsewhere a period may end.
NUMBER_ABBREVIATIONS: frozenset[str] = frozenset(
    {"no", "nos", "nr", "p", "pp", "vol", "fig", "art"}
)

SENTENCE_END = ".!?…"
CLOSERS = "\"'”’)]}»›"
OPENERS = "\"'“‘([{«‹¿¡"
DOUBLE_OPENERS = '"“«'
# Characters around a straight quote that show it opens or closes a quotation.
_BEFORE_OPENING = "([{—–-/"
_AFTER_CLOSING = ".,;:!?)]}—–-…"

_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() breaks on
_TOKEN = re.compile(r"\S+")
_LINE_BREAK = re.compile(f"[{_LINE_BREAKS}]")
_QUOTE_OR_BREAK = re.compile(f'["“”{_LINE_BREAKS}]')
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")

_Regions = tuple[list[int], list[int]]


def split_passages(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of the passages of ``text``, in order."""
    tokens = [m.span() for m in _TOKEN.finditer(text)]
    if not tokens:
        return []
    quotes = _quoted_regions(text)
    spans: list[tuple[int, int]] = []
    start = tokens[0][0]
    for (tok_start, tok_end), (next_start, next_end) in pairwise(tokens):
        if _LINE_BREAK.search(text, tok_end, next_start) or (
            not _inside(quotes, tok_end)
            and _ends_sentence(text[tok_start:tok_end], text[next_start:next_end])
        ):
            spans.append((start, tok_end))
            start = next_start
    spans.append((start, tokens[-1][1]))
    return spans


def _ends_sentence(token: str, following: str) -> bool:
    """Whether ``token`` ends a sentence when ``following`` is the next token."""
    core = token.rstrip(CLOSERS)
    if not core or core[-1] not in SENTENCE_END or not _starts_sentence(following):
        return False
    return not (core[-1] == "." and _is_abbreviation(core[:-1], following))


def _starts_sentence(token: str) -> bool:
    """Whether ``token`` can open a sentence: an opening quote, a capital or a digit."""
    if token[0] in DOUBLE_OPENERS:
        return True
    lead = token.lstrip(OPENERS)[:1]
    return lead.isupper() or lead.isdigit()


def _is_abbreviation(stem: str, following: str) -> bool:
    """Whether ``stem`` followed by a period is an abbreviation rather than a sentence end."""
    word = stem.lstrip(OPENERS)
    key = word.lower()
    if key in ABBREVIATIONS or _DOTTED.fullmatch(word):
        return True
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    return key in NUMBER_ABBREVIATIONS and following.lstrip(OPENERS)[:1].isdigit()


def _quoted_regions(text: str) -> _Regions:
    """Return the positions of the opening and closing marks of quotations closed on their line."""
    opens: list[int] = []
    closes: list[int] = []
    open_at, open_kind = -1, ""
    for match in _QUOTE_OR_BREAK.finditer(text):
        mark, pos = match.group(), match.start()
        if mark in _LINE_BREAKS:
            open_at = -1
            continue
        kind = "straight" if mark == '"' else "curly"
        if open_at >= 0 and kind != open_kind:
            continue  # a quote of the other kind nested inside: not a boundary of this one
        role = _straight_role(text, pos) if kind == "straight" else mark
        if role in ("close", "”") or (role == "either" and open_at >= 0):
            if open_at >= 0:
                opens.append(open_at)
                closes.append(pos)
            open_at = -1
        else:  # an opening mark; a second one restarts a quotation left unclosed
            open_at, open_kind = pos, kind
    return opens, closes


def _straight_role(text: str, pos: int) -> str:
    """Tell whether the straight quote at ``pos`` opens, closes or could do "either"."""
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + 1] if pos + 1 < len(text) else " "
    if (before.isspace() or before in _BEFORE_OPENING) and not after.isspace():
        return "open"
    if not before.isspace() and (after.isspace() or after in _AFTER_CLOSING):
        return "close"
    return "either"


def _inside(regions: _Regions, pos: int) -> bool:
    """Whether ``pos`` lies strictly inside one of the quoted ``regions``."""
    opens, closes = regions
    i = bisect_right(opens, pos) - 1
    return i >= 0 and opens[i] < pos < closes[i]
