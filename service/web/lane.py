"""A lane for expensive requests: reviews and batches never take every thread of a worker.

A review may work 1.5 s (its budget, ``service/engine/budget.py``); with every thread of a worker
on one, the ordinary checks sent to that worker would wait behind them (issue 13: four
clients looping reviews made checks time out). Each worker lets at most ``threads - 1``
(at least one) reviews and batches run at once; one that finds the lane full gets ``503``
with ``Retry-After`` at once, before its body is parsed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

LANE_EXTENSION = "factcheck.lane"
BUSY_RETRY_SECONDS = 1


def init_lane(app: Flask, threads: int) -> None:
    """Let reviews and batches take at most ``threads - 1`` threads of a worker (at least 1).

    Made in the factory, before gunicorn forks: each worker gets its own copy.
    """
    app.extensions[LANE_EXTENSION] = threading.BoundedSemaphore(max(1, threads - 1))


@contextmanager
def expensive_lane() -> Iterator[None]:
    """Hold a place in this worker's lane for reviews and batches, or answer 503."""
    lane = current_app.extensions.get(LANE_EXTENSION)
    if lane is None:
        yield
        return
    if not lane.acquire(blocking=False):
        raise ServiceUnavailable(
            "Every place for reviews and batches on this worker is taken; retry after the "
            "number of seconds in Retry-After.",
            retry_after=BUSY_RETRY_SECONDS,
        )
    try:
        yield
    finally:
        lane.release()
