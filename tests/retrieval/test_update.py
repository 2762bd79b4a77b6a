"""Updating a prebuilt index in place (issue 17): only new reports analysed, and the result
scores every passage as a full build of the same corpus does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from serving import SEEDS

from service import create_app
from service.retrieval import prebuilt
from service.web.reload import refresh

NEW_ID = "900_update_report"
NEW_REPORT = """The Jermuk reservoir dam was repaired by 347 engineers of the Armenian Ministry of \
Emergency Situations, the ministry said on Tuesday.

The repairs took four days, said Hovik Sargsyan, a ministry engineer.
"""
DROPPED = "004_6f6485ac6c360f71.txt"
FACT = "The Jermuk reservoir dam was repaired by 347 engineers."


def postings(index_dir: Path) -> dict[tuple[int, str], float]:
    """Every (row, term) score of an index's BM25 table."""
    _, _, bm25 = prebuilt.read_parts(index_dir)
    terms = {column: term for term, column in bm25.vocab_dict.items()}
    indptr = np.asarray(bm25.scores["indptr"])
    found = {}
    for column in range(len(indptr) - 1):
        for at in range(indptr[column], indptr[column + 1]):
            row = int(bm25.scores["indices"][at])
            found[(row, terms[column])] = float(bm25.scores["data"][at])
    return found


def update(corpus: Path, out: Path) -> str:
    command = [sys.executable, "-m", "service.retrieval.prebuilt", "--update"]
    done = subprocess.run(
        [*command, "--corpus", str(corpus), "--out", str(out), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """An index of the seeds, updated after one report was added and one removed; and a
    full build of the same corpus."""
    folder = tmp_path_factory.mktemp("update")
    corpus, out, full = folder / "corpus", folder / "index", folder / "full"
    shutil.copytree(SEEDS, corpus)
    prebuilt.build(corpus, out)
    (corpus / f"{NEW_ID}.txt").write_text(NEW_REPORT, encoding="utf-8")
    (corpus / DROPPED).unlink()
    sidecar = corpus / "sources.json"
    sources = json.loads(sidecar.read_text(encoding="utf-8"))
    del sources[DROPPED.removesuffix(".txt")]
    sidecar.write_text(json.dumps(sources), encoding="utf-8")
    said = update(corpus, out)
    assert "1 added or changed, 1 removed or changed" in said
    prebuilt.build(corpus, full)
    return corpus, out, full


def test_an_update_scores_like_a_full_build(updated: tuple[Path, Path, Path]) -> None:
    corpus, out, full = updated
    merged, built = prebuilt.load(out, corpus), prebuilt.load(full, corpus)
    assert merged.corpus.documents == built.corpus.documents
    for name in ("doc", "start", "end"):
        assert np.array_equal(
            getattr(merged.corpus.passages, name), built.corpus.passages.__getattribute__(name)
        )
    ours, theirs = postings(out), postings(full)
    assert ours.keys() == theirs.keys()
    assert np.allclose([ours[k] for k in theirs], list(theirs.values()), rtol=1e-5)
    assert merged.index.idf.keys() == built.index.idf.keys()
    assert all(abs(merged.index.idf[k] - v) < 1e-9 for k, v in built.index.idf.items())
    for row in range(len(built.corpus.passages)):
        assert merged.index.tables.entities(row) == built.index.tables.entities(row)
        assert merged.index.tables.context(row, None) == built.index.tables.context(row, None)
    # The kept rows' vectors moved with their passages; the new report's were embedded.
    rows = list(range(len(built.corpus.passages)))
    assert len(merged.vectors.matrix) == len(rows)
    assert np.abs(merged.vectors.matrix[rows] - built.vectors.matrix[rows]).max() < 0.01


def test_an_updated_index_serves_the_new_report(updated: tuple[Path, Path, Path]) -> None:
    corpus, out, _ = updated
    app: Flask = create_app({"FACTCHECK_CORPUS": corpus, "FACTCHECK_INDEX": out})
    client = app.test_client()
    answer = client.post("/v1/check", json={"claim": FACT}).get_json()
    assert answer["verdict"] == "supported"
    assert answer["evidence"][0]["source"]["id"] == NEW_ID
    ids = [source["id"] for source in client.get("/v1/sources").get_json()["sources"]]
    assert NEW_ID in ids and DROPPED.removesuffix(".txt") not in ids


def test_an_unchanged_corpus_changes_nothing(tmp_path: Path) -> None:
    corpus, out = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    prebuilt.build(corpus, out)
    before = postings(out)
    assert "0 added or changed, 0 removed or changed" in update(corpus, out)
    assert postings(out) == before


def test_a_server_reloads_an_updated_index(tmp_path: Path) -> None:
    """Update, then reload: before the update a reload fails and keeps the old corpus."""
    corpus, out = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    prebuilt.build(corpus, out)
    app = create_app({"FACTCHECK_CORPUS": corpus, "FACTCHECK_INDEX": out})
    client = app.test_client()
    (corpus / f"{NEW_ID}.txt").write_text(NEW_REPORT, encoding="utf-8")
    assert refresh(app) is None  # the index no longer matches the corpus
    assert client.get("/readyz").get_json()["documents"] == 5
    update(corpus, out)
    assert refresh(app) is not None
    assert client.get("/readyz").get_json()["documents"] == 6
    answer = client.post("/v1/check", json={"claim": FACT}).get_json()
    assert answer["evidence"][0]["source"]["id"] == NEW_ID
