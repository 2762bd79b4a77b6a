"""The corpus generation on every answer, a reload of the corpus in the app, and the watch
(issue 17). The real server's SIGHUP is tested in tests/ops/test_reload.py."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from serving import SEEDS

from service.web.config import Config
from service.web.reload import refresh
from service.web.watch import FolderWatch

HEADER = "X-Corpus-Generation"
NEW_REPORT = "The Jermuk reservoir dam was repaired by 347 engineers, the ministry said.\n"


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def test_every_answer_names_the_generation(client: FlaskClient) -> None:
    ready = client.get("/readyz")
    generation = ready.get_json()["generation"]
    assert len(generation) == 12 and ready.get_json()["loaded_at"].endswith("Z")
    assert ready.headers[HEADER] == f"{generation}; documents=5"
    for answer in (
        client.get("/v1/sources"),
        client.post("/v1/check", json={"claim": "Armenia lost 135 soldiers."}),
        client.post("/v1/check?format=claimreview", json={"claim": "Armenia lost 135 soldiers."}),
        client.get("/nope"),
    ):
        assert answer.headers[HEADER] == ready.headers[HEADER]
    assert client.get("/v1/sources").get_json()["generation"] == generation


def test_the_same_texts_make_the_same_generation(
    app: Flask, make_app: Callable[..., Flask], corpus: Path
) -> None:
    again = make_app(FACTCHECK_CORPUS=corpus).test_client().get("/readyz").get_json()
    assert again["generation"] == app.test_client().get("/readyz").get_json()["generation"]


def test_a_reload_serves_the_new_corpus(make_app: Callable[..., Flask], corpus: Path) -> None:
    app = make_app(FACTCHECK_CORPUS=corpus)
    client = app.test_client()
    before = client.get("/readyz").get_json()
    (corpus / "900_dam.txt").write_text(NEW_REPORT, encoding="utf-8")
    assert refresh(app) is not None
    after = client.get("/readyz").get_json()
    assert after["documents"] == 6 and after["generation"] != before["generation"]
    assert "900_dam" in [s["id"] for s in client.get("/v1/sources").get_json()["sources"]]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'factcheck_corpus_reloads_total{result="ok"} 1.0' in metrics
    assert "factcheck_corpus_documents 6.0" in metrics and "factcheck_corpus_age_seconds" in metrics


@pytest.mark.parametrize(
    ("name", "content", "fault"),
    [
        ("latin1.txt", b"caf\xe9", "not valid UTF-8"),
        ("000_92c0525162caa70a.md", b"the same id again", "duplicate source id"),
        ("sources.json", b'{"nobody": {"title": "x"}}', "no document has this source id"),
    ],
)
def test_a_broken_reload_changes_nothing(
    make_app: Callable[..., Flask],
    corpus: Path,
    caplog: pytest.LogCaptureFixture,
    name: str,
    content: bytes,
    fault: str,
) -> None:
    app = make_app(FACTCHECK_CORPUS=corpus)
    client = app.test_client()
    before = client.get("/readyz").get_json()
    (corpus / name).write_bytes(content)
    with caplog.at_level(logging.ERROR, logger="service"):
        assert refresh(app) is None
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert name in line and fault in line and before["generation"] in line
    assert client.get("/readyz").get_json() == before
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'factcheck_corpus_reloads_total{result="failed"} 1.0' in metrics


def test_a_link_out_of_the_folder_is_refused(
    make_app: Callable[..., Flask], corpus: Path, tmp_path: Path
) -> None:
    app = make_app(FACTCHECK_CORPUS=corpus)
    outside = tmp_path / "secret.txt"
    outside.write_text("Not part of the archive.", encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside)
    assert refresh(app) is None
    assert app.test_client().get("/readyz").get_json()["documents"] == 5


def test_the_watch_waits_for_a_copy_to_end(corpus: Path) -> None:
    now = [0.0]
    settings = Config.from_env({}, {"FACTCHECK_CORPUS": corpus, "FACTCHECK_RELOAD_WATCH": "2"})
    watch = FolderWatch(settings, clock=lambda: now[0])
    looks = []
    for step in range(8):
        now[0] += 2
        if step < 4:  # a copy still going on: a new file at every look
            (corpus / f"9{step}_copy.txt").write_text("A report.", encoding="utf-8")
        looks.append(watch.due())
    assert looks == [False] * 4 + [True, False, False, False]
