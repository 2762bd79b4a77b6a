"""Entity aliases, people harvested from the corpus, the speller and spelling normalisation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.engine.analysis import analyse
from service.engine.corpus import load_corpus
from service.engine.knowledge import Speller, harvest_people, vocabulary
from service.engine.lexicon import Lexicon, load_lexicon, phrase_key
from service.engine.text import fold, normalize, spelling, stem, tokenize

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LEXICON = load_lexicon()
SEED_TEXTS = [doc.text for doc in load_corpus(SEEDS).documents]


@pytest.fixture(scope="module")
def harvested() -> Lexicon:
    """A lexicon that has learnt the people the seed corpus names, as the checker's does."""
    lexicon = load_lexicon()
    harvest_people(SEED_TEXTS, lexicon, lexicon.titles)
    return lexicon


@pytest.fixture(scope="module")
def speller(harvested: Lexicon) -> Speller:
    return Speller(vocabulary(SEED_TEXTS) | harvested.words)


def entity_ids(text: str, lexicon: Lexicon = LEXICON) -> list[str]:
    return [m.entity.id for m in analyse(text, lexicon).mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Armenia reported losses", "ARM"),
        ("the Republic of Azerbaijan", "AZE"),
        ("Armenian troops", "ARM"),
        ("Azerbaijani forces", "AZE"),
        ("Azeri territory", "AZE"),
        ("Turkish counterpart", "TUR"),
        ("Türkiye said", "TUR"),
        ("Baku said it was responding", "AZE"),
        ("Yerevan reported", "ARM"),
        ("Yerevan's request", "ARM"),
        ("Moscow deployed troops", "RUS"),
        ("the Kremlin declared", "RUS"),
        ("Kremlin officials", "RUS"),
        ("Ankara urged calm", "TUR"),
        ("Washington welcomed it", "USA"),
        ("the State Department said", "USA"),
        ("the United States welcomed it", "USA"),
        ("U.S. officials", "USA"),
        ("Samarkand hosted the summit", "place:samarkand"),
        ("the breakaway Nagorno-Karabakh region", "place:nagorno-karabakh"),
        ("the city of Jermuk", "place:jermuk"),
        ("the CSTO met", "org:csto"),
        ("the Collective Security Treaty Organization", "org:csto"),
        ("the Collective Security Treaty Organisation", "org:csto"),
        ("a summit of the SCO", "org:sco"),
        ("the Shanghai Cooperation Organization", "org:sco"),
        ("the UN said", "org:un"),
        ("the U.N. said", "org:un"),
        ("the United Nations said", "org:un"),
        ("the UN Security Council", "org:unsc"),
    ],
    ids=["country", "official-name", "demonym-arm", "demonym-aze", "azeri", "turkish",
         "turkiye", "baku", "yerevan", "possessive-seat", "moscow", "the-kremlin", "kremlin",
         "ankara", "washington", "state-department", "united-states", "u.s.", "samarkand",
         "karabakh", "jermuk", "csto", "csto-long", "csto-british", "sco", "sco-long", "un",
         "u.n.", "united-nations", "unsc"],
)  # fmt: skip
def test_alias(text: str, expected: str) -> None:
    assert entity_ids(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("US officials said", ["USA"]),
        ("the USA said", ["USA"]),
        ("let us talk", []),
        ("they told us", []),
        ("the Us and them", []),
        ("NATO said", ["org:nato"]),
        ("nato", []),
        ("AP reported", ["org:ap"]),
    ],
    ids=["US", "USA", "us-pronoun", "us-object", "us-titlecase", "NATO", "nato-lower", "AP"],
)  # fmt: skip
def test_acronyms_only_in_capitals(text: str, expected: list[str]) -> None:
    assert entity_ids(text) == expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Pashinyan", "Pashinian", "person:pashinyan"),
        ("Nikol Pashinyan", "Nikol Pashinian", "person:pashinyan"),
        ("Jeyhun Bayramov", "Ceyhun Bayramov", "person:bayramov"),
        ("Aliyev", "Aliev", "person:aliyev"),
        ("Erdogan", "Erdoğan", "person:erdogan"),
        ("Zelensky", "Zelenskyy", "person:zelensky"),
    ],
    ids=["pashinyan", "pashinyan-full", "bayramov", "aliyev", "erdogan", "zelensky"],
)  # fmt: skip
def test_spelling_variants_are_one_entity(first: str, second: str, expected: str) -> None:
    assert entity_ids(first) == entity_ids(second) == [expected]


