"""Write a deterministic synthetic corpus of distractor reports made from the seed corpus.

Usage: ``.venv/bin/python bench/synth.py --docs N --out DIR [--seed 0] [--no-seeds]``

Writes ``DIR/synthetic.jsonl``: ``N`` documents, one JSON object a line, with the fields
``service.engine.corpus`` reads from ``.jsonl`` files: ``id`` (``syn-000001``, ``syn-000002``, ...),
``text``, ``title``, ``publisher`` (one of ``PUBLISHERS``), ``published`` (``YYYY-MM-DD``),
``url`` (under ``https://synthetic.example/``) and ``language`` (``en``). Unless
``--no-seeds`` is given it also copies the seed reports (``seeds/*.txt``) and
``seeds/sources.json`` into ``DIR``, so the real reports stand among the distractors and
``service.engine.corpus.load_corpus(DIR)`` loads them all.

How one document is made, from the seed reports cut into passages by
``service.engine.segment.split_passages``:

* its length in passages is one of the seed documents' passage counts, drawn at random;
* its first passage is a headline: a seed line without final punctuation that names a
  country or place (a "Read more:" style prefix dropped), or a title from ``sources.json``.
  The headline (after the perturbations below) is also the document's ``title``;
* the other passages are runs of one to four consecutive passages of randomly drawn seed
  documents, so sentences of different reports are recombined; they are laid out in
  paragraphs of one to three passages, a passage without final punctuation or with an
  unbalanced quote in a paragraph of its own (so segmentation finds the same passages);
* every passage is then perturbed:

  - names: the countries (names, demonyms, seats of government: "Armenia", "Armenian",
    "Yerevan"), places and people of ``service/engine/data/entities.json``, and the people the seeds
    name after a title ("Foreign Minister Sergei Lavrov"), are mapped per document: kept
    (2 documents in 5), Armenia/Azerbaijan and their leaders swapped (3 in 10: "Azerbaijan
    accused Armenia" becomes "Armenia accused Azerbaijan"), or each mapped to a random name
    of the same kind (3 in 10);
  - figures: each numeral and number word ("two" to "ninety-nine") is changed with
    probability 1/2 (digits swapped, nudged or scaled; thousands separators, decimals and
    round numbers kept in style), so "135" may become "153" or "140";
  - dates: "September 13", "13 September", "November 26, 2021", bare month names and
    weekdays are shifted by a per-document number of days (none for 3 documents in 10, one
    to ten days for 5 in 10, up to a year otherwise); years, in dates and alone, by a
    per-document -2..+2 (0 for 6 documents in 10);

* ``published`` is a seed's publication date moved by the same days and years.

The same arguments give byte-identical output (one ``random.Random(seed)`` stream, documents
in order, so the first ``k`` documents do not depend on ``N`` below a million, where ids widen).
Documents are written as they are made, so memory use does not grow with ``N``; the seeds are
compiled once into templates (literal text and slots to fill): 100,000 documents (about
370 MB) take about 12 s of CPU.
``variants(text, count, seed)`` applies the same perturbations to any text (the retrieval
benchmark uses it to vary its claims).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``service`` importable
    sys.path.insert(0, str(ROOT))

from service.engine.segment import split_passages  # noqa: E402

SEEDS = ROOT / "seeds"
ENTITIES = ROOT / "service" / "engine" / "data" / "entities.json"
SIDECAR = "sources.json"
OUTPUT_NAME = "synthetic.jsonl"
PUBLISHERS = (
    "Synthetic Wire",
    "Synthetic Daily",
    "Synthetic Press Agency",
    "Synthetic Times",
    "Synthetic Herald",
)
URL_BASE = "https://synthetic.example/"
# Used for a seed that has no publication date in sources.json.
DEFAULT_PUBLISHED = date(2022, 9, 15)

MONTHS = (
    "January February March April May June July August September October November December"
).split()
MONTH_ABBREVIATIONS = {
    "Jan.": 1, "Feb.": 2, "Mar.": 3, "Apr.": 4, "Jun.": 6, "Jul.": 7, "Aug.": 8,
    "Sep.": 9, "Sept.": 9, "Oct.": 10, "Nov.": 11, "Dec.": 12,
}  # fmt: skip
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_UNITS = "zero one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
# "one" is left alone: "one of the", "no one" are not figures.
NUMBER_WORDS: dict[str, int] = {
    **{word: value for value, word in enumerate(_UNITS) if value >= 2},
    **{word: 10 + value for value, word in enumerate(_TEENS)},
    **{word: 20 + 10 * i for i, word in enumerate(_TENS)},
    **{
        f"{tens}-{unit}": 20 + 10 * i + u
        for i, tens in enumerate(_TENS)
        for u, unit in enumerate(_UNITS)
        if u
    },
}
# Title words after which the seeds name a person ("Foreign Minister Sergei Lavrov").
_TITLE = re.compile(
    r"\b(?:Presidents?|Minister|Secretary(?:-General| of State| of Defense)?|Ambassador|"
    r"Speaker|Chancellor|[Ss]pokes(?:man|woman|person)|[Aa]dviser|[Ee]nvoy|Ministry|"
    r"press secretary),?\s+((?:[A-Z][a-z]+\s){1,2}[A-Z][a-z]+)"
)
_HEADLINE_PREFIX = re.compile(r"^(?:read more|also read|see also)\s*[:|]\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")

# Per-document choices (see the module docstring).
KEEP_NAMES, SWAP_NAMES = 0.4, 0.7  # cumulative: keep < 0.4 <= swap < 0.7 <= shuffle
FIGURE_CHANGE = 0.5
PAIR = ("ARM", "AZE")  # the swapped pair of countries


# --- vocabulary ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    """A named thing that can stand in for another of its ``kind``."""

    kind: str  # "country", "place" or "person"
    id: str
    forms: dict[str, str]  # form kind -> text: name, adj, plural, seat, full, surname


def _country(entity: dict) -> Name:
    demonyms = entity.get("demonyms") or entity["names"][:1]
    plural = next((d for d in demonyms[1:] if d.endswith("s") and "'" not in d), demonyms[0])
    seats = entity.get("seats") or entity["names"][:1]
    forms = {"name": entity["names"][0], "adj": demonyms[0], "plural": plural, "seat": seats[0]}
    return Name("country", entity["id"], forms)


def _country_spellings(entity: dict) -> Iterator[tuple[str, str]]:
    """(text, form kind) of every way ``entity`` is written."""
    for name in entity["names"]:
        yield name, "name"
    for demonym in entity.get("demonyms", ()):
        plural = demonym.endswith("s") and "'" not in demonym and demonym != entity["demonyms"][0]
        yield demonym, "plural" if plural else "adj"
    for seat in entity.get("seats", ()):
        yield seat, "seat"


def _person(person_id: str, full: str) -> Name:
    return Name("person", person_id, {"full": full, "surname": full.split()[-1]})


@dataclass(slots=True)
class Vocabulary:
    """The names the generator swaps, and how each spelling reads."""

    names: dict[str, Name]  # id -> Name
    spellings: dict[str, tuple[str, str]]  # text -> (id, form kind)
    by_kind: dict[str, list[str]]  # kind -> ids (sorted, for determinism)
    leaders: dict[str, str]  # country id -> the first person entities.json ties to it


def load_vocabulary(entities_path: Path, texts: list[str]) -> Vocabulary:
    """Countries, places and people of ``entities.json`` plus the people ``texts`` name."""
    data = json.loads(entities_path.read_text(encoding="utf-8"))
    names: dict[str, Name] = {}
    spellings: dict[str, tuple[str, str]] = {}
    for entity in data["entities"]:
        if entity["kind"] == "country":
            names[entity["id"]] = _country(entity)
            for text, form in _country_spellings(entity):
                spellings.setdefault(text, (entity["id"], form))
        elif entity["kind"] == "place":
            names[entity["id"]] = Name("place", entity["id"], {"name": entity["names"][0]})
            for text in entity["names"]:
                spellings.setdefault(text, (entity["id"], "name"))
    leaders: dict[str, str] = {}
    for number, person in enumerate(data.get("people", ())):
        full = max(person["names"], key=lambda n: (len(n.split()), len(n)))
        person_id = f"person:{number}"
        names[person_id] = _person(person_id, full)
        if person.get("country"):
            leaders.setdefault(person["country"], person_id)
        for text in person["names"]:
            spellings.setdefault(text, (person_id, "full" if " " in text else "surname"))
    for full in _people_named(texts, spellings):
        surname = full.split()[-1]
        if full in spellings or surname in spellings:
            continue  # a known person (or a country's name used as a surname)
        person_id = f"person:{full}"
        names[person_id] = _person(person_id, full)
        spellings[full] = (person_id, "full")
        spellings[surname] = (person_id, "surname")
    by_kind: dict[str, list[str]] = {}
    for name in names.values():
        by_kind.setdefault(name.kind, []).append(name.id)
    return Vocabulary(names, spellings, {k: sorted(v) for k, v in by_kind.items()}, leaders)


def _people_named(texts: list[str], known: dict[str, tuple[str, str]]) -> list[str]:
    """Full names that follow a title in ``texts``, in order of first mention."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _TITLE.finditer(text):
            words = match.group(1).split()
            if not any(word in known for word in words):
                found.setdefault(" ".join(words))
    return list(found)


