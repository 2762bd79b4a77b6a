"""Reload the corpus while the old one keeps answering.

gunicorn's master holds the app (``preload_app``) and forks the workers from it. On
``SIGHUP`` (or when :mod:`service.web.watch` sees the corpus change) the master loads and
analyses the corpus again, the workers meanwhile answering from the old one. A load that
fails (a file not UTF-8, a duplicate id, a link out of the folder, a bad ``sources.json``,
an index that no longer matches) logs one line naming the file and the fault, counts
``factcheck_corpus_reloads_total{result="failed"}`` and changes nothing else. A load that
succeeds replaces the app's checker and generation in the master; then new workers are
forked from it, and only once every one of them is serving are the old workers stopped
gracefully (they finish what they hold). So every request is answered by one generation or
the other, never by a half-loaded one.
"""

from __future__ import annotations

import gc
import logging
import signal
import time
from typing import Any

from flask import Flask

from service.engine.corpus import CorpusError
from service.web.api import EXTENSION
from service.web.app import load_checker, settle_heap, warm_up
from service.web.generation import GENERATION_EXTENSION, Generation, generation_of
from service.web.observability import METRICS_EXTENSION, Metrics, count_verdicts

logger = logging.getLogger(__name__)

# How often the master looks whether the new workers serve yet (seconds).
READY_POLL = 0.05


def refresh(app: Flask) -> Generation | None:
    """Load the corpus again into ``app``; None, with the old corpus kept, if that fails."""
    settings = app.config["FACTCHECK"]
    metrics: Metrics = app.extensions[METRICS_EXTENSION]
    serving: Generation = app.extensions[GENERATION_EXTENSION]
    started = time.perf_counter()
    try:
        checker = load_checker(settings)
        warm_up(checker)
        generation = generation_of(checker.corpus)
    except CorpusError as exc:  # the message names the file (or index) and the fault
        metrics.reloads.labels("failed").inc()
        logger.error("reload failed, still serving generation %s: %s", serving.id, exc)
        return None
    except Exception as exc:  # anything else: still keep serving the old corpus
        metrics.reloads.labels("failed").inc()
        logger.exception("reload failed, still serving generation %s: %r", serving.id, exc)
        return None
    gc.unfreeze()  # let the old corpus be collected once nothing uses it
    count_verdicts(checker, metrics)
    app.extensions[EXTENSION] = checker
    app.extensions[GENERATION_EXTENSION] = generation
    metrics.corpus_loaded(checker.corpus, None, generation.loaded_at)
    metrics.reloads.labels("ok").inc()
    del checker
    gc.collect()
    settle_heap()
    logger.info(
        "reloaded corpus %s: generation %s, %d documents, %d passages in %.2f s (was %s)",
        settings.corpus,
        generation.id,
        generation.documents,
        generation.passages,
        time.perf_counter() - started,
        serving.id,
    )
    return generation


def reload_workers(server: Any, why: str) -> bool:
    """In gunicorn's master: load the corpus again, then replace the workers with new ones
    forked from it, stopping the old ones once the new ones serve. False if the load failed
    (the old workers are left alone)."""
    server.log.info("Reloading the corpus (%s)", why)
    if refresh(server.app.callable) is None:
        return False
    old = list(server.WORKERS)
    started = {}
    for _ in range(server.num_workers):
        pid = server.spawn_worker()
        started[pid] = server.WORKERS[pid].tmp.last_update()
    _wait_serving(server, started, deadline=time.monotonic() + server.timeout)
    for pid in old:
        server.kill_worker(pid, signal.SIGTERM)  # graceful: they finish what they hold
    return True


def _wait_serving(server: Any, started: dict[int, float], deadline: float) -> None:
    """Until every new worker has entered its loop (its first heartbeat), or ``deadline``."""
    waiting = dict(started)
    while waiting and time.monotonic() < deadline:
        for pid, first in list(waiting.items()):
            worker = server.WORKERS.get(pid)
            if worker is None or worker.tmp.last_update() != first:
                del waiting[pid]
        time.sleep(READY_POLL)
    if waiting:
        server.log.warning("Workers %s not serving yet; stopping the old ones anyway", waiting)
