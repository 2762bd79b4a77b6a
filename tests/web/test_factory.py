"""create_app: builds once from settings, and refuses to start without a usable corpus."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from service import create_app
from service.engine.checker import FactChecker
from service.engine.corpus import CorpusError
from service.web.config import Config, ConfigError


def test_builds_with_overrides(make_app: Callable[..., Flask]) -> None:
    logger = logging.getLogger("service")
    level = logger.level
    try:
        app = make_app(FACTCHECK_MAX_BODY_BYTES=2048, FACTCHECK_LOG_LEVEL="warning")
        assert logger.level == logging.WARNING
    finally:
        logger.setLevel(level)  # the factory sets a process-wide level; leave it as it was
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    assert isinstance(app.config["FACTCHECK"], Config)
    checker = app.extensions["factcheck"]
    assert isinstance(checker, FactChecker)
    assert len(checker.corpus.documents) > 0


def test_reads_environment(monkeypatch: pytest.MonkeyPatch, project_root: Path) -> None:
    monkeypatch.setenv("FACTCHECK_MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("FACTCHECK_CORPUS", str(project_root / "seeds"))
    assert create_app().config["MAX_CONTENT_LENGTH"] == 4096


def test_apps_are_independent(make_app: Callable[..., Flask]) -> None:
    first, second = make_app(), make_app()
    assert first.extensions["factcheck"] is not second.extensions["factcheck"]


@pytest.mark.parametrize(
    "make_folder",
    [
        lambda tmp: tmp,
        lambda tmp: tmp / "missing",
        lambda tmp: (tmp / "file.txt", (tmp / "file.txt").write_text("x"))[0],
    ],
    ids=["empty-folder", "missing-folder", "a-file"],
)
def test_bad_corpus_raises_corpus_error(
    tmp_path: Path, make_folder: Callable[[Path], Path]
) -> None:
    folder = make_folder(tmp_path)
    with pytest.raises(CorpusError, match=str(folder)):
        create_app({"FACTCHECK_CORPUS": folder})


def test_bad_setting_raises_config_error(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ConfigError, match="FACTCHECK_MAX_BODY_BYTES"):
        make_app(FACTCHECK_MAX_BODY_BYTES="big")


def test_import_has_no_side_effects(tmp_path: Path, project_root: Path) -> None:
    """Importing the HTTP modules must not read settings or load a corpus."""
    code = (
        "import service.web.app, service.web.api, service.web.errors, schemas.check,"
        " schemas.sources"
    )
    env = {"FACTCHECK_CORPUS": str(tmp_path / "missing"), "FACTCHECK_MAX_BODY_BYTES": "x"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project_root, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_what_start_up_loaded_is_kept_out_of_garbage_collections(
    make_app: Callable[..., Flask],
) -> None:
    import gc

    from service.web.app import YOUNG_COLLECTION

    gc.unfreeze()
    make_app()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_COLLECTION
