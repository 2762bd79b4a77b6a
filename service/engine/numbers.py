"""Numbers in text: digits, number words, vague amounts, qualifiers and units, as intervals.

Units are data (``data/quantities.json``): each names its dimension and how a reading in it
converts to the dimension's base unit (metres, seconds, watts, watt-hours, kelvin...), so
"69 GW" and "69,150 MW" are both intervals of watts. A unit is read after the number ("7.5 km",
"50%", "-15.6°C", "a 1.3-gigawatt reactor") or before it ("$2.1bn", "€5 million", "magnitude
7.8"); "per", "a" or "/" and a second unit make a rate ("$9,000/MWh" is dollars per watt-hour).
Temperatures convert affinely (to kelvin, by the exact formulas of ``_TO_KELVIN``);
bare "6 degrees" leaves the scale open (see ``_interval``). A measure is as precise as it is
written ("$2.1bn" is 2.05-2.15 billion dollars). Clock times ("04:17", "4:17 a.m.") are not
figures at all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from service.engine.lexicon import Lexicon
from service.engine.text import Token

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_TIME_AFTER = frozenset({"am", "pm", "gmt", "utc", "cet", "msk"})
# Figures past this are all "astronomically many": they compare, without overflowing.
_MAX_VALUE = 1e30
# What may stand between a number and its unit ("1.3-gigawatt"), and inside a unit ("km/h").
_SPACE = re.compile(r"[ \t-]*")
_INSIDE = re.compile(r"[ \t/-]*")
_SLASH = re.compile(r" ?/ ?")
# Between the parts of a compound figure: "4 minutes and 37 seconds", "1 hour, 20 minutes".
_JOIN = re.compile(r"[ \t]*,?[ \t]*")
_COUNT = "count"
# (scale, offset): a reading x in a unit is x * scale + offset in the dimension's base unit.
Scales = tuple[tuple[float, float], ...]


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


class _Read(NamedTuple):
    """A number as written: where it ends, its value, a vague range, and its multiplier."""

    end: int
    value: float
    vague: tuple[float, float] | None
    multiplier: float


class _Unit(NamedTuple):
    """A unit as read: its name (None when the scale is unknown), dimension, scales, end."""

    name: str | None
    dim: str
    scales: Scales
    end: int


class _Lead(NamedTuple):
    """What is written before a number: first token, character, sign and prefix unit."""

    first: int
    at: int
    sign: float
    unit: str | None


class _Tables(NamedTuple):
    """Lookups compiled once from the quantities data."""

    symbols: re.Pattern[str]
    prefixes: re.Pattern[str]
    prefix_ends: frozenset[str]
    negative: frozenset[str]
    case_units: dict[str, str]
    in_context: dict[str, dict[str, str]]
    per: frozenset[str]
    price_per: frozenset[str]
    not_after_a: frozenset[str]
    money: frozenset[str]
    joiners: frozenset[str]


_COMPILED: dict[int, tuple[dict, _Tables]] = {}


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


def find_amounts(
    tokens: list[Token], text: str, lexicon: Lexicon, skip: set[int] | frozenset[int] = frozenset()
) -> list[Amount]:
    """Every figure in ``tokens`` (``skip`` holds token positions already read as dates)."""
    scanned = lexicon.qualifiers.scan(tokens)
    qualifier_at = {end: value for _, end, value in scanned}
    qualifier_start = {end: start for start, end, _ in scanned}
    found: list[Amount] = []
    seen: set[str] = set()  # dimensions read so far: "3 points" after a percentage
    i = 0
    while i < len(tokens):
        amount = (
            None
            if i in skip
            else _amount_at(tokens, text, i, lexicon, (qualifier_at, qualifier_start), seen)
        )
        if amount:
            found.append(amount)
            seen.add(amount.dim)
            i = amount.end
        else:
            i += 1
    return found


def _amount_at(
    tokens: list[Token],
    text: str,
    i: int,
    lexicon: Lexicon,
    qualifiers: tuple[dict, dict],
    seen: set[str],
) -> Amount | None:
    """The figure whose number is token ``i``, with its sign, unit and qualifier, if any."""
    read = _figure(tokens, text, i, lexicon)
    if read is None:
        return None
    lead = _lead(tokens, text, i, lexicon)
    unit, value, written = _unit(tokens, text, i, read, lead, lexicon, seen)
    if unit.dim == _COUNT and read.value <= 2 and not tokens[i].is_number and not read.vague:
        return None  # "the two sides", "one of them": not a figure anyone checks
    qualifier = qualifiers[0].get(lead.first)
    qualifier = lexicon.quantities["qualifiers"][qualifier] if qualifier else None
    if unit.dim == _COUNT and qualifier is None and not read.vague:
        low = high = lead.sign * value  # the usual bare count: no tolerance, no precision
    else:
        half = _precision(written, unit.dim) * read.multiplier
        low, high = _interval(lead.sign * value, read.vague, qualifier, unit, half, lexicon)
    first = qualifiers[1].get(lead.first, lead.first)
    span = text[min(tokens[first].start, lead.at) : _span_end(tokens, text, unit.end)]
    return Amount(
        i, unit.end, first, span, lead.sign * value, low, high, unit.name, unit.dim, qualifier
    )


def _figure(tokens: list[Token], text: str, i: int, lexicon: Lexicon) -> _Read | None:
    """The number starting at token ``i``: digits (with a multiplier), a vague amount or words."""
    tok = tokens[i]
    if tok.is_number:
        value = parse_digits(tok.text)
        if value is None or _is_clock(tokens, i):
            return None
        end, multiplier = i + 1, 1.0
        multipliers = lexicon.quantities["multipliers"]
        if end < len(tokens) and tokens[end].text in multipliers:
            multiplier = float(multipliers[tokens[end].text])
            end += 1
        return _Read(end, value * multiplier, None, multiplier)
    hit = lexicon.vague.match(tokens, i)
    if hit:
        low, high = lexicon.quantities["vague"][str(hit[1])]
        return _Read(i + hit[0], (low + high) / 2, (low, high), 1.0)
    words = _number_words(tokens, i, lexicon)
    if words:
        return _Read(words[0], words[1], None, 1.0)
    return None


def _is_clock(tokens: list[Token], i: int) -> bool:
    """ "9.00 am", "9 a.m.", "2005 GMT": a time of day, not a quantity."""
    after = [t.text for t in tokens[i + 1 : i + 3]]
    return bool(after) and (after[0] in _TIME_AFTER or after in (["a", "m"], ["p", "m"]))


def _tables(lexicon: Lexicon) -> _Tables:
    """The compiled lookups of this lexicon's quantities (compiled on first use)."""
    data = lexicon.quantities
    hit = _COMPILED.get(id(data))
    if hit is None or hit[0] is not data:  # a lexicon not seen before
        hit = _COMPILED[id(data)] = (data, _compile(data))
    return hit[1]


