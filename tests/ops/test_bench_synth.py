"""bench/synth.py writes a loadable, deterministic corpus of perturbed seed reports."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from service.engine.corpus import load_corpus
from service.engine.model import Corpus

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
DOCS = 30


def _load_synth() -> ModuleType:
    """Import bench/synth.py by path: bench/ is a folder of scripts, not a package."""
    spec = importlib.util.spec_from_file_location("bench_synth", PROJECT_ROOT / "bench/synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    synth.generate(folder, DOCS, seed=0)
    return folder


@pytest.fixture(scope="module")
def corpus(out: Path) -> Corpus:
    return load_corpus(out)


def synthetic(corpus: Corpus) -> list:
    return [d for d in corpus.documents if d.id.startswith("syn-")]


def test_loads_with_the_requested_count_and_unique_ids(corpus: Corpus) -> None:
    ids = [d.id for d in synthetic(corpus)]
    assert ids == [f"syn-{n:06d}" for n in range(1, DOCS + 1)]
    assert len({d.id for d in corpus.documents}) == len(corpus.documents) == DOCS + len(SEED_IDS)


@pytest.mark.parametrize("include_seeds", [True, False], ids=["with-seeds", "no-seeds"])
def test_seed_reports_are_copied_unless_told_not_to(tmp_path: Path, include_seeds: bool) -> None:
    synth.generate(tmp_path, 3, include_seeds=include_seeds)
    corpus = load_corpus(tmp_path)
    seed_docs = {d.id: d for d in corpus.documents if not d.id.startswith("syn-")}
    assert sorted(seed_docs) == (SEED_IDS if include_seeds else [])
    assert (tmp_path / "sources.json").exists() == include_seeds
    if include_seeds:  # the sidecar's metadata reaches the seed reports
        assert seed_docs["003_76dd1eb450d0be15"].publisher == "Bloomberg"


def test_every_document_has_headline_title_and_metadata(corpus: Corpus) -> None:
    for doc in synthetic(corpus):
        first = corpus.passages_of(doc.id)[0]
        assert doc.title == first.text, doc.id
        assert doc.publisher in synth.PUBLISHERS
        assert isinstance(doc.published, date) and 2020 <= doc.published.year <= 2024
        assert doc.url and doc.url.endswith(doc.id)
        assert doc.language == "en"
        assert len(corpus.passages_of(doc.id)) >= 5


@pytest.mark.parametrize(
    ("seed", "docs", "same"),
    [(0, DOCS, True), (0, 10, True), (1, DOCS, False)],
    ids=["same-seed", "fewer-docs-same-prefix", "other-seed"],
)
def test_output_is_determined_by_the_seed(out: Path, tmp_path: Path, seed, docs, same) -> None:
    synth.generate(tmp_path, docs, seed=seed, include_seeds=False)
    first = (out / synth.OUTPUT_NAME).read_text(encoding="utf-8").splitlines()
    again = (tmp_path / synth.OUTPUT_NAME).read_text(encoding="utf-8").splitlines()
    assert (again == first[:docs]) is same


# Parts of a sentence a perturbation may change; a near-duplicate differing only in one kind
# is equal to its seed sentence once the parts of that kind are masked.
_NUMBER_WORDS = "|".join(sorted(synth.NUMBER_WORDS, key=len, reverse=True))
_DATE_WORDS = "|".join(synth.MONTHS + synth.WEEKDAYS)
_PART = re.compile(
    rf"(?P<dates>\b(?:{_DATE_WORDS})\b(?: \d{{1,2}}\b)?)"
    rf"|(?P<figures>\d+(?:[.,]\d+)*|\b(?i:{_NUMBER_WORDS})\b)"
    r"|(?P<names>\b[A-Z][\w'’-]*)"
)


def mask(text: str, kind: str) -> str:
    return _PART.sub(lambda m: f"<{kind}>" if m.lastgroup == kind else m.group(), text)


@pytest.mark.parametrize("kind", ["figures", "names", "dates"])
def test_near_duplicates_differ_from_every_seed_sentence_in_each_kind(
    corpus: Corpus, kind: str
) -> None:
    seed_texts = {p.text for p in corpus.passages if not p.doc_id.startswith("syn-")}
    seed_masks = {mask(t, kind) for t in seed_texts}
    changed = [
        p.text
        for p in corpus.passages
        if p.doc_id.startswith("syn-")
        and p.text not in seed_texts
        and mask(p.text, kind) in seed_masks
    ]
    assert len(changed) >= 5, f"no sentence differs from the seeds in its {kind} alone"


def test_new_figures_and_names_appear(corpus: Corpus) -> None:
    seed_text = " ".join(p.text for p in corpus.passages if not p.doc_id.startswith("syn-"))
    syn_text = " ".join(p.text for p in corpus.passages if p.doc_id.startswith("syn-"))
    for pattern in (r"\d+(?:,\d{3})*", r"\b[A-Z][a-z]+\b"):
        assert set(re.findall(pattern, syn_text)) - set(re.findall(pattern, seed_text))


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("Azerbaijan accused Armenia of shelling", "Armenia accused Azerbaijan of shelling"),
        ("Armenia lost 135 soldiers", "Armenia lost 153 soldiers"),
        ("Fighting erupted on September 13", "Fighting erupted on September 12"),
    ],
    ids=["names-swapped", "digits-swapped", "date-shifted"],
)
def test_variants_perturb_a_claim_deterministically(claim: str, expected: str) -> None:
    found = synth.variants(claim, 50, seed=3)
    assert found == synth.variants(claim, 50, seed=3)
    assert expected in found
    assert len(set(found)) > 10


def test_command_line_writes_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    synth.main(["--docs", "4", "--out", str(tmp_path), "--seed", "7", "--no-seeds"])
    assert [d.id for d in load_corpus(tmp_path).documents] == [f"syn-{n:06d}" for n in range(1, 5)]
    assert "wrote 4 documents" in capsys.readouterr().out


def test_command_line_refuses_zero_documents(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        synth.main(["--docs", "0", "--out", str(tmp_path)])
