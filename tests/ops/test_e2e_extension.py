"""The browser extension (``extension/``), loaded unpacked in headless Chromium.

A real gunicorn server asks for an API key; a local test page is served on another port.
The extension is configured through its options page, text is selected on the test page,
and the context menu's handler is invoked in the extension's service worker (headless
Chromium has no context menu to click: the test calls what a click calls, with the tab).
The popup page then shows the result. Screenshot: ``docs/extension.png`` (see tests/e2e.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from e2e import EXTENSION, REMOTE_HOST, extension_context, screenshot
from serving import Server, gunicorn_server, needs_chromium, page_server

pytestmark = [pytest.mark.server, pytest.mark.browser, needs_chromium]

KEY = "extension-test-key-0123456789"
CLAIM = "Armenia lost 300 soldiers in the clashes."
TITLE = "Border clashes: a test article"
ARTICLE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body>
<nav>Home · World · Sport</nav>
<article>
  <h1>Border clashes: what we know</h1>
  <p>The fighting started on September 13, officials in both capitals said.</p>
  <p id="claim">{CLAIM}</p>
  <p>Is this the end of the war? Russia has some 5,000 peacekeepers in the region.</p>
</article>
</body></html>
"""
MENU_EXISTS = """async (item) => {
    for (let attempt = 0; attempt < 50; attempt++) {
        try {
            await chrome.contextMenus.update(item, {});
            return true;
        } catch (error) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
    return false;
}"""
MANIFEST = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))


def extension_id(manifest: dict[str, Any]) -> str:
    """Chromium's id for an extension with this manifest ``key``: a-p for the hex digits."""
    digest = hashlib.sha256(base64.b64decode(manifest["key"])).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("extension-api")
    with gunicorn_server(folder, FACTCHECK_API_KEYS=KEY) as server:
        yield server


@pytest.fixture(scope="module")
def article() -> Iterator[str]:
    with page_server(ARTICLE) as origin:
        yield origin


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with extension_context(tmp_path_factory.mktemp("profile")) as launched:
        yield launched


@pytest.fixture(scope="module")
def worker(context: Any) -> Any:
    """The extension's service worker."""
    workers = context.service_workers or [context.wait_for_event("serviceworker")]
    return workers[0]


@pytest.fixture(scope="module")
def ext(worker: Any) -> str:
    """The chrome-extension://<id> origin of the loaded extension."""
    return worker.url.rsplit("/", 1)[0]


@pytest.fixture(scope="module")
def configured(context: Any, ext: str, api: Server) -> str:
    """Set the service URL and key on the options page, as a person would."""
    page = context.new_page()
    page.goto(f"{ext}/options.html")
    page.get_by_label("Service URL").fill(api.base + "/")
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Test the connection").click()
    page.locator("#status").get_by_text("Connected").wait_for()
    page.get_by_role("button", name="Save").click()
    page.locator("#status").get_by_text("Saved.").wait_for()
    page.close()
    return ext


def menu_click(worker: Any, article: str, item: str) -> dict[str, Any]:
    """Run the context menu's handler for ``item`` on the article's tab; the latest state."""
    return worker.evaluate(
        """async ([origin, item]) => {
            const [tab] = await chrome.tabs.query({url: origin + "/*"});
            return await self.factCheckExtension.handleMenuClick({menuItemId: item}, tab);
        }""",
        [article, item],
    )


def open_article(context: Any, article: str) -> Any:
    page = context.new_page()
    page.goto(f"{article}/news/border-clashes")
    page.bring_to_front()
    return page


def popup(context: Any, ext: str) -> Any:
    page = context.new_page()
    page.set_viewport_size({"width": 440, "height": 700})
    page.goto(f"{ext}/popup.html")
    return page


def test_extension_id_and_menus(worker: Any, ext: str) -> None:
    # The manifest's public key fixes the id, so CORS can name the extension's origin.
    assert ext == f"chrome-extension://{extension_id(MANIFEST)}"
    assert MANIFEST["manifest_version"] == 3
    for item in ("factcheck-selection", "factcheck-page"):
        # update() fails for a menu item that does not exist (yet: onInstalled creates them).
        assert worker.evaluate(MENU_EXISTS, item), item