# --- templates ----------------------------------------------------------------------------

# A template is a sentence compiled once: literal strings and slots (tuples) to fill.
Slot = tuple
Template = tuple[str | Slot, ...]


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class Compiler:
    """Cuts sentences into literal text and slots for names, figures and dates."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        months = _alternation([*MONTHS, *MONTH_ABBREVIATIONS])
        bare_months = _alternation(m for m in MONTHS if m != "May")
        year = r"(?:19|20)\d\d(?![\w,.:]?\d)"
        self._pattern = re.compile(
            rf"(?<!\w)(?P<md_month>{months})\s(?P<md_day>\d{{1,2}})(?!\d)(?!,\d)"
            rf"(?:,\s(?P<md_year>{year}))?"
            rf"|(?<![\w.,])(?P<dm_day>\d{{1,2}})\s(?P<dm_month>{months})(?!\w)"
            rf"(?:\s(?P<dm_year>{year}))?"
            rf"|(?<!\w)(?P<month>{bare_months}|May(?=\s{year}))(?!\w)(?:\s(?P<m_year>{year}))?"
            rf"|(?<!\w)(?P<weekday>{_alternation(WEEKDAYS)})(?!\w)"
            rf"|(?<!\w)(?P<name>{_alternation(vocabulary.spellings)})(?!\w)"
            r"|(?<![\w.,:])(?P<number>\d+(?:[.,:]\d+)*)(?!\w)"
            rf"|(?<!\w)(?P<word>(?i:{_alternation(NUMBER_WORDS)}))(?!\w)"
        )

    def compile(self, text: str) -> Template:
        parts: list[str | Slot] = []
        at = 0
        for match in self._pattern.finditer(text):
            slot = self._slot(match)
            if slot is None:
                continue
            if match.start() > at:
                parts.append(text[at : match.start()])
            parts.append(slot)
            at = match.end()
            if match.group().endswith(".") and at == len(text):
                parts.append(".")  # "... the U.S." ends the sentence with its period
        if at < len(text):
            parts.append(text[at:])
        return tuple(parts)

    def _slot(self, match: re.Match[str]) -> Slot | None:
        group = match.lastgroup
        kind = match.group
        if kind("md_month"):
            return _date_slot(kind("md_month"), kind("md_day"), kind("md_year"), day_first=False)
        if kind("dm_month"):
            return _date_slot(kind("dm_month"), kind("dm_day"), kind("dm_year"), day_first=True)
        if kind("month"):
            year = kind("m_year")
            return ("month", MONTHS.index(kind("month")) + 1, int(year) if year else None)
        if group == "weekday":
            return ("weekday", WEEKDAYS.index(match.group()))
        if group == "name":
            entity_id, form = self.vocabulary.spellings[match.group()]
            return ("name", entity_id, form)
        if group == "number":
            return _number_slot(match.group())
        if group == "word":
            word = match.group()
            return ("word", NUMBER_WORDS[word.lower()], word[0].isupper())
        return None


def _month_number(text: str) -> int:
    return MONTH_ABBREVIATIONS.get(text) or MONTHS.index(text) + 1


def _date_slot(month: str, day: str, year: str | None, *, day_first: bool) -> Slot | None:
    number = _month_number(month)
    try:
        date(int(year or 2000), number, int(day))  # 2000: a leap year, so Feb 29 passes
    except ValueError:
        return None  # "September 31" is no date: leave it as written
    abbreviation = month if month in MONTH_ABBREVIATIONS else None
    return ("date", number, int(day), int(year) if year else None, day_first, abbreviation)


def _number_slot(text: str) -> Slot | None:
    if ":" in text or (len(text) > 1 and text[0] == "0"):
        return None  # clock times ("00:05") and zero-padded codes stay as written
    if "." in text:
        whole, _, fraction = text.partition(".")
        if "," in whole or "." in fraction or set(fraction) == {"0"}:
            return None  # "9.00" is a time; odd groupings are left alone
        return ("number", int(whole + fraction), len(fraction), False)
    if "," in text:
        groups = text.split(",")
        if any(len(g) != 3 for g in groups[1:]):
            return None  # "1,2" is a list, not a thousands separator
        return ("number", int("".join(groups)), 0, True)
    value = int(text)
    if len(text) == 4 and 1900 <= value <= 2099:
        return ("year", value)
    return ("number", value, 0, False)


# --- filling slots ------------------------------------------------------------------------


def _shifted(day: date, days: int, years: int) -> date:
    moved = day + timedelta(days=days)
    try:
        return moved.replace(year=moved.year + years)
    except ValueError:  # Feb 29 in a year without one
        return moved.replace(year=moved.year + years, day=28)


def _number_words(value: int) -> str:
    if value < 10:
        return _UNITS[value]
    if value < 20:
        return _TEENS[value - 10]
    tens, unit = divmod(value, 10)
    return _TENS[tens - 2] + (f"-{_UNITS[unit]}" if unit else "")


def _new_figure(value: int, rng: random.Random) -> int:
    """Another plausible figure: digits swapped, nudged or scaled; round stays round."""
    text = str(value)
    choice = rng.random()
    if choice < 0.3 and len(set(text.rstrip("0"))) > 1:
        digits = list(text.rstrip("0"))
        i, j = rng.sample(range(len(digits)), 2)
        digits[i], digits[j] = digits[j], digits[i]
        if digits[0] != "0":
            swapped = int("".join(digits)) * 10 ** (len(text) - len(text.rstrip("0")))
            if swapped != value:
                return swapped
    zeros = len(text) - len(text.rstrip("0")) if value else 0
    quantum = 10 ** max(zeros - 1, 0)
    if choice < 0.85:
        step = max(1, value // 4 // quantum)
        new = value + rng.choice((-1, 1)) * rng.randint(1, step) * quantum
    else:
        new = value * rng.choice((2, 3)) if rng.random() < 0.5 else value // 2 // quantum * quantum
    if new <= 0 or new == value:
        new = value + rng.randint(1, 9) * quantum
    return new


class Perturber:
    """Fills templates for one document: its name map, date shift and year shift."""

    def __init__(self, vocabulary: Vocabulary, rng: random.Random) -> None:
        self.vocabulary = vocabulary
        self.rng = rng
        choice = rng.random()
        self.mode = "keep" if choice < KEEP_NAMES else "swap" if choice < SWAP_NAMES else "shuffle"
        choice = rng.random()
        if choice < 0.3:
            self.days = 0
        elif choice < 0.8:
            self.days = rng.choice((-1, 1)) * rng.randint(1, 10)
        else:
            self.days = rng.choice((-1, 1)) * rng.randint(11, 365)
        choice = rng.random()
        self.years = 0 if choice < 0.6 else rng.choice((-1, 1)) * (1 if choice < 0.9 else 2)
        self.names: dict[str, str] = {}
        if self.mode == "swap":
            self.names.update(_swapped_pair(vocabulary))
        self._fill: dict[str, Callable[[Slot], str]] = {
            "date": self._date,
            "month": self._month,
            "weekday": self._weekday,
            "name": self._name,
            "number": self._number,
            "word": self._word,
            "year": self._year,
        }

    def render(self, template: Template) -> str:
        fill = self._fill
        return "".join(part if type(part) is str else fill[part[0]](part) for part in template)

    def shift(self, day: date) -> date:
        return _shifted(day, self.days, self.years)

    def _date(self, slot: Slot) -> str:
        _, month, day, year, day_first, abbreviation = slot
        moved = _shifted(date(year or DEFAULT_PUBLISHED.year, month, day), self.days, self.years)
        if abbreviation:
            month_text = next(a for a, m in MONTH_ABBREVIATIONS.items() if m == moved.month)
        else:
            month_text = MONTHS[moved.month - 1]
        text = f"{moved.day} {month_text}" if day_first else f"{month_text} {moved.day}"
        if year is None:
            return text
        return f"{text} {moved.year}" if day_first else f"{text}, {moved.year}"

    def _month(self, slot: Slot) -> str:
        _, month, year = slot
        moved = _shifted(date(year or DEFAULT_PUBLISHED.year, month, 15), self.days, self.years)
        return MONTHS[moved.month - 1] + (f" {moved.year}" if year else "")

    def _weekday(self, slot: Slot) -> str:
        return WEEKDAYS[(slot[1] + self.days) % 7]

    def _year(self, slot: Slot) -> str:
        return str(slot[1] + self.years)

    def _name(self, slot: Slot) -> str:
        _, entity_id, form = slot
        target = self.names.get(entity_id)
        if target is None:
            target = entity_id
            if self.mode == "shuffle":
                pool = self.vocabulary.by_kind[self.vocabulary.names[entity_id].kind]
                taken = set(self.names.values())
                free = [i for i in pool if i not in taken] or pool
                target = free[int(self.rng.random() * len(free))]
            self.names[entity_id] = target
        forms = self.vocabulary.names[target].forms
        return forms.get(form) or forms.get("name") or forms["full"]

    def _number(self, slot: Slot) -> str:
        _, value, decimals, commas = slot
        if self.rng.random() >= FIGURE_CHANGE:
            new = value
        else:
            new = _new_figure(value, self.rng)
        if decimals:
            text = f"{new:0{decimals + 1}d}"
            return f"{text[:-decimals]}.{text[-decimals:]}"
        return f"{new:,}" if commas and new >= 1000 else str(new)

    def _word(self, slot: Slot) -> str:
        _, value, capital = slot
        if self.rng.random() >= FIGURE_CHANGE:
            new = value
        else:
            step = max(2, value // 2)
            new = min(99, max(2, value + self.rng.choice((-1, 1)) * self.rng.randint(1, step)))
            if new == value:
                new = value + 1 if value < 99 else value - 1
        text = _number_words(new)
        return text[0].upper() + text[1:] if capital else text


def _swapped_pair(vocabulary: Vocabulary) -> dict[str, str]:
    """Armenia <-> Azerbaijan, and their leaders likewise."""
    first, second = PAIR
    if first not in vocabulary.names or second not in vocabulary.names:
        return {}  # an entities.json without them: documents keep their names
    mapping = {first: second, second: first}
    leaders = [vocabulary.leaders.get(country) for country in PAIR]
    if leaders[0] and leaders[1]:
        mapping[leaders[0]] = leaders[1]
        mapping[leaders[1]] = leaders[0]
    return mapping


# --- the seeds ----------------------------------------------------------------------------


@dataclass(slots=True)
class Seeds:
    """The seed reports compiled into templates."""

    documents: list[list[Template]]  # per seed document, its passages
    standalone: dict[Template, bool]  # passages that need a paragraph of their own
    headlines: list[Template]
    lengths: list[int]  # passages per seed document
    published: list[date]
    compiler: Compiler


def load_seeds(seeds_dir: Path = SEEDS, entities_path: Path = ENTITIES) -> Seeds:
    files = sorted(seeds_dir.glob("*.txt"))
    if not files:
        raise SystemExit(f"{seeds_dir}: no .txt seed documents")
    texts = [f.read_text(encoding="utf-8").removeprefix("\ufeff") for f in files]
    vocabulary = load_vocabulary(entities_path, texts)
    compiler = Compiler(vocabulary)
    sidecar = _read_sidecar(seeds_dir / SIDECAR)
    documents: list[list[Template]] = []
    standalone: dict[Template, bool] = {}
    headline_texts: dict[str, None] = {}
    for text in texts:
        passages = []
        for start, end in split_passages(text):
            passage = text[start:end]
            template = compiler.compile(passage)
            passages.append(template)
            standalone[template] = not _SENTENCE_END.search(passage) or _unbalanced(passage)
            headline = _headline(passage, text, start, end, compiler)
            if headline:
                headline_texts.setdefault(headline)
        documents.append(passages)
    for meta in sidecar.values():
        if isinstance(meta, dict) and meta.get("title"):
            headline_texts.setdefault(meta["title"])
    if not headline_texts:  # no headline-like line: fall back on the seeds' lead sentences
        leads = (text[s:e] for text in texts for s, e in split_passages(text)[:1])
        headline_texts.update(dict.fromkeys(leads))
    published = [
        date.fromisoformat(meta["published"])
        for meta in sidecar.values()
        if isinstance(meta, dict) and meta.get("published")
    ] or [DEFAULT_PUBLISHED]
    return Seeds(
        documents=documents,
        standalone=standalone,
        headlines=[compiler.compile(h) for h in headline_texts],
        lengths=[len(d) for d in documents],
        published=published,
        compiler=compiler,
    )


def _read_sidecar(path: Path) -> dict:
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _unbalanced(passage: str) -> bool:
    return passage.count('"') % 2 == 1 or passage.count("“") != passage.count("”")


def _headline(passage: str, text: str, start: int, end: int, compiler: Compiler) -> str:
    """``passage`` cleaned up if it is a line of its own that reads as a headline, else ''."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    rest_of_line = text[end:] if line_end < 0 else text[end:line_end]
    own_line = not text[line_start:start].strip() and not rest_of_line.strip()
    if not own_line or _SENTENCE_END.search(passage) or passage[:1] in "(©":
        return ""  # a sentence, or a credit line such as "(With inputs from agencies)"
    headline = _HEADLINE_PREFIX.sub("", passage).strip()
    if len(headline.split()) < 5:
        return ""  # a section heading such as "International Response"
    names = compiler.vocabulary.names
    # A headline names a country or place; "More stories like this ..." does not.
    about = any(
        type(part) is tuple and part[0] == "name" and names[part[1]].kind != "person"
        for part in compiler.compile(headline)
    )
    return headline if about else ""


