"""Config: defaults, environment, overrides, and errors that name the variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from service.web.config import Config, ConfigError


def test_defaults(project_root: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # the default corpus must not depend on the cwd
    config = Config.from_env({})
    assert config.corpus == project_root / "seeds"
    assert config.corpus.is_dir()
    assert config.max_body_bytes == 1_048_576
    assert config.log_level == "INFO"


def test_reads_environment() -> None:
    environ = {
        "FACTCHECK_CORPUS": "/data/corpus",
        "FACTCHECK_MAX_BODY_BYTES": " 2048 ",
        "FACTCHECK_LOG_LEVEL": "debug",
        "UNRELATED": "ignored",
    }
    config = Config.from_env(environ)
    assert config == Config(corpus=Path("/data/corpus"), max_body_bytes=2048, log_level="DEBUG")


def test_overrides_beat_environment_and_may_be_typed(tmp_path: Path) -> None:
    environ = {"FACTCHECK_MAX_BODY_BYTES": "10", "FACTCHECK_LOG_LEVEL": "ERROR"}
    overrides = {"FACTCHECK_MAX_BODY_BYTES": 64, "FACTCHECK_CORPUS": tmp_path}
    config = Config.from_env(environ, overrides)
    assert (config.max_body_bytes, config.corpus, config.log_level) == (64, tmp_path, "ERROR")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), ("  ", None), ("/var/lib/index", Path("/var/lib/index"))],
)
def test_index_is_optional(raw: str, expected: Path | None) -> None:
    assert Config.from_env({"FACTCHECK_INDEX": raw}).index == expected


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTCHECK_MAX_BODY_BYTES", "4096")
    assert Config.from_env().max_body_bytes == 4096


def test_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config.from_env({}).max_body_bytes = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("FACTCHECK_MAX_BODY_BYTES", "lots", "positive integer"),
        ("FACTCHECK_MAX_BODY_BYTES", "0", "positive integer"),
        ("FACTCHECK_MAX_BODY_BYTES", "-5", "positive integer"),
        ("FACTCHECK_MAX_BODY_BYTES", "1.5", "positive integer"),
        ("FACTCHECK_MAX_BODY_BYTES", "", "positive integer"),
        ("FACTCHECK_MAX_BODY_BYTES", True, "positive integer"),
        ("FACTCHECK_LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("FACTCHECK_LOG_LEVEL", 10, "DEBUG, INFO"),
        ("FACTCHECK_CORPUS", "", "folder path"),
        ("FACTCHECK_CORPUS", "   ", "folder path"),
        ("FACTCHECK_CORPUS", 3, "folder path"),
        ("FACTCHECK_INDEX", 3, "folder path"),
    ],
    ids=[
        "body-word",
        "body-zero",
        "body-negative",
        "body-float",
        "body-empty",
        "body-bool",
        "log-unknown",
        "log-int",
        "corpus-empty",
        "corpus-blank",
        "corpus-int",
        "index-int",
    ],
)
def test_invalid_values_name_the_variable(name: str, value: Any, expected: str) -> None:
    source = {name: value} if isinstance(value, str) else {}
    overrides = {} if isinstance(value, str) else {name: value}
    with pytest.raises(ConfigError) as caught:
        Config.from_env(source, overrides)
    assert name in str(caught.value)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_override_is_named() -> None:
    with pytest.raises(ConfigError, match="FACTCHECK_CORPSE"):
        Config.from_env({}, {"FACTCHECK_CORPSE": "/x"})


def test_every_setting_has_an_env_name() -> None:
    names = Config.env_names()
    assert names[:3] == ("FACTCHECK_CORPUS", "FACTCHECK_MAX_BODY_BYTES", "FACTCHECK_LOG_LEVEL")
    review = {"FACTCHECK_MAX_REVIEW_CHARS", "FACTCHECK_AUTHOR_NAME", "FACTCHECK_AUTHOR_URL"}
    assert review <= set(names)
    assert len(set(names)) == len(names)
