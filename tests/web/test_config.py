"""Config: defaults, environment, overrides, and errors that name the variable (never a
secret); the settings table (docs/SETTINGS.md) and the Dockerfile agree with ``Config``, and
gunicorn refuses a bad value in one line."""

from __future__ import annotations

import dataclasses
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from serving import clean_env, gunicorn_config

from service.web.config import Config, ConfigError, usable_cores


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


SECRET = "s3cret-key-0123456789abcdef"
# The settings table: every variable with its default.
SETTINGS = "docs/SETTINGS.md"


def table_rows(page: str, heading: str) -> dict[str, str]:
    """``{variable: default}`` of the first table under ``heading`` in a Markdown page."""
    section = page.split(f"# {heading}\n", 1)[1]
    rows = {}
    for line in section.splitlines():
        found = re.match(r"\| `([A-Z_]+)` \| (.*?) \|", line)
        if found:
            rows[found.group(1)] = found.group(2)
        elif rows and not line.startswith("|"):
            break
    return rows


def test_production_defaults() -> None:
    config = Config.from_env({})
    assert (config.port, config.threads, config.timeout, config.graceful_timeout) == (
        8000,
        2,
        30,
        30,
    )
    assert config.workers == usable_cores() >= 1
    assert config.keepalive == 5 and config.trusted_proxies == 0
    assert config.log_format == "json"
    assert config.cors_origins == ("*",)
    assert config.api_keys == config.api_keys_from_file == config.metrics_keys == ()
    assert config.rate_limit is None and config.rate_limit_storage == "local://"


def test_reads_production_environment(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"\ufeff# clients\n\n  {SECRET}-file  \n{SECRET}\n", encoding="utf-8")
    config = Config.from_env(
        {
            "PORT": "9000",
            "FACTCHECK_WORKERS": "3",
            "FACTCHECK_THREADS": " 4 ",
            "FACTCHECK_LOG_FORMAT": "TEXT",
            "FACTCHECK_CORS_ORIGINS": "https://News.example, chrome-extension://abcdef ,",
            "FACTCHECK_API_KEYS": f"{SECRET}, {SECRET}-2",
            "FACTCHECK_API_KEYS_FILE": str(keys_file),
            "FACTCHECK_METRICS_KEYS": f"{SECRET}-metrics",
            "FACTCHECK_RATE_LIMIT": "10/second;1000/day",
            "FACTCHECK_RATE_LIMIT_STORAGE": "redis://:pw@redis:6379/0",
            "FACTCHECK_TRUSTED_PROXIES": "1",
        }
    )
    assert (config.port, config.workers, config.threads, config.log_format) == (9000, 3, 4, "text")
    assert config.cors_origins == ("https://news.example", "chrome-extension://abcdef")
    assert config.client_keys == (SECRET, f"{SECRET}-2", f"{SECRET}-file")
    assert config.metrics_keys == (f"{SECRET}-metrics",)
    assert config.rate_limit == "10/second;1000/day"
    assert config.rate_limit_storage == "redis://:pw@redis:6379/0"
    assert config.trusted_proxies == 1