# --- documents ----------------------------------------------------------------------------


def _doc_id(number: int, count: int) -> str:
    return f"syn-{number:0{max(6, len(str(count)))}d}"


def iter_documents(count: int, seed: int = 0, seeds: Seeds | None = None) -> Iterator[dict]:
    """The ``count`` synthetic documents as ``.jsonl`` records, made one at a time."""
    seeds = seeds or load_seeds()
    rng = random.Random(seed)
    documents = seeds.documents
    for number in range(1, count + 1):
        perturber = Perturber(seeds.compiler.vocabulary, rng)
        headline = perturber.render(rng.choice(seeds.headlines))
        length = rng.choice(seeds.lengths)
        body: list[Template] = []
        used: set[int] = set()
        while len(body) < length - 1:
            source = rng.choice(documents)
            start = rng.randrange(len(source))
            run = source[start : start + rng.randint(1, 4)][: length - 1 - len(body)]
            # A report does not repeat itself: skip runs already used in this document.
            fresh = [t for t in run if id(t) not in used]
            used.update(id(t) for t in fresh)
            body.extend(fresh)
        paragraphs = [headline]
        current: list[str] = []
        size = rng.randint(1, 3)
        for template in body:
            sentence = perturber.render(template)
            if seeds.standalone[template]:
                if current:
                    paragraphs.append(" ".join(current))
                    current = []
                paragraphs.append(sentence)
                continue
            current.append(sentence)
            if len(current) >= size:
                paragraphs.append(" ".join(current))
                current, size = [], rng.randint(1, 3)
        if current:
            paragraphs.append(" ".join(current))
        published = perturber.shift(rng.choice(seeds.published))
        doc_id = _doc_id(number, count)
        yield {
            "id": doc_id,
            "text": "\n\n".join(paragraphs) + "\n",
            "title": headline,
            "publisher": rng.choice(PUBLISHERS),
            "published": published.isoformat(),
            "url": f"{URL_BASE}{published.year}/{doc_id}",
            "language": "en",
        }


