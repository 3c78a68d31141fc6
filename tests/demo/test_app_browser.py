"""End-to-end: the service with the demo mounted at /demo (as `summarizer serve` runs it) on a free
localhost port, used from Debian's chromium, driven by Playwright (Playwright's own browser
download cannot work offline).

The fast test uses the tiny random model of tests/conftest.py for the Summarize tab, the
statistical normalizer and a synthetic evaluation set; the slow one uses the real default model
and the real evaluation data. Both save a screenshot of each tab under the test's tmp_path; the
ones the docs show also go to $DEMO_SCREENSHOT_DIR when it is set (that is how docs/img/*.png
are made: normalize and the error message from the fast test, summarize and evaluate from the
slow one):

    DEMO_SCREENSHOT_DIR=docs/img OMP_NUM_THREADS=1 .venv/bin/python -m pytest tests/demo/test_app_browser.py
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from summarizer import DEFAULT_STYLES, Summarizer
from summarizer.paths import data_root

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
HARBOUR = (REPO / "examples" / "harbour_bridge.txt").read_text(encoding="utf-8")
WIRE = (REPO / "summarizer" / "demo" / "examples" / "wire_copy.txt").read_text(encoding="utf-8").splitlines()[0]

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (make system-deps)")


# ------------------------------------------------------------------------------- helpers

_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}
_outbound: list[object] = []
_auditing = False


def _audit(event: str, args: tuple) -> None:
    """Record every socket connection and name lookup this process makes while a test serves."""
    if not _auditing:
        return
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and str(address[0]) not in _LOCAL_HOSTS:
            _outbound.append(address)
    elif event == "socket.getaddrinfo" and str(args[0]) not in _LOCAL_HOSTS:
        _outbound.append(args[0])


_hook: list[bool] = []


def _start_auditing() -> None:
    """Audit hooks cannot be removed: install one, on first use, that records only while asked."""
    global _auditing
    if not _hook:
        sys.addaudithook(_audit)
        _hook.append(True)
    _outbound.clear()
    _auditing = True


@contextmanager
def serve(summarizer: Summarizer, running) -> Iterator[str]:
    """The service with the demo at /demo, in this process (a uvicorn thread); yields the page's URL."""
    global _auditing
    _start_auditing()
    try:
        with running(summarizer, demo_path="/demo") as base:
            yield f"{base}/demo/"
    finally:
        _auditing = False
    assert _outbound == [], f"the app reached beyond localhost: {_outbound}"


@contextmanager
def browser(profile: Path) -> Iterator[tuple[object, list[str]]]:
    """A headless chromium page with a fresh profile; yields (page, every URL it requested)."""
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.set_default_timeout(60_000)
            yield page, requests
        finally:
            context.close()


