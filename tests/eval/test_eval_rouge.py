"""Golden values for ROUGE through the local evaluate module."""

from pathlib import Path

import evaluate
import pytest
from rouge_score import rouge_scorer

from eval.metrics.rouge import MODULE_DIR, RougeSettings, rouge_scores


def one(prediction, refs, **settings):
    return rouge_scores([prediction], [refs], RougeSettings(**settings))[0]


def test_hand_computed_values():
    # pred [the cat sat] vs ref [the cat sat on the mat]: P=1, R=1/2; bigrams P=1, R=2/5.
    score = one("the cat sat", ["the cat sat on the mat"])
    assert score.rouge1 == pytest.approx(2 / 3)
    assert score.rouge2 == pytest.approx(4 / 7)
    assert score.rougeL == pytest.approx(2 / 3)
    assert score.rougeLsum == pytest.approx(2 / 3)
    assert score.mean == pytest.approx((2 / 3 + 4 / 7 + 2 / 3) / 3)


def test_identical_text_scores_one_and_casing_is_ignored():
    score = one("The Cat sat.", ["the cat SAT ."])
    assert (score.rouge1, score.rouge2, score.rougeL, score.rougeLsum) == (1.0, 1.0, 1.0, 1.0)


def test_lsum_uses_sentence_split():
    # Sentence order swapped: plain LCS finds 2 of 4 tokens, summary-level LCS all of them.
    score = one("Cats purr. Dogs bark.", ["Dogs bark. Cats purr."], stemmer=False)
    assert score.rougeL == pytest.approx(0.5)
    assert score.rougeLsum == pytest.approx(1.0)


def test_porter_stemming_switch():
    assert one("cats running", ["cat run"]).rouge1 == pytest.approx(1.0)
    assert one("cats running", ["cat run"], stemmer=False).rouge1 == 0.0


def test_first_reference_and_max_over_references():
    assert one("a b c", ["x y", "a b c d"]).rouge1 == 0.0
    assert one("a b c", ["x y", "a b c d"], references="all").rouge1 == pytest.approx(6 / 7)


@pytest.mark.parametrize(
    "prediction, reference",
    [("", "the cat"), ("the cat", ""), ("...", "the cat"), ("!?", "!?"), ("Zürich café", "Zurich cafe")],
)
def test_degenerate_inputs_score_zero(prediction, reference):
    # rouge-score keeps only [a-z0-9]: punctuation scores nothing and non-ASCII letters are
    # dropped ("Zürich" -> "z rich"), so accented and plain spellings do not match.
    score = one(prediction, [reference])
    assert (score.rouge1, score.rouge2, score.rougeL, score.rougeLsum) == (0.0, 0.0, 0.0, 0.0)


def test_empty_batch_and_bad_input():
    assert rouge_scores([], []) == []
    with pytest.raises(ValueError, match="2 predictions but 1"):
        rouge_scores(["a", "b"], [["a"]])
    with pytest.raises(ValueError, match="non-empty list"):
        rouge_scores(["a"], [[]])
    with pytest.raises(TypeError):
        rouge_scores("a", [["a"]])
    with pytest.raises(ValueError, match="references must be"):
        RougeSettings(references="best")


def test_matches_rouge_score_directly():
    prediction = "Police arrested two men. They were charged on Monday."
    reference = "Two men were arrested by police. Both were charged Monday."
    direct = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True).score(
        "Two men were arrested by police.\nBoth were charged Monday.",
        "Police arrested two men.\nThey were charged on Monday.",
    )
    ours = one(prediction, [reference])
    for key in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        assert getattr(ours, key) == pytest.approx(direct[key].fmeasure)


def test_module_file_loads_with_evaluate_offline():
    module = evaluate.load(str(Path(MODULE_DIR) / "rouge.py"))
    result = module.compute(predictions=["a b c", "x"], references=[["a b c d"], ["y"]], use_stemmer=False)
    assert result["rouge1"] == pytest.approx([6 / 7, 0.0])
    aggregated = module.compute(predictions=["a b"], references=["a b"], use_aggregator=True)
    assert aggregated["rougeLsum"] == 1.0