def test_secrets_are_not_in_repr() -> None:
    config = Config.from_env(
        {
            "FACTCHECK_API_KEYS": SECRET,
            "FACTCHECK_METRICS_KEYS": f"{SECRET}-m",
            "FACTCHECK_RATE_LIMIT_STORAGE": "redis://:hunter2-password@redis:6379",
        }
    )
    text = repr(config)
    assert SECRET not in text and "hunter2" not in text
    assert "rate_limit=" in text  # the rest is still shown


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "http", "from 1 to 65535"),
        ("PORT", "70000", "from 1 to 65535"),
        ("FACTCHECK_WORKERS", "0", "from 1 to 256"),
        ("FACTCHECK_WORKERS", "²", "from 1 to 256"),
        ("FACTCHECK_THREADS", "two", "from 1 to 256"),
        ("FACTCHECK_TIMEOUT", "-1", "from 1 to 3600"),
        ("FACTCHECK_GRACEFUL_TIMEOUT", "1.5", "from 1 to 3600"),
        ("FACTCHECK_KEEPALIVE", "", "from 1 to 3600"),
        ("FACTCHECK_TRUSTED_PROXIES", "yes", "from 0 to 10"),
        ("FACTCHECK_LOG_FORMAT", "xml", "json, text"),
        ("FACTCHECK_CORS_ORIGINS", "https://news.example/", "no path"),
        ("FACTCHECK_CORS_ORIGINS", "news.example", "scheme://host"),
        ("FACTCHECK_CORS_ORIGINS", "*, https://a.example", "scheme://host"),
        ("FACTCHECK_API_KEYS", "short", "key 1 is shorter than 16 characters"),
        ("FACTCHECK_API_KEYS", f"{SECRET}, has space inside it", "key 2 may only hold"),
        ("FACTCHECK_API_KEYS", "k" * 300, "longer than 256"),
        ("FACTCHECK_METRICS_KEYS", "tiny", "shorter than 16"),
        ("FACTCHECK_RATE_LIMIT", "lots", "a rate such as 60/minute"),
        ("FACTCHECK_RATE_LIMIT", "0/minute", "a rate such as 60/minute"),
        ("FACTCHECK_RATE_LIMIT", "60/fortnight", "a rate such as 60/minute"),
        (
            "FACTCHECK_RATE_LIMIT_STORAGE",
            "memcached://cache:11211",
            "local://, memory:// or a Redis URL",
        ),
        ("FACTCHECK_RATE_LIMIT_STORAGE", "localhost:6379", "scheme 'none'"),
    ],
)
def test_invalid_production_values_name_the_variable(name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({name: value})
    assert name in str(caught.value)
    assert expected in str(caught.value)


def test_key_errors_never_show_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"FACTCHECK_API_KEYS": f"{SECRET},short-secret"})
    assert "short-secret" not in str(caught.value) and SECRET not in str(caught.value)


def test_storage_errors_never_show_the_url() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"FACTCHECK_RATE_LIMIT_STORAGE": "user:hunter2@redis:6379"})
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("# only a comment\n\n", "holds no key"),
        (f"{SECRET}\nshort\n", "line 2: the key is shorter than 16 characters"),
        (b"\xff\xfe", "is not UTF-8 text"),
    ],
    ids=["missing", "empty", "short-key", "not-utf8"],
)
def test_keys_file_errors(tmp_path: Path, content: Any, expected: str) -> None:
    path = tmp_path / "keys.txt"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"FACTCHECK_API_KEYS_FILE": str(path)})
    message = str(caught.value)
    assert message.startswith("FACTCHECK_API_KEYS_FILE: ") and expected in message
    assert SECRET not in message


def test_empty_values_mean_unset() -> None:
    config = Config.from_env(
        {"FACTCHECK_API_KEYS": " ", "FACTCHECK_API_KEYS_FILE": "", "FACTCHECK_RATE_LIMIT": ""}
    )
    assert config.client_keys == () and config.rate_limit is None
    assert Config.from_env({"FACTCHECK_CORS_ORIGINS": ""}).cors_origins == ()


def test_readme_table_lists_every_setting_with_its_default(project_root: Path) -> None:
    rows = table_rows((project_root / SETTINGS).read_text(encoding="utf-8"), "Settings")
    assert set(Config.env_names()) | {"PROMETHEUS_MULTIPROC_DIR"} == set(rows)
    defaults = Config()
    static = {  # defaults that do not depend on the machine or the checkout
        "FACTCHECK_MAX_BODY_BYTES": defaults.max_body_bytes,
        "FACTCHECK_LOG_LEVEL": defaults.log_level,
        "PORT": defaults.port,
        "FACTCHECK_THREADS": defaults.threads,
        "FACTCHECK_TIMEOUT": defaults.timeout,
        "FACTCHECK_GRACEFUL_TIMEOUT": defaults.graceful_timeout,
        "FACTCHECK_KEEPALIVE": defaults.keepalive,
        "FACTCHECK_TRUSTED_PROXIES": defaults.trusted_proxies,
        "FACTCHECK_LOG_FORMAT": defaults.log_format,
        "FACTCHECK_RATE_LIMIT_STORAGE": defaults.rate_limit_storage,
    }
    for name, value in static.items():
        assert rows[name].startswith(f"`{value}`"), (name, rows[name])


