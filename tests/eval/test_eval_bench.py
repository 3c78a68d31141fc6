"""The speed benchmark runs end to end on a tiny model and reports what it promises."""

from __future__ import annotations

import json

import pytest

from bench import speed as bench
from tests.conftest import DATA


def test_percentile_and_rows():
    assert bench._percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert bench._percentile([5.0], 0.95) == 5.0
    row = bench.summarize_row(
        "x", {"outputs": ["a", "b"], "latencies": [1.0, 3.0], "generated_tokens": 8, "timed_s": 4.0, "peak_rss_mb": 1.0}
    )
    assert row["items_per_s"] == 0.5 and row["generated_tokens_per_s"] == 2.0 and row["p50_s"] == 2.0


@pytest.mark.skipif(not (DATA / "summarization" / "sumllm_cnndm.jsonl").is_file(), reason="needs ../shared/data")
def test_bench_end_to_end_on_a_tiny_model(tiny_causal_dir, tmp_path):
    report = bench.main(
        [
            "--model", str(tiny_causal_dir), "--data_dir", str(DATA), "--articles", "2", "--casing_records", "3",
            "--styles", "one_sentence", "--backends", "torch", "--normalize_methods", "statistical",
            "--threads", "1", "--batch_size", "2", "--out", str(tmp_path),
        ]
    )
    runs = [r["run"] for r in report["rows"]]
    assert runs == ["baseline fp32 one-at-a-time: one_sentence", "ours torch: one_sentence", "normalize statistical"]
    ours = report["rows"][1]
    assert ours["items"] == 2 and ours["speedup"] > 0 and 0 <= ours["rouge1"] <= 100
    assert report["rows"][2]["changed_records"] == 0 and report["rows"][2]["words_per_s"] > 0
    assert json.loads((tmp_path / "bench.json").read_text())["rows"] == report["rows"]
    assert "| ours torch: one_sentence |" in (tmp_path / "bench.md").read_text()
