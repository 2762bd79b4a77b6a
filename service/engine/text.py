"""Text normalisation and tokenisation shared by claims and passages (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

# Unicode punctuation folded to ASCII so claims and passages compare the same way.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)
# One token: a number with separators/decimals/clock colon, or a word with inner apostrophes.
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
# British spellings folded to American ones, so "defence" and "defense" meet.
_ISE = re.compile(r"^([a-z]{3,})is(e|ed|es|ing|ation|ations)$")
_ISE_KEEP = frozenset(
    "advise advised advises advising chastise compromise concise despise devise devised disguise "
    "praised praises praising "
    "enterprise exercise exercised expertise franchise merchandise otherwise paradise praise "
    "precise premise promise promised raise raised raises raising revise revised supervise "
    "surprise surprised televise televised wise".split()
)
_SPELLING = {"defence": "defense", "offence": "offense", "licence": "license"}
_TRE = re.compile(r"^([a-z]{3,})tre(s)?$")
_STEMMER = snowballstemmer.stemmer("english")
# Irregular past forms the stemmer leaves alone, folded to the present ("held" = "hold").
_IRREGULAR = {
    "held": "hold", "met": "meet", "said": "say", "told": "tell", "took": "take",
    "taken": "take", "began": "begin", "begun": "begin", "broke": "break", "broken": "break",
    "fought": "fight", "struck": "strike", "spoke": "speak", "spoken": "speak",
    "sought": "seek", "lost": "lose", "led": "lead", "brought": "bring", "ran": "run",
    "went": "go", "gone": "go", "made": "make", "came": "come", "won": "win", "gave": "give",
    "given": "give", "sent": "send", "kept": "keep", "shot": "shoot", "rose": "rise",
    "risen": "rise", "fell": "fall", "fallen": "fall", "flew": "fly", "drew": "draw",
    "withdrew": "withdraw", "withdrawn": "withdraw", "chose": "choose", "saw": "see",
    "seen": "see", "wrote": "write", "written": "write", "knew": "know", "thought": "think",
    "found": "find", "stood": "stand", "became": "become", "understood": "understand",
    "sold": "sell", "bought": "buy", "paid": "pay", "laid": "lay", "meant": "mean",
    "left": "leave", "felt": "feel", "heard": "hear", "hid": "hide", "hidden": "hide",
    "driven": "drive", "drove": "drive", "forgave": "forgive", "overtook": "overtake",
}  # fmt: skip


class Token(NamedTuple):
    """A token: lowercase form, form as written, stem, and character span in the folded text.

    A named tuple rather than a frozen dataclass: every passage retrieved makes dozens, and
    a tuple is made several times faster.
    """

    text: str
    raw: str
    stem: str
    start: int
    end: int

    @property
    def is_number(self) -> bool:
        return self.text[0].isdigit()


def fold(text: str) -> str:
    """Fold Unicode forms, quotes, dashes and control characters, keeping case."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if folded.isprintable():
        return folded  # the usual case, checked in C rather than a character at a time
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in folded)


def normalize(text: str) -> str:
    """Fold and lowercase; idempotent."""
    return fold(text).lower()


@lru_cache(maxsize=65536)
def spelling(word: str) -> str:
    """Fold British spelling variants of one lowercase word to the American form."""
    if word in _SPELLING:
        return _SPELLING[word]
    if word not in _ISE_KEEP:
        m = _ISE.match(word)
        if m:
            return f"{m.group(1)}iz{m.group(2)}"
    m = _TRE.match(word)
    if m:
        return f"{m.group(1)}ter{m.group(2) or ''}"
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lowercase word (spelling folded first)."""
    word = spelling(word)
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ity"):
        return word  # "security" is not "secure", "community" is not "commune"
    return _STEMMER.stemWord(_IRREGULAR.get(word, word))


def tokenize(text: str) -> list[Token]:
    """Tokens of folded text (see ``fold``), with their spans in it."""
    tokens = []
    for m in _TOKEN.finditer(text):
        raw = m.group()
        low = raw.lower()
        tokens.append(Token(low, raw, low if low[0].isdigit() else stem(low), *m.span()))
    return tokens
