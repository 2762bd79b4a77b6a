"""The editors' page (``GET /``, ``/static/<name>``) and the browser extension's files.

What they do in a browser is tested in Chromium by tests/ops/test_e2e_page.py and
tests/ops/test_e2e_extension.py; here: what is served, with which headers, and that the page and
the extension stay self-contained, safe and in step with each other.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.web.page import ASSETS, PAGE, STATIC

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXTENSION = PROJECT_ROOT / "extension"
SHARED = ("render.js", "render.css")
KEY = "web-test-key-0123456789"
# Ways of turning text into HTML; the page and the extension build DOM nodes instead.
UNSAFE_JS = re.compile(
    r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function"
)


class Tags(HTMLParser):
    """The start tags of an HTML document, with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def check_self_contained(html: str) -> Tags:
    """No file from another origin, no inline script or style, every field labelled."""
    tags = Tags(html)
    urls = [
        attrs[name]
        for _, attrs in tags.tags
        for name in ("src", "href")
        if attrs.get(name) is not None
    ]
    assert urls
    assert not [url for url in urls if re.match(r"(?i)[a-z][a-z0-9+.-]*:|//", url or "")], urls
    assert all(attrs.get("src") for attrs in tags.find("script")), "an inline script"
    assert not [attrs for _, attrs in tags.tags if "style" in attrs], "an inline style"
    assert not [name for name, attrs in tags.tags if any(a.startswith("on") for a in attrs)]
    labelled = {attrs["for"] for attrs in tags.find("label")}
    fields = tags.find("input") + tags.find("textarea")
    assert fields and {attrs["id"] for attrs in fields} <= labelled
    assert tags.find("html")[0].get("lang") == "en"
    return tags


def test_page_is_served_with_a_strict_policy(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html == (STATIC / PAGE).read_text(encoding="utf-8")
    tags = check_self_contained(html)
    viewport = [m for m in tags.find("meta") if m.get("name") == "viewport"]
    assert viewport and "width=device-width" in (viewport[0]["content"] or "")
    scripts = [attrs["src"] for attrs in tags.find("script")]
    assert scripts == ["static/render.js", "static/page.js"]  # relative: works under a prefix
    policy = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'"):
        assert directive in policy
    assert "unsafe" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_page_has_a_live_region_and_the_two_boxes(client: FlaskClient) -> None:
    tags = Tags(client.get("/").get_data(as_text=True))
    live = [attrs for _, attrs in tags.tags if attrs.get("aria-live") == "polite"]
    assert [attrs.get("id") for attrs in live] == ["status"]
    assert {attrs["id"] for attrs in tags.find("textarea")} == {"claim", "draft"}


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("render.js", "text/javascript"),
        ("page.js", "text/javascript"),
        ("render.css", "text/css"),
        ("page.css", "text/css"),
        ("icon.svg", "image/svg+xml"),
    ],
)
def test_assets_are_served(client: FlaskClient, name: str, mimetype: str) -> None:
    response = client.get(f"/static/{name}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.data == (STATIC / name).read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get(f"/static/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_every_static_file_is_served_and_nothing_else(client: FlaskClient) -> None:
    on_disk = {path.name for path in STATIC.iterdir()}
    assert on_disk == {PAGE, *ASSETS}
    for name in (PAGE, "nope.js", "..%2Fweb.py", "%2e%2e%2fconfig.py"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 404, name
        assert response.mimetype == "application/problem+json"


def test_page_needs_no_key_and_no_budget(make_app: Callable[..., Flask]) -> None:
    """The page is open; the API calls it makes are what keys and rate limits guard."""
    client = make_app(FACTCHECK_API_KEYS=KEY, FACTCHECK_RATE_LIMIT="1/minute").test_client()
    for _ in range(3):
        assert client.get("/").status_code == 200
        assert client.get("/static/page.js").status_code == 200
    assert client.post("/v1/check", json={"claim": "Armenia lost 300 soldiers."}).status_code == 401


def test_extension_has_the_same_renderer_as_the_page() -> None:
    # One home, service/web/static/; the extension's copies are made by the script.
    for name in SHARED:
        assert (EXTENSION / name).read_bytes() == (STATIC / name).read_bytes(), (
            f"extension/{name} differs from service/web/static/{name}:"
            " run scripts/sync-extension.sh"
        )


def test_manifest_is_mv3_and_names_files_that_exist() -> None:
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 3
    assert {"contextMenus", "storage", "activeTab", "scripting"} <= set(manifest["permissions"])
    assert manifest["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    assert manifest["optional_host_permissions"] == ["<all_urls>"]
    named = [
        manifest["background"]["service_worker"],
        manifest["action"]["default_popup"],
        manifest["side_panel"]["default_path"],
        manifest["options_ui"]["page"],
        *manifest["icons"].values(),
        *manifest["action"]["default_icon"].values(),
    ]
    for name in named:
        assert (EXTENSION / name).is_file(), name
    policy = manifest["content_security_policy"]["extension_pages"]
    assert "script-src 'self'" in policy and "unsafe" not in policy


def test_extension_pages_load_only_their_own_files() -> None:
    pages = sorted(EXTENSION.glob("*.html"))
    assert [page.name for page in pages] == ["options.html", "popup.html", "source.html"]
    for page in pages:
        tags = Tags(page.read_text(encoding="utf-8"))
        for attrs in tags.find("script") + tags.find("link"):
            name = attrs.get("src") or attrs.get("href")
            assert name and not re.match(r"(?i)[a-z][a-z0-9+.-]*:|//", name), (page.name, name)
            assert (EXTENSION / name).is_file(), (page.name, name)
        if tags.find("input"):
            check_self_contained(page.read_text(encoding="utf-8"))


def test_scripts_never_parse_text_as_html() -> None:
    scripts = [*STATIC.glob("*.js"), *EXTENSION.glob("*.js")]
    assert len(scripts) >= 7
    for script in scripts:
        found = UNSAFE_JS.findall(script.read_text(encoding="utf-8"))
        assert not found, (script.name, found)


def test_readme_names_the_extension_id(project_root: Path) -> None:
    """The manifest's public key fixes the extension's id; docs/CLIENTS.md gives it for CORS."""
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(base64.b64decode(manifest["key"])).hexdigest()[:32]
    extension_id = "".join(chr(ord("a") + int(digit, 16)) for digit in digest)
    clients = (project_root / "docs" / "CLIENTS.md").read_text(encoding="utf-8")
    assert f"chrome-extension://{extension_id}" in clients
