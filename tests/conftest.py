"""Shared fixtures: one app over the project's seed corpus, and its test client."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"


def _make_app(**overrides: Any) -> Flask:
    settings: Mapping[str, Any] = {"FACTCHECK_CORPUS": SEEDS, **overrides}
    return create_app(settings)


@pytest.fixture(scope="session")
def make_app() -> Callable[..., Flask]:
    """Build another app over the seed corpus; keyword overrides are settings by env name."""
    return _make_app


@pytest.fixture(scope="session")
def app() -> Flask:
    """Built once: the corpus loads at start-up and the app is read-only afterwards."""
    return _make_app()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def source_ids(app: Flask) -> list[str]:
    return [doc.id for doc in app.extensions["factcheck"].corpus.documents]
