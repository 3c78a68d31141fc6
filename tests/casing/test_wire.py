"""Wire copy -> plain text before summarizing: only case, spacing and line-final periods change."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.casing.wire import prepare_article, wire_to_plain

_PTB_ARTIFACTS = re.compile(r" 's\b| n't\b| ,| \.(?:\s|$)|-lrb-|-rrb-|``|''| - ")


def _letters(text: str) -> str:
    """Letters and digits in order; PTB bracket codes (`-lrb-`) stand for brackets, not letters."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"-[lr][rsc]b-", " ", text.lower()))


def test_the_wire_example_becomes_publishable(wire_example):
    prepared = prepare_article(wire_example)
    assert prepared.input_format == "wire"
    lines = prepared.text.splitlines()
    # A line is split only where a sentence glued to the one before it starts.
    assert len(lines) >= len([line for line in wire_example.splitlines() if line.strip()])
    assert "civilians' cars.\nThe rapid advance" in prepared.text
    for line in lines:
        assert line[0].isupper() or line[0] in "'\"‘“", line
        assert line.rstrip("'\"’”)").endswith((".", "!", "?")), line
    assert " 's " not in prepared.text and " , " not in prepared.text and "state-run" in prepared.text
    assert _letters(prepared.text) == _letters(wire_example)


def test_cased_text_is_left_alone(cased_example):
    headline, article = cased_example
    prepared = prepare_article(article)
    assert prepared == prepare_article(article, "plain") and prepared.text == article


def test_forced_formats(cased_example):
    _, article = cased_example
    assert prepare_article(article.lower(), "plain").text == article.lower()
    assert prepare_article("the board met on monday .", "wire").text == "The board met on Monday."
    with pytest.raises(ValueError, match="unknown input_format 'html'"):
        prepare_article(article, "html")


_TOKENS = st.sampled_from(
    ["the", "council", "met", "on", "monday", ".", ",", "'s", "n't", "''", "``", "-lrb-", "-rrb-", "state",
     "-", "run", "u.s.", "obama", "5", "%", "$", "' ", "said", "?", "!", "\n"]
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_TOKENS, min_size=1, max_size=40).map(" ".join))
def test_only_case_spacing_and_periods_change(text):
    """Every letter and digit of the input is in the output, in order, and nothing else is."""
    out = wire_to_plain(text)
    assert _letters(out) == _letters(text)
    added = re.sub(r"\s", "", out.lower())
    # What may appear besides the input's own characters: periods closing sentence lines, and
    # the characters detokenization writes for PTB codes (`-lrb-` -> `(`, `` -> ").
    assert set(added) <= set(re.sub(r"\s", "", text.lower())) | set('.()"')
