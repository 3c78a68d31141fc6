"""Lead-k and TextRank."""

import numpy as np
import pytest

from eval.baselines import lead, pagerank, textrank

ARTICLE = (
    "Weather was mild on Tuesday. "
    "The council approved the new budget for schools. "
    "The budget gives schools more money for teachers. "
    "Teachers welcomed the budget and the money for schools. "
    "A cat was seen on the roof."
)


def test_lead():
    assert lead(ARTICLE, 1) == "Weather was mild on Tuesday."
    assert lead(ARTICLE, 3).endswith("more money for teachers.")
    assert lead("", 3) == ""
    with pytest.raises(ValueError):
        lead(ARTICLE, 0)


def test_pagerank_scores_sum_to_one_and_favor_central_nodes():
    similarity = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float)
    scores = pagerank(similarity)
    assert scores.sum() == pytest.approx(1.0)
    assert scores[0] > scores[1] == pytest.approx(scores[2])
    assert pagerank(np.zeros((0, 0))).size == 0


def test_textrank_picks_central_sentences_in_document_order():
    summary = textrank(ARTICLE, 2)
    assert "Weather" not in summary and "cat" not in summary
    assert summary == (
        "The budget gives schools more money for teachers. "
        "Teachers welcomed the budget and the money for schools."
    )
    assert textrank("Only one sentence.", 3) == "Only one sentence."
    assert textrank(ARTICLE, 2) == summary
