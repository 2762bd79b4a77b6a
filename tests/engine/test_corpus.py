"""Tests for service.engine.corpus.load_corpus."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest

import service.engine.corpus as corpus_module
from service.engine.corpus import CorpusError, load_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TITLE_002 = (
    "Armenia-Azerbaijan conflict: Cease-fire announced after fresh clashes on "
    "Nagorno-Karabakh border"
)


def make(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (name -> text or bytes) under ``folder`` and return it."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def jsonl(*records: object) -> str:
    """Encode ``records`` as JSON lines."""
    return "".join(json.dumps(record) + "\n" for record in records)


def doc(doc_id: str = "d1", **extra: object) -> dict[str, object]:
    """A valid JSONL record, with ``extra`` keys added."""
    return {"id": doc_id, "text": "Some text. More text.", **extra}


@pytest.fixture(scope="module")
def seeds():
    return load_corpus(SEEDS)


SEED_METADATA = [
    ("000_92c0525162caa70a", None, None, date(2022, 9, 16)),
    ("001_ab97f7a066a3c258", None, None, date(2022, 9, 13)),
    ("002_7f193b2dbdda609d", TITLE_002, None, date(2022, 9, 14)),
    ("003_76dd1eb450d0be15", None, "Bloomberg", date(2022, 9, 16)),
    ("004_6f6485ac6c360f71", None, None, date(2022, 9, 13)),
]


def test_seeds_load_five_documents_in_id_order(seeds) -> None:
    assert [d.id for d in seeds.documents] == [m[0] for m in SEED_METADATA]


@pytest.mark.parametrize(
    ("doc_id", "title", "publisher", "published"),
    SEED_METADATA,
    ids=[m[0][:3] for m in SEED_METADATA],
)
def test_seed_metadata(seeds, doc_id, title, publisher, published) -> None:
    document = seeds.document(doc_id)
    assert (document.title, document.publisher, document.published) == (title, publisher, published)
    assert (document.language, document.url) == ("en", None)
    assert document.path.endswith(f"{doc_id}.txt")


def test_seed_passages_match_their_documents(seeds) -> None:
    for doc_id, passages in ((d.id, seeds.passages_of(d.id)) for d in seeds.documents):
        text = seeds.document(doc_id).text
        assert [p.index for p in passages] == list(range(len(passages)))
        for p in passages:
            assert p.id == f"{doc_id}:{p.index}"
            assert text[p.start : p.end] == p.text
    assert len(seeds.passages) == sum(len(seeds.passages_of(d.id)) for d in seeds.documents)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist") as info:
        load_corpus(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(info.value)


def test_path_is_a_file(tmp_path: Path) -> None:
    make(tmp_path, {"a.txt": "Text."})
    with pytest.raises(CorpusError, match="not a directory") as info:
        load_corpus(tmp_path / "a.txt")
    assert str(tmp_path / "a.txt") in str(info.value)


BAD_CORPORA = [
    pytest.param({}, ["{d}", "no non-empty document"], id="empty-folder"),
    pytest.param({"a.txt": "", "b.md": " \n\t\n"}, ["{d}", "no non-empty"], id="only-empty-files"),
    pytest.param({"notes.json": "{}", "sub/a.txt": "Text."}, ["{d}"], id="only-ignored-files"),
    pytest.param({"a.txt": b"caf\xe9 au lait"}, ["{d}/a.txt", "UTF-8"], id="not-utf8"),
    pytest.param(
        {"a.jsonl": b'{"id": "x", "text": "\xff"}\n'}, ["{d}/a.jsonl"], id="jsonl-not-utf8"
    ),
    pytest.param({"a.txt": "One.", "a.md": "Two."}, ["{d}/a.md", "{d}/a.txt"], id="dup-txt-md"),
    pytest.param({"d.jsonl": jsonl(doc("x"), doc("x"))}, ["{d}/d.jsonl:1", ":2"], id="dup-jsonl"),
    pytest.param(
        {"x.txt": "One.", "d.jsonl": jsonl(doc("x"))}, ["{d}/d.jsonl:1", "{d}/x.txt"], id="dup-file"
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc()) + "{oops\n"}, ["{d}/d.jsonl:2", "invalid JSON"], id="jl-bad-json"
    ),
    pytest.param({"d.jsonl": "\n\n[1, 2]\n"}, ["{d}/d.jsonl:3", "object"], id="jl-not-object"),
    pytest.param(
        {"d.jsonl": jsonl({"id": "x"})}, ["{d}/d.jsonl:1", "'text'"], id="jl-missing-text"
    ),
    pytest.param({"d.jsonl": jsonl({"text": "T."})}, ["{d}/d.jsonl:1", "'id'"], id="jl-missing-id"),
    pytest.param({"d.jsonl": jsonl(doc(""))}, ["{d}/d.jsonl:1", "'id'"], id="jl-empty-id"),
    pytest.param(
        {"d.jsonl": jsonl({"id": "x", "text": " "})},
        ["{d}/d.jsonl:1", "'text'"],
        id="jl-empty-text",
    ),
    pytest.param(
        {"d.jsonl": jsonl({"id": "x", "text": 5})}, ["{d}/d.jsonl:1", "string"], id="jl-text-type"
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc(title=5))}, ["{d}/d.jsonl:1", "'title'"], id="jl-title-type"
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc(author="me"))}, ["{d}/d.jsonl:1", "'author'"], id="jl-unknown-key"
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc(metadata={"author": "me"}))},
        ["{d}/d.jsonl:1", "'author'"],
        id="jl-unknown-meta",
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc(metadata=[]))}, ["{d}/d.jsonl:1", "metadata"], id="jl-metadata-type"
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc(title="A", metadata={"title": "B"}))},
        ["{d}/d.jsonl:1", "title"],
        id="jl-both",
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc(published="16/09/2022"))},
        ["{d}/d.jsonl:1", "published"],
        id="jl-bad-date",
    ),
    pytest.param(
        {"d.jsonl": jsonl(doc(metadata={"published": "2022-02-30"}))},
        ["{d}/d.jsonl:1"],
        id="jl-no-such-day",
    ),
    pytest.param(
        {"d.jsonl": '{"id": "x", "id": "y", "text": "T."}\n'},
        ["{d}/d.jsonl:1", "twice"],
        id="jl-dup-key",
    ),
    pytest.param(
        {"a.txt": "T.", "sources.json": "{\n  oops"}, ["{d}/sources.json:2"], id="side-bad-json"
    ),
    pytest.param(
        {"a.txt": "T.", "sources.json": "[]"}, ["{d}/sources.json", "object"], id="side-array"
    ),
    pytest.param(
        {"a.txt": "T.", "sources.json": '{"ghost": {}}'},
        ["{d}/sources.json", "'ghost'"],
        id="side-unknown-id",
    ),
    pytest.param(
        {"a.txt": "T.", "sources.json": '{"a": {"published": "Sept 16"}}'},
        ["{d}/sources.json", "'a'", "published"],
        id="side-bad-date",
    ),
    pytest.param(
        {"a.txt": "T.", "sources.json": '{"a": {"author": "me"}}'},
        ["{d}/sources.json", "'a'", "'author'"],
        id="side-unknown-key",
    ),
    pytest.param(
        {"a.txt": "T.", "sources.json": '{"a": {"title": 3}}'},
        ["{d}/sources.json", "'title'"],
        id="side-type",
    ),
    pytest.param(
        {"a.txt": "T.", "sources.json": '{"a": "x"}'},
        ["{d}/sources.json", "'a'"],
        id="side-entry-type",
    ),
    pytest.param({"bad id.txt": "T."}, ["{d}/bad id.txt", "source id"], id="bad-file-id"),
    pytest.param({"-x.md": "T."}, ["{d}/-x.md", "source id"], id="bad-file-id-dash"),
    pytest.param({"d.jsonl": jsonl(doc("a/b"))}, ["{d}/d.jsonl:1", "'a/b'"], id="bad-jsonl-id"),
    pytest.param({"d.jsonl": jsonl(doc("x" * 129))}, ["{d}/d.jsonl:1", "source id"], id="long-id"),
    pytest.param(
        {"a.md": "---\ntitle: T\nauthor: me\n---\nT."}, ["{d}/a.md:3", "'author'"], id="fm-key"
    ),
    pytest.param({"a.md": "---\npublished: 2022-13-01\n---\nT."}, ["{d}/a.md:2"], id="fm-bad-date"),
    pytest.param({"a.md": "---\ntitle: T\n"}, ["{d}/a.md:1", "not closed"], id="fm-unclosed"),
    pytest.param(
        {"a.md": "---\njust words\n---\nBody."}, ["{d}/a.md:2", "key: value"], id="fm-no-colon"
    ),
    pytest.param(
        {"a.md": "---\ntitle: A\ntitle: B\n---\nT."}, ["{d}/a.md:3", "twice"], id="fm-dup-key"
    ),
]


@pytest.mark.parametrize(("files", "fragments"), BAD_CORPORA)
def test_bad_corpus(tmp_path: Path, files: dict[str, str | bytes], fragments: list[str]) -> None:
    make(tmp_path, files)
    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)
    for fragment in fragments:
        assert fragment.format(d=tmp_path) in str(info.value)


def test_empty_file_is_skipped_with_a_warning(tmp_path: Path, caplog) -> None:
    files = {"a.txt": "Kept.", "b.txt": "  \n", "c.md": "---\ntitle: T\n---\n\n", "d.jsonl": "\n"}
    make(tmp_path, files)
    with caplog.at_level(logging.WARNING, logger="service.engine.corpus"):
        corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["a"]
    warned = [r.getMessage() for r in caplog.records if r.name == "service.engine.corpus"]
    assert any(str(tmp_path / "b.txt") in m for m in warned)
    assert any(str(tmp_path / "c.md") in m for m in warned)
    assert any(str(tmp_path / "d.jsonl") in m for m in warned)
    assert all(
        r.levelno == logging.WARNING for r in caplog.records if r.name == "service.engine.corpus"
    )


def test_front_matter_is_parsed(tmp_path: Path) -> None:
    front = (
        "---\ntitle: Cease-fire: a truce holds\npublisher: 'Example News'\n"
        "published: 2022-09-16\nurl: null\n# a comment\nlanguage: en\n---\n"
    )
    make(tmp_path, {"story.md": front + "Headline\nFirst. Second."})
    corpus = load_corpus(tmp_path)
    (document,) = corpus.documents
    assert document.title == "Cease-fire: a truce holds"
    assert document.publisher == "Example News"
    assert document.published == date(2022, 9, 16)
    assert (document.url, document.language) == (None, "en")
    assert document.text == "Headline\nFirst. Second."
    assert [p.text for p in corpus.passages] == ["Headline", "First.", "Second."]


def test_jsonl_documents_with_metadata(tmp_path: Path) -> None:
    records = [
        doc("b", title="B title", metadata={"published": "2022-09-13", "language": "en"}),
        {"id": "a", "text": "Only text.", "publisher": None},
    ]
    make(tmp_path, {"docs.jsonl": "\n".join(json.dumps(r) for r in records) + "\n\n  \n"})
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["a", "b"]
    b = corpus.document("b")
    assert (b.title, b.published, b.language) == ("B title", date(2022, 9, 13), "en")
    assert b.path == str(tmp_path / "docs.jsonl")
    assert [p.id for p in corpus.passages] == ["a:0", "b:0", "b:1"]


def test_sidecar_fills_gaps_and_document_metadata_wins(tmp_path: Path) -> None:
    sidecar = {
        "a": {"title": "Sidecar title", "publisher": "Sidecar", "published": "2022-09-14"},
        "b": {"url": None, "language": "en"},
    }
    files = {
        "a.md": "---\ntitle: Own title\n---\nBody.",
        "b.txt": "Body.",
        "sources.json": json.dumps(sidecar),
    }
    corpus = load_corpus(make(tmp_path, files))
    a, b = corpus.documents
    assert (a.title, a.publisher, a.published) == ("Own title", "Sidecar", date(2022, 9, 14))
    assert (b.title, b.url, b.language) == (None, None, "en")


def test_other_entries_are_ignored(tmp_path: Path, caplog) -> None:
    files = {
        "a.txt": "Kept.",
        ".hidden.txt": "Hidden.",
        "notes.json": "{not json",
        "README": "Readme.",
        "sub/b.txt": "Nested.",
    }
    with caplog.at_level(logging.DEBUG, logger="service.engine.corpus"):
        corpus = load_corpus(make(tmp_path, files))
    assert [d.id for d in corpus.documents] == ["a"]
    ignored = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert all(name in ignored for name in (".hidden.txt", "notes.json", "README", "sub"))


def test_bom_is_stripped_and_text_kept_verbatim(tmp_path: Path) -> None:
    make(tmp_path, {"a.txt": "\ufeffTitle\r\nOne. Two.\r\n"})
    corpus = load_corpus(str(tmp_path))
    assert corpus.documents[0].text == "Title\r\nOne. Two.\r\n"
    assert [p.text for p in corpus.passages] == ["Title", "One.", "Two."]


def test_symlink_inside_the_folder_is_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_text("Armenia said 49 soldiers were killed.\n")
    (corpus / "alias.txt").symlink_to(corpus / "real.txt")
    assert sorted(d.id for d in load_corpus(corpus).documents) == ["alias", "real"]


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_text("Armenia said 49 soldiers were killed.\n")
    (tmp_path / "secret.txt").write_text("Not part of the corpus.\n")
    (corpus / "escape.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(CorpusError, match="escape.txt: a symbolic link to a place outside"):
        load_corpus(corpus)


def test_a_huge_document_is_refused_before_it_is_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_module, "MAX_DOCUMENT_CHARS", 100)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "huge.txt").write_text("Armenia said 49 soldiers were killed. " * 20)
    with pytest.raises(CorpusError, match="huge.txt: a document longer than 100 characters"):
        load_corpus(corpus)
    (corpus / "huge.txt").unlink()
    record = json.dumps({"id": "big", "text": "word " * 50}) + "\n"
    (corpus / "many.jsonl").write_text('{"id": "ok", "text": "A truce held."}\n' + record)
    with pytest.raises(CorpusError, match="many.jsonl:2: a document longer than"):
        load_corpus(corpus)


def test_reading_a_large_corpus_logs_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(corpus_module, "PROGRESS_SECONDS", 0.0)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(3):
        (corpus / f"d{number}.txt").write_text(f"Armenia said {number} soldiers were killed.\n")
    with caplog.at_level("INFO", logger="service.engine.corpus"):
        load_corpus(corpus)
    assert any("reading the corpus: 2 of 3 entries" in r.getMessage() for r in caplog.records)
