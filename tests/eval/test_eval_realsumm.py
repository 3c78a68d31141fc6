"""Lead-3 on the first REALSumm documents matches rouge-score called directly."""

import json
import os
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

from eval.baselines import lead
from eval.metrics.rouge import rouge_scores
from summarizer.text.sentences import split_sentences

DATA = Path(os.environ.get("SUMMARIZER_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
REALSUMM = DATA / "summarization" / "realsumm.jsonl"


@pytest.mark.skipif(not REALSUMM.is_file(), reason=f"{REALSUMM} not found")
def test_lead3_matches_rouge_score_on_first_ten_realsumm_documents():
    with open(REALSUMM, encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(10), handle, strict=False)]
    predictions = [lead(r["article"], 3) for r in records]
    ours = rouge_scores(predictions, [r["references"] for r in records])

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    for record, prediction, score in zip(records, predictions, ours, strict=True):
        direct = scorer.score(
            "\n".join(split_sentences(record["references"][0])), "\n".join(split_sentences(prediction))
        )
        for key in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
            assert getattr(score, key) == pytest.approx(direct[key].fmeasure, abs=1e-12)
    # Lead-3 is the first three ` . `-terminated sentences of these PTB articles.
    assert predictions[0].count(" . ") == 2 and predictions[0].endswith(" .")
    mean_r1 = sum(s.rouge1 for s in ours) / len(ours)
    assert 0.3 < mean_r1 < 0.6
