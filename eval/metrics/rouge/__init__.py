"""Per-document ROUGE-1/2/L/Lsum through the local `evaluate` module in this directory.

    from eval.metrics.rouge import RougeSettings, rouge_scores
    scores = rouge_scores(predictions, references, RougeSettings(references="all"))

Settings that matter and are always reported: rouge-score's default tokenizer (lowercase,
`[a-z0-9]` runs only, so it is blind to casing and drops non-ASCII letters), Porter stemming,
ROUGE-Lsum over sentences from `summarizer.text.sentences.split_sentences` joined with newlines, and
single (first) or multi-reference (max over references) scoring. Scores are F-measures in [0, 1].
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Literal

from summarizer.text.sentences import split_sentences

__all__ = ["ROUGE_KEYS", "RougeScore", "RougeSettings", "load_rouge_module", "rouge_scores"]

MODULE_DIR = Path(__file__).resolve().parent
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL", "rougeLsum")


@dataclass(frozen=True)
class RougeSettings:
    stemmer: bool = True
    references: Literal["first", "all"] = "first"

    def __post_init__(self) -> None:
        if self.references not in ("first", "all"):
            raise ValueError(f"references must be 'first' or 'all', got {self.references!r}")

    def describe(self) -> dict:
        return {
            "scorer": f"rouge-score {version('rouge-score')} via evaluate {version('evaluate')} "
            "(local module eval/metrics/rouge)",
            "tokenizer": "rouge-score default: lowercase, [a-z0-9]+ tokens (casing and non-ASCII letters ignored)",
            "stemmer": "Porter (nltk), tokens longer than 3 characters" if self.stemmer else "none",
            "lsum_sentences": "ROUGE-Lsum: summary-level LCS over sentences from "
            "summarizer.text.sentences.split_sentences, joined with newlines before scoring",
            "rougeL": "rouge-score's rougeL: one LCS over the whole text, newlines ignored (not rougeLsum)",
            "references": "first reference only"
            if self.references == "first"
            else "all references, max F per ROUGE type",
            "measure": "F-measure, mean over documents, x100 in reports",
        }


@dataclass(frozen=True)
class RougeScore:
    """F-measures in [0, 1] for one document."""

    rouge1: float
    rouge2: float
    rougeL: float
    rougeLsum: float

    @property
    def mean(self) -> float:
        """Mean of ROUGE-1, ROUGE-2 and ROUGE-Lsum: the single number leaderboards sort by."""
        return (self.rouge1 + self.rouge2 + self.rougeLsum) / 3.0


@functools.cache
def load_rouge_module():
    """The local evaluate module, loaded once per process (no hub access)."""
    import evaluate

    return evaluate.load(str(MODULE_DIR))


def sentence_lines(text: str, split: Callable[[str], list[str]] = split_sentences) -> str:
    """One sentence per line, as ROUGE-Lsum expects."""
    return "\n".join(split(text))


def rouge_scores(
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    settings: RougeSettings | None = None,
    *,
    split: Callable[[str], list[str]] = split_sentences,
) -> list[RougeScore]:
    """Score each prediction against its references (a list of one or more strings)."""
    if isinstance(predictions, str) or isinstance(references, str):
        raise TypeError("predictions and references must be sequences, one item per document")
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} reference lists")
    for i, refs in enumerate(references):
        if isinstance(refs, str) or len(refs) == 0:
            raise ValueError(f"document {i}: references must be a non-empty list of strings, got {refs!r}")
    for i, prediction in enumerate(predictions):
        if not isinstance(prediction, str):
            raise TypeError(f"prediction {i} is {type(prediction).__name__}, expected str")
    if not predictions:
        return []
    settings = settings or RougeSettings()
    refs = [list(r[:1]) if settings.references == "first" else list(r) for r in references]
    result = load_rouge_module().compute(
        predictions=[sentence_lines(p, split) for p in predictions],
        references=[[sentence_lines(r, split) for r in rs] for rs in refs],
        rouge_types=list(ROUGE_KEYS),
        use_stemmer=settings.stemmer,
        multi_reference="max",
    )
    return [RougeScore(*values) for values in zip(*(result[key] for key in ROUGE_KEYS), strict=True)]
