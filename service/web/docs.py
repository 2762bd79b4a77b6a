"""``GET /docs``: an interactive view of ``openapi.yaml`` (Swagger UI) that works offline.

The Swagger UI files come from the ``flask-swagger-ui`` package (its bundled ``dist``
folder) and are served by this app; the page loads nothing from another origin, which its
Content-Security-Policy enforces (``default-src 'none'``, scripts and styles from 'self').
"""

from __future__ import annotations

import functools
import mimetypes
from html import escape
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import NotFound

SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
# Only what the page uses; nothing else of the package folder is served.
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png")
INIT_SCRIPT = "init.js"
ASSET_MAX_AGE = 86_400
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

# No inline script, so the policy can forbid them; the spec URL is read from the page.
_INIT_JS = """\
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Fact-checking service — API</title>
  <link rel="stylesheet" href="{css}">
  <link rel="icon" type="image/png" href="{icon}" sizes="32x32">
</head>
<body>
  <div id="swagger-ui" data-spec="{spec}"></div>
  <script src="{bundle}"></script>
  <script src="{init}"></script>
</body>
</html>
"""

bp = Blueprint("docs", __name__)


def _secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@bp.get("/docs")
def page() -> Response:
    """The Swagger UI page for this service's OpenAPI description."""
    html = _PAGE.format(
        css=escape(url_for("docs.asset", name="swagger-ui.css")),
        icon=escape(url_for("docs.asset", name="favicon-32x32.png")),
        spec=escape(url_for("api.openapi")),
        bundle=escape(url_for("docs.asset", name="swagger-ui-bundle.js")),
        init=escape(url_for("docs.asset", name=INIT_SCRIPT)),
    )
    return _secured(Response(html, mimetype="text/html"))


@functools.cache
def _asset_bytes(name: str) -> bytes:
    # About 2 MB in all, read once: no file handle per request.
    return (SWAGGER_UI_DIST / name).read_bytes()


@bp.get("/docs/<name>")
def asset(name: str) -> Response:
    """A file of the page: Swagger UI's bundle, stylesheet and icons, or its start script."""
    if name == INIT_SCRIPT:
        response = Response(_INIT_JS, mimetype="text/javascript")
    elif name in ASSETS:
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = Response(_asset_bytes(name), mimetype=mimetype)
        response.cache_control.public = True
        response.cache_control.max_age = ASSET_MAX_AGE
        response.add_etag()
        response.make_conditional(request)
    else:
        raise NotFound(f"No documentation asset is named {name!r}.")
    return _secured(response)