def _compile(data: dict[str, Any]) -> _Tables:
    """Regular expressions and sets for the symbols, prefixes and rate words of ``data``."""
    symbols = sorted(data["symbols"], key=len, reverse=True)
    prefixes = sorted(data["prefixes"], key=len, reverse=True)
    rates = data["rates"]
    return _Tables(
        symbols=re.compile(" ?(?:" + "|".join(map(_symbol_pattern, symbols)) + ")"),
        prefixes=re.compile(r"(?<![^\W\d_])(" + "|".join(map(re.escape, prefixes)) + r")[ -]?\Z"),
        prefix_ends=frozenset(p[-1] for p in prefixes),
        negative=frozenset(data["negative"]),
        case_units=dict(data["case_units"]),
        in_context=dict(data["context_units"]),
        per=frozenset(rates["per"]),
        price_per=frozenset(rates["price_per"]),
        not_after_a=frozenset(rates["not_after_price_per"]),
        money=frozenset(rates["money"]),
        joiners=frozenset(data["compound_joiners"]),
    )


def _symbol_pattern(symbol: str) -> str:
    """ "°c" -> a pattern for "°c", "° c" and "°C", but not "°cold"."""
    pattern = " ?".join(map(re.escape, symbol))
    return pattern + r"(?![^\W\d_])" if symbol[-1].isalpha() else pattern


