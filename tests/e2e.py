"""Helpers of the end-to-end tests: Playwright driving Debian's headless Chromium.

Playwright (from PyPI, pinned in requirements-dev.txt) only drives the browser: it is told
to launch the system's ``/usr/bin/chromium`` and never downloads one. Tests using these
helpers are marked ``needs_chromium`` (tests/serving.py): skipped, with the reason, when that
browser is absent (``.ci/run`` installs it).

Screenshots: a test calls :func:`screenshot`; it writes to the test's own folder, and also
to ``$FACTCHECK_SCREENSHOTS`` when that is set (``scripts/screenshots.sh`` sets it to
``docs/`` to refresh the README's images).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from serving import CHROMIUM

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXTENSION = PROJECT_ROOT / "extension"
# Every wait of a test is bounded by these (milliseconds): nothing hangs.
LAUNCH_TIMEOUT_MS = 60_000
ACTION_TIMEOUT_MS = 15_000
COMMON_ARGS = [
    "--no-sandbox",  # tests may run as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Host names other than 127.0.0.1 resolve to nothing: what works here works offline.
OFFLINE = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
# For the extension: also a host name of its own for the service, which the extension has
# no host permission for (so its calls go through CORS, as to a newsroom's server).
REMOTE_HOST = "factcheck.test"
WITH_REMOTE_HOST = f"MAP {REMOTE_HOST} 127.0.0.1, {OFFLINE}"


def _sync_playwright() -> Any:
    module = pytest.importorskip(
        "playwright.sync_api",
        reason="playwright is not installed (pip install -r requirements-dev.txt)",
    )
    return module.sync_playwright


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``), closed on exit."""
    assert CHROMIUM is not None
    with _sync_playwright()() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*COMMON_ARGS, f"--host-resolver-rules={OFFLINE}"],
            timeout=LAUNCH_TIMEOUT_MS,
        )
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def extension_context(profile: Path, extension: Path = EXTENSION) -> Iterator[Any]:
    """A persistent headless Chromium context with ``extension`` loaded unpacked.

    Extensions need a persistent profile and the new headless mode.
    """
    assert CHROMIUM is not None
    args = [
        "--headless=new",
        f"--disable-extensions-except={extension}",
        f"--load-extension={extension}",
        *COMMON_ARGS,
        f"--host-resolver-rules={WITH_REMOTE_HOST}",
    ]
    with _sync_playwright()() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=args,
            timeout=LAUNCH_TIMEOUT_MS,
            viewport={"width": 1100, "height": 800},
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def new_page(launched: Any, **context_options: Any) -> Any:
    """A page in a fresh context of ``launched`` (a Browser), with bounded waits."""
    context = launched.new_context(**context_options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context.new_page()


def screenshot(target: Any, name: str, folder: Path, **options: Any) -> Path:
    """Save a screenshot of ``target`` (a Page or Locator) as ``folder/name``.

    Also copied to ``$FACTCHECK_SCREENSHOTS`` when it is set.
    """
    path = folder / name
    target.screenshot(path=str(path), animations="disabled", **options)
    extra = os.environ.get("FACTCHECK_SCREENSHOTS")
    if extra:
        destination = Path(extra)
        if not destination.is_absolute():
            destination = PROJECT_ROOT / destination
        destination.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination / name)
    return path
