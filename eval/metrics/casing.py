"""Case-sensitive metrics for casing restoration on token-aligned text.

ROUGE lowercases everything, so casing gets its own metrics. The prediction and the gold target
are split on whitespace and compared position by position:

- word accuracy: share of gold words predicted exactly (case-sensitive);
- cased-word precision / recall / F1 over words with an uppercase letter: a hit is a gold word
  with an uppercase letter that is predicted exactly; precision divides by the predicted words
  with an uppercase letter, recall by the gold ones (F1 = 2 hits / (predicted + gold));
- exact match: the whole record is identical;
- changed records: records where some word differs other than by case, or the word count
  differs. A casing model must leave this at 0; such a record scores no hits.

Aggregation is micro (sums over records); intervals resample records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from eval.metrics.stats import Interval, bootstrap_indices, percentile_interval

__all__ = ["CasingCounts", "CasingScores", "aggregate_casing", "casing_counts", "casing_intervals"]


def _has_upper(token: str) -> bool:
    return any(ch.isupper() for ch in token)


@dataclass(frozen=True)
class CasingCounts:
    """Counts for one record."""

    words: int
    correct: int
    gold_cased: int
    predicted_cased: int
    cased_correct: int
    exact: bool
    changed: bool


def casing_counts(prediction: str, target: str) -> CasingCounts:
    predicted = prediction.split()
    gold = target.split()
    gold_cased = sum(_has_upper(t) for t in gold)
    predicted_cased = sum(_has_upper(t) for t in predicted)
    if len(predicted) != len(gold):
        return CasingCounts(
            words=len(gold),
            correct=0,
            gold_cased=gold_cased,
            predicted_cased=predicted_cased,
            cased_correct=0,
            exact=False,
            changed=True,
        )
    pairs = list(zip(predicted, gold, strict=True))
    changed = any(p.lower() != g.lower() for p, g in pairs)
    return CasingCounts(
        words=len(gold),
        correct=0 if changed else sum(p == g for p, g in pairs),
        gold_cased=gold_cased,
        predicted_cased=predicted_cased,
        cased_correct=0 if changed else sum(p == g and _has_upper(g) for p, g in pairs),
        exact=predicted == gold,
        changed=changed,
    )


@dataclass(frozen=True)
class CasingScores:
    """Micro-averaged scores; a ratio is None when its denominator is 0."""

    accuracy: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    exact_match: float | None
    changed_records: int
    records: int
    words: int


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def aggregate_casing(counts: Sequence[CasingCounts]) -> CasingScores:
    words = sum(c.words for c in counts)
    hits = sum(c.cased_correct for c in counts)
    predicted = sum(c.predicted_cased for c in counts)
    gold = sum(c.gold_cased for c in counts)
    return CasingScores(
        accuracy=_ratio(sum(c.correct for c in counts), words),
        precision=_ratio(hits, predicted),
        recall=_ratio(hits, gold),
        f1=_ratio(2 * hits, predicted + gold),
        exact_match=_ratio(sum(c.exact for c in counts), len(counts)),
        changed_records=sum(c.changed for c in counts),
        records=len(counts),
        words=words,
    )


def casing_intervals(
    counts: Sequence[CasingCounts], *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> dict[str, Interval]:
    """Bootstrap intervals (records resampled) for accuracy, F1 and exact match."""
    if not counts:
        return {}
    table = np.array(
        [[c.words, c.correct, c.gold_cased, c.predicted_cased, c.cased_correct, c.exact] for c in counts],
        dtype=float,
    )
    sums = table[bootstrap_indices(len(counts), resamples, seed)].sum(axis=1)
    words, correct, gold, predicted, hits, exact = sums.T
    point = aggregate_casing(counts)
    samples = {
        "accuracy": (point.accuracy, correct / np.maximum(words, 1)),
        "f1": (point.f1, 2 * hits / np.maximum(predicted + gold, 1)),
        "exact_match": (point.exact_match, exact / len(counts)),
    }
    intervals = {}
    for name, (value, boot) in samples.items():
        if value is None:
            continue
        low, high = percentile_interval(boot, confidence)
        intervals[name] = Interval(mean=value, low=low, high=high, n=len(counts))
    return intervals
