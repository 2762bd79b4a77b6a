"""``GET /``: the editors' page, and ``GET /static/<name>``: its files (``service/web/static/``).

Plain HTML, CSS and JavaScript, no build step and nothing from another origin: the page
calls the JSON API of this service (``/v1/check``, ``/v1/review``, ``/v1/sources/{id}``) with
``fetch``, sending the API key the editor entered (kept in the browser's localStorage) as
``X-API-Key``. Its Content-Security-Policy allows nothing but this service.

``render.js`` and ``render.css`` draw results for the page and for the browser extension
(``extension/`` holds identical copies; tests/web/test_page.py keeps them so).
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound

STATIC = Path(__file__).resolve().parent / "static"
PAGE = "index.html"
# Only these files are served; anything else under /static is a 404 problem.
ASSETS = ("page.css", "page.js", "render.css", "render.js", "icon.svg")
_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

bp = Blueprint("web", __name__)


@functools.cache
def _read(name: str) -> bytes:
    # A few tens of kilobytes in all, read once per process.
    return (STATIC / name).read_bytes()


def _file(name: str, mimetype: str) -> Response:
    response = Response(_read(name), mimetype=mimetype)
    # Revalidated on every load (a 304 while unchanged), so a new version shows at once.
    response.cache_control.no_cache = True
    response.add_etag()
    response.make_conditional(request)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@bp.get("/")
def page() -> Response:
    """The page: check a claim or review a draft, see the verdict and its evidence."""
    return _file(PAGE, "text/html")


@bp.get("/static/<name>")
def asset(name: str) -> Response:
    """A file of the page: its script, stylesheet, the shared renderer or the icon."""
    if name not in ASSETS:
        raise NotFound(f"No file of the page is named {name!r}.")
    mimetype = _TYPES.get(Path(name).suffix) or mimetypes.guess_type(name)[0]
    return _file(name, mimetype or "application/octet-stream")
