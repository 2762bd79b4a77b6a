"""Tests for service.engine.segment.split_passages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.engine.segment import split_passages

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def passages(text: str) -> list[str]:
    """The passage texts of ``text``."""
    return [text[start:end] for start, end in split_passages(text)]


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """Spans are in range, ordered, non-overlapping, non-empty and stripped."""
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        previous_end = end


CASES = [
    ("Hello world. Goodbye world.", ["Hello world.", "Goodbye world."], "two-sentences"),
    ("Is it? Yes! It is.", ["Is it?", "Yes!", "It is."], "question-exclamation"),
    ("One. two.", ["One. two."], "lowercase-next"),
    ("It was 2020. 50 died.", ["It was 2020.", "50 died."], "digit-next"),
    ("He met the U.S. Secretary.", ["He met the U.S. Secretary."], "us"),
    ("The U.N. Security Council met.", ["The U.N. Security Council met."], "un"),
    ("At 9 a.m. Moscow time it began.", ["At 9 a.m. Moscow time it began."], "am"),
    ("By 5 p.m. Friday it ended.", ["By 5 p.m. Friday it ended."], "pm"),
    ("Gen. Smith and Mr. Jones met Dr. Who.", ["Gen. Smith and Mr. Jones met Dr. Who."], "titles"),
    ("He lives on St. Mark Street.", ["He lives on St. Mark Street."], "saint"),
    ("On Sept. 13 and Jan. 5 they met.", ["On Sept. 13 and Jan. 5 they met."], "months"),
    ("Resolution No. 5 passed.", ["Resolution No. 5 passed."], "number-abbr"),
    ("He said No. Then he left.", ["He said No.", "Then he left."], "no-as-word"),
    ("Roe vs. Wade was cited.", ["Roe vs. Wade was cited."], "versus"),
    ("J. Smith wrote it. He agreed.", ["J. Smith wrote it.", "He agreed."], "initial"),
    ("A 7.5 km advance. Next day.", ["A 7.5 km advance.", "Next day."], "decimal"),
    ("It cost 9.00 dollars. Fine.", ["It cost 9.00 dollars.", "Fine."], "decimal-zeros"),
    ("From 9.00 am Moscow time. Done.", ["From 9.00 am Moscow time.", "Done."], "time-dot"),
    ("At 00:05 am (2005 GMT) it began.", ["At 00:05 am (2005 GMT) it began."], "time-colon"),
    ('"We agree," he said. Then he left.', ['"We agree," he said.', "Then he left."], "quote"),
    (
        '"We came. We saw," he said. Next.',
        ['"We came. We saw," he said.', "Next."],
        "straight-multi-sentence-quote",
    ),
    (
        "“We are close. An appeal … We expect it,” it added. Next.",
        ["“We are close. An appeal … We expect it,” it added.", "Next."],
        "curly-multi-sentence-quote",
    ),
    ("He said “done.” Then left.", ["He said “done.”", "Then left."], "curly-closing-after-stop"),
    ("He left. “It ended,” he said.", ["He left.", "“It ended,” he said."], "curly-opening-next"),
    (
        'He left. "It ended," he said.',
        ["He left.", '"It ended," he said.'],
        "straight-opening-next",
    ),
    ('Was it "calm". Yes.', ['Was it "calm".', "Yes."], "stop-after-quote"),
    (
        '"As of 9 a.m. nothing. Then fighting.\nNext line. Again.',
        ['"As of 9 a.m. nothing.', "Then fighting.", "Next line.", "Again."],
        "unclosed-quote-stays-on-its-line",
    ),
    (
        "He said “no end. Then more.\nA new line.",
        ["He said “no end.", "Then more.", "A new line."],
        "unclosed-curly-quote",
    ),
    ("Headline here\nBody text. More.", ["Headline here", "Body text.", "More."], "headline"),
    (
        "Title\n\nFirst para.\n\n\nSecond para",
        ["Title", "First para.", "Second para"],
        "paragraphs",
    ),
    ("International Response\nNext.", ["International Response", "Next."], "subheading"),
    ("Line one\r\nLine two\rLine three", ["Line one", "Line two", "Line three"], "crlf"),
    ("A dash -- here. And – here — too.", ["A dash -- here.", "And – here — too."], "dashes"),
    ("The CSTO—which—met. Next.", ["The CSTO—which—met.", "Next."], "em-dash-in-word"),
    ("Wait… Next one.", ["Wait…", "Next one."], "ellipsis-char"),
    ("Wait... Next one.", ["Wait...", "Next one."], "ellipsis-dots"),
    ("drones…striking targets. Next.", ["drones…striking targets.", "Next."], "ellipsis-inside"),
    ("It ended (finally.) Then more.", ["It ended (finally.)", "Then more."], "closing-bracket"),
    ("©2022 Bloomberg L.P.", ["©2022 Bloomberg L.P."], "credit-line"),
    ("  padded text.  ", ["padded text."], "padded"),
    ("", [], "empty"),
    (" \n\t \n ", [], "whitespace-only"),
]


@pytest.mark.parametrize(("text", "expected"), [c[:2] for c in CASES], ids=[c[2] for c in CASES])
def test_split_passages(text: str, expected: list[str]) -> None:
    spans = split_passages(text)
    assert_valid_spans(text, spans)
    assert passages(text) == expected


SEED_CASES = [
    (
        "003",
        "US Secretary of State Antony Blinken, Russian President Vladimir Putin and French "
        "President Emmanuel Macron, his office said Friday.",
        "end",
    ),
    (
        "003",
        "The death toll among Armenian troops in this week’s fighting has risen to 135 with "
        "many others wounded, Pashinyan told a government meeting.",
        "whole",
    ),
    (
        "000",
        '"We welcome the cessation of hostilities between Azerbaijan and Armenia and will '
        'continue to work with the parties to seek to cement it," tweeted U.S. Secretary of '
        "State Antony Blinken.",
        "whole",
    ),
    (
        "004",
        "“We are in close contact with Baku and Yerevan. An appeal was received from the "
        "Armenian leadership to assist in resolving the situation … We expect that the "
        "agreement reached as a result of Russian mediation on a ceasefire from 9.00 am "
        "Moscow time on September 13 will be carried out in full,” it added.",
        "whole",
    ),
    ("001", "International Response", "whole"),
    ("003", "©2022 Bloomberg L.P.", "whole"),
    ("003", "(Updates death toll, adds Aliyev comment in sixth paragraph)", "whole"),
    (
        "002",
        "Armenia-Azerbaijan conflict: Cease-fire announced after fresh clashes on "
        "Nagorno-Karabakh border",
        "whole",
    ),
]


def seed_text(prefix: str) -> str:
    """The text of the seed file whose name starts with ``prefix``."""
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("prefix", "fragment", "how"),
    SEED_CASES,
    ids=[f"{c[0]}-{c[2]}-{c[1][:20]}" for c in SEED_CASES],
)
def test_seed_passages(prefix: str, fragment: str, how: str) -> None:
    found = passages(seed_text(prefix))
    if how == "whole":
        assert fragment in found
    else:
        assert any(p.endswith(fragment) for p in found)


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.stem[:3] for p in SEED_FILES])
def test_seed_offsets_and_lengths(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    spans = split_passages(text)
    assert spans
    assert_valid_spans(text, spans)
    assert all(end - start <= 600 for start, end in spans)
    # every non-blank line is covered by passages that do not cross it
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert " ".join(lines) == " ".join(passages(text))


HOSTILE = [
    ("1.1." * 25_000, "dotted-digits"),
    ("a. " * 33_000, "lowercase-initials"),
    ("A. " * 33_000, "capital-initials"),
    ("." * 100_000, "dots"),
    ('"' * 100_000, "straight-quotes"),
    ("“ ” " * 25_000, "curly-quotes"),
    ('He said. "' * 10_000, "unclosed-quotes"),
    ("x " * 50_000, "words"),
    ("\n" * 100_000, "newlines"),
]


@pytest.mark.parametrize("text", [h[0] for h in HOSTILE], ids=[h[1] for h in HOSTILE])
def test_hostile_input_is_fast(text: str) -> None:
    started = time.perf_counter()
    spans = split_passages(text)
    assert time.perf_counter() - started < 2.0
    assert_valid_spans(text, spans)


ALPHABET = st.sampled_from(
    list("aZ9 .!?…\"“”‘’'()[]-–—:\n\r\t\u00a0\u2028\x0c") + ["U.S.", "a.m.", "Mr.", "No. 5"]
)


@given(st.lists(ALPHABET, max_size=80).map("".join))
def test_spans_are_valid_for_generated_text(text: str) -> None:
    assert_valid_spans(text, split_passages(text))


@given(st.text(max_size=300))
def test_spans_are_valid_for_arbitrary_text(text: str) -> None:
    spans = split_passages(text)
    assert_valid_spans(text, spans)
    assert (spans == []) == (text.strip() == "")
