"""The application factory: settings, corpus, checker, routes and error handlers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from service.api import EXTENSION, bp
from service.checker import FactChecker
from service.config import Config
from service.corpus import load_corpus
from service.errors import register_error_handlers


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with schema field order kept and NaN/Infinity refused both ways."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _reject_constant)
        return super().loads(s, **kwargs)


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity, which are not JSON; a ValueError makes this a 400.
    raise ValueError(f"{name} is not valid JSON")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides ``FACTCHECK_*`` environment settings by name.

    Raises ``ConfigError`` for a bad setting and ``CorpusError`` for an unusable corpus, so a
    server with nothing to check against never starts.
    """
    settings = Config.from_env(overrides=config)
    # "service" is the parent of every module logger, so one level covers them all.
    logging.getLogger("service").setLevel(settings.log_level)
    corpus = load_corpus(settings.corpus)

    app = Flask("service", static_folder=None)
    app.json = StrictJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["FACTCHECK"] = settings
    app.extensions[EXTENSION] = FactChecker(corpus)
    app.register_blueprint(bp)
    register_error_handlers(app)
    app.logger.info(
        "loaded corpus %s: %d documents, %d passages",
        settings.corpus,
        len(corpus.documents),
        len(corpus.passages),
    )
    return app