def screenshot(page, tmp_path: Path, name: str, *, full_page: bool = True, publish: bool = True) -> Path:
    """Save under tmp_path, and under $DEMO_SCREENSHOT_DIR when set and `publish` (the docs'
    pictures: the tiny random model's output is not worth showing there)."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=full_page)
    target = os.environ.get("DEMO_SCREENSHOT_DIR")
    if target and publish:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / name)
    return path


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def summarize(page, article: str, style: str, timeout_ms: int = 60_000) -> str:
    """Paste `article`, pick the style by its label (`StyleConfig.label`), click Summarize; the
    summary text once it appears."""
    page.locator("#summary textarea").evaluate("el => { el.value = ''; }")
    page.locator("#article textarea").fill(article)
    page.locator("#style").get_by_label(DEFAULT_STYLES[style].label, exact=True).check()
    page.locator("#summarize-button").click()
    page.wait_for_function(
        "() => document.querySelector('#summary textarea').value.length > 0", timeout=timeout_ms
    )
    return page.locator("#summary textarea").input_value()


def wait_for_leaderboard(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_function(
        "() => document.querySelector('#eval-status').innerText.includes('Scored')", timeout=timeout_ms
    )
    page.locator("#eval-plots img").first.wait_for()
    assert "ours-extractive" in page.locator("#leaderboard").inner_text()


def assert_only_local(requests: list[str], url: str) -> None:
    outside = [r for r in requests if not r.startswith((url, "data:", "blob:"))]
    assert outside == [], f"the page fetched from outside the app: {outside[:5]}"


# ------------------------------------------------------------------------------- tests


# What the model is made to write to see the guard's record drawn: one sentence names a mayor and
# a number that the article lacks.
INVENTED = "The Harbour Street bridge reopened in Millbrook. Mayor John Smith paid 12 divers."


def test_demo_in_a_browser(tiny_summarizer, running, tiny_eval_data, wire_example, tmp_path, monkeypatch):
    model = tiny_summarizer
    with serve(model, running) as url, browser(tmp_path / "profile") as (page, requests):
        page.goto(url)
        page.locator("#summarize-button").wait_for()

        # Summarize with the (tiny random) model: the page shows what the handler returns.
        shown = summarize(page, HARBOUR, "highlights_abstractive")
        expected = model.summarize([HARBOUR], style="highlights_abstractive")[0].text
        assert shown == expected
        assert page.locator("#guard-notice .guard-notice").count() == 1
        assert page.locator("#provenance .provenance-summary li").count() >= 1

        # "Where each summary sentence comes from" draws the library's guard record
        # (`Summary.guard`): the sentence it dropped, struck through, with its reason.
        from summarizer.generation import free

        with monkeypatch.context() as patch:
            patch.setattr(free, "generate", lambda model, prompter, texts, *a, **k: [(INVENTED, 30)] * len(texts))
            shown = summarize(page, HARBOUR, "highlights_abstractive")
        assert shown == "The Harbour Street bridge reopened in Millbrook."
        dropped = page.locator('#provenance .provenance-guard li[data-reason="unsupported"]')
        assert dropped.count() == 1
        assert dropped.locator("s").inner_text() == "Mayor John Smith paid 12 divers."
        assert "dropped by the guard: not in the article: name mayor john smith, number 12" in dropped.inner_text()
        assert page.locator("#provenance .provenance-summary li").count() == 1
        assert "dropped 1 generated sentence" in page.locator("#guard-notice").inner_text()

        # Extractive style: every summary sentence is highlighted in the article with its number.
        shown = summarize(page, HARBOUR, "extractive")
        assert shown.startswith(
            "Engineers in the coastal town of Millbrook reopened the Harbour Street bridge"
        )
        marks = page.locator("#provenance mark[data-supports]")
        assert marks.count() == 3
        assert marks.first.get_attribute("data-supports") == "1"
        screenshot(page, tmp_path, "summarize_tiny_model.png", publish=False)

        # Wire copy (../shared/examples/wire_copy.txt): normalized first, shown beside the summary.
        shown = summarize(page, wire_example, "highlights")
        assert shown[0].isupper() and " 's" not in shown and " , " not in shown
        assert shown == model.summarize([wire_example], style="highlights")[0].text
        normalized = page.locator("#normalized-article")
        assert "Wire copy detected" in normalized.inner_text()
        assert "Kheyon Rasheed told the state-run" in normalized.inner_text()
        assert "wire copy: case and spacing restored" in page.locator("#summary-details").inner_text()
        assert page.locator("#provenance mark[data-supports]").count() >= 1
        screenshot(page, tmp_path, "summarize_wire_copy_tiny_model.png", publish=False)

        # Empty input: a clear error message, and no summary request.
        page.locator("#article textarea").fill("")
        page.locator("#summarize-button").click()
        toast = page.locator('[data-testid="toast-text"]')
        toast.first.wait_for()
        assert "The article is empty" in toast.first.inner_text()
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(800)  # the toast slides in
        screenshot(page, tmp_path, "error_empty.png", full_page=False)
        page.locator('[data-testid="toast-close"]').first.click()

        # Normalize wire copy with the statistical truecaser.
        open_tab(page, "Normalize wire copy")
        page.locator("#wire textarea").fill(WIRE)
        page.locator("#normalize-button").click()
        page.wait_for_function("() => document.querySelector('#normalized textarea').value.length > 0")
        normalized = page.locator("#normalized textarea").input_value()
        assert normalized == model.normalize([WIRE])[0].text
        assert normalized.startswith("Councillor Farah Quinn said the")
        assert 'on June 3, adding: "We are not taking' in normalized
        assert page.locator("#normalize-diff mark.diff-case").count() >= 4
        assert page.locator("#normalize-diff .diff-space-removed").count() >= 2
        screenshot(page, tmp_path, "normalize.png")

        # Evaluate our extractive summarizer on a small synthetic set (SUMMARIZER_DATA).
        open_tab(page, "Evaluate")
        page.locator("#evaluate-button").click()
        wait_for_leaderboard(page)
        assert "4 documents" in page.locator("#eval-status").inner_text()
        screenshot(page, tmp_path, "evaluate_synthetic_data.png", publish=False)

        assert_only_local(requests, url.removesuffix("demo/"))  # the service's origin


@pytest.mark.slow
def test_real_model_in_a_browser(tmp_path, running):
    """The embedded default model names the article's main subject (with the guard on, the
    summary may be the extractive fallback, which names it too); screenshots for the docs."""
    with serve(Summarizer.from_pretrained(None), running) as url, browser(tmp_path / "profile") as (page, requests):
        page.goto(url)
        page.locator("#summarize-button").wait_for()
        shown = summarize(page, HARBOUR, "one_sentence", timeout_ms=600_000)
        assert "Harbour Street" in shown or "Millbrook" in shown
        assert page.locator("#provenance mark[data-supports]").count() >= 1
        screenshot(page, tmp_path, "summarize.png")

        if (data_root() / "summarization" / "frank.jsonl").exists():
            open_tab(page, "Evaluate")
            page.locator("#eval-set input").click()
            page.get_by_role("option", name="FRANK XSum test (75 articles)").click()
            page.locator("#evaluate-button").click()
            wait_for_leaderboard(page, timeout_ms=300_000)
            assert "75 documents" in page.locator("#eval-status").inner_text()
            screenshot(page, tmp_path, "evaluate.png")
        assert_only_local(requests, url.removesuffix("demo/"))  # the service's origin
