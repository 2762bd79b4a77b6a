"""What the corpus itself teaches: the people it names, their affiliations, its vocabulary."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from service.engine.lexicon import Entity, Lexicon, PhraseTable, person_id
from service.engine.text import Token, fold, tokenize

_WORD = re.compile(r"[^\W\d_]+")
_CLAUSE_END = re.compile(r"[.;:!?()\"]")
# Two spellings of one surname ("Pashinyan", "Pashinian") are this similar or more.
SAME_NAME = 85.0
# A claim word unknown to the corpus is corrected to a corpus word this similar or more.
SPELLING = 85.0
_MIN_CORRECTABLE = 5
# A capitalised claim word this many edits from a corpus name, and this long, is that name.
NAME_EDITS = 1
_MIN_NAME = 4


def harvest_people(texts: Iterable[str], lexicon: Lexicon, titles: Iterable[str]) -> None:
    """Register "Armenian Prime Minister Nikol Pashinyan"-style names as people."""
    title_table = PhraseTable()
    for title in titles:
        title_table.add(title, True)
    for text in texts:
        folded = fold(text)
        tokens = tokenize(folded)
        for start, end, _ in title_table.scan(tokens):
            name = _name_after(tokens, end, folded, lexicon)
            if name:
                _register(lexicon, name, _affiliation(tokens, start, lexicon, folded))


def _name_after(tokens: list[Token], i: int, text: str, lexicon: Lexicon) -> list[str] | None:
    if i < len(tokens) and text[tokens[i - 1].end : tokens[i].start].strip() == ",":
        pass  # "the ministry's press secretary, Aram Torosian"
    elif i < len(tokens) and text[tokens[i - 1].end : tokens[i].start].strip():
        return None
    words = []
    for j, tok in enumerate(tokens[i : i + 3], start=i):
        if words and text[tokens[j - 1].end : tok.start] != " ":
            break
        if not (tok.raw[:1].isupper() and tok.raw[1:].islower() and tok.raw.isalpha()):
            break
        known = lexicon.entities.match([tok], 0)
        if (
            known and lexicon.by_id[str(known[1])].kind != "person"
        ) or tok.stem in lexicon.stopwords:
            break
        words.append(tok.raw)
    return words if len(words) >= 2 else None


def _affiliation(tokens: list[Token], title_start: int, lexicon: Lexicon, text: str) -> str | None:
    """The country named in the title before a name, within its clause."""
    for i in range(title_start - 1, max(title_start - 5, -1), -1):
        if _CLAUSE_END.search(text[tokens[i].end : tokens[i + 1].start]):
            break
        hit = lexicon.entities.match(tokens, i)
        if hit:
            entity = lexicon.entity(str(hit[1]))
            if entity:
                return entity.id if entity.kind == "country" else entity.country
    return None


def _register(lexicon: Lexicon, words: list[str], country: str | None) -> None:
    surname = words[-1].lower()
    known = [e.id.split(":", 1)[1] for e in lexicon.by_id.values() if e.kind == "person"]
    match = process.extractOne(surname, known, scorer=fuzz.ratio, score_cutoff=SAME_NAME)
    entity_id = f"person:{match[0]}" if match else person_id(" ".join(words))
    entity = lexicon.by_id.get(entity_id) or Entity(entity_id, "person", " ".join(words), country)
    if entity.country is None and country:
        entity = Entity(entity.id, entity.kind, entity.name, country)
        lexicon.by_id[entity.id] = entity
    lexicon.add_entity(entity, [" ".join(words), words[-1]])


class Speller:
    """Corrects claim words the corpus does not know to the word it does know.

    A word that differs from a corpus word only by its accents is that word ("Erdogan",
    "Erdoğan"); a capitalised word one edit away from a name the corpus uses is that name
    ("Bankmen-Fried"); other words are corrected when they are nearly the same
    (``SPELLING``). A word the corpus knows is never changed: another person with a similar
    name stays another person.
    """

    def __init__(self, vocabulary: Iterable[str], names: Iterable[str] = ()) -> None:
        self.known = frozenset(vocabulary)
        self.names = sorted(set(names) & self.known)
        self.by_initial: dict[str, list[str]] = {}
        self.unaccented: dict[str, str] = {}
        for word in sorted(self.known):
            self.by_initial.setdefault(word[0], []).append(word)
            self.unaccented.setdefault(unaccented(word), word)

    def __setstate__(self, state: dict) -> None:
        # A speller pickled in a prebuilt index before names and accents were matched.
        self.__dict__.update(state)
        if "unaccented" not in state:
            self.names = []
            self.unaccented = {}
            for word in sorted(self.known):
                self.unaccented.setdefault(unaccented(word), word)

    def correct(self, text: str) -> str:
        """``text`` with unknown words replaced; case of the first letter kept."""
        return _WORD.sub(lambda m: self._word(m.group()), text)

    def _word(self, word: str) -> str:
        low = word.lower()
        if low in self.known:
            return word
        found = self.unaccented.get(unaccented(low))
        if found is None and word[0].isupper() and len(low) >= _MIN_NAME:
            match = process.extractOne(
                low, self.names, scorer=Levenshtein.distance, score_cutoff=NAME_EDITS
            )
            found = match[0] if match else None
        if found is None and len(low) >= _MIN_CORRECTABLE:
            match = process.extractOne(
                low, self.by_initial.get(low[0], ()), scorer=fuzz.ratio, score_cutoff=SPELLING
            )
            found = match[0] if match else None
        if found is None:
            return word
        return found.capitalize() if word[0].isupper() else found


def unaccented(word: str) -> str:
    """``word`` without its diacritics (combining marks after decomposition)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Every lowercase word of the corpus."""
    return {w.lower() for text in texts for w in _WORD.findall(fold(text))}


# Words capitalised for reasons other than being a name.
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)


def corpus_names(texts: Iterable[str], stopwords: frozenset[str]) -> frozenset[str]:
    """Words (lowercase) the corpus writes capitalised inside a sentence and never in
    lowercase: its people, places and organisations, whatever the beat."""
    capitalised: set[str] = set()
    lowercase: set[str] = set()
    for text in texts:
        folded = fold(text)
        previous_end = None
        for token in tokenize(folded):
            # The first word of a text, a sentence, a line or a quote is capitalised anyway.
            mid_sentence = previous_end is not None and not any(
                ch in folded[previous_end : token.start] for ch in ".!?:\n\"'"
            )
            previous_end = token.end
            if token.is_number:
                continue
            word = token.text.removesuffix("'s")
            if len(word) < 2:
                continue
            if not token.raw[0].isupper():
                lowercase.add(word)
            elif mid_sentence:
                capitalised.add(word)
    return frozenset(capitalised - lowercase - stopwords - _CALENDAR)
