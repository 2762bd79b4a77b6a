"""The editors' page (``GET /``) in headless Chromium, against a real gunicorn server.

The server asks for an API key, so the page's key setting is exercised too. What the page
shows is compared with what the API answers for the same request, so these tests follow
the engine when its verdicts change. Screenshots: ``docs/page.png`` and
``docs/page-mobile.png`` (see tests/e2e.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from e2e import browser, new_page, screenshot
from serving import Server, gunicorn_server, needs_chromium

pytestmark = [pytest.mark.server, pytest.mark.browser, needs_chromium]

KEY = "page-test-key-0123456789"
CLAIM = "Armenia lost 300 soldiers in the clashes."
DRAFT = (
    "Border clashes: what we know\n"
    "The fighting started on September 13; Armenia said 49 soldiers died. "
    "Is this the end of the war? Russia has some 5,000 peacekeepers in the region."
)
FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
VERDICTS = {
    "supported": "Supported",
    "refuted": "Refuted",
    "conflicting": "Conflicting",
    "not_enough_info": "Not enough info",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("page-api")
    with gunicorn_server(folder, FACTCHECK_API_KEYS=KEY) as server:
        yield server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as launched:
        yield launched


def ask(api: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"{api.base}{path}", json=body, headers={"X-API-Key": KEY}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


class Watched:
    """A page, with every URL it requested and every console error it logged."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requested: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requested.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )

    def check_clean(self, api: Server, *, expected_errors: int = 0) -> None:
        foreign = [url for url in self.requested if not url.startswith(api.base + "/")]
        assert not foreign, foreign
        # Chromium logs a refused fetch (the 401 before a key is entered) as a console error.
        errors = [e for e in self.errors if "status of 401" not in e]
        assert not errors, self.errors
        assert len(self.errors) - len(errors) <= expected_errors, self.errors


@pytest.fixture()
def watched(chromium: Any) -> Iterator[Watched]:
    page = new_page(chromium, viewport={"width": 1200, "height": 900})
    yield Watched(page)
    page.context.close()


def with_key(watched: Watched, api: Server) -> Any:
    """The page at / with the API key already saved in localStorage."""
    page = watched.page
    page.goto(f"{api.base}/")
    page.evaluate("key => localStorage.setItem('factcheck.apiKey', key)", KEY)
    page.reload()
    return page


# The stance-model engine answers this seed claim not_enough_info, so no shown passage holds
# a figure to mark (issue 16's closing note): a known regression, kept visible.
@pytest.mark.xfail(reason="seed-corpus verdict regressed with the stance model", strict=False)
def test_page_checks_a_claim_and_renders_evidence(
    api: Server, watched: Watched, tmp_path: Path
) -> None:
    expected = ask(api, "/v1/check", {"claim": CLAIM})
    page = watched.page
    page.goto(f"{api.base}/")
    claim = page.get_by_label("Claim", exact=True)
    claim.fill(CLAIM)
    claim.press("Enter")
    # The service wants a key: the page says so and opens its settings on the key field.
    status = page.locator("#status")
    status.get_by_text("API key").wait_for()
    key = page.get_by_label("API key")
    assert key.evaluate("node => node === document.activeElement")
    key.fill(KEY)
    key.press("Enter")
    status.get_by_text("API key saved").wait_for()
    assert page.evaluate("localStorage.getItem('factcheck.apiKey')") == KEY
    page.locator("#settings > summary").click()

    claim.press("Enter")
    result = page.locator("#results .fc-result")
    result.wait_for()
    assert result.get_attribute("data-verdict") == expected["verdict"]
    assert result.locator(".fc-verdict").inner_text() == VERDICTS[expected["verdict"]]
    assert result.locator(".fc-confidence strong").inner_text() == f"{expected['confidence']:.2f}"
    assert result.locator(".fc-explanation").inner_text() == expected["explanation"]
    # The live region announces the verdict.
    assert VERDICTS[expected["verdict"]] in status.inner_text()

    passages = result.locator(".fc-passage")
    assert passages.count() == len(expected["evidence"]) > 0
    for index, evidence in enumerate(expected["evidence"]):
        passage = passages.nth(index)
        assert passage.locator(".fc-stance").inner_text().lower() == evidence["stance"]
        assert passage.locator(".fc-passage-text").inner_text() == evidence["text"]
        source = evidence["source"]
        assert passage.locator(".fc-date").inner_text() == (source["published"] or "date unknown")
        name = passage.locator(".fc-source").inner_text()
        assert name in {source["title"], source["publisher"], source["id"]} or (
            source["title"] in name
        )
        link = passage.locator("a.fc-source-link")
        assert link.get_attribute("href") == (
            f"#source={source['id']}&start={evidence['start']}&end={evidence['end']}"
        )
        # The claim's names and figures are marked, and the figures its reason cites.
        figures = {"300", *FIGURE.findall(evidence["reason"])}
        marks = [text.lower() for text in passage.locator("mark.fc-hl").all_inner_texts()]
        assert all(mark.startswith("armenia") or mark in figures for mark in marks), marks
    names = result.locator("mark.fc-hl-name").all_inner_texts()
    assert names and all(name.lower().startswith("armenia") for name in names), names
    assert result.locator("mark.fc-hl-number").count() > 0

    screenshot(page, "page.png", tmp_path, full_page=True)
    watched.check_clean(api, expected_errors=1)


