"""Figures in text: the number parser, qualifiers, vague amounts and units, and how figures of a
claim and a passage are compared (``compare_amounts``, ``comparable``).

Intervals are checked by what they must and must not admit, in base units (metres, seconds),
so the tests state the meaning of a figure rather than the tolerances chosen for it.
"""

from __future__ import annotations

import pytest

from service.engine.analysis import analyse
from service.engine.figures import comparable, compare_amounts
from service.engine.lexicon import load_lexicon
from service.engine.numbers import Amount, find_amounts, parse_digits
from service.engine.text import fold, tokenize

LEXICON = load_lexicon()
KM = 1000.0
MILE = 1609.344
DAY = 86400.0
WEEK = 7 * DAY


def amounts(text: str) -> list[Amount]:
    """Figures of ``text``, read the way the analyser reads them."""
    folded = fold(text)
    return find_amounts(tokenize(folded), folded.lower(), LEXICON)


def one(text: str) -> Amount:
    found = amounts(text)
    assert len(found) == 1, [a.text for a in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2,000", 2000.0),
        ("7.5", 7.5),
        ("105", 105.0),
        ("1,234,567.5", 1234567.5),
        ("2,000.50", 2000.5),
        ("00:05", None),
        ("1,5000", None),
        ("12,34", None),
        ("1e5", None),
        # A huge figure is still a figure ("lost 10000000000000000 soldiers" must not read
        # as "lost soldiers"); past 10**30 all are "astronomically many".
        ("1" + "0" * 16, 1e16),
        ("9" * 40, 1e30),
    ],
    ids=["thousands", "decimal", "plain", "millions", "grouped-decimal", "clock",
         "bad-group", "short-group", "exponent", "huge", "beyond-huge"],
)  # fmt: skip
def test_parse_digits(text: str, value: float | None) -> None:
    assert parse_digits(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("about 2,000 troops", 2000.0),
        ("a total of 71 of its servicemen", 71.0),
        ("seventy-one servicemen", 71.0),
        ("seventy one servicemen", 71.0),
        ("a dozen soldiers", 12.0),
        ("half a dozen villages", 6.0),
        ("two thousand peacekeepers", 2000.0),
        ("thirty thousand people", 30000.0),
        ("twenty-five thousand people", 25000.0),
        ("a hundred soldiers", 100.0),
        ("1.5 million people", 1_500_000.0),
        ("2k troops", 2000.0),
        ("2 soldiers", 2.0),
    ],
    ids=["digits", "digits-in-phrase", "hyphenated-words", "spaced-words", "a-dozen",
         "half-a-dozen", "two-thousand", "thirty-thousand", "compound-thousand", "a-hundred",
         "decimal-million", "k-suffix", "small-digits"],
)  # fmt: skip
def test_value(text: str, value: float) -> None:
    amount = one(text)
    assert amount.value == value
    assert amount.dim == "count"


@pytest.mark.parametrize(
    ("text", "qualifier", "inside", "outside"),
    [
        ("dozens of soldiers", None, [24, 60, 99], [12, 150]),
        ("hundreds were killed", None, [200, 500, 999], [100, 1500]),
        ("thousands of soldiers", None, [2000, 6000], [1000, 12000]),
        ("several settlements", None, [3, 5], [1, 20]),
        ("more than 200 troops", "gt", [201, 1_000_000], [150, 200]),
        ("over 200 troops", "gt", [212], [200, 150]),
        ("at least 49 soldiers", "ge", [49, 105, 135], [48]),
        ("fewer than 100 troops", "lt", [50, 99], [100, 150]),
        ("no more than 5 days", "le", [5 * DAY], [6 * DAY]),
        ("up to 100 bodies", "max", [100], [101, 150]),
        ("as much as 7.5 kilometers", "max", [7.5 * KM], [8 * KM, 12 * KM]),
        ("about 6,000 people", "approx", [5500, 6000, 6200], [5000, 7000]),
        ("some 30,000 people", "approx", [28000, 32000], [20000, 40000]),
        ("an estimated 6,000 people", "approx", [6000, 6200], [4000, 8000]),
        ("around 135 troops", "approx", [130, 140], [105, 170]),
        ("nearly five miles", "nearly", [4.7 * MILE], [3 * MILE, 6 * MILE]),
        ("almost 50 servicemen", "nearly", [48], [40, 51]),
        ("close to 5,000", "nearly", [4800], [4000, 5100]),
    ],
    ids=["dozens-of", "hundreds", "thousands-of", "several", "more-than", "over",
         "at-least", "fewer-than", "no-more-than", "up-to", "as-much-as", "about", "some",
         "an-estimated", "around", "nearly", "almost", "close-to"],
)  # fmt: skip
def test_interval(text: str, qualifier: str | None, inside: list, outside: list) -> None:
    amount = one(text)
    assert amount.qualifier == qualifier
    for value in inside:
        assert amount.low <= value <= amount.high, (value, amount.low, amount.high)
    for value in outside:
        assert not amount.low <= value <= amount.high, (value, amount.low, amount.high)