def dockerfile_env(dockerfile: str) -> dict[str, str]:
    """The variables the Dockerfile's ENV instructions set (quotes removed)."""
    blocks = re.findall(r"^ENV ((?:.*\\\n)*.*)$", dockerfile, re.M)
    words = shlex.split(" ".join(block.replace("\\\n", " ") for block in blocks))
    return dict(word.split("=", 1) for word in words)


def test_dockerfile_sets_the_readme_settings_with_their_defaults(project_root: Path) -> None:
    rows = table_rows((project_root / SETTINGS).read_text(encoding="utf-8"), "Settings")
    env = dockerfile_env((project_root / "Dockerfile").read_text(encoding="utf-8"))
    settings = {k: v for k, v in env.items() if k in rows or k.startswith("FACTCHECK_")}
    for name in settings:
        assert name in rows, f"{name} is set in the Dockerfile but not in the settings table"
    assert settings["FACTCHECK_CORPUS"] == "/app/seeds"  # the image's copy of seeds/
    fixed = {  # rows whose default is a literal value, not "none" or the machine's
        name: re.match(r"`([^`]*)`", default).group(1)
        for name, default in rows.items()
        if default.startswith("`") and name not in ("FACTCHECK_CORPUS", "FACTCHECK_HOST")
    }
    assert {name: settings.get(name) for name in fixed} == fixed
    # Inside its container the service must listen on every interface to be reachable.
    assert settings["FACTCHECK_HOST"] == "0.0.0.0"


@pytest.mark.server
@pytest.mark.parametrize(
    ("name", "value"),
    [("FACTCHECK_WORKERS", "many"), ("FACTCHECK_API_KEYS", "tiny"), ("PORT", "0")],
)
def test_gunicorn_refuses_a_bad_setting_in_one_line(
    project_root: Path, tmp_path: Path, name: str, value: str
) -> None:
    env = clean_env(**{name: value, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "service:create_app()", "--bind", "127.0.0.1:0"],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {name}"), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.server
def test_gunicorn_takes_its_settings_from_the_environment(
    project_root: Path, tmp_path: Path
) -> None:
    env = clean_env(
        FACTCHECK_TIMEOUT="45",
        FACTCHECK_GRACEFUL_TIMEOUT="20",
        FACTCHECK_KEEPALIVE="75",
        FACTCHECK_LOG_LEVEL="warning",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    env.pop("FACTCHECK_WORKERS")  # the default: one worker per usable core
    printed = gunicorn_config(env)
    assert printed["workers"] == str(usable_cores())
    assert printed["threads"] == "2"
    assert printed["worker_class"] == "service.web.worker.BufferedThreadWorker"
    assert (printed["timeout"], printed["graceful_timeout"], printed["keepalive"]) == (
        "45",
        "20",
        "75",
    )
    assert printed["preload_app"] == "True" and printed["loglevel"] == "warning"
    assert printed["logger_class"] == "service.web.logs.GunicornLogger"
    assert printed["accesslog"] == "-" and printed["errorlog"] == "-"


def test_dockerfile_defaults_are_the_config_defaults(project_root: Path) -> None:
    """The image repeats the defaults (they show in ``docker inspect``): each must be the
    one ``Config`` holds, so a default changes in one place and this test names the other."""
    env = dockerfile_env((project_root / "Dockerfile").read_text(encoding="utf-8"))
    # Set on purpose to other values in the image: its interface and its copy of seeds/.
    image_only = ("FACTCHECK_HOST", "FACTCHECK_CORPUS")
    settings = {k: v for k, v in env.items() if k.startswith("FACTCHECK_") or k == "PORT"}
    for name in image_only:
        settings.pop(name)
    assert Config.from_env(settings) == Config.from_env({})