def test_passage_links_to_its_source_with_the_passage_marked(api: Server, watched: Watched) -> None:
    expected = ask(api, "/v1/check", {"claim": CLAIM})
    page = with_key(watched, api)
    page.get_by_label("Claim", exact=True).fill(CLAIM)
    page.get_by_role("button", name="Check claim").click()
    link = page.locator("a.fc-source-link").first
    link.click()

    passage = page.locator("#fc-passage")
    passage.wait_for()
    evidence = expected["evidence"][0]
    assert passage.text_content() == "Passage: " + evidence["text"]
    assert passage.evaluate("node => node === document.activeElement")
    assert page.locator("#check-view").is_hidden()
    source = requests.get(
        f"{api.base}/v1/sources/{evidence['source']['id']}", headers={"X-API-Key": KEY}, timeout=10
    ).json()
    text = page.locator(".fc-source-text").text_content()
    assert text.replace("Passage: ", "", 1) == source["text"]

    # Escape goes back to the results, with the focus on the link that was followed.
    page.keyboard.press("Escape")
    page.locator("#check-view").wait_for()
    assert page.locator("#source-view").is_hidden()
    assert link.evaluate("node => node === document.activeElement")
    assert "#source=" not in page.url
    watched.check_clean(api)


def test_page_reviews_a_draft(api: Server, watched: Watched) -> None:
    expected = ask(api, "/v1/review", {"text": DRAFT})
    page = with_key(watched, api)
    draft = page.get_by_label("Paste a draft")
    draft.fill(DRAFT)
    draft.press("Control+Enter")

    review = page.locator("#results .fc-review")
    review.wait_for()
    counts = expected["counts"]
    summary = review.locator(".fc-summary").inner_text()
    assert summary.startswith(f"{len(expected['sentences'])} sentence(s), {expected['checked']}")
    assert f"{counts['refuted']} refuted" in summary
    # The draft is shown whole, each checked sentence linked to its result.
    assert (
        review.locator(".fc-draft")
        .inner_text()
        .replace("\u00a0", " ")
        .startswith("Border clashes: what we know\n")
    )
    checked = [s for s in expected["sentences"] if s["checked"]]
    assert review.locator(".fc-checked-sentence").count() == len(checked) > 0
    verdicts = review.locator(".fc-checked-sentence > .fc-result").evaluate_all(
        "nodes => nodes.map(node => node.dataset.verdict)"
    )
    assert verdicts == [s["result"]["verdict"] for s in checked]
    first = review.locator("a.fc-sentence").first
    target = first.get_attribute("href")
    first.click()
    assert page.locator(target).evaluate("node => node === document.activeElement") or (
        page.url.endswith(target)
    )
    watched.check_clean(api)


def test_keyboard_order_and_labels(api: Server, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{api.base}/")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => { const n = document.activeElement;"
                " return n.id || (n.textContent || '').trim(); }"
            )
        )
    assert order == ["Skip to results", "claim", "Check claim", "draft", "Review draft", "Settings"]
    # Every field has a label.
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('input, textarea')]"
        ".filter(n => !n.labels || n.labels.length === 0).map(n => n.id)"
    )
    assert unlabelled == []
    # A visible focus ring.
    page.get_by_label("Claim", exact=True).focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_page_is_readable_on_a_phone(api: Server, chromium: Any, tmp_path: Path) -> None:
    page = new_page(
        chromium,
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    watched = Watched(page)
    try:
        with_key(watched, api)
        page.get_by_label("Claim", exact=True).fill(CLAIM)
        page.get_by_role("button", name="Check claim").tap()
        page.locator("#results .fc-passage").first.wait_for()
        # No sideways scrolling, and body text at a readable size.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        size = page.evaluate(
            "getComputedStyle(document.querySelector('.fc-passage-text')).fontSize"
        )
        assert float(re.sub("px$", "", size)) >= 16
        # What a phone shows once the answer is in: the verdict and the first passages.
        page.evaluate("document.getElementById('settings').scrollIntoView({block: 'start'})")
        screenshot(page, "page-mobile.png", tmp_path)
        watched.check_clean(api)
    finally:
        page.context.close()
