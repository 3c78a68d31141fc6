"""Sentence-start accuracy: a new count of the one casing metric that leaves the old ones alone."""

import pytest

from eval.metrics.casing import aggregate_casing, casing_counts, sentence_start_positions


def test_sentence_starts_are_line_starts_and_words_after_final_punctuation():
    target = "`` He won . '' Then it rained\nThe end ! 2 more"
    # He (after ``), Then (after . ''), The (line start), more (after ! and the number 2)
    assert [target.split()[i] for i in sentence_start_positions(target)] == ["He", "Then", "The", "more"]
    assert sentence_start_positions("") == [] and sentence_start_positions(". , !") == []


def test_sentence_start_accuracy_golden():
    counts = casing_counts("he won . Then it rained\nthe end", "He won . Then it rained\nThe end")
    assert (counts.sentence_starts, counts.sentence_starts_correct) == (3, 1)
    assert aggregate_casing([counts]).sentence_start_accuracy == pytest.approx(1 / 3)
    assert aggregate_casing([casing_counts("", "")]).sentence_start_accuracy is None


def test_existing_counts_unchanged_by_the_new_one():
    counts = casing_counts("Gary locke joined KILMARNOCK in may .", "Gary Locke joined Kilmarnock in May .")
    assert (counts.tokens, counts.tokens_correct, counts.words, counts.correct) == (7, 4, 6, 3)
    assert (counts.sentences, counts.sentences_exact, counts.sentence_starts) == (1, 0, 1)
