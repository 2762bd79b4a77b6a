"""The application factory: settings, corpus, checker, routes and error handlers."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from service.engine.checker import FactChecker
from service.engine.corpus import load_corpus
from service.retrieval import prebuilt
from service.retrieval.index import PassageIndex
from service.retrieval.kernel import top_k_in
from service.web import docs, page
from service.web.api import EXTENSION, bp, unique_keys
from service.web.config import Config
from service.web.errors import register_error_handlers
from service.web.generation import generation_of, init_generation
from service.web.lane import init_lane
from service.web.logs import configure_logging
from service.web.observability import Metrics, count_verdicts, init_observability
from service.web.ratelimit import init_rate_limit
from service.web.security import init_security


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with schema field order kept and NaN/Infinity refused both ways."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _reject_constant)
        kwargs.setdefault("object_pairs_hook", unique_keys)
        return super().loads(s, **kwargs)


# Allocations between two collections of the youngest generation (CPython's default: 700).
YOUNG_COLLECTION = 10_000


# Seconds between two "still working" lines while the corpus is analysed at start-up.
PROGRESS_SECONDS = 10.0

logger = logging.getLogger(__name__)


def load_checker(settings: Config) -> FactChecker:
    """Load the prebuilt index when one is configured, else analyse the corpus now."""
    if settings.index is not None:
        with progress("loading the prebuilt index"):
            return prebuilt.load(settings.index, settings.corpus)
    corpus = load_corpus(settings.corpus)
    what = f"analysing {len(corpus.documents)} documents, {len(corpus.passages)} passages"
    with progress(what):
        return FactChecker.learn(corpus, build=PassageIndex.build)


@contextmanager
def progress(what: str, every: float = PROGRESS_SECONDS) -> Iterator[None]:
    """Log ``what`` now, then a line every ``every`` seconds until the block is done.

    A large corpus takes minutes to analyse (issue 13: 164 s for one 50 MB file, with
    nothing logged meanwhile); these lines tell an operator the start-up is alive.
    """
    logger.info("%s…", what)
    started = time.monotonic()
    done = threading.Event()

    def report() -> None:
        while not done.wait(every):
            logger.info("%s: still working, %.0f s so far", what, time.monotonic() - started)

    reporter = threading.Thread(target=report, name="startup-progress", daemon=True)
    reporter.start()
    try:
        yield
    finally:
        done.set()
        reporter.join()  # no thread is left when gunicorn forks the workers


def warm_up(checker: FactChecker) -> None:
    """Compile (or load from numba's cache) the kernel of filtered searches now.

    numba compiles a kernel on first use: the first request filtered by ``sources`` or
    ``as_of`` took 1.5 s (issue 13). The index loads its unfiltered kernel itself; this
    runs the one for a few documents' ranges on the index's own arrays (so with their
    types), in the gunicorn master: the workers inherit it ready. Nothing is analysed.
    """
    index = checker.index
    if index.bm25.vocab_dict:
        bounds = checker.corpus.passages.bounds
        top_k_in(index.bm25.scores, [0], 1, bounds[:1], bounds[1:2])


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity, which are not JSON; a ValueError makes this a 400.
    raise ValueError(f"{name} is not valid JSON")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides ``FACTCHECK_*`` environment settings by name.

    Raises ``ConfigError`` for a bad setting and ``CorpusError`` for an unusable corpus, so a
    server with nothing to check against never starts.
    """
    started = time.perf_counter()
    settings = Config.from_env(overrides=config)
    configure_logging(settings.log_level, settings.log_format)
    checker = load_checker(settings)
    warm_up(checker)
    corpus = checker.corpus

    app = Flask("service", static_folder=None)
    app.json = StrictJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["FACTCHECK"] = settings
    app.extensions[EXTENSION] = checker
    # Hook order matters: request id and timing first, then the rate limiter (which counts
    # requests with a wrong key against their address), then the API-key check.
    metrics = Metrics()
    init_observability(app, metrics)
    init_generation(app, generation := generation_of(corpus))
    count_verdicts(checker, metrics)
    init_rate_limit(app, settings)
    init_security(app, settings)
    init_lane(app, settings.threads)
    app.register_blueprint(bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(page.bp)
    register_error_handlers(app)
    seconds = time.perf_counter() - started
    metrics.corpus_loaded(corpus, seconds, generation.loaded_at)
    app.logger.info(
        "loaded corpus %s: %d documents, %d passages in %.2f s, generation %s",
        settings.corpus,
        len(corpus.documents),
        len(corpus.passages),
        seconds,
        generation.id,
        extra={"settings": repr(settings)},
    )
    settle_heap()
    return app


def settle_heap() -> None:
    """Keep the garbage collector off what start-up loaded, which lives as long as the process.

    A full collection walked the corpus and index every time (150-190 ms at 100,000
    documents, in the middle of a request); frozen, they are never walked, and gunicorn's
    forked workers do not write to the pages they share with the master. Young objects are
    collected less often, since a check makes thousands of them and keeps few.
    """
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])