def _lead(tokens: list[Token], text: str, i: int, lexicon: Lexicon) -> _Lead:
    """A sign ("minus", "-") and a unit ("$", "US$", "magnitude") written before token ``i``."""
    tables = _tables(lexicon)
    at, unit = tokens[i].start, None
    prefix = _prefix_before(text, at, tables)
    if prefix:
        at, unit = prefix.start(), lexicon.quantities["prefixes"][prefix.group(1)]
    first = i
    while first and tokens[first - 1].start >= at:
        first -= 1
    if at and text[at - 1] == "-" and (at < 2 or not text[at - 2].isalnum()):
        return _Lead(first, at - 1, -1.0, unit)
    before = tokens[first - 1] if first else None
    if before and before.text in tables.negative and _SPACE.fullmatch(text, before.end, at):
        return _Lead(first - 1, before.start, -1.0, unit)
    return _Lead(first, at, 1.0, unit)


def _prefix_before(text: str, at: int, tables: _Tables) -> re.Match[str] | None:
    """A prefix ending right before character ``at`` (regex run only where one may end)."""
    last = at - 2 if at > 1 and text[at - 1] in " -" else at - 1
    if last < 0 or text[last] not in tables.prefix_ends:
        return None
    return tables.prefixes.search(text, max(at - 16, 0), at)


def _unit(
    tokens: list[Token],
    text: str,
    i: int,
    read: _Read,
    lead: _Lead,
    lexicon: Lexicon,
    seen: set[str],
) -> tuple[_Unit, float, str]:
    """The unit of the figure at token ``i``, its value and last number as written (the
    parts of a compound figure merge)."""
    written = tokens[i].text
    if lead.unit is not None:
        unit = _measure(lead.unit, read.end, lexicon)
        after = _unit_after(tokens, text, read.end, lexicon, seen)
        if after and after.dim == unit.dim:
            unit = unit._replace(end=after.end)  # "$5 million dollars"
        return _rate(tokens, text, unit, lexicon), read.value, written
    unit = _unit_after(tokens, text, read.end, lexicon, seen)
    if unit is None:
        return _Unit(None, _COUNT, ((1.0, 0.0),), read.end), read.value, written
    unit, value, written = _compound(tokens, text, unit, read.value, written, lexicon)
    return _rate(tokens, text, unit, lexicon), value, written


def _measure(name: str, end: int, lexicon: Lexicon) -> _Unit:
    """The unit called ``name`` in the data, ending at token ``end``."""
    dim, factor = lexicon.quantities["units"][name]
    if isinstance(factor, str):
        return _Unit(name, dim, (_affine(factor),), end)
    if isinstance(factor, list):  # the scale is not said ("6 degrees"): any of these
        return _Unit(None, dim, tuple(_affine(scale) for scale in factor), end)
    return _Unit(name, dim, ((float(factor), 0.0),), end)


def _unit_after(
    tokens: list[Token], text: str, end: int, lexicon: Lexicon, seen: set[str]
) -> _Unit | None:
    """The unit written right after the number that ends at token ``end``, if any."""
    tables = _tables(lexicon)
    symbol = tables.symbols.match(text, tokens[end - 1].end)
    if symbol:
        stop, name = symbol.end(), lexicon.quantities["symbols"][_squeeze(symbol.group())]
        while end < len(tokens) and tokens[end].start < stop:
            end += 1
        return _measure(name, end, lexicon)
    if end >= len(tokens) or not _SPACE.fullmatch(text, tokens[end - 1].end, tokens[end].start):
        return None
    name = _unit_word(tokens, text, end, lexicon, seen)
    if name is None:
        return None
    return _measure(name[0], name[1], lexicon)


def _squeeze(symbol: str) -> str:
    """ " ° C" -> "°c": a symbol as the data spells it."""
    return "".join(symbol.split()).lower()


def _unit_word(
    tokens: list[Token], text: str, end: int, lexicon: Lexicon, seen: set[str]
) -> tuple[str, int] | None:
    """A unit named in words at token ``end``: (unit name, end of the name)."""
    hit = lexicon.units.match(tokens, end)
    if hit and all(
        _INSIDE.fullmatch(text, tokens[k].end, tokens[k + 1].start)
        for k in range(end, end + hit[0] - 1)
    ):
        return str(hit[1]), end + hit[0]
    tables, tok = _tables(lexicon), tokens[end]
    if tok.raw in tables.case_units and not text[tok.end : tok.end + 1].isalnum():
        if text[tok.end : tok.end + 1] != "-":  # "12 F-16s" are jets
            return tables.case_units[tok.raw], end + 1
    for dim, words in tables.in_context.items():
        if tok.text in words and dim in seen:  # "3 points" after a percentage
            return words[tok.text], end + 1
    return None


