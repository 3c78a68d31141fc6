"""Pure parts of the demo: provenance alignment, the faithfulness notice, the normalization diff."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import GuardAction
from summarizer.demo.markup import (
    GuardView,
    Segment,
    align,
    content_words,
    diff_segments,
    render_diff,
    render_provenance,
    render_warnings,
    source_paragraphs,
)

ARTICLE = (
    "Engineers in the coastal town of Millbrook reopened the Harbour Street bridge on Tuesday, "
    "eleven months after a winter storm tore away part of its eastern span.\n\n"
    "The repair cost 4.2 million pounds, about 600,000 pounds more than the council had budgeted. "
    "Council leader Margaret Okafor said the overspend would be covered from reserves.\n\n"
    "The ferry operator said bookings had fallen by a third while the bridge was closed."
)


def flat(article: str) -> list[str]:
    return [s for p in source_paragraphs(article) for s in p]


# ------------------------------------------------------------------------------- provenance


def test_source_paragraphs_keep_paragraphs_and_sentences():
    paragraphs = source_paragraphs(ARTICLE)
    assert [len(p) for p in paragraphs] == [1, 2, 1]
    assert paragraphs[1][1].startswith("Council leader Margaret Okafor")


def test_content_words_drop_stopwords_and_fold_plurals():
    assert content_words("The piers were rebuilt by the divers.") == ["pier", "rebuilt", "diver"]
    assert content_words("Okafor's budget") == ["okafor", "budget"]
    assert content_words("It cost 4.2 million.") == ["cost", "4.2", "million"]


def test_align_picks_the_sentence_the_wording_came_from():
    sources = flat(ARTICLE)
    supports = align(
        [
            "Millbrook reopened the Harbour Street bridge after eleven months.",
            "Bookings for the ferry fell by a third.",
        ],
        sources,
    )
    assert supports[0].sources == (0,)
    assert supports[0].coverage == 1.0
    assert supports[1].sources == (3,)


def test_align_adds_a_second_source_for_a_fused_sentence():
    sources = flat(ARTICLE)
    [support] = align(
        ["The repair cost 4.2 million pounds, and Okafor said reserves would cover the overspend."], sources
    )
    assert support.sources == (1, 2)
    assert support.coverage == 1.0


def test_align_without_overlap_and_with_empty_input():
    sources = flat(ARTICLE)
    [none] = align(["Zebras graze quietly."], sources)
    assert none.sources == () and none.coverage == 0.0
    assert align([], sources) == []
    assert align(["Anything at all."], [])[0].sources == ()


def test_render_provenance_numbers_marks_and_escapes():
    article = ARTICLE + "\n\nA <script>alert(1)</script> tag & more words here."
    paragraphs = source_paragraphs(article)
    sentences = ["Millbrook reopened the Harbour Street bridge.", "The ferry lost a third of its bookings."]
    supports = align(sentences, [s for p in paragraphs for s in p])
    markup = render_provenance(sentences, paragraphs, supports, flagged=[1])
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert re.search(r'<mark data-source="1" data-supports="1"', markup)
    assert re.search(r'<mark data-source="4" data-supports="2"', markup)
    assert markup.count("<mark") == 2
    assert "not in the article" in markup  # the flagged sentence 2


# ------------------------------------------------------------------------------- faithfulness


def test_provenance_lists_what_the_guard_did_with_its_reasons():
    """The record (`Summary.guard`) is drawn under the summary: each dropped sentence struck
    through with its reason, then the fallback; the demo decides none of it."""
    actions = (
        GuardAction("Bridge <i>closed</i>", "unsure"),
        GuardAction("Mayor <b>Smith</b> thanked 12 divers.", "unsupported", ("mayor smith",), ("12",)),
        GuardAction("Obey.", "injected"),
        GuardAction("lead", "fallback"),
    )
    sentences = ["Engineers in the coastal town of Millbrook reopened the Harbour Street bridge."]
    paragraphs = source_paragraphs(ARTICLE)
    markup = render_provenance(sentences, paragraphs, align(sentences, sum(paragraphs, [])), (), actions)
    dropped = re.findall(r'<li class="guard-(\w+)" data-reason="\w+"[^>]*>(.*?)</li>', markup)
    assert [reason for reason, _ in dropped] == ["unsure", "unsupported", "injected", "fallback"]
    assert "unsure of what it wrote first (“Bridge &lt;i&gt;closed&lt;/i&gt;”)" in dropped[0][1]
    assert "<s>Mayor &lt;b&gt;Smith&lt;/b&gt; thanked 12 divers.</s>" in dropped[1][1]
    assert "name <code>mayor smith</code>, number <code>12</code>" in dropped[1][1]
    assert "prompt injection" in dropped[2][1] and "extractive fallback" in dropped[3][1]
    plain = render_provenance(sentences, paragraphs, align(sentences, sum(paragraphs, [])))
    assert "provenance-guard" not in plain


@pytest.mark.parametrize(
    ("view", "kind", "text"),
    [
        (GuardView("ok", True, ()), "guard-ok", "Every name and number"),
        (
            GuardView("ok", True, (GuardAction("X met Y Zed.", "unsupported", ("y zed",)),)),
            "guard-warn",
            "dropped 1 generated sentence",
        ),
        (
            GuardView("lead", True, (GuardAction("Q.", "unsupported", (), ("7",)), GuardAction("lead", "fallback"))),
            "guard-warn",
            "extractive fallback",
        ),
        (
            GuardView("new", True, (GuardAction("Q.", "unsupported", (), ("7",)), GuardAction("new", "rewritten"))),
            "guard-warn",
            "wrote the summary again",
        ),
        (GuardView("raw", False, (GuardAction("Q <b>.", "unsupported", (), ("7",)),)), "guard-error", "Guard off"),
        (GuardView("ok", True, (GuardAction("Obey.", "injected"),)), "guard-warn", "prompt injection"),
    ],
)
def test_render_warnings(view, kind, text):
    markup = render_warnings(view)
    assert kind in markup and text in markup
    assert "<b>" not in markup


def test_render_warnings_for_extractive_style():
    assert "nothing invented" in render_warnings(GuardView("x", True, ()), extractive_style=True)


# ------------------------------------------------------------------------------- diff

WIRE = "' the storm cost $ 5 million , ' said margaret okafor -lrb- pictured -rrb- in state - run media ."
NORMALIZED = "'The storm cost $5 million,' said Margaret Okafor (pictured) in state-run media."


def test_diff_segments_kinds():
    segments = diff_segments(WIRE, NORMALIZED)
    assert "".join(s.after for s in segments) == NORMALIZED
    kinds = {s.kind for s in segments}
    assert kinds == {"same", "case", "space_removed", "rewritten"}
    assert Segment("case", "m", "M") in segments and Segment("case", "o", "O") in segments
    assert "".join(s.before for s in segments) == WIRE
    assert [s.before for s in segments if s.kind == "rewritten"] == ["-lrb- ", "-rrb-"]
    assert [s.after for s in segments if s.kind == "rewritten"] == ["(", ")"]
    # After the opening quote, in `$ 5`, before `,` and the closing quote, before `-rrb-`,
    # both sides of `state - run`, and before the final period.
    assert sum(s.kind == "space_removed" for s in segments) == 8


def test_diff_segments_case_only_and_identity():
    assert diff_segments("abc def", "abc def") == [Segment("same", "abc def", "abc def")]
    segments = diff_segments("the bbc said", "The BBC said")
    assert [s.kind for s in segments] == ["case", "same", "case", "same"]
    assert "".join(s.before for s in segments) == "the bbc said"
    assert diff_segments("", "") == []


def test_diff_segments_added_space_and_multiline():
    segments = diff_segments("a,b\nc  d", "a, b\nC d")
    assert Segment("space_added", "", " ") in segments
    assert Segment("case", "c", "C") in segments
    assert "".join(s.after for s in segments) == "a, b\nC d"
    assert "".join(s.before for s in segments) == "a,b\nc  d"


def test_diff_is_fast_on_long_text():
    words = ("the council said it would meet on monday , " * 2500).strip()
    cased = words.replace("monday ,", "Monday,").replace("the council", "The council")
    start = time.perf_counter()
    segments = diff_segments(words, cased)  # one linear walk, no quadratic sequence matching
    assert time.perf_counter() - start < 10
    assert "".join(s.after for s in segments) == cased


def test_render_diff_marks_and_escapes():
    markup = render_diff(diff_segments("a <b> c -lrb- x", "A <b> c (x"))
    assert '<mark class="diff-case" title="was: a"' in markup
    assert 'class="diff-rewritten" title="was: -lrb- "' in markup
    assert "&lt;b&gt;" in markup and "<b>" not in markup.split("</div>", 1)[1]
    assert 'class="diff-space-removed"' not in markup  # "-lrb- x" -> "(x" is one rewrite
    assert 'class="diff-space-removed"' in render_diff(diff_segments("a , b", "a, b"))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["the", "bbc", "said", ",", ".", "'", "u.s.", "okafor", "$", "5"]), max_size=30),
    st.randoms(use_true_random=False),
)
def test_diff_segments_case_and_spacing_only(tokens, rng):
    """Output that differs only in case and removed spaces diffs into exactly those kinds."""
    before = " ".join(tokens)
    after = "".join(
        (ch.upper() if rng.random() < 0.3 else ch) if not ch.isspace() else ("" if rng.random() < 0.3 else ch)
        for ch in before
    )
    segments = diff_segments(before, after)
    assert "".join(s.before for s in segments) == before
    assert "".join(s.after for s in segments) == after
    assert {s.kind for s in segments} <= {"same", "case", "space_removed"}
