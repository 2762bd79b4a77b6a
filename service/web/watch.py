"""Reload by itself: gunicorn's master looks at the corpus every ``FACTCHECK_RELOAD_WATCH`` s.

A look lists the corpus folder (the entries the loader reads: names, sizes, modification
times) and, with a prebuilt index, its manifest, which an update writes last. A change
reloads only once a look finds it unchanged since the previous one: copying 500 files
into the folder, however long it takes, makes one reload after the copy ends, not one per
file. Polling, not inotify: it works the same on every file system, a network mount too,
and costs one directory listing per period (about 40 ms for 20,000 files).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.retrieval.prebuilt import MANIFEST
from service.web.config import Config
from service.web.reload import reload_workers

Snapshot = tuple[tuple[str, int, int], ...]


def snapshot(folders: tuple[Path, ...], files: tuple[Path, ...]) -> Snapshot:
    """Name, size and modification time of every entry of ``folders`` and of ``files``."""
    seen: list[tuple[str, int, int]] = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    seen.append(_stat(entry.path))
        except OSError:
            seen.append((str(folder), -1, -1))
    seen.extend(_stat(str(file)) for file in files)
    return tuple(sorted(seen))


def _stat(path: str) -> tuple[str, int, int]:
    try:
        found = os.stat(path)  # follows a link: a changed target is a change
    except OSError:
        return (path, -1, -1)
    return (path, found.st_size, found.st_mtime_ns)


class FolderWatch:
    """Says when the corpus has changed and then held still for one period."""

    def __init__(self, settings: Config, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = float(settings.reload_watch)
        self.folders = (settings.corpus,)
        self.files = (settings.index / MANIFEST,) if settings.index is not None else ()
        self.clock = clock
        self.seen = self.look()
        self.pending: Snapshot | None = None
        self.next_look = clock() + self.every

    def look(self) -> Snapshot:
        return snapshot(self.folders, self.files)

    def due(self) -> bool:
        """True once a change has held still for a period (then it counts as seen)."""
        now = self.clock()
        if now < self.next_look:
            return False
        self.next_look = now + self.every
        current = self.look()
        if current == self.seen or current != self.pending:
            self.pending = None if current == self.seen else current
            return False
        self.seen, self.pending = current, None
        return True


def install(server: Any, settings: Config) -> None:
    """Make ``SIGHUP`` reload the corpus; with ``FACTCHECK_RELOAD_WATCH``, changes too."""
    watch = FolderWatch(settings) if settings.reload_watch else None

    def handle_hup() -> None:
        if watch is not None:
            watch.seen, watch.pending = watch.look(), None  # what this reload reads
        reload_workers(server, "SIGHUP")

    server.handle_hup = handle_hup
    if watch is None:
        return
    manage_workers = server.manage_workers

    def manage_and_watch() -> None:  # the master's loop calls this about once a second
        if watch.due():
            reload_workers(server, f"the corpus changed ({settings.corpus})")
        manage_workers()

    server.manage_workers = manage_and_watch
