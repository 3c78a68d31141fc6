"""The project's one casing metric: case-sensitive, token-aligned scores for casing restoration.

ROUGE lowercases everything, so casing gets its own metrics. Used by `python -m eval normalize`,
`python -m bench.casing`, `python -m bench.casing_lm`, `bench/speed.py` and the training dev
evaluation, so every casing figure in the docs means the same thing.

Definition. The prediction and the gold target are split on whitespace. Tokens are aligned by
their lowercased form (position by position when the lowercased sequences are equal, else by
`difflib.SequenceMatcher`, so one inserted or dropped token costs only that token):

- token: any whitespace token of the target; **word**: a target token with a letter
  (punctuation and numbers cannot be wrong, so they are not words);
- **accuracy**: words predicted exactly (case-sensitive) / words; **token_accuracy**: the same
  over every token, punctuation included;
- **cased-word precision / recall / F1** over words with an uppercase letter: a hit is a gold
  word with an uppercase letter predicted exactly; precision divides by the predicted words
  with an uppercase letter, recall by the gold ones, F1 = 2 hits / (predicted + gold);
- **sentence_exact**: target sentences (split after a `.`, `!` or `?` token) whose every token is
  predicted exactly, with nothing inserted inside; **record_exact**: records whose token
  sequence equals the target's;
- **sentence_start_accuracy**: first words of target sentences (the first word of each line and
  each word after a `.`, `!` or `?` token) predicted exactly / such words. A line break counts
  as a boundary here (one-sentence-a-line wire copy has no final periods); the tokenization of
  `sentence_exact` is unchanged;
- **changed_records**: records where some token differs other than by case, or tokens were
  inserted or dropped. A casing model must leave this at 0.

A changed or misaligned token simply counts as wrong (for accuracy, recall and the exact
matches); a predicted token with an uppercase letter counts in precision's denominator even
when it replaced or was inserted beside a gold word. The record is neither reverted to the input
(which would hide the damage behind the input's lowercase forms) nor zeroed as a whole (which
would punish one dropped comma as much as a rewritten record); `changed_records` reports the
damage separately.

Counts are additive (`CasingCounts.__add__`, `sum(counts, CasingCounts())`); rates are micro
averages of summed counts, None when the denominator is 0. `casing_intervals` gives seeded
percentile-bootstrap intervals that resample records.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields

import numpy as np

from eval.metrics.stats import Interval, bootstrap_indices, percentile_interval

__all__ = [
    "CasingCounts",
    "CasingScores",
    "aggregate_casing",
    "casing_counts",
    "casing_intervals",
    "casing_scores",
    "sentence_spans",
    "sentence_start_positions",
]

SENTENCE_END = frozenset({".", "!", "?"})


def _has_upper(token: str) -> bool:
    return any(ch.isupper() for ch in token)


def _has_letter(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


@dataclass(frozen=True)
class CasingCounts:
    """Counts of one record (`records == 1`) or of several summed with `+`."""

    tokens: int = 0
    tokens_correct: int = 0
    words: int = 0
    correct: int = 0
    gold_cased: int = 0
    predicted_cased: int = 0
    cased_correct: int = 0
    sentences: int = 0
    sentences_exact: int = 0
    records: int = 0
    records_exact: int = 0
    changed_records: int = 0
    sentence_starts: int = 0
    sentence_starts_correct: int = 0

    def __add__(self, other: CasingCounts) -> CasingCounts:
        if not isinstance(other, CasingCounts):
            return NotImplemented
        return CasingCounts(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __radd__(self, other: object) -> CasingCounts:  # lets sum() start from 0
        if other == 0:
            return self
        return NotImplemented


def sentence_spans(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """[start, end) spans of sentences: a sentence ends after a `.`, `!` or `?` token."""
    spans, start = [], 0
    for i, token in enumerate(tokens):
        if token in SENTENCE_END:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(tokens):
        spans.append((start, len(tokens)))
    return spans


def _align(predicted: list[str], gold: list[str]) -> tuple[list[int | None], list[int]]:
    """For each gold token the index of its predicted counterpart (None if dropped or replaced),
    and the gold positions before which predicted tokens were inserted."""
    lowered = [p.lower() for p in predicted]
    if lowered == [g.lower() for g in gold]:
        return list(range(len(gold))), []
    matcher = difflib.SequenceMatcher(None, lowered, [g.lower() for g in gold], autojunk=False)
    match: list[int | None] = [None] * len(gold)
    inserted_at: list[int] = []
    for op, p0, p1, g0, g1 in matcher.get_opcodes():
        if op == "equal":
            match[g0:g1] = range(p0, p1)
        elif op == "delete":  # predicted tokens with no gold counterpart, before gold token g0
            inserted_at.extend([g0] * (p1 - p0))
    return match, inserted_at


def sentence_start_positions(target: str) -> list[int]:
    """Indexes (in `target.split()`) of the first word of each line and of each word after a
    `.`, `!` or `?` token: the words a sentence-start count looks at."""
    starts: list[int] = []
    index = 0
    for line in target.split("\n"):
        pending = True
        for token in line.split():
            if token in SENTENCE_END:
                pending = True
            elif pending and _has_letter(token):
                starts.append(index)
                pending = False
            index += 1
    return starts


def casing_counts(prediction: str, target: str) -> CasingCounts:
    """Counts for one record (see the module docstring for the definition)."""
    predicted, gold = prediction.split(), target.split()
    match, inserted_at = _align(predicted, gold)
    ok = [m is not None and predicted[m] == g for m, g in zip(match, gold, strict=True)]
    is_word = [_has_letter(g) for g in gold]
    spans = sentence_spans(gold)
    sentences_exact = sum(all(ok[a:b]) and not any(a < i < b for i in inserted_at) for a, b in spans)
    matched = sum(m is not None for m in match)
    starts = sentence_start_positions(target)
    return CasingCounts(
        tokens=len(gold),
        tokens_correct=sum(ok),
        words=sum(is_word),
        correct=sum(o for o, word in zip(ok, is_word, strict=True) if word),
        gold_cased=sum(_has_upper(g) for g in gold),
        predicted_cased=sum(_has_upper(p) for p in predicted),
        cased_correct=sum(o and _has_upper(g) for o, g in zip(ok, gold, strict=True)),
        sentences=len(spans),
        sentences_exact=sentences_exact,
        records=1,
        records_exact=int(predicted == gold),
        changed_records=int(matched != len(gold) or matched != len(predicted)),
        sentence_starts=len(starts),
        sentence_starts_correct=sum(ok[i] for i in starts),
    )


@dataclass(frozen=True)
class CasingScores:
    """Micro-averaged scores; a rate is None when its denominator is 0."""

    accuracy: float | None
    token_accuracy: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    sentence_exact: float | None
    record_exact: float | None
    changed_records: int
    records: int
    words: int
    tokens: int
    sentence_start_accuracy: float | None = None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def casing_scores(total: CasingCounts) -> CasingScores:
    """Rates from summed counts."""
    return CasingScores(
        accuracy=_ratio(total.correct, total.words),
        token_accuracy=_ratio(total.tokens_correct, total.tokens),
        precision=_ratio(total.cased_correct, total.predicted_cased),
        recall=_ratio(total.cased_correct, total.gold_cased),
        f1=_ratio(2 * total.cased_correct, total.predicted_cased + total.gold_cased),
        sentence_exact=_ratio(total.sentences_exact, total.sentences),
        record_exact=_ratio(total.records_exact, total.records),
        changed_records=total.changed_records,
        records=total.records,
        words=total.words,
        tokens=total.tokens,
        sentence_start_accuracy=_ratio(total.sentence_starts_correct, total.sentence_starts),
    )


def aggregate_casing(counts: Iterable[CasingCounts]) -> CasingScores:
    """Scores of the records together (counts summed, then divided)."""
    return casing_scores(sum(counts, CasingCounts()))


INTERVAL_METRICS = ("accuracy", "token_accuracy", "f1", "sentence_exact", "record_exact")


def casing_intervals(
    counts: Sequence[CasingCounts], *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> dict[str, Interval]:
    """Percentile-bootstrap intervals (records resampled, seeded) for `INTERVAL_METRICS`."""
    if not counts:
        return {}
    names = [f.name for f in fields(CasingCounts)]
    table = np.array([astuple(c) for c in counts], dtype=float)
    sums = table[bootstrap_indices(len(counts), resamples, seed)].sum(axis=1)
    col = {name: sums[:, i] for i, name in enumerate(names)}
    samples = {
        "accuracy": (col["correct"], col["words"]),
        "token_accuracy": (col["tokens_correct"], col["tokens"]),
        "f1": (2 * col["cased_correct"], col["predicted_cased"] + col["gold_cased"]),
        "sentence_exact": (col["sentences_exact"], col["sentences"]),
        "record_exact": (col["records_exact"], col["records"]),
    }
    point = aggregate_casing(counts)
    intervals = {}
    for name, (numerator, denominator) in samples.items():
        value = getattr(point, name)
        if value is None:
            continue
        boot = numerator[denominator > 0] / denominator[denominator > 0]
        low, high = percentile_interval(boot, confidence)
        intervals[name] = Interval(mean=value, low=low, high=high, n=len(counts))
    return intervals


def describe_casing_metric() -> dict[str, str]:
    """The definition in a few lines, for the settings section of every report."""
    return {
        "tokens": "whitespace split of prediction and target, aligned by lowercased form "
        "(position by position, else difflib.SequenceMatcher)",
        "word": "a target token with a letter (punctuation and numbers cannot be wrong)",
        "accuracy": "words predicted exactly (case-sensitive) / words; token accuracy: the same over all tokens",
        "cased-word P/R/F1": "hits = gold words with an uppercase letter predicted exactly; "
        "P = hits / predicted tokens with an uppercase letter, R = hits / gold such words",
        "sentence exact": "target sentences (split after . ! ? tokens) predicted exactly, nothing inserted",
        "sentence-start accuracy": "first words of lines and words after . ! ? tokens predicted exactly",
        "record exact": "records whose tokens equal the target's",
        "changed records": "a token differs other than by case, or tokens were inserted or dropped "
        "(each such token counts as wrong; the record is not reverted or zeroed)",
        "aggregation": "micro (counts summed over records); intervals: percentile bootstrap over records",
    }
