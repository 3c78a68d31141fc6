"""Wire-copy detection: the signs of lowercased, PTB-tokenized, one-sentence-a-line copy."""

from __future__ import annotations

import pytest

from summarizer.text.layout import detect_layout

CASED = (
    "Engineers in the coastal town of Millbrook reopened the Harbour Street bridge on Tuesday, eleven "
    "months after a winter storm tore away part of its eastern span. Council leader Margaret Okafor said "
    "the overspend would be covered from reserves."
)


def test_the_two_examples(cased_example, wire_example):
    headline, article = cased_example
    assert not detect_layout(f"{headline}\n{article}").is_wire
    layout = detect_layout(wire_example)
    assert layout.lowercased and layout.tokenized and layout.sentence_lines and layout.is_wire


@pytest.mark.parametrize(
    ("text", "lowercased", "tokenized"),
    [
        (CASED, False, False),
        (CASED.lower(), True, False),  # lowercased, plain spacing
        ("The council met on Monday , and it did n't approve the budget . The mayor 's office said so .",
         False, True),  # cased PTB tokens
        ("short text", False, False),  # too little to tell
    ],
)
def test_signs(text, lowercased, tokenized):
    layout = detect_layout(text)
    assert (layout.lowercased, layout.tokenized) == (lowercased, tokenized)


def test_paragraph_lines_with_periods_are_not_sentence_lines():
    assert not detect_layout("First paragraph. It ends.\nSecond one ends too.\nA headline\nThird.").sentence_lines
