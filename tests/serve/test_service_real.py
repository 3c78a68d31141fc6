"""The service with the shipped model (slow tier): concurrent headline and highlights answers over
real HTTP equal the library's answer for each article alone, and a saved page's metadata comes back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from summarizer import Summarizer
from summarizer.serve import ServeSettings

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"


@pytest.fixture(scope="module")
def real() -> Summarizer:
    return Summarizer.from_pretrained()


@pytest.mark.slow
@pytest.mark.parametrize("style", ["headline", "highlights"])
def test_concurrent_answers_equal_the_library_alone(real, running, example_articles, cased_example, style):
    articles = [*example_articles[:3], cased_example[1]]
    expected = [real.summarize([a], style=style)[0].text for a in articles]
    with running(real, ServeSettings(max_batch=8, max_wait_ms=200)) as base, ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda a: httpx.post(f"{base}/v1/summarize", json={"articles": [a], "style": style},
                                                     timeout=300), articles))
    assert [a.status_code for a in answers] == [200] * 4
    assert [a.json()["summaries"][0]["text"] for a in answers] == expected


@pytest.mark.slow
def test_a_saved_page_keeps_its_title_and_metadata(real, running):
    page = (EXAMPLES / "html" / "latimes.com.bloomberg.html").read_text(encoding="utf-8")
    want = real.summarize([page], style="headline")[0]
    with running(real, ServeSettings()) as base:
        answer = httpx.post(f"{base}/v1/summarize", json={"articles": [{"id": "la", "html": page}],
                                                          "style": "headline"}, timeout=300)
    got = answer.json()["summaries"][0]
    assert answer.status_code == 200 and got["id"] == "la"
    assert (got["text"], got["title"], got["metadata"]) == (want.text, want.title, want.metadata)
    assert got["metadata"]
