"""A real browser: cross-origin fetches from another localhost port, and /docs offline.

Headless Chromium (Debian's ``chromium``) loads a page served on one loopback port; the page
calls the API, running under gunicorn, on another port, and writes what it saw into its DOM,
which Chromium dumps. Skipped when chromium is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from serving import Server, chromium_dom, gunicorn_server, needs_chromium, page_server

pytestmark = [pytest.mark.server, pytest.mark.browser, needs_chromium]

KEY = "browser-test-key-0123456789"

# The page reads the API's URL from its query string, calls POST /v1/check three ways and
# reports each outcome as JSON in <pre id="result">.
PAGE = """<!doctype html>
<html><body><pre id="result">pending</pre>
<script>
const API = new URLSearchParams(location.search).get("api");
const KEY = "__KEY__";
async function call(headers) {
  try {
    const response = await fetch(API + "/v1/check", {
      method: "POST",
      headers: Object.assign({"Content-Type": "application/json"}, headers),
      body: JSON.stringify({claim: "Armenia lost 300 soldiers in the clashes.", top_k: 1}),
    });
    const body = await response.json();
    return {
      status: response.status,
      verdict: body.verdict || null,
      problem: body.title || null,
      requestId: response.headers.get("X-Request-ID"),
      limit: response.headers.get("X-RateLimit-Limit"),
      contentType: response.headers.get("Content-Type"),
    };
  } catch (error) {
    return {error: String(error)};
  }
}
(async () => {
  const result = {
    bearer: await call({"Authorization": "Bearer " + KEY, "X-Request-ID": "from-browser-1"}),
    apiKey: await call({"X-API-Key": KEY}),
    noKey: await call({}),
  };
  document.getElementById("result").textContent = JSON.stringify(result);
})();
</script></body></html>
""".replace("__KEY__", KEY)


def page_result(page_origin: str, api: Server, profile: Path) -> dict:
    dom = chromium_dom(f"{page_origin}/?api={quote(api.base, safe='')}", profile)
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found, dom[:2000]
    assert found.group(1) != "pending", "the page's script did not finish"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def allowed_origin() -> Iterator[str]:
    with page_server(PAGE) as origin:
        yield origin


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, allowed_origin: str) -> Iterator[Server]:
    settings = {
        "FACTCHECK_CORS_ORIGINS": allowed_origin,
        "FACTCHECK_API_KEYS": KEY,
        "FACTCHECK_RATE_LIMIT": "100/minute",
    }
    with gunicorn_server(tmp_path_factory.mktemp("browser-api"), **settings) as server:
        yield server


def test_fetch_from_an_allowed_origin(api: Server, allowed_origin: str, tmp_path: Path) -> None:
    result = page_result(allowed_origin, api, tmp_path / "profile")

    for way in ("bearer", "apiKey"):
        assert result[way]["status"] == 200, result
        assert result[way]["verdict"] in {"supported", "refuted", "conflicting", "not_enough_info"}
        # Exposed response headers are readable by the page's script.
        assert result[way]["limit"] == "100"
        assert result[way]["requestId"]
    assert result["bearer"]["requestId"] == "from-browser-1"
    # A 401 problem is readable cross-origin too: the browser did not hide it.
    assert result["noKey"]["status"] == 401
    assert result["noKey"]["problem"] == "Unauthorized"
    assert result["noKey"]["contentType"] == "application/problem+json"
    # Authorization and X-API-Key are not CORS-safelisted: Chromium sent preflights first.
    seen = [(e["method"], e["path"], e["status"]) for e in api.access_log()]
    assert seen.count(("OPTIONS", "/v1/check", 200)) >= 2, seen
    assert seen.count(("POST", "/v1/check", 200)) == 2, seen
    assert seen.count(("POST", "/v1/check", 401)) == 1, seen


def test_fetch_from_another_origin_is_blocked(api: Server, tmp_path: Path) -> None:
    before = len(api.access_log())
    with page_server(PAGE) as other_origin:
        result = page_result(other_origin, api, tmp_path / "profile")
    for way in ("bearer", "apiKey", "noKey"):
        assert result[way] == {"error": "TypeError: Failed to fetch"}, result
    # The preflights were answered without CORS headers, so no POST ever reached the API.
    seen = [(e["method"], e["path"]) for e in api.access_log()[before:]]
    assert seen and set(seen) == {("OPTIONS", "/v1/check")}, seen


def test_docs_render_offline(api: Server, tmp_path: Path) -> None:
    """Swagger UI renders every operation with host names other than 127.0.0.1 unresolvable."""
    dom = chromium_dom(f"{api.base}/docs", tmp_path / "profile", budget_ms=15_000)
    assert 'class="swagger-ui' in dom, dom[:2000]
    for operation in ("/v1/check", "/v1/check/batch", "/v1/sources", "/metrics", "/healthz"):
        assert f'data-path="{operation}"' in dom, operation
    assert "Fact-checking service" in dom
    # The page asked this server for every file it used, and nothing else.
    requested = {e["path"] for e in api.access_log()}
    assert {"/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"} <= requested
    assert "/openapi.yaml" in requested