def test_extension_checks_a_selection(
    context: Any, worker: Any, configured: str, api: Server, article: str, tmp_path: Path
) -> None:
    expected = requests.post(
        f"{api.base}/v1/check", json={"claim": CLAIM}, headers={"X-API-Key": KEY}, timeout=10
    ).json()
    page = open_article(context, article)
    page.locator("#claim").select_text()

    latest = menu_click(worker, article, "factcheck-selection")
    assert latest["status"] == "done", latest
    assert latest["kind"] == "check" and latest["input"] == CLAIM
    assert latest["result"]["verdict"] == expected["verdict"]
    # The key was sent (the server refuses calls without it), from the extension's worker.
    posts = [e for e in api.access_log() if (e["method"], e["path"]) == ("POST", "/v1/check")]
    assert posts[-1]["status"] == 200

    view = popup(context, configured)
    result = view.locator("#results .fc-result")
    result.wait_for()
    assert result.get_attribute("data-verdict") == expected["verdict"]
    assert result.locator(".fc-claim").inner_text().endswith(CLAIM)
    assert result.locator(".fc-confidence strong").inner_text() == f"{expected['confidence']:.2f}"
    passages = result.locator(".fc-passage")
    assert passages.count() == len(expected["evidence"]) > 0
    for index, evidence in enumerate(expected["evidence"]):
        passage = passages.nth(index)
        assert passage.locator(".fc-stance").inner_text().lower() == evidence["stance"]
        assert passage.locator(".fc-passage-text").inner_text() == evidence["text"]
    assert result.locator("mark.fc-hl-name").count() > 0
    assert TITLE in view.locator("#context").inner_text()
    screenshot(view, "extension.png", tmp_path)
    # The same page as a side panel, at its narrowest: no sideways scrolling.
    view.set_viewport_size({"width": 360, "height": 700})
    assert view.evaluate("document.documentElement.scrollWidth") <= 360

    # A passage opens its source in a tab, the passage marked.
    with context.expect_page() as opened:
        result.locator("a.fc-source-link").first.click()
    source = opened.value
    mark = source.locator("#fc-passage")
    mark.wait_for()
    assert mark.text_content() == "Passage: " + expected["evidence"][0]["text"]
    for tab in (source, view, page):
        tab.close()


def test_extension_reviews_the_page(
    context: Any, worker: Any, configured: str, api: Server, article: str
) -> None:
    page = open_article(context, article)
    latest = menu_click(worker, article, "factcheck-page")
    assert latest["status"] == "done", latest
    assert latest["kind"] == "review"
    # The article's text, not the navigation around it.
    assert latest["input"].startswith("Border clashes: what we know")
    assert "Home" not in latest["input"] and CLAIM in latest["input"]
    expected = requests.post(
        f"{api.base}/v1/review",
        json={"text": latest["input"]},
        headers={"X-API-Key": KEY},
        timeout=10,
    ).json()
    assert latest["result"]["counts"] == expected["counts"]

    view = popup(context, configured)
    review = view.locator("#results .fc-review")
    review.wait_for()
    assert f"{expected['checked']} checked" in review.locator(".fc-summary").inner_text()
    checked = [s for s in expected["sentences"] if s["checked"]]
    assert review.locator(".fc-checked-sentence").count() == len(checked) > 0
    view.close()
    page.close()


def test_popup_claim_box_and_a_wrong_key(
    context: Any, worker: Any, configured: str, api: Server
) -> None:
    view = popup(context, configured)
    box = view.get_by_label("Check a claim")
    box.fill("Azerbaijan said 71 of its servicemen were killed.")
    box.press("Enter")
    # The popup showed the previous result until this one is pending: then it clears.
    view.locator("#context").get_by_text("Claim typed here").wait_for()
    view.locator("#results > .fc-result").wait_for()

    worker.evaluate("key => chrome.storage.local.set({apiKey: key})", "wrong-key-0123456789")
    try:
        box.press("Enter")
        status = view.locator("#status")
        status.get_by_text("needs an API key").wait_for()
        assert view.locator("#results .fc-result").count() == 0
        assert view.get_by_role("button", name="Check the options").is_visible()
    finally:
        worker.evaluate("key => chrome.storage.local.set({apiKey: key})", KEY)
        view.close()


def use_service(worker: Any, url: str, key: str) -> None:
    worker.evaluate(
        "([url, key]) => chrome.storage.local.set({serviceUrl: url, apiKey: key})", [url, key]
    )


def test_extension_calls_a_remote_service_through_cors(
    worker: Any, ext: str, configured: str, api: Server, tmp_path: Path
) -> None:
    """A service the extension has no host permission for: its CORS settings decide.

    ``factcheck.test`` resolves to 127.0.0.1 in this browser only (tests/e2e.py), and is not
    in the manifest's host_permissions, as a newsroom's own server would not be.
    """
    check = (
        "() => self.factCheckExtension.run('check', 'Armenia lost 300 soldiers.', null, 'popup')"
    )
    try:
        # Allowed: the extension's origin is listed. Its key header needs a preflight.
        with gunicorn_server(
            tmp_path / "allowed", FACTCHECK_API_KEYS=KEY, FACTCHECK_CORS_ORIGINS=ext
        ) as allowed:
            port = allowed.base.rsplit(":", 1)[1]
            use_service(worker, f"http://{REMOTE_HOST}:{port}", KEY)
            latest = worker.evaluate(check)
            assert latest["status"] == "done", latest
            seen = [(e["method"], e["path"], e["status"]) for e in allowed.access_log()]
            assert ("OPTIONS", "/v1/check", 200) in seen and ("POST", "/v1/check", 200) in seen
        # Not allowed: the browser stops the call after the preflight.
        other = "https://cms.example.org"
        with gunicorn_server(
            tmp_path / "refused", FACTCHECK_API_KEYS=KEY, FACTCHECK_CORS_ORIGINS=other
        ) as refused:
            port = refused.base.rsplit(":", 1)[1]
            use_service(worker, f"http://{REMOTE_HOST}:{port}", KEY)
            latest = worker.evaluate(check)
            assert latest["status"] == "error"
            assert latest["error"].startswith("Could not reach the fact-checking service")
            seen = {(e["method"], e["path"]) for e in refused.access_log()} - {("GET", "/healthz")}
            assert seen == {("OPTIONS", "/v1/check")}
    finally:
        use_service(worker, api.base, KEY)
