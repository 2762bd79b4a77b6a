"""Numbers in text: digits, number words, vague amounts, qualifiers and units, as intervals."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from service.lexicon import Lexicon
from service.text import Token

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_TIME_AFTER = frozenset({"am", "pm", "gmt", "utc", "cet", "msk"})
# Figures past this are all "astronomically many": they compare, without overflowing.
_MAX_VALUE = 1e30


@dataclass(frozen=True, slots=True)
class Amount:
    """A figure found in text: the tokens it spans and the interval of values it allows."""

    start: int
    end: int
    first: int
    text: str
    value: float
    low: float
    high: float
    unit: str | None
    dim: str
    qualifier: str | None


def parse_digits(text: str) -> float | None:
    """ "2,000" -> 2000.0, "7.5" -> 7.5; None for times ("00:05") or malformed groups."""
    if not _DIGITS.match(text):
        return None
    digits = text.replace(",", "")
    if len(digits.split(".")[0]) > 30:
        return _MAX_VALUE
    return min(float(digits), _MAX_VALUE)


def _number_words(tokens: list[Token], i: int, lexicon: Lexicon) -> tuple[int, float] | None:
    """Parse "seventy-one", "two hundred thousand", "one hundred and five", "a dozen"
    starting at ``i``: (end, value)."""
    words, multipliers = lexicon.quantities["number_words"], lexicon.quantities["multipliers"]
    total = current = 0.0
    j, end = i, None
    while j < len(tokens):
        hit = lexicon.number_words.match(tokens, j)
        if hit:
            current += words[str(hit[1])]
            j += hit[0]
        elif end is not None and tokens[j].text == "hundred":
            current, j = max(current, 1) * 100, j + 1
        elif end is not None and tokens[j].text in multipliers and tokens[j].text not in ("k", "m"):
            total, current, j = total + max(current, 1) * multipliers[tokens[j].text], 0.0, j + 1
        elif (
            tokens[j].text == "and"
            and tokens[j - 1].text in ("hundred", *multipliers)
            and j + 1 < len(tokens)
            and lexicon.number_words.match(tokens, j + 1)
        ):
            j += 1  # "one hundred and five"
            continue
        else:
            break
        end = j
    return (end, total + current) if end is not None else None


def _phrase(tokens: list[Token], i: int, n: int) -> str:
    return " ".join(t.text for t in tokens[i : i + n])


def find_amounts(
    tokens: list[Token], text: str, lexicon: Lexicon, skip: set[int] | frozenset[int] = frozenset()
) -> list[Amount]:
    """Every figure in ``tokens`` (``skip`` holds token positions already read as dates)."""
    scanned = lexicon.qualifiers.scan(tokens)
    qualifier_at = {end: value for _, end, value in scanned}
    qualifier_start = {end: start for start, end, _ in scanned}
    found, i = [], 0
    while i < len(tokens):
        amount = (
            None
            if i in skip
            else _amount_at(tokens, text, i, lexicon, qualifier_at, qualifier_start)
        )
        if amount:
            found.append(amount)
            i = amount.end
        else:
            i += 1
    return found


def _amount_at(
    tokens: list[Token],
    text: str,
    i: int,
    lexicon: Lexicon,
    qualifier_at: dict,
    qualifier_start: dict,
) -> Amount | None:
    parsed = _figure(tokens, text, i, lexicon)
    if parsed is None:
        return None
    end, value, vague = parsed
    unit, dim, factor, end = _unit(tokens, text, end, lexicon)
    if unit is None and value <= 2 and not tokens[i].is_number and vague is None:
        return None  # "the two sides", "one of them": not a figure anyone checks
    qualifier = qualifier_at.get(i)
    qualifier = lexicon.quantities["qualifiers"][qualifier] if qualifier else None
    low, high = _interval(value, vague, qualifier, dim, tokens[i].text, lexicon)
    first = qualifier_start.get(i, i)
    span = text[tokens[first].start : tokens[end - 1].end]
    return Amount(i, end, first, span, value, low * factor, high * factor, unit, dim, qualifier)


def _figure(
    tokens: list[Token], text: str, i: int, lexicon: Lexicon
) -> tuple[int, float, tuple[float, float] | None] | None:
    tok = tokens[i]
    if tok.is_number:
        value = parse_digits(tok.text)
        if value is None or _is_clock(tokens, i):
            return None
        end = i + 1
        multipliers = lexicon.quantities["multipliers"]
        if end < len(tokens) and tokens[end].text in multipliers:
            value *= multipliers[tokens[end].text]
            end += 1
        return end, value, None
    hit = lexicon.vague.match(tokens, i)
    if hit:
        low, high = lexicon.quantities["vague"][str(hit[1])]
        return i + hit[0], (low + high) / 2, (low, high)
    words = _number_words(tokens, i, lexicon)
    if words:
        return words[0], words[1], None
    return None


def _is_clock(tokens: list[Token], i: int) -> bool:
    """ "9.00 am", "9 a.m.", "2005 GMT": a time of day, not a quantity."""
    after = [t.text for t in tokens[i + 1 : i + 3]]
    return bool(after) and (after[0] in _TIME_AFTER or after in (["a", "m"], ["p", "m"]))


def _unit(
    tokens: list[Token], text: str, end: int, lexicon: Lexicon
) -> tuple[str | None, str, float, int]:
    units = lexicon.quantities["units"]
    if text[tokens[end - 1].end : tokens[end - 1].end + 1] == "%":
        return "%", "percent", 1.0, end
    hit = lexicon.units.match(tokens, end) if end < len(tokens) else None
    if hit:
        name = str(hit[1])
        dim, factor = units[name]
        return name, dim, float(factor), end + hit[0]
    return None, "count", 1.0, end


def _interval(
    value: float,
    vague: tuple[float, float] | None,
    qualifier: str | None,
    dim: str,
    written: str,
    lexicon: Lexicon,
) -> tuple[float, float]:
    """The values a figure allows, in the stated unit."""
    if vague:
        return vague
    tolerance = lexicon.quantities["tolerance"]
    # A measure is as precise as it is written: "six weeks" is 5.5-6.5 weeks, "4.7" is 4.65-4.75.
    half = 0.0
    if dim != "count":
        decimals = len(written.split(".")[1]) if "." in written else 0
        half = 0.5 * 10.0**-decimals
    bounds = {
        "gt": (value + 1e-9, math.inf),
        "ge": (value, math.inf),
        "lt": (0.0, value - 1e-9),
        "le": (0.0, value),
        "approx": (value * (1 - tolerance["approx"]), value * (1 + tolerance["approx"])),
        "nearly": (value * (1 - tolerance["nearly"]), value),
    }
    low, high = bounds.get(qualifier or "", (value, value))
    return low - half, high + half
