"""Pure helpers: sentence splitting, chunking, output cleaning."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.config import DEFAULT_STYLES
from summarizer.generation.chunking import chunk_text
from summarizer.generation.postprocess import clean_output, trim_words
from summarizer.text.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith went to Washington. He said \"Hi.\" Then U.S. officials left!",
         ["Mr. Smith went to Washington.", 'He said "Hi."', "Then U.S. officials left!"]),
        ("( cnn ) two heroes are here . and they struggle . `` we suffer . '' said koirala .",
         ["( cnn ) two heroes are here .", "and they struggle .", "`` we suffer . ''", "said koirala ."]),
        ("people in the community.Dr Venter said 5.5 million.", ["people in the community.", "Dr Venter said 5.5 million."]),
        ("First para\n\nSecond para. Ends", ["First para", "Second para.", "Ends"]),
        ("", []),
        ("   ", []),
        ("No terminal punctuation", ["No terminal punctuation"]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


@given(st.text(max_size=300))
def test_split_sentences_keeps_every_character(text):
    def squash(t: str) -> str:
        return re.sub(r"\s", "", t)

    assert squash("".join(split_sentences(text))) == squash(text)


def _words(text: str) -> int:
    return len(text.split())


def test_chunks_respect_budget_and_keep_all_words():
    text = " ".join(f"Sentence number {i} has six words." for i in range(40))
    chunks = chunk_text(text, _words, budget=20)
    assert all(_words(c) <= 20 for c in chunks)
    assert " ".join(chunks).split() == text.split()
    assert len(chunks) == 14  # three 6-word sentences per chunk


def test_overlong_sentence_is_split_between_words():
    text = " ".join(["word"] * 50) + "."
    chunks = chunk_text(text, _words, budget=8)
    assert all(_words(c) <= 8 for c in chunks) and " ".join(chunks).split() == text.split()
    with pytest.raises(ValueError):
        chunk_text(text, _words, budget=0)


def test_clean_output_shapes_each_style():
    hl = DEFAULT_STYLES["highlights"]
    assert clean_output("Here is a summary of the article:\n- A won. \n- B lost.", hl) == "A won. B lost."
    assert clean_output("Smith won the vote. Jones lost. His victory is", hl, truncated=True) == (
        "Smith won the vote. Jones lost."
    )
    one = DEFAULT_STYLES["one_sentence"]
    assert clean_output("Summary: A won the vote. B lost.", one) == "A won the vote."
    head = DEFAULT_STYLES["headline"]
    assert clean_output('"Bridge reopens after storm."\nSecond line', head) == "Bridge reopens after storm"
    # Cut at the word limit: no dangling comma or dash at the end of a headline.
    assert clean_output("Engineers reopened the bridge on Tuesday, eleven months later", head, 6) == (
        "Engineers reopened the bridge on Tuesday"
    )
    assert clean_output("Storm damage - council pays", head, 2) == "Storm damage"


def test_trim_words_prefers_sentence_boundaries():
    assert trim_words("One two three. Four five six seven.", 5) == "One two three."
    assert trim_words("One two three four five six.", 3) == "One two three"
    assert trim_words("Short.", 5) == "Short."


def test_generation_may_stop_once_text_past_the_styles_limit_has_begun():
    from summarizer.generation.postprocess import past_limit

    one, head = DEFAULT_STYLES["one_sentence_free"], DEFAULT_STYLES["headline_free"]
    assert not past_limit("Mr. Smith won the vote.", one)
    assert past_limit("Mr. Smith won the vote. Jones", one)
    # What clean_output strips does not count: a preamble is not a sentence of the summary.
    assert not past_limit("Here is a summary of the article: Smith won the vote.", one)
    assert not past_limit("\nBridge reopens", head) and past_limit("Bridge reopens\nSecond line", head)
    # Whatever past_limit stops at, clean_output keeps the same text.
    assert clean_output("Mr. Smith won the vote. Jones", one) == clean_output("Mr. Smith won the vote. Jones lost.", one)
