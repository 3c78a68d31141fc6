"""Casing metrics and casing baselines."""

import pytest

from eval.casing_baselines import TruecaseBaseline, apply_case, capitalize_sentence_starts
from eval.metrics.casing import aggregate_casing, casing_counts, casing_intervals

TARGET = "Gary Locke joined Kilmarnock in May ."


def test_golden_counts():
    counts = casing_counts("Gary locke joined KILMARNOCK in may .", TARGET)
    assert (
        counts.words,
        counts.correct,
        counts.gold_cased,
        counts.predicted_cased,
        counts.cased_correct,
    ) == (
        7,
        4,
        4,
        2,
        1,
    )
    assert not counts.exact and not counts.changed
    scores = aggregate_casing([counts])
    assert scores.accuracy == pytest.approx(4 / 7)
    assert scores.precision == pytest.approx(1 / 2)
    assert scores.recall == pytest.approx(1 / 4)
    assert scores.f1 == pytest.approx(2 * 1 / (2 + 4))


def test_exact_and_changed_records():
    assert casing_counts(TARGET, TARGET).exact
    changed = casing_counts("Gary Locke joined Hibs in May .", TARGET)
    assert changed.changed and changed.correct == 0 and changed.cased_correct == 0
    shorter = casing_counts("Gary Locke joined", TARGET)
    assert shorter.changed and shorter.words == 7
    scores = aggregate_casing([casing_counts(TARGET, TARGET), changed])
    assert scores.changed_records == 1 and scores.exact_match == 0.5


def test_empty_punctuation_and_non_ascii():
    empty = aggregate_casing([casing_counts("", "")])
    assert empty.accuracy is None and empty.f1 is None and empty.exact_match == 1.0
    punctuation = aggregate_casing([casing_counts(". , !", ". , !")])
    assert punctuation.accuracy == 1.0 and punctuation.precision is None and punctuation.f1 is None
    accented = aggregate_casing([casing_counts("élise visited Zürich", "Élise visited Zürich")])
    assert accented.accuracy == pytest.approx(2 / 3) and accented.recall == pytest.approx(1 / 2)
    assert aggregate_casing([]).records == 0


def test_intervals_bracket_the_point_estimate_and_are_seeded():
    counts = [
        casing_counts(p, TARGET) for p in (TARGET, TARGET.lower(), "Gary locke joined Kilmarnock in may .")
    ]
    intervals = casing_intervals(counts, resamples=200, seed=3)
    assert intervals == casing_intervals(counts, resamples=200, seed=3)
    point = aggregate_casing(counts)
    assert intervals["accuracy"].mean == pytest.approx(point.accuracy)
    assert intervals["accuracy"].low <= point.accuracy <= intervals["accuracy"].high
    assert casing_intervals([]) == {}


def test_sentence_initial_baseline_keeps_whitespace():
    text = "gary locke joined .  `` he is great , '' he said .\nthe end"
    assert capitalize_sentence_starts(text) == "Gary locke joined .  `` He is great , '' he said .\nThe end"
    assert capitalize_sentence_starts("") == ""


def test_apply_case_ignores_tokens_changed_other_than_by_case():
    assert apply_case("a  b c", ["A", "x", "C"]) == "A  b C"
    with pytest.raises(ValueError, match="2 cased tokens for 3"):
        apply_case("a b c", ["A", "B"])


def test_truecase_baseline_changes_only_case():
    text = "gary locke will be confirmed as kilmarnock 's manager on friday . the 39-year-old is happy ."
    restored = TruecaseBaseline()(text)
    assert restored.lower() == text
    assert restored.startswith("Gary Locke") and "Friday" in restored
    assert TruecaseBaseline()("") == ""
    with pytest.raises(ValueError, match="oov"):
        TruecaseBaseline(oov="upper")