def test_qualifier_is_part_of_the_span() -> None:
    amount = one("Moscow deployed about 2,000 troops")
    assert amount.text == "about 2,000"
    assert amount.first < amount.start


@pytest.mark.parametrize(
    ("text", "dim", "meaning"),
    [
        ("7.5 km", "length", 7.5 * KM),
        ("7.5 kilometers", "length", 7.5 * KM),
        ("10 kilometres", "length", 10 * KM),
        ("3 kms", "length", 3 * KM),
        ("4.7 miles", "length", 4.7 * MILE),
        ("5 mi", "length", 5 * MILE),
        ("200 meters", "length", 200.0),
        ("50 percent", "percent", 50.0),
        ("12.5 per cent", "percent", 12.5),
        ("50%", "percent", 50.0),
        ("44 days", "time", 44 * DAY),
        ("six weeks", "time", 6 * WEEK),
        ("a six-week war", "time", 6 * WEEK),
        ("the 44-day war", "time", 44 * DAY),
    ],
    ids=["km", "kilometers", "kilometres", "kms", "miles", "mi", "meters", "percent",
         "per-cent", "percent-sign", "days", "weeks", "week-adjective", "day-adjective"],
)  # fmt: skip
def test_unit_base(text: str, dim: str, meaning: float) -> None:
    amount = one(text)
    assert amount.dim == dim
    assert amount.unit is not None
    assert amount.low <= meaning <= amount.high


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ("7.5 kilometers", "4.7 miles", True),
        ("7.5 km", "7,500 meters", True),
        ("10 kilometres", "10 km", True),
        ("six weeks", "44 days", True),
        ("7.5 kilometers", "12 miles", False),
        ("7.5 kilometers", "7.5 miles", False),
        ("four weeks", "44 days", False),
        ("44 days", "44 weeks", False),
    ],
    ids=["km-miles", "km-meters", "british-spelling", "weeks-days", "km-vs-12-miles",
         "same-number-other-unit", "four-weeks-vs-44-days", "days-vs-weeks"],
)  # fmt: skip
def test_units_share_a_base(first: str, second: str, overlap: bool) -> None:
    a, b = one(first), one(second)
    assert a.dim == b.dim
    assert (a.low <= b.high and b.low <= a.high) is overlap


@pytest.mark.parametrize(
    "text",
    [
        "At 00:05 am the shelling began",
        "the truce held as of 9 a.m.",
        "a ceasefire from 9.00 am Moscow time",
        "at 2005 GMT on Monday",
        "by 9 pm local time",
        "at 9:00 the guns fell silent",
        "one of them was hit",
        "the two sides blamed each other",
    ],
    ids=["clock-am", "a.m.", "decimal-am", "gmt", "pm", "colon", "one-of", "two-sides"],
)  # fmt: skip
def test_not_a_figure(text: str) -> None:
    assert amounts(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The two sides fought a war in 2020.",
        "Fighting erupted on September 13.",
        "Fighting erupted on 13 September 2022.",
        "A war in the early 1990s displaced many.",
        "The clashes began at 00:05 on Tuesday.",
        "The truce began at 9 a.m. on September 16.",
    ],
    ids=["year", "month-day", "day-month-year", "decade", "clock-and-weekday", "clock-and-date"],
)
def test_dates_are_not_figures(text: str) -> None:
    frame = analyse(text, LEXICON)
    assert frame.figures == []
    assert frame.dates


def test_dates_do_not_hide_the_figure_beside_them() -> None:
    frame = analyse("On 13 September 2022, 49 soldiers died.", LEXICON)
    assert [f.amount.value for f in frame.figures] == [49.0]