def variants(text: str, count: int, seed: int = 0, seeds: Seeds | None = None) -> list[str]:
    """``count`` perturbed versions of ``text`` (names, figures, dates as for documents)."""
    seeds = seeds or load_seeds()
    template = seeds.compiler.compile(text)
    rng = random.Random(seed)
    return [Perturber(seeds.compiler.vocabulary, rng).render(template) for _ in range(count)]


def generate(
    out: Path,
    count: int,
    seed: int = 0,
    *,
    include_seeds: bool = True,
    seeds_dir: Path = SEEDS,
    entities_path: Path = ENTITIES,
) -> Path:
    """Write ``out/synthetic.jsonl`` (and the seed files unless not ``include_seeds``)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    seeds = load_seeds(seeds_dir, entities_path)
    out.mkdir(parents=True, exist_ok=True)
    target = out / OUTPUT_NAME
    with target.open("w", encoding="utf-8", newline="\n") as handle:
        for record in iter_documents(count, seed, seeds):
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")
    if include_seeds:
        for file in sorted(seeds_dir.glob("*.txt")):
            shutil.copyfile(file, out / file.name)
        if (seeds_dir / SIDECAR).is_file():
            shutil.copyfile(seeds_dir / SIDECAR, out / SIDECAR)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, required=True, help="synthetic documents to write")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-seeds", action="store_true", help="do not copy the seed files")
    parser.add_argument("--seeds-dir", type=Path, default=SEEDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    started = time.perf_counter()
    target = generate(
        args.out, args.docs, args.seed, include_seeds=not args.no_seeds, seeds_dir=args.seeds_dir
    )
    took = time.perf_counter() - started
    size = target.stat().st_size / 1e6
    print(f"wrote {args.docs:,} documents ({size:,.1f} MB) to {target} in {took:.1f} s")


if __name__ == "__main__":
    main()
