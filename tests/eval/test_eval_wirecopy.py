"""The wire-copy set: built from whole cased articles, split by article, input = target.lower()."""

import json

import pytest

from eval.metrics.wer import published_form, word_errors
from eval.wirecopy import (
    article_key,
    article_split,
    lines_copy,
    running_copy,
    wire_articles,
    wirecopy_records,
)

BODY = (
    "Ask Jeeves has become the third leading online search firm this week. "
    "The firm's revenue nearly tripled in the fourth quarter, said Mr. Smith of the state-run fund. "
) * 4


def _data(tmp_path, n=200):
    (tmp_path / "casing").mkdir()
    rows = [
        {
            "id": f"a{i}",
            "dataset": "cnndm" if i % 2 else "bbc",
            "text": f"Story {i} of {n}\nNumber {i} says: {BODY}",
            "tokenized": False,
            "title_first_line": i % 2 == 0,
        }
        for i in range(n)
    ]
    rows.append({**rows[1], "id": "dup"})  # same article again: de-duplicated
    (tmp_path / "casing" / "news_text.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path


def test_articles_deduplicated_and_titles_dropped(tmp_path):
    data = _data(tmp_path)
    articles = wire_articles(data)
    assert len(articles) == 200 and "dup" not in {a.id for a in articles}
    by_id = {a.id: a for a in articles}
    assert not by_id["a0"].text.startswith("Story")  # title_first_line
    assert not by_id["a1"].text.startswith("Story")  # a first line without final punctuation


def test_split_by_article_and_records_differ_only_in_case(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "cache"))
    data = _data(tmp_path)
    dev = wirecopy_records("dev", "running", data)
    test = wirecopy_records("test", "lines", data)
    assert dev and test and not {r.id for r in dev} & {r.id for r in test}
    for record in dev + test:
        assert record.input == record.target.lower() and record.input != record.target
    assert all(article_split(a.text) == "dev" for a in wire_articles(data) if a.id in {r.id for r in dev})
    assert [r.target for r in wirecopy_records("dev", "running", data)] == [r.target for r in dev]  # cached
    with pytest.raises(ValueError, match="layout"):
        wirecopy_records("dev", "columns", data)


def test_layouts():
    from eval.wirecopy import WireArticle

    article = WireArticle("x", "cnndm", "He ran the state-run fund. It won.\nThey said so!")
    assert running_copy(article) == "He ran the state-run fund . It won . They said so !"
    assert lines_copy(article) == "He ran the state - run fund\nIt won\nThey said so !"
    assert article_key("A b!" * 300) == ("ab" * 200)


def test_word_errors_and_published_form():
    assert word_errors("the cat sat", "the cat sat").errors == 0
    assert word_errors("the Cat sat down", "the cat sat").errors == 2
    assert (word_errors("a", "a b") + word_errors("", "")).rate == 0.5
    assert published_form("“Yes”—she said…  it’s") == '"Yes" -- she said... it\'s'
