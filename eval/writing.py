"""Scores of short written outputs (headlines, one-sentence summaries) against a reference, and
the lead baseline they are measured beside (`experiments.headlines`, `experiments.one_sentence`,
the GPU kit's dev evaluation).
"""

from __future__ import annotations

from eval.metrics.rouge import rouge_scores
from summarizer.generation.postprocess import shorten_at_clause
from summarizer.guard.faithfulness import entity_precision, number_precision
from summarizer.text.sentences import split_sentences

__all__ = ["lead_baseline", "score"]


def lead_baseline(text: str, words: int = 10) -> str:
    first = (split_sentences(text) or [text])[0]
    return shorten_at_clause(first, words).rstrip(".")


def score(name: str, outputs: list[str], pairs: list[tuple[str, str]], seconds: float) -> dict:
    scores = rouge_scores(outputs, [[headline] for _, headline in pairs])
    entities = [entity_precision(o, text) for o, (text, _) in zip(outputs, pairs, strict=True)]
    numbers = [number_precision(o, text) for o, (text, _) in zip(outputs, pairs, strict=True)]

    def pooled(precisions) -> float | None:
        total = sum(p.total for p in precisions)
        return sum(p.matched for p in precisions) / total if total else None

    n = len(outputs)
    return {
        "system": name, "n": n,
        "rouge1": 100 * sum(s.rouge1 for s in scores) / n,
        "rouge2": 100 * sum(s.rouge2 for s in scores) / n,
        "rougeL": 100 * sum(s.rougeL for s in scores) / n,
        "entity_precision": pooled(entities), "number_precision": pooled(numbers),
        "words": sum(len(o.split()) for o in outputs) / n, "seconds_per_item": seconds / n,
        "outputs": outputs,
    }