def _compound(
    tokens: list[Token], text: str, unit: _Unit, value: float, written: str, lexicon: Lexicon
) -> tuple[_Unit, float, str]:
    """ "4 minutes and 37 seconds": one figure of 277 seconds; returns the unit, the value in
    it and the last number written."""
    tables = _tables(lexicon)
    while _linear(unit) and unit.dim not in tables.money:
        j = _joined(tokens, text, unit.end, tables.joiners)
        read = _figure(tokens, text, j, lexicon) if j is not None else None
        nxt = _unit_after(tokens, text, read.end, lexicon, set()) if read else None
        if read is None or read.vague or nxt is None or not _part_of(read.value, nxt, unit):
            break
        value = value * unit.scales[0][0] / nxt.scales[0][0] + read.value
        unit, written = nxt, tokens[j].text
    return unit, value, written


def _joined(tokens: list[Token], text: str, end: int, joiners: frozenset[str]) -> int | None:
    """Where the next part of a compound figure starts: after ", ", " and " or a space."""
    j = end + 1 if end < len(tokens) and tokens[end].text in joiners else end
    if j >= len(tokens) or not _JOIN.fullmatch(text, tokens[end - 1].end, tokens[end].start):
        return None
    return j if j == end or _SPACE.fullmatch(text, tokens[end].end, tokens[j].start) else None


def _part_of(value: float, unit: _Unit, whole: _Unit) -> bool:
    """Is ``value`` ``unit`` less than one ``whole`` of the same dimension ("37 seconds" of a
    minute), so "5 miles, 8 km" stays two figures?"""
    if unit.dim != whole.dim or not _linear(unit):
        return False
    return 0 <= value * unit.scales[0][0] < whole.scales[0][0]


def _linear(unit: _Unit) -> bool:
    """One scale and no offset: a reading in ``unit`` is a multiple of the base unit."""
    return len(unit.scales) == 1 and unit.scales[0][1] == 0.0


def _rate(tokens: list[Token], text: str, unit: _Unit, lexicon: Lexicon) -> _Unit:
    """ "$9,000 per megawatt-hour", "$9 a kilowatt-hour", "$25/MWh": a rate, its own dimension."""
    tables, end = _tables(lexicon), unit.end
    if unit.dim == _COUNT or end >= len(tokens) or not _linear(unit):
        return unit
    word = tokens[end].text
    if _SLASH.fullmatch(text, tokens[end - 1].end, tokens[end].start):
        den_at, named_only = end, False
    elif word in tables.per or word in tables.price_per:
        den_at, named_only = end + 1, word not in tables.per
    else:
        return unit
    if den_at >= len(tokens) or tokens[den_at].is_number:
        return unit
    if named_only and tokens[den_at].text in tables.not_after_a:
        return unit  # "60 percent a second time": an ordinal
    hit = lexicon.units.match(tokens, den_at)
    if hit is None:  # "$5 per share": a price of something the data does not measure
        if named_only or unit.dim not in tables.money or tokens[den_at].stem in lexicon.stopwords:
            return unit
        return _per(unit, tokens[den_at].stem, 1.0, den_at + 1, lexicon)
    den = _measure(str(hit[1]), den_at + hit[0], lexicon)
    if den.dim == _COUNT or not _linear(den):
        return unit
    return _per(unit, den.dim, den.scales[0][0], den.end, lexicon, den.name)


def _per(
    unit: _Unit, dim: str, scale: float, end: int, lexicon: Lexicon, name: str | None = None
) -> _Unit:
    """``unit`` per one ``dim`` (of ``scale`` base units): "usd/energy", "length/time"."""
    rate = f"{unit.dim}/{dim}"
    rate = lexicon.quantities["rates"]["named"].get(rate, rate)
    return _Unit(f"{unit.name}/{name or dim}", rate, ((unit.scales[0][0] / scale, 0.0),), end)