@pytest.mark.parametrize(
    ("claim", "passage", "relation"),
    [
        ("More than 200 troops were killed on both sides.",
         "The clashes killed 212 troops on both sides.", "supports"),
        ("More than 200 troops were killed on both sides.",
         "The clashes killed 150 troops on both sides.", "refutes"),
        ("About 6,000 people were killed in the 2020 war.",
         "The 2020 war killed 6,200 people.", "supports"),
        ("About 6,000 people were killed in the 2020 war.",
         "The 2020 war killed 8,000 people.", "refutes"),
        ("Azerbaijani forces advanced nearly five miles into Armenia.",
         "Azerbaijani forces have advanced as much as 7.5 kilometers into Armenia.", "supports"),
        ("Azerbaijani forces advanced 12 miles into Armenia.",
         "Azerbaijani forces have advanced as much as 7.5 kilometers into Armenia.", "refutes"),
        ("At least 49 Armenian soldiers were killed.",
         "49 Armenian soldiers were killed.", "supports"),
        ("At least 49 Armenian soldiers were killed.",
         "40 Armenian soldiers were killed.", "refutes"),
        ("Dozens of Armenian soldiers were killed.",
         "49 Armenian soldiers were killed.", "supports"),
        ("Hundreds of Armenian soldiers were killed.",
         "49 Armenian soldiers were killed.", "refutes"),
        ("The 2020 war lasted six weeks.", "The 2020 war lasted 44 days.", "supports"),
        ("The 2020 war lasted four weeks.", "The 2020 war lasted 44 days.", "refutes"),
    ],
    ids=["more-than-212", "more-than-150", "about-6200", "about-8000", "nearly-miles-vs-km",
         "12-miles-vs-km", "at-least-equal", "at-least-below", "dozens-49", "hundreds-49",
         "weeks-vs-days", "four-weeks-vs-days"],
)  # fmt: skip
def test_compare_amounts(claim: str, passage: str, relation: str) -> None:
    c, p = analyse(claim, LEXICON), analyse(passage, LEXICON)
    assert len(c.figures) == 1 and p.figures
    found = p.figures[0]
    assert comparable(c.figures[0], found, p)
    assert compare_amounts(c.figures[0], found) == relation


@pytest.mark.parametrize(
    ("claim", "passage", "expected"),
    [
        ("Armenia said 105 of its soldiers were killed.",
         "Armenia said 105 of its soldiers have been killed.", True),
        ("Moscow deployed about 2,000 peacekeepers.",
         "Moscow deployed 2,000 troops as peacekeepers.", True),
        ("Armenia lost 71 soldiers.",
         "Azerbaijan said 71 of its servicemen had been killed.", False),
        ("Armenia said 105 of its soldiers were wounded.",
         "Armenia said 105 of its soldiers have been killed.", False),
        ("105 civilians were killed in Armenia.",
         "Armenia said 105 of its soldiers have been killed.", False),
        ("The 2020 war lasted 44 days.", "The 2020 war killed 44 people.", False),
    ],
    ids=["same-thing", "troops-as-peacekeepers", "other-party", "wounded-vs-killed",
         "civilians-vs-troops", "duration-vs-count"],
)  # fmt: skip
def test_comparable(claim: str, passage: str, expected: bool) -> None:
    c, p = analyse(claim, LEXICON), analyse(passage, LEXICON)
    assert len(c.figures) == 1 and len(p.figures) == 1
    assert comparable(c.figures[0], p.figures[0], p) is expected


@pytest.mark.parametrize(
    ("text", "counted", "owner", "event"),
    [
        ("Armenia said 105 of its soldiers have been killed.", "military", "ARM", "kill"),
        ("Azerbaijan lost 71 servicemen in the clashes.", "military", "AZE", "kill"),
        ("More than 200 troops were killed on both sides.", "military", "BOTH", "kill"),
        ("Russia keeps 2,000 peacekeepers in the region.", "peacekeeper", "RUS", "keep"),
        ("135 civilians were killed in Armenia.", "civilian", "ARM", "kill"),
        ("Armenia said 105 soldiers were wounded.", "military", "ARM", "wound"),
    ],
    ids=["its-soldiers", "servicemen", "both-sides", "peacekeepers", "civilians", "wounded"],
)  # fmt: skip
def test_figure_slots(text: str, counted: str, owner: str, event: str) -> None:
    (figure,) = analyse(text, LEXICON).figures
    assert (figure.counted, figure.owner, figure.event) == (counted, owner, event)
