"""Units of every beat: power, energy, money, temperature, speed, volume, pressure, rates,
percentage points and compound durations, read by ``find_amounts`` into base units (watts,
watt-hours, kelvin, metres per second, cubic metres...), so figures written in different units
compare, and figures of different dimensions never do.

Intervals are checked by what they must and must not admit, in base units, as in
test_numbers.py; comparisons go through ``analyse`` and ``compare_amounts`` as a check does.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.engine import numbers
from service.engine.analysis import analyse
from service.engine.figures import compare_amounts
from service.engine.lexicon import load_lexicon
from service.engine.numbers import Amount, find_amounts
from service.engine.text import fold, tokenize

LEXICON = load_lexicon()
GW, MW, KWH, MWH = 1e9, 1e6, 1e3, 1e6
MPH, KNOT = 0.44704, 1852 / 3600
GALLON, BARREL = 0.003785411784, 0.158987294928


def kelvin(celsius: float) -> float:
    return celsius + 273.15


def fahrenheit(degrees: float) -> float:
    return (degrees + 459.67) * 5 / 9


def amounts(text: str) -> list[Amount]:
    """Figures of ``text``, read the way the analyser reads them."""
    folded = fold(text)
    return find_amounts(tokenize(folded), folded.lower(), LEXICON)


def one(text: str) -> Amount:
    found = amounts(text)
    assert len(found) == 1, [a.text for a in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "dim", "unit", "meaning"),
    [
        ("demand hit 69,150 MW", "power", "mw", 69_150 * MW),
        ("about 69 gigawatts", "power", "gigawatt", 69 * GW),
        ("about 30,000 megawatts", "power", "megawatt", 30_000 * MW),
        ("a 1.3-gigawatt reactor", "power", "gigawatt", 1.3 * GW),
        ("a 1,300-MW unit", "power", "mw", 1_300 * MW),
        ("a 600 kW turbine", "power", "kw", 600e3),
        ("used 900 kWh", "energy", "kwh", 900 * KWH),
        ("sold 5 megawatt-hours", "energy", "megawatt-hour", 5 * MWH),
        ("one kilowatt-hour", "energy", "kilowatt-hour", KWH),
        ("2.5 TWh of power", "energy", "twh", 2.5e12),
        ("2.5 TWh a year", "energy/time", "twh/year", 2.5e12 / 31_557_600),
        ("winds of 50 mph", "speed", "mph", 50 * MPH),
        ("gusts of 80 km/h", "speed", "km/h", 80 / 3.6),
        ("15 kph", "speed", "kph", 15 / 3.6),
        ("sustained 40 knots", "speed", "knot", 40 * KNOT),
        ("60 miles per hour", "speed", "miles per hour", 60 * MPH),
        ("5 metres per second", "speed", "metres per second", 5.0),
        ("a 200 metres sprint", "length", "metre", 200.0),
        ("5 litres of water", "volume", "litre", 0.005),
        ("5 liters of water", "volume", "liter", 0.005),
        ("3 gallons", "volume", "gallon", 3 * GALLON),
        ("2 million barrels", "volume", "barrel", 2e6 * BARREL),
        ("100 cubic meters", "volume", "cubic meter", 100.0),
        ("a pressure of 940 mb", "pressure", "mb", 94_000.0),
        ("60 hertz", "frequency", "hertz", 60.0),
        ("20 tonnes", "mass", "tonne", 20_000.0),
        ("4,000 hectares", "area", "hectare", 4e7),
        ("a magnitude 7.8 quake", "magnitude", "magnitude", 7.8),
        ("a 7.8-magnitude quake", "magnitude", "magnitude", 7.8),
        ("50%", "percent", "%", 50.0),
        ("50 percent", "percent", "percent", 50.0),
        ("12.5 per cent", "percent", "per cent", 12.5),
        ("up 5 percentage points", "pp", "percentage point", 5.0),
        ("a 25 basis points cut", "pp", "basis points", 0.25),
    ],
    ids=["MW", "gigawatts", "megawatts", "hyphen-gigawatt", "hyphen-MW", "kW", "kWh",
         "megawatt-hours", "kilowatt-hour-words", "TWh", "TWh-a-year", "mph", "km/h", "kph",
         "knots", "miles-per-hour", "metres-per-second", "metres", "litres", "liters",
         "gallons", "barrels-million", "cubic-meters",
         "millibars", "hertz", "tonnes", "hectares", "magnitude-before", "magnitude-after",
         "percent-sign", "percent", "per-cent", "percentage-points", "basis-points"],
)  # fmt: skip
def test_unit(text: str, dim: str, unit: str, meaning: float) -> None:
    amount = one(text)
    assert (amount.dim, amount.unit) == (dim, unit)
    assert amount.low <= meaning <= amount.high, (amount.low, meaning, amount.high)


@pytest.mark.parametrize(
    ("text", "dim", "written", "meaning"),
    [
        ("$9,000", "usd", "$9,000", 9_000.0),
        ("a $2.1bn bill", "usd", "$2.1bn", 2.1e9),
        ("$16 billion", "usd", "$16 billion", 16e9),
        ("about $47 billion", "usd", "about $47 billion", 47e9),
        ("€5 million", "eur", "€5 million", 5e6),
        ("£3m", "gbp", "£3m", 3e6),
        ("US$5 million", "usd", "us$5 million", 5e6),
        ("USD 40 million", "usd", "usd 40 million", 40e6),
        ("5 million dollars", "usd", "5 million dollars", 5e6),
        ("10,000 euros", "eur", "10,000 euros", 10_000.0),
        ("$9,000 per megawatt-hour", "usd/energy", "$9,000 per megawatt-hour", 9_000 / MWH),
        ("$9,000/MWh", "usd/energy", "$9,000/mwh", 9_000 / MWH),
        ("$9 a kilowatt-hour", "usd/energy", "$9 a kilowatt-hour", 9 / KWH),
        ("12 cents a kilowatt-hour", "usd/energy", "12 cents a kilowatt-hour", 0.12 / KWH),
        ("$80 a barrel", "usd/volume", "$80 a barrel", 80 / BARREL),
        ("$5 per share", "usd/share", "$5 per share", 5.0),
    ],
    ids=["dollars", "bn", "billion", "about-billion", "euro-million", "pound-m", "US$",
         "USD-code", "dollars-after", "euros-after", "per-megawatt-hour", "slash-MWh",
         "a-kilowatt-hour", "cents-a-kWh", "a-barrel", "per-share"],
)  # fmt: skip
def test_money(text: str, dim: str, written: str, meaning: float) -> None:
    amount = one(text)
    assert (amount.dim, amount.text) == (dim, written)
    assert amount.low <= meaning <= amount.high, (amount.low, meaning, amount.high)


@pytest.mark.parametrize(
    ("text", "unit", "meaning"),
    [
        ("4 degrees Fahrenheit", "degrees fahrenheit", fahrenheit(4)),
        ("minus 16 Celsius", "celsius", kelvin(-16)),
        ("-15.6°C", "celsius", kelvin(-15.6)),
        ("\u221215.6 °C", "celsius", kelvin(-15.6)),
        ("minus 2°F", "fahrenheit", fahrenheit(-2)),
        ("a -2°F reading", "fahrenheit", fahrenheit(-2)),
        ("as low as minus 7C", "celsius", kelvin(-7)),
        ("recorded 13°F", "fahrenheit", fahrenheit(13)),
        ("20 degrees Celsius", "degrees celsius", kelvin(20)),
        ("300 kelvin", "kelvin", 300.0),
    ],
    ids=["degrees-fahrenheit", "minus-celsius", "signed-degree-sign", "unicode-minus",
         "minus-degree-F", "signed-F", "attached-C", "degree-F", "degrees-celsius", "kelvin"],
)  # fmt: skip
def test_temperature(text: str, unit: str, meaning: float) -> None:
    amount = one(text)
    assert (amount.dim, amount.unit) == ("temperature", unit)
    assert amount.low <= meaning <= amount.high, (amount.low, meaning, amount.high)
    assert (amount.value < 0) is ("-" in fold(text) or "minus" in text)


def test_negative_stays_negative() -> None:
    assert [a.value for a in amounts("-15.6°C, minus 16 Celsius and \u22122°F")] == [
        -15.6,
        -16.0,
        -2.0,
    ]


def test_bare_degrees_allow_either_scale() -> None:
    """ "6 degrees": the scale is not said; the interval spans 6°F to 6°C."""
    amount = one("Austin hit 6 degrees on Tuesday")
    assert (amount.dim, amount.unit) == ("temperature", None)
    assert amount.low <= fahrenheit(6) <= amount.high
    assert amount.low <= kelvin(6) <= amount.high
    assert not amount.low <= fahrenheit(2) <= amount.high
    assert not amount.low <= kelvin(10) <= amount.high


def test_twelve_degrees_beside_celsius() -> None:
    low, celsius = amounts("12 degrees (minus 11 Celsius)")
    assert (low.unit, low.value, celsius.unit, celsius.value) == (None, 12.0, "celsius", -11.0)


@pytest.mark.parametrize(
    ("text", "qualifier", "inside", "outside"),
    [
        ("about 69 gigawatts", "approx", [64 * GW, 69.15 * GW, 74 * GW], [60 * GW, 80 * GW]),
        ("more than 5 GW", "gt", [5.6 * GW, 60 * GW], [4 * GW]),
        ("at least $5 million", "ge", [5e6, 9e6], [4e6]),
        ("nearly $17,000", "nearly", [16_752.0], [14_000.0, 18_000.0]),
        ("as much as $84 billion", "max", [84e9], [90e9]),
        ("up to 60 mph", "max", [60 * MPH], [70 * MPH]),
        ("under 5 litres", "lt", [0.0, 0.004], [0.006]),
        ("about minus 14 Celsius", "approx", [fahrenheit(6), kelvin(-15)], [kelvin(-20)]),
        ("around 19°F", "approx", [kelvin(-7)], [kelvin(-12), kelvin(0)]),
        ("nearly minus 20 Celsius", "nearly", [kelvin(-19)], [kelvin(-23), kelvin(-16)]),
        ("below 59.4 Hz", "lt", [59.302], [59.5]),
        ("roughly 40 percent", "approx", [37.0, 43.0], [30.0, 50.0]),
        ("almost 5 percentage points", "nearly", [4.7], [6.0]),
    ],
    ids=["about-GW", "more-than-GW", "at-least-money", "nearly-money", "as-much-as-money",
         "up-to-mph", "under-litres", "about-minus-celsius", "around-F", "nearly-minus",
         "below-Hz", "roughly-percent", "almost-points"],
)  # fmt: skip
def test_qualifiers_on_units(
    text: str, qualifier: str, inside: list[float], outside: list[float]
) -> None:
    amount = one(text)
    assert amount.qualifier == qualifier
    assert amount.text.startswith(text.split()[0])
    for value in inside:
        assert amount.low <= value <= amount.high, (value, amount.low, amount.high)
    for value in outside:
        assert not amount.low <= value <= amount.high, (value, amount.low, amount.high)


@pytest.mark.parametrize(
    ("text", "seconds", "unit"),
    [
        ("4 minutes and 37 seconds", 277.0, "second"),
        ("four minutes and 23 seconds", 263.0, "second"),
        ("1 hour, 20 minutes", 4_800.0, "minute"),
        ("2 hours 15 minutes", 8_100.0, "minute"),
    ],
    ids=["minutes-and-seconds", "words-and-seconds", "comma", "no-joiner"],
)  # fmt: skip
def test_compound_duration_is_one_figure(text: str, seconds: float, unit: str) -> None:
    amount = one(text)
    assert (amount.dim, amount.unit, amount.text) == ("time", unit, text.lower())
    assert amount.low <= seconds <= amount.high
    assert amount.high - amount.low <= (1.0 if unit == "second" else 60.0)


@pytest.mark.parametrize(
    ("text", "dims"),
    [
        ("4 minutes and 37 people", ["time", "count"]),
        ("37 seconds and 4 minutes", ["time", "time"]),
        ("5 miles, 8 km", ["length", "length"]),
        ("support fell from 45% to 42%, a drop of 3 points", ["percent", "percent", "pp"]),
        ("the team scored 25 points", ["count"]),
        ("12 F-16 jets", ["count", "count"]),
        ("10-15 minutes", ["count", "time"]),
        ("He was 44. Days later he left", ["count"]),
    ],
    ids=["unit-then-count", "larger-unit-after", "appositive-not-compound",
         "points-after-percent", "points-alone",
         "F-16-is-not-fahrenheit", "range-is-not-negative", "unit-across-sentences"],
)  # fmt: skip
def test_what_is_not_joined(text: str, dims: list[str]) -> None:
    found = amounts(text)
    assert [a.dim for a in found] == dims
    assert all(a.value >= 0 for a in found)


@pytest.mark.parametrize(
    "text",
    ["at 04:17 local time", "struck at 4:17 a.m. on Monday", "at 4:17am on Monday",
     "at 1:25 a.m. Monday", "at 1:51 a.m. on Feb. 15", "At 00:05 on Tuesday"],
    ids=["24h", "a.m.", "am-attached", "1:25", "1:51", "midnight"],
)  # fmt: skip
def test_clock_times_are_not_counts(text: str) -> None:
    assert [f.amount.dim for f in analyse(text, LEXICON).figures] == []


@pytest.mark.parametrize(
    ("claim", "passage", "relation"),
    [
        ("Demand peaked at about 69 gigawatts.", "Demand peaked at 69,150 MW.", "supports"),
        ("Demand peaked at about 69 gigawatts.", "Demand peaked at 52,277 MW.", "refutes"),
        ("Forces advanced about 7.5 km.", "Forces advanced 4.7 miles.", "supports"),
        ("Forces advanced 7.5 km.", "Forces advanced 12 miles.", "refutes"),
        ("The low was -15.6°C.", "The low was 4 degrees Fahrenheit.", "supports"),
        ("The low was about -15.6°C.", "The low was minus 16 Celsius.", "supports"),
        ("Temperatures dropped to around 19°F.", "Temperatures dropped to minus 7C.",
         "supports"),
        ("Prices sat at $9,000 per megawatt-hour.", "Power cost $9 a kilowatt-hour.",
         "supports"),
        ("Prices sat at $9,000/MWh.", "Prices sat at $900 per megawatt-hour.", "refutes"),
        ("It got a $2.1bn bill.", "It got a $2.1 billion bill.", "supports"),
        ("It got a $2.1bn bill.", "It got a $1.2 billion bill.", "refutes"),
        ("The quake lasted 4 minutes and 37 seconds.", "The quake lasted 277 seconds.",
         "supports"),
        ("The 20 °C day.", "The 20 °F day.", "refutes"),
    ],
    ids=["GW-vs-MW", "GW-vs-other-MW", "km-vs-miles", "km-vs-other-miles", "C-vs-F", "about-C-vs-C",
         "around-F-vs-C", "per-MWh-vs-a-kWh", "price-tenfold", "bn-vs-billion",
         "bn-vs-other-billion", "compound-vs-seconds", "20C-vs-20F"],
)  # fmt: skip
def test_units_compare_in_one_base(claim: str, passage: str, relation: str) -> None:
    (c,), (p,) = analyse(claim, LEXICON).figures, analyse(passage, LEXICON).figures
    assert c.amount.dim == p.amount.dim
    assert compare_amounts(c, p) == relation


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("69 GW", "69 GWh"),
        ("$9,000", "$9,000 per MWh"),
        ("$9,000", "9,000"),
        ("$5 million", "€5 million"),
        ("5%", "5% a year"),
        ("50%", "50 percentage points"),
        ("60 mph", "60 miles"),
        ("7.8 magnitude", "7.8"),
        ("$9 a kilowatt-hour", "$9 a barrel"),
        ("6 degrees", "6 km"),
    ],
    ids=["power-vs-energy", "total-vs-price", "money-vs-count", "dollars-vs-euros",
         "percent-vs-yearly",
         "percent-vs-points", "speed-vs-length", "magnitude-vs-count", "per-energy-vs-volume",
         "temperature-vs-length"],
)  # fmt: skip
def test_different_dimensions_never_compare(first: str, second: str) -> None:
    assert one(first).dim != one(second).dim


def test_clock_times_never_compare() -> None:
    """ "1:25 a.m." and "1:51 a.m." are times of day, not figures: no figure of one can
    support the other (and neither is read as the count 1)."""
    for text in ("Outages began at 1:25 a.m.", "Outages began at 1:51 a.m."):
        assert analyse(text, LEXICON).figures == []


def test_analysis_reads_power() -> None:
    (figure,) = analyse("demand reached a winter record of 69,150 MW", LEXICON).figures
    assert (figure.amount.dim, figure.amount.text) == ("power", "69,150 mw")


@pytest.fixture(scope="module")
def registry() -> Any:
    """pint's unit registry (slow to make: once for this module)."""
    return pytest.importorskip("pint").UnitRegistry(cache_folder=None)