@pytest.mark.parametrize(
    ("name", "person", "country"),
    [
        ("Aram Torosian", "person:torosian", "ARM"),
        ("Antony Blinken", "person:blinken", "USA"),
        ("Nancy Pelosi", "person:pelosi", "USA"),
        ("Colin Kahl", "person:kahl", "USA"),
        ("Catherine Colonna", "person:colonna", "FRA"),
        ("Emmanuel Macron", "person:macron", "FRA"),
        ("Sergei Lavrov", "person:lavrov", "RUS"),
        ("Sergei Shoigu", "person:shoigu", "RUS"),
        ("Paruyr Hovhannisyan", "person:hovhannisyan", "ARM"),
        ("Nikol Pashinian", "person:pashinyan", "ARM"),
        ("Ceyhun Bayramov", "person:bayramov", "AZE"),
    ],
    ids=["torosian", "blinken", "pelosi", "kahl", "colonna", "macron", "lavrov", "shoigu",
         "hovhannisyan", "pashinian", "ceyhun-bayramov"],
)  # fmt: skip
def test_harvested_people(harvested: Lexicon, name: str, person: str, country: str) -> None:
    surname = name.split()[-1]
    assert entity_ids(name, harvested) == [person]
    assert entity_ids(f"{surname} said", harvested) == [person]
    entity = harvested.entity(person)
    assert entity is not None and entity.kind == "person"
    assert entity.country == country


@pytest.mark.parametrize(
    "name",
    ["Aram Torosian", "Antony Blinken", "Nancy Pelosi", "Colin Kahl", "Catherine Colonna"],
)
def test_people_are_learnt_from_the_corpus_not_the_data_files(name: str) -> None:
    assert entity_ids(name) == []


def test_harvest_merges_spellings_of_one_surname() -> None:
    lexicon = load_lexicon()
    texts = [
        "Armenian Defense Ministry spokesman Aram Torosian said the shelling weakened.",
        "The ministry's press secretary, Aram Torosyan, said nothing changed.",
    ]
    harvest_people(texts, lexicon, lexicon.titles)
    assert entity_ids("Torosyan and Torosian", lexicon) == ["person:torosian"] * 2
    assert lexicon.entity("person:torosian").country == "ARM"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the parliamnet", "the parliament"),
        ("Guteres said", "Guterres said"),
        ("Pashinyn spoke", "Pashinyan spoke"),
        ("Armenain troops", "Armenian troops"),
        ("Azerbaijn forces", "Azerbaijan forces"),
        ("the peacekepers", "the peacekeepers"),
        ("in Samarkhand", "in Samarkand"),
        ("the Kremlim said", "the Kremlin said"),
        ("Aram Torosyan", "Aram Torosian"),
    ],
    ids=["parliament", "guterres", "pashinyan", "armenian", "azerbaijan", "peacekeepers",
         "samarkand", "kremlin", "torosyan"],
)  # fmt: skip
def test_speller_corrects(speller: Speller, text: str, expected: str) -> None:
    assert speller.correct(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the ceasefire held",
        "Jermuk and Goris",
        "Blinken and Guterres",
        "injured civilians were evacuated",
        "troops withdrew and villages were shelled",
        "teh truce",
        "xylophone music",
        "Armenia-Azerbaijan border",
    ],
    ids=["corpus-words", "places", "people", "english-words", "more-english",
         "short-typo-left", "far-from-any-word", "hyphenated"],
)  # fmt: skip
def test_speller_leaves_alone(speller: Speller, text: str) -> None:
    assert speller.correct(text) == text


def test_speller_keeps_the_case_of_the_first_letter(speller: Speller) -> None:
    assert speller.correct("Parliamnet and parliamnet") == "Parliament and parliament"


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("defence", "defense"),
        ("offence", "offense"),
        ("recognised", "recognized"),
        ("recognise", "recognize"),
        ("organisation", "organization"),
        ("criticised", "criticized"),
        ("kilometres", "kilometers"),
        ("centre", "center"),
    ],
    ids=["defence", "offence", "recognised", "recognise", "organisation", "criticised",
         "kilometres", "centre"],
)  # fmt: skip
def test_british_spelling_folds_to_american(british: str, american: str) -> None:
    assert spelling(british) == american
    assert stem(british) == stem(american)


@pytest.mark.parametrize(
    "word",
    ["promise", "exercised", "raised", "surprise", "advised", "otherwise"],
)
def test_ise_words_that_are_not_british_spellings(word: str) -> None:
    assert spelling(word) == word


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("the Defence Ministry", "the Defense Ministry"),
        ("internationally recognised as Azerbaijani", "internationally recognized as Azerbaijani"),
        ("7.5 kilometres", "7.5 kilometers"),
    ],
    ids=["defence-ministry", "recognised", "kilometres"],
)
def test_british_and_american_phrases_match(british: str, american: str) -> None:
    assert phrase_key(british) == phrase_key(american)
    assert analyse(british, LEXICON).keys == analyse(american, LEXICON).keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Armenia\u2019s \u201cposition\u201d", 'armenia\'s "position"'),
        ("2020 \u2013 the war", "2020 - the war"),
        ("CSTO\u00a0members", "csto members"),
        ("\uff21\uff32\uff2d", "arm"),
    ],
    ids=["quotes", "dash", "nbsp", "fullwidth"],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_tokens_point_into_the_folded_text(text: str) -> None:
    folded = fold(text)
    for token in tokenize(folded):
        assert folded[token.start : token.end] == token.raw
        assert token.text == token.raw.lower()