# Temperature scales to kelvin: kelvin = scale * reading + offset. Three exact formulas
# (tests/engine/test_units.py checks them against pint, which would cost a second to load here).
_TO_KELVIN = {
    "degC": (1.0, 273.15),
    "degF": (5.0 / 9.0, 273.15 - 32.0 * 5.0 / 9.0),
    "kelvin": (1.0, 0.0),
}


def _affine(unit: str) -> tuple[float, float]:
    """(scale, offset) taking a reading in ``unit`` ("degF") to kelvin."""
    return _TO_KELVIN[unit]


def _span_end(tokens: list[Token], text: str, end: int) -> int:
    """Where a figure's text ends: its last token, or the symbol after it ("50%", "6°")."""
    stop = tokens[end - 1].end
    while stop < len(text) and text[stop] in "%°":
        stop += 1
    return stop


def _precision(written: str, dim: str) -> float:
    """Half the last written digit: a measure is as precise as it is written ("4.7": ±0.05)."""
    if dim == _COUNT or not written:
        return 0.0
    decimals = len(written.split(".")[1]) if "." in written else 0
    return 0.5 * 10.0**-decimals


def _interval(
    value: float,
    vague: tuple[float, float] | None,
    qualifier: str | None,
    unit: _Unit,
    half: float,
    lexicon: Lexicon,
) -> tuple[float, float]:
    """The values a figure allows, in the base unit of its dimension.

    A unit whose scale is unknown ("6 degrees": Celsius or Fahrenheit) allows every value
    from the lowest to the highest reading: "6 degrees" then holds both 6°F and 6°C, so it
    refutes a reading below 6°F or above 6°C and supports one in between.
    """
    if len(unit.scales) == 1:
        return _bounds(value, vague, qualifier, unit.dim, unit.scales[0], half, lexicon)
    bounds = [
        _bounds(value, vague, qualifier, unit.dim, scale, half, lexicon) for scale in unit.scales
    ]
    return min(low for low, _ in bounds), max(high for _, high in bounds)


def _bounds(
    value: float,
    vague: tuple[float, float] | None,
    qualifier: str | None,
    dim: str,
    scale: tuple[float, float],
    half: float,
    lexicon: Lexicon,
) -> tuple[float, float]:
    """The values a figure allows in one scale, converted to the base unit first, so the
    tolerance of "about" is the same whatever unit the figure is written in."""
    factor, offset = scale
    if vague:
        return vague[0] * factor + offset, vague[1] * factor + offset
    base = value * factor + offset
    if qualifier is None or qualifier == "max":
        return base - half * factor, base + half * factor
    low, high = _qualified(base, value < 0, qualifier, dim, lexicon)
    below = 0.0 if qualifier in ("lt", "le") else half * factor  # "under 5 km": from 0
    return low - below, high + half * factor


def _qualified(
    base: float, negative: bool, qualifier: str, dim: str, lexicon: Lexicon
) -> tuple[float, float]:
    """How a qualifier bounds a value (in base units): a bound, or a tolerance around it."""
    if qualifier in ("gt", "ge"):
        return base + (1e-9 if qualifier == "gt" else 0.0), math.inf
    if qualifier in ("lt", "le"):
        return (0.0 if base >= 0 else -math.inf), base - (1e-9 if qualifier == "lt" else 0.0)
    if qualifier in ("approx", "nearly"):
        return _tolerated(base, negative, qualifier, lexicon.quantities["tolerance"], dim)
    return base, base


def _tolerated(
    base: float, negative: bool, qualifier: str, tolerance: dict[str, Any], dim: str
) -> tuple[float, float]:
    """ "about" widens a value both ways, "nearly" only short of it (toward zero); by a share
    of it, or on an interval scale (kelvin) by a number of base units either way."""
    absolute = tolerance["absolute"].get(dim)
    if absolute is None:
        share = base * tolerance[qualifier]
        return _ordered(base - share, base if qualifier == "nearly" else base + share)
    if qualifier == "approx":
        return base - absolute, base + absolute
    return (base, base + absolute) if negative else (base - absolute, base)


def _ordered(a: float, b: float) -> tuple[float, float]:
    """(a, b) lowest first."""
    return (a, b) if a <= b else (b, a)