@pytest.mark.parametrize(
    ("unit", "pint_unit"),
    [
        ("mile", "mile"), ("square miles", "mile**2"), ("acre", "43560 * foot**2"),
        ("gallon", "gallon"), ("barrel", "oil_barrel"), ("cubic feet", "foot**3"),
        ("pound", "pound"), ("ounce", "ounce"), ("horsepower", "horsepower"),
        ("mph", "mile/hour"), ("knot", "knot"), ("km/h", "km/hour"), ("btu", "Btu"),
        ("mmbtu", "1e6 * Btu"), ("joule", "joule"), ("psi", "psi"),
        ("inches of mercury", "inch_Hg"), ("month", "month"), ("year", "julian_year"),
    ],
    ids=lambda value: str(value),
)  # fmt: skip
def test_factors_agree_with_pint(registry: Any, unit: str, pint_unit: str) -> None:
    """The factors in quantities.json are pint's, to the base unit of their dimension."""
    bases = {"length": "m", "area": "m**2", "volume": "m**3", "mass": "kg", "power": "W",
             "speed": "m/s", "energy": "W*hour", "pressure": "Pa", "time": "s"}  # fmt: skip
    dim, factor = LEXICON.quantities["units"][unit]
    expected = registry.parse_expression(pint_unit).to(bases[dim]).magnitude
    assert factor == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("scale", ["degC", "degF", "kelvin"])
def test_temperature_formulas_agree_with_pint(registry: Any, scale: str) -> None:
    factor, offset = numbers._affine(scale)
    for reading in (-40.0, 0.0, 37.5):
        expected = registry.Quantity(reading, scale).to("kelvin").magnitude
        assert factor * reading + offset == pytest.approx(expected, abs=1e-9)
