"""The reading sheet and the report of a reader's labels (eval.reading)."""

from __future__ import annotations

import json

import pytest

from eval.reading import read_labels, report, wilson, write_sheet


def test_wilson_interval_brackets_the_rate():
    lo, hi = wilson(3, 100)
    assert 0.0 < lo < 0.03 < hi < 0.1
    assert wilson(0, 0) == (0.0, 1.0)


def _sheet(tmp_path):
    records = [{"id": f"a{i}", "title": "Senate passes the budget bill", "source": "X",
                "text": "The Senate passed the budget bill on Monday after a long debate. " * 3} for i in range(4)]
    return write_sheet(records, ["Senate passes budget bill"] * 4, tmp_path / "sheet.jsonl", "headline")


def test_report_counts_labels_beside_rouge(tmp_path):
    sheet = _sheet(tmp_path)
    labels = tmp_path / "labels.jsonl"
    rows = [{"id": "a0", "faithful": "no", "keep": "no", "why": "wrong actor"},
            {"id": "a1", "faithful": "yes", "keep": "yes"},
            {"id": "a2", "faithful": "yes", "keep": "no", "why": "side detail"}]
    labels.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = report(sheet, labels)
    assert (result["n"], result["misstated"], result["kept"]) == (3, 1, 1)
    assert result["rouge1"] > result["lead10_rouge1"] > 0


@pytest.mark.parametrize("row, message", [
    ({"id": "a0", "faithful": "maybe", "keep": "yes"}, "faithful must be"),
    ({"id": "a0", "faithful": "no", "keep": "no"}, "needs its 'why'"),
])
def test_bad_labels_are_refused_with_the_line(tmp_path, row, message):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(row) + "\n")
    with pytest.raises(ValueError, match=message):
        read_labels(labels)


def test_a_label_counts_only_for_the_text_it_judged(tmp_path):
    sheet = _sheet(tmp_path)
    labels = tmp_path / "labels.jsonl"
    rows = [{"id": "a0", "headline": "Senate passes budget bill", "faithful": "yes", "keep": "yes"},
            {"id": "a1", "headline": "Senate passes bill", "faithful": "yes", "keep": "yes"}]
    labels.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = report(sheet, labels)
    assert result["n"] == 1 and result["unread"] == ["a1", "a2", "a3"]
