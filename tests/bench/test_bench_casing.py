"""bench_casing metrics (golden values) and both scripts run in-process on tiny fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import casing as bench_casing
from bench.casing import case_counts, first_word_baseline, score_casing
from eval.metrics.casing import CasingCounts, casing_counts
from eval.wirecopy import article_key, article_split, split_articles
from summarizer.casing.truecaser import StatisticalTruecaser
from training import build_truecaser


def test_case_counts_is_the_eval_metric():
    source = "obama met the u.s. team . it won"
    gold = "Obama met the U.S. team . It won"
    pred = "Obama Met the u.s. team . It won"
    assert case_counts(source, pred, gold) == casing_counts(pred, gold)
    scores = score_casing(case_counts(source, pred, gold))
    assert scores.accuracy == pytest.approx(5 / 7) and scores.token_accuracy == pytest.approx(6 / 8)
    assert scores.f1 == pytest.approx(2 / 3) and scores.record_exact == 0.0


def test_case_counts_checks_the_record_and_counts_changed_tokens_as_wrong():
    counts = case_counts("a b", "a c", "A b")
    assert counts.changed_records == 1
    assert counts.correct == 0  # `a` wrong case, `c` replaced `b`: both wrong (not reverted)
    empty = score_casing(CasingCounts())
    assert (empty.accuracy, empty.f1, empty.words) == (None, None, 0)
    with pytest.raises(ValueError):
        case_counts("a b", "a b", "A")


def test_first_word_baseline():
    assert first_word_baseline("he said . ` we won ' . ok") == "He said . ` We won ' . Ok"


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture()
def tiny_data(tmp_path: Path) -> Path:
    """A data folder shaped like ../shared/data with a handful of records."""
    held_article = "Gary Locke will be confirmed as Kilmarnock boss on Friday. The club went unbeaten."
    _write_jsonl(
        tmp_path / "summarization" / "frank.jsonl",
        [
            {"id": "frank-cnndm-1", "article": held_article, "split": "valid"},
            {"id": "frank-cnndm-2", "article": "Another article about Paris and London.", "split": "test"},
        ],
    )
    _write_jsonl(
        tmp_path / "summarization" / "realsumm.jsonl", [{"id": "realsumm-000", "article": "Realsumm text."}]
    )
    _write_jsonl(
        tmp_path / "summarization" / "sumllm_cnndm_test.jsonl",
        [{"id": "sumllm-cnndm-test-000", "article": "Test."}],
    )
    news = [
        {"id": "frank-cnndm-1", "text": held_article, "tokenized": False},
        {"id": "copy", "text": held_article + " Extra words.", "tokenized": False},  # same normalized key
        {
            "id": "n1",
            "text": "Angela Merkel met officials in New York on Monday. The state-run TV said so.",
            "tokenized": False,
        },
        {
            "id": "n2",
            "text": "Police in London said the man, 39, was held.\n\nHe said: 'We will win.'",
            "tokenized": False,
        },
        {"id": "n3", "text": "The U.S. team met Angela Merkel 's aides .", "tokenized": True},
    ]
    _write_jsonl(tmp_path / "casing" / "news_text.jsonl", news)
    refs = [
        {
            "id": "r1",
            "input": "angela merkel met officials in new york .",
            "target": "Angela Merkel met officials in New York .",
            "doc_id": "frank-cnndm-1",
            "kind": "cnndm-reference",
            "input_fields": ["bart"],
        },
        {
            "id": "r2",
            "input": "police in london said he was held .",
            "target": "Police in London said he was held .",
            "doc_id": "frank-cnndm-2",
            "kind": "bart-output",
            "input_fields": ["bart"],
        },
    ]
    _write_jsonl(tmp_path / "casing" / "frank_refs.jsonl", refs)
    return tmp_path


def test_build_then_bench_in_process(tiny_data: Path, tmp_path: Path):
    out = tmp_path / "resources"
    summary = build_truecaser.main(["--data", str(tiny_data), "--out", str(out)])
    # held out: FRANK/realsumm/SumLLM-test articles, a near copy of one, and n2, whose article
    # falls in the wire-copy dev/test split (eval.wirecopy.article_split)
    assert article_split("Police in London said the man, 39, was held.\n\nHe said: 'We will win.'") != "train"
    assert set(summary["excluded_ids"]) == {
        "frank-cnndm-1",
        "frank-cnndm-2",
        "copy",
        "realsumm-000",
        "sumllm-cnndm-test-000",
        "n2",
    }
    assert summary["records"] == 2
    model = StatisticalTruecaser.load(out / "truecaser_en.json.gz")
    assert (
        model.restore("angela merkel met officials in new york .")
        == "Angela Merkel met officials in New York ."
    )
    assert (out / "hyphens_en.json.gz").is_file()

    results = bench_casing.main(
        [
            "--data",
            str(tiny_data),
            "--split",
            "valid",
            "--systems",
            "statistical",
            "first",
            "lower",
            "--model",
            str(out / "truecaser_en.json.gz"),
            "--json",
            str(tmp_path / "bench.json"),
        ]
    )
    assert results["statistical"]["accuracy"] == 1.0 and results["statistical"]["records"] == 1
    assert results["lower"]["f1"] == 0.0
    assert all(r["changed_records"] == 0 for r in results.values())
    assert json.loads((tmp_path / "bench.json").read_text())["split"] == "valid"


def test_build_rejects_missing_data(tmp_path: Path):
    with pytest.raises(ValueError, match="news_text"):
        build_truecaser.main(["--data", str(tmp_path)])


def test_build_excludes_every_scored_wire_copy_article(shared_data_root):
    """On the real data: no dev or test article of the wire-copy set is in the training records."""
    kept, _ = build_truecaser.training_records(shared_data_root)
    kept_keys = {article_key(r["text"]) for r in kept}
    kept_ids = {r["id"] for r in kept}
    for split in ("dev", "test"):
        for article in split_articles(split, shared_data_root):
            assert article.id not in kept_ids and article_key(article.text) not in kept_keys


@pytest.fixture()
def shared_data_root() -> Path:
    from summarizer.paths import data_root

    if not (data_root() / "casing" / "news_text_extra.jsonl").is_file():
        pytest.skip("shared data not found")
    return data_root()


def test_stable_halves_split_evenly_and_never_move():
    keys = [f"article-{i}" for i in range(2000)]
    halves = [build_truecaser.stable_half(k) for k in keys]
    assert set(halves) == {"a", "b"} and 900 < halves.count("a") < 1100
    assert halves == [build_truecaser.stable_half(k) for k in keys]


def test_a_held_out_half_is_left_for_the_tagger(shared_data_root):
    """`--holdout-half b` counts none of the news articles the case tagger then learns from."""
    from training.train_case_tagger import training_articles

    kept, _ = build_truecaser.training_records(shared_data_root, holdout_half="b")
    kept_keys = {article_key(r["text"]) for r in kept}
    learned = training_articles(shared_data_root, "news")
    assert learned and not any(article_key(a["text"]) in kept_keys for a in learned)
    assert all(build_truecaser.stable_half(a["id"]) == "b" for a in training_articles(shared_data_root)[:200])
