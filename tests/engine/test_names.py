"""Names that survive typos and accents: a claim's name one edit or one diacritic away from a
name the corpus uses is that name; a name the corpus itself uses is never changed."""

from __future__ import annotations

import pickle

import pytest

from service.engine.knowledge import Speller, corpus_names, unaccented, vocabulary

# Sentences in the manner of the development corpora (quake, ftx, truss, seeds).
TEXTS = [
    "President Recep Tayyip Erdoğan declared a state of emergency in ten provinces.",
    "Sam Bankman-Fried resigned as chief executive of FTX on Friday.",
    "Chancellor Kwasi Kwarteng said the plan would be paid for by borrowing.",
    "Prime Minister Nikol Pashinyan told parliament that Armenia had lost 105 soldiers.",
    "Minister Sara Lind and her deputy Sarah Lund met the envoys in Yerevan.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(vocabulary(TEXTS), corpus_names(TEXTS, frozenset({"the", "of", "on", "in"})))


CORRECTED = [
    ("Erdogan declared an emergency", "Erdoğan declared an emergency"),
    ("Bankmen-Fried resigned", "Bankman-Fried resigned"),
    ("Kwasi Kwarteg said", "Kwasi Kwarteng said"),
    ("Pashinian told parliament", "Pashinyan told parliament"),
    ("erdogan declared", "erdoğan declared"),
]


@pytest.mark.parametrize(("claim", "expected"), CORRECTED, ids=[c for c, _ in CORRECTED])
def test_a_name_one_edit_or_one_accent_away_is_that_name(speller, claim, expected) -> None:
    assert speller.correct(claim) == expected


KEPT = [
    "Sarah Lund met the envoys",  # another person the corpus names: never merged with Sara
    "Sara Lind met the envoys",
    "Erdoğan declared an emergency",
    "Biden declared an emergency",  # a name nowhere near one the corpus uses
    "Kwan said",  # too short to be taken for a name one edit away
]


@pytest.mark.parametrize("claim", KEPT, ids=KEPT)
def test_names_the_corpus_uses_or_does_not_resemble_are_kept(speller, claim) -> None:
    assert speller.correct(claim) == claim


def test_unaccented_strips_only_diacritics() -> None:
    assert unaccented("erdoğan çağlayan müller") == "erdogan caglayan muller"


def test_a_speller_pickled_before_names_were_matched_still_corrects_accents(speller) -> None:
    state = {"known": speller.known, "by_initial": speller.by_initial}
    old = Speller.__new__(Speller)
    old.__setstate__(state)
    restored = pickle.loads(pickle.dumps(old))
    assert restored.correct("Erdogan declared") == "Erdoğan declared"
