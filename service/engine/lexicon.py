"""Word and entity knowledge loaded from the JSON files in ``service/engine/data``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from service.engine.text import Token, fold, stem, tokenize

DATA_DIR = Path(__file__).parent / "data"
# The files of ``DATA_DIR`` the lexicon is made from (the fitted decision and the stance
# model live there too, but nothing built from a corpus depends on them).
LEXICON_FILES = ("lexicon.json", "quantities.json", "entities.json")


def phrase_key(text: str) -> tuple[str, ...]:
    """The stem sequence a phrase is matched by."""
    return tuple(t.stem for t in tokenize(fold(text)))


@dataclass(slots=True)
class PhraseTable:
    """Longest-match lookup of multi-token phrases (by stems) to a value."""

    entries: dict[tuple[str, ...], object] = field(default_factory=dict)
    # Phrase lengths by first stem, longest first: most tokens start no phrase at all.
    lengths: dict[str, list[int]] = field(default_factory=dict)

    def add(self, phrase: str, value: object) -> None:
        key = phrase_key(phrase)
        if key and key not in self.entries:
            self.entries[key] = value
            sizes = self.lengths.setdefault(key[0], [])
            if len(key) not in sizes:
                sizes.append(len(key))
                sizes.sort(reverse=True)

    def match(self, tokens: Sequence[Token], i: int) -> tuple[int, object] | None:
        """The longest phrase starting at token ``i``: (token count, value), or None."""
        for n in self.lengths.get(tokens[i].stem, ()):
            if i + n <= len(tokens):
                value = self.entries.get(tuple(t.stem for t in tokens[i : i + n]))
                if value is not None:
                    return n, value
        return None

    def scan(self, tokens: Sequence[Token]) -> list[tuple[int, int, object]]:
        """Non-overlapping longest matches left to right: (start, end, value)."""
        # ``match`` inlined over the stems: this runs several times for every passage analysed.
        stems = [t.stem for t in tokens]
        lengths, entries = self.lengths, self.entries
        found, i, count = [], 0, len(stems)
        while i < count:
            for n in lengths.get(stems[i], ()):
                if i + n <= count:
                    value = entries.get(tuple(stems[i : i + n]))
                    if value is not None:
                        found.append((i, i + n, value))
                        i += n
                        break
            else:  # no phrase starts here
                i += 1
        return found


@dataclass(frozen=True, slots=True)
class Entity:
    """A known entity: ``ARM``, ``place:samarkand``, ``org:csto``, ``person:pashinyan``."""

    id: str
    kind: str
    name: str
    country: str | None = None


@dataclass(slots=True)
class Lexicon:
    """Everything the analyser knows about words, numbers and entities."""

    stopwords: frozenset[str]
    concepts: PhraseTable
    cues: dict[str, PhraseTable]
    quantities: dict
    units: PhraseTable
    qualifiers: PhraseTable
    number_words: PhraseTable
    vague: PhraseTable
    entities: PhraseTable
    acronyms: frozenset[tuple[str, ...]]
    by_id: dict[str, Entity]
    titles: tuple[str, ...] = ()
    events: frozenset[str] = frozenset()
    implies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reciprocal: frozenset[str] = frozenset()
    figure_framing: frozenset[str] = frozenset()
    opposites: dict[str, frozenset[str]] = field(default_factory=dict)
    words: frozenset[str] = frozenset()

    def entity(self, entity_id: str) -> Entity | None:
        return self.by_id.get(entity_id)

    def add_entity(self, entity: Entity, names: Iterable[str]) -> None:
        """Register an entity (e.g. one harvested from the corpus) under its names."""
        self.by_id.setdefault(entity.id, entity)
        for name in names:
            self.entities.add(name, entity.id)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read lexicon data: {exc}") from exc


def _table(groups: dict[str, Iterable[str]]) -> PhraseTable:
    table = PhraseTable()
    for value, phrases in groups.items():
        for phrase in phrases:
            table.add(phrase, value)
    return table


def load_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    """Load ``lexicon.json``, ``quantities.json`` and ``entities.json`` from ``data_dir``."""
    words, numbers, known = (_read(data_dir / name) for name in LEXICON_FILES)
    cue_names = ("negation", "denial", "modality", "dispute", "anchor_earliest")
    lexicon = Lexicon(
        stopwords=frozenset(stem(w) for w in words["stopwords"]),
        concepts=_table(words["concepts"]),
        cues={name: _table({name: words[name]}) for name in cue_names},
        quantities=numbers,
        units=_table({u: [u] for u in numbers["units"]}),
        qualifiers=_table({q: [q] for q in numbers["qualifiers"]}),
        number_words=_table({w: [w] for w in numbers["number_words"]}),
        vague=_table({w: [w] for w in numbers["vague"]}),
        entities=PhraseTable(),
        acronyms=frozenset(),
        by_id={},
    )
    lexicon.titles = tuple(words.get("titles", ()))
    lexicon.events = frozenset(words.get("events", ()))
    lexicon.implies = {k: tuple(v) for k, v in words.get("implies", {}).items()}
    lexicon.reciprocal = frozenset("C:" + c for c in words.get("reciprocal", ()))
    lexicon.figure_framing = frozenset("C:" + c for c in words.get("figure_framing", ()))
    lexicon.opposites = _opposites(lexicon, words.get("opposites", ()))
    _load_entities(lexicon, known)
    lexicon.words = frozenset(_words_of([words, numbers, known]))
    return lexicon


def _words_of(data: object) -> Iterable[str]:
    """Every lowercase word in the data files (keys and values), so the speller never
    "corrects" one; keys starting with "_" are comments."""
    if isinstance(data, str):
        yield from (w.lower() for w in tokenize_words(data))
    elif isinstance(data, dict):
        for key, value in data.items():
            if not key.startswith("_"):
                yield from _words_of(key)
                yield from _words_of(value)
    elif isinstance(data, list | tuple):
        for item in data:
            yield from _words_of(item)


def tokenize_words(text: str) -> list[str]:
    return [t.text for t in tokenize(fold(text)) if not t.is_number]


def word_key(lexicon: Lexicon, word: str) -> str:
    """The key a single word gets in a frame: its concept ("C:kill") or its stem."""
    tokens = tokenize(fold(word.lower()))
    hit = lexicon.concepts.match(tokens, 0) if tokens else None
    if hit and hit[0] == len(tokens):
        return "C:" + str(hit[1])
    return tokens[0].stem if tokens else word


def _opposites(lexicon: Lexicon, pairs: Iterable[Sequence[str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for left, right in pairs:
        a, b = word_key(lexicon, left), word_key(lexicon, right)
        # A word that falls into a broad concept ("won" is "secure", "lost" is "kill") would
        # oppose the whole concept: such pairs are left to the concepts themselves.
        if a != b and not a.startswith("C:") and not b.startswith("C:"):
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in found.items()}


def _load_entities(lexicon: Lexicon, known: dict) -> None:
    acronyms = set()
    for item in known["entities"]:
        names = [*item["names"], *item.get("demonyms", ()), *item.get("seats", ())]
        entity = Entity(item["id"], item["kind"], item["names"][0], item.get("country"))
        lexicon.add_entity(entity, names)
        acronyms.update(phrase_key(n) for n in names if _is_acronym(n))
    for item in known.get("people", ()):
        entity = Entity(
            person_id(item["names"][0]), "person", item["names"][0], item.get("country")
        )
        lexicon.add_entity(entity, item["names"])
    lexicon.acronyms = frozenset(acronyms)


def _is_acronym(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return len(letters) <= 5 and all(ch.isupper() for ch in letters)


def person_id(full_name: str) -> str:
    """Canonical id of a person: their surname (last word of the name)."""
    return "person:" + fold(full_name).lower().split()[-1]
