"""Length, compression and novel/repeated n-grams."""

import pytest

from eval.metrics.text_stats import (
    compression_ratio,
    novel_ngram_rate,
    repeated_ngram_rate,
    text_stats,
    words,
)


def test_words_are_the_same_for_raw_and_ptb_text():
    raw = "Koirala's kick-off drew 40,000 fans, 6km away."
    ptb = "Koirala 's kick - off drew 40,000 fans , 6 km away ."
    assert (
        words(raw)
        == words(ptb)
        == ["koirala", "s", "kick", "off", "drew", "40,000", "fans", "6", "km", "away"]
    )


def test_words_edge_cases():
    assert words("") == []
    assert words("... !? --") == []
    assert words("Zürich café 日本語") == ["zürich", "café", "日本語"]


def test_golden_stats():
    stats = text_stats("the cat the cat sat", "a cat sat on the mat")
    assert stats.length == 5
    assert stats.compression == pytest.approx(6 / 5)
    assert stats.novel_1 == 0.0
    assert stats.novel_2 == pytest.approx(2 / 3)  # "the cat", "cat the" are not in the source
    assert stats.novel_3 == 1.0
    assert stats.repeated_2 == pytest.approx(1 / 4)  # "the cat" twice among 4 bigrams
    assert stats.repeated_3 == 0.0


def test_public_helpers_agree_with_text_stats():
    summary, source = "the cat the cat sat", "a cat sat on the mat"
    assert novel_ngram_rate(summary, source, 2) == text_stats(summary, source).novel_2
    assert repeated_ngram_rate(summary, 2) == text_stats(summary, source).repeated_2
    assert compression_ratio(summary, source) == text_stats(summary, source).compression


def test_undefined_values_are_none():
    empty = text_stats("", "some source text")
    assert empty.length == 0 and empty.compression is None and empty.novel_1 is None
    punctuation = text_stats("...", "source")
    assert punctuation.length == 0 and punctuation.repeated_2 is None
    one_word = text_stats("Zürich", "Zürich is a city")
    assert one_word.novel_1 == 0.0 and one_word.novel_2 is None
