"""Saved web pages: the seven seed pages of ../shared/examples/html/ and pages with no article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.batch.records import read_records
from summarizer.casing.wire import prepare_article
from summarizer.text.cleaning import RejectedText, clean_text
from summarizer.text.html import NoArticle, extract_article

PAGES = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "html"


def _expectations() -> list[dict]:
    path = PAGES / "expectations.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


EXPECTED = _expectations()
needs_pages = pytest.mark.skipif(not EXPECTED, reason=f"{PAGES} not found (../shared beside the repository)")


@needs_pages
@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: e["file"])
def test_every_expected_sentence_is_in_the_article_with_its_metadata(expected):
    article = extract_article((PAGES / expected["file"]).read_text(encoding="utf-8"))
    assert [w for w in expected["with"] if w not in article.text] == []
    assert article.title and article.date and article.site
    lines = article.text.split("\n")
    assert lines[0] != article.title  # a page repeating its title in the body loses the copy


@needs_pages
def test_page_furniture_left_in_the_text_is_the_known_two():
    kept = {
        e["file"]: [w for w in e["without"] if w in extract_article((PAGES / e["file"]).read_text()).text]
        for e in EXPECTED
    }
    # trafilatura's defaults keep two related-story lines of the Daily Mail page (docs/results_layout.md).
    assert {f: k for f, k in kept.items() if k} == {
        "dailymail.co.uk.food.html": [
            "The letter also argues that 'the British public",
            "As things stand the Government is telling Tory MP",
        ]
    }


@needs_pages
def test_a_page_is_prepared_with_its_title_metadata_and_no_dateline():
    page = (PAGES / "edition.cnn.com-royal.html").read_text(encoding="utf-8")
    prepared = prepare_article(page)
    assert prepared.title == "What we learned from Harry and Meghan's explosive interview"
    assert prepared.metadata["site"] == "CNN" and prepared.metadata["date"] == "2021-03-08"
    assert prepared.text.startswith("It was the interview")  # "London (CNN)" gone
    cleaned = clean_text(page).text  # batch readers: title line first, then the article
    assert cleaned.split("\n")[0] == prepared.title


@needs_pages
def test_a_small_caps_opening_is_set_in_sentence_case():
    # The Economist sets "THREE decades ago" in small caps; read as capitals it stays "THREE" in
    # every summary and headline. Names and acronyms, and lines in capitals throughout, keep theirs.
    article = extract_article((PAGES / "economist.com.thinking.html").read_text(encoding="utf-8"))
    assert article.text.startswith("Three decades ago Thomas Malone")
    from summarizer.text.html import _unsmallcap

    assert _unsmallcap("IN THE beginning was") == "In the beginning was"
    for kept in ("NASA said on Monday", "THE END", "LONDON (Reuters) - The", "THE US government said"):
        assert _unsmallcap(kept) == kept


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><ul><li><a href='/a'>One</a></li><li><a href='/b'>Two</a></li></ul></body></html>",
        "<!doctype html><html><head><title>Nothing</title></head><body></body></html>",
    ],
    ids=["list page", "empty page"],
)
def test_a_page_without_an_article_is_a_clear_error(page):
    with pytest.raises(NoArticle, match="no article in this page"):
        extract_article(page)
    with pytest.raises(RejectedText, match="no article in this page"):
        clean_text(page)


@needs_pages
def test_a_folder_of_pages_reads_each_and_reports_the_bad_ones(tmp_path):
    (tmp_path / "wired.html").write_bytes((PAGES / "wired.com.burn.html").read_bytes())
    (tmp_path / "list.html").write_text("<html><body><a href='/x'>More news</a></body></html>")
    (tmp_path / "binary.html").write_bytes(bytes(range(256)) * 8)
    records = {r.id: r for r in read_records([str(tmp_path)])}
    assert set(records) == {"binary", "list", "wired"}
    assert records["wired"].text.startswith("AI Can Do Great Things")
    assert "no article in this page" in records["list"].reason
    assert "UTF-8" in records["binary"].reason
