"""Casing metrics and casing baselines."""

import pytest

from eval.casing_baselines import TruecaseBaseline, apply_case, capitalize_sentence_starts
from eval.metrics.casing import CasingCounts, aggregate_casing, casing_counts, casing_intervals, casing_scores

TARGET = "Gary Locke joined Kilmarnock in May ."


def test_golden_counts():
    counts = casing_counts("Gary locke joined KILMARNOCK in may .", TARGET)
    # tokens 7, words 6 (the "." is no word); right: Gary joined in . -> 4 tokens, 3 words
    assert (counts.tokens, counts.tokens_correct, counts.words, counts.correct) == (7, 4, 6, 3)
    # gold cased: Gary Locke Kilmarnock May; predicted cased: Gary KILMARNOCK; hits: Gary
    assert (counts.gold_cased, counts.predicted_cased, counts.cased_correct) == (4, 2, 1)
    assert (counts.sentences, counts.sentences_exact, counts.records_exact, counts.changed_records) == (
        1,
        0,
        0,
        0,
    )
    scores = aggregate_casing([counts])
    assert scores.accuracy == pytest.approx(3 / 6)
    assert scores.token_accuracy == pytest.approx(4 / 7)
    assert scores.precision == pytest.approx(1 / 2)
    assert scores.recall == pytest.approx(1 / 4)
    assert scores.f1 == pytest.approx(2 * 1 / (2 + 4))


def test_golden_two_sentences():
    counts = casing_counts("Obama Met the u.s. team . It won", "Obama met the U.S. team . It won")
    assert (counts.words, counts.correct, counts.tokens, counts.tokens_correct) == (7, 5, 8, 6)
    assert (counts.gold_cased, counts.predicted_cased, counts.cased_correct) == (3, 3, 2)
    assert (counts.sentences, counts.sentences_exact) == (2, 1)
    scores = aggregate_casing([counts])
    assert scores.f1 == pytest.approx(2 / 3) and scores.sentence_exact == 0.5


def test_changed_tokens_count_as_wrong_not_the_whole_record():
    assert casing_counts(TARGET, TARGET).records_exact == 1
    changed = casing_counts("Gary Locke joined Hibs in May .", TARGET)
    # Only the replaced word is wrong: 5 of 6 words, 3 of 4 cased hits; Hibs counts as predicted cased.
    assert changed.changed_records == 1
    assert (changed.correct, changed.cased_correct, changed.predicted_cased) == (5, 3, 4)
    # A dropped token costs that token only (aligned by lowercased form, not by position).
    dropped = casing_counts("Gary Locke joined Kilmarnock in May", TARGET)
    assert dropped.changed_records == 1 and dropped.tokens_correct == 6 and dropped.correct == 6
    assert dropped.sentences_exact == 0
    inserted = casing_counts("Gary Locke , joined Kilmarnock in May .", TARGET)
    assert inserted.changed_records == 1 and inserted.tokens_correct == 7 and inserted.sentences_exact == 0
    shorter = casing_counts("Gary Locke joined", TARGET)
    assert shorter.changed_records == 1 and shorter.words == 6 and shorter.correct == 3
    scores = aggregate_casing([casing_counts(TARGET, TARGET), changed])
    assert scores.changed_records == 1 and scores.record_exact == 0.5


def test_counts_add_up():
    a, b = casing_counts(TARGET, TARGET), casing_counts(TARGET.lower(), TARGET)
    assert (a + b).records == 2 and sum([a, b]) == a + b == sum([a, b], CasingCounts())
    assert aggregate_casing([a, b]) == casing_scores(a + b)


def test_empty_punctuation_and_non_ascii():
    empty = aggregate_casing([casing_counts("", "")])
    assert empty.accuracy is None and empty.f1 is None and empty.record_exact == 1.0
    assert empty.sentence_exact is None
    punctuation = aggregate_casing([casing_counts(". , !", ". , !")])
    assert punctuation.accuracy is None and punctuation.token_accuracy == 1.0
    assert punctuation.precision is None and punctuation.f1 is None and punctuation.sentence_exact == 1.0
    accented = aggregate_casing([casing_counts("élise visited Zürich", "Élise visited Zürich")])
    assert accented.accuracy == pytest.approx(2 / 3) and accented.recall == pytest.approx(1 / 2)
    assert aggregate_casing([casing_counts("É ß", "É ß")]).accuracy == 1.0
    assert aggregate_casing([]).records == 0


def test_intervals_bracket_the_point_estimate_and_are_seeded():
    counts = [
        casing_counts(p, TARGET) for p in (TARGET, TARGET.lower(), "Gary locke joined Kilmarnock in may .")
    ]
    intervals = casing_intervals(counts, resamples=200, seed=3)
    assert intervals == casing_intervals(counts, resamples=200, seed=3)
    assert set(intervals) == {"accuracy", "token_accuracy", "f1", "sentence_exact", "record_exact"}
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
