"""Score the model being trained on the dev sets, through the library's public methods.

Summaries come from `Summarizer.summarize` and are scored with the project's metrics: ROUGE-1/2/
Lsum (`eval.metrics.rouge`: rouge-score tokenizer, Porter stemming, multi-reference max) and
entity and number precision against the article (`eval.metrics.faithfulness`, micro-averaged
over distinct items). Casing comes from `Summarizer.normalize(detokenize=False)` with the model's own method (see
`casing_method`) and is scored with the case-sensitive cased-word F1 of `eval.metrics.casing`.

Each task has one primary score (summaries: mean of ROUGE-1, ROUGE-2 and ROUGE-Lsum; casing:
cased-word F1); the run's score is their unweighted mean, the number keep-best maximizes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from summarizer import Summarizer
from training.data import DevItem

__all__ = ["DevScores", "TaskScores", "casing_method", "evaluate_dev"]


@dataclass(frozen=True)
class TaskScores:
    task: str
    kind: str
    examples: int
    score: float
    metrics: dict[str, float | int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class DevScores:
    score: float
    tasks: dict[str, TaskScores]

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "tasks": {
                name: {"score": t.score, "examples": t.examples, **t.metrics}
                for name, t in self.tasks.items()
            },
        }


def _micro(precisions) -> float | None:
    total = sum(p.total for p in precisions)
    return sum(p.matched for p in precisions) / total if total else None


def _score_summaries(summarizer: Summarizer, items: Sequence[DevItem], batch_size: int) -> TaskScores:
    from eval.metrics.faithfulness import entity_precision, number_precision
    from eval.metrics.rouge import RougeSettings, rouge_scores

    style = items[0].style
    assert style is not None and all(item.style == style for item in items)
    outputs = summarizer.summarize([item.source for item in items], style=style, batch_size=batch_size)
    texts = [output.text for output in outputs]
    rouge = rouge_scores(texts, [list(item.references) for item in items], RougeSettings(references="all"))
    n = len(items)
    metrics: dict[str, float | int | None] = {
        "rouge1": sum(r.rouge1 for r in rouge) / n,
        "rouge2": sum(r.rouge2 for r in rouge) / n,
        "rougeLsum": sum(r.rougeLsum for r in rouge) / n,
        "entity_precision": _micro(
            [entity_precision(t, item.source) for t, item in zip(texts, items, strict=True)]
        ),
        "number_precision": _micro(
            [number_precision(t, item.source) for t, item in zip(texts, items, strict=True)]
        ),
        "mean_words": sum(len(t.split()) for t in texts) / n,
        "empty": sum(not t.strip() for t in texts),
    }
    return TaskScores(items[0].task, "summary", n, sum(r.mean for r in rouge) / n, metrics)


def casing_method() -> str:
    """The library's case restoration by the model itself: constrained generation ("generate")
    where the library offers it apart from "model", else "model"."""
    from summarizer.config import NORMALIZE_METHODS

    return "generate" if "generate" in NORMALIZE_METHODS else "model"


def _score_casing(summarizer: Summarizer, items: Sequence[DevItem], batch_size: int) -> TaskScores:
    from eval.metrics.casing import aggregate_casing, casing_counts

    outputs = summarizer.normalize(
        [item.source for item in items], method=casing_method(), detokenize=False, batch_size=batch_size
    )
    scores = aggregate_casing(
        [casing_counts(output.cased, item.references[0]) for output, item in zip(outputs, items, strict=True)]
    )
    metrics: dict[str, float | int | None] = {
        "casing_f1": scores.f1,
        "casing_precision": scores.precision,
        "casing_recall": scores.recall,
        "word_accuracy": scores.accuracy,
        "token_accuracy": scores.token_accuracy,
        "sentence_exact": scores.sentence_exact,
        "record_exact": scores.record_exact,
        "changed_records": scores.changed_records,
    }
    return TaskScores(items[0].task, "casing", len(items), scores.f1 or 0.0, metrics)


def evaluate_dev(
    summarizer: Summarizer, dev_sets: Mapping[str, Sequence[DevItem]], batch_size: int = 8
) -> DevScores:
    """Score every non-empty dev set with `summarizer` (the model being trained, in eval mode)."""
    tasks: dict[str, TaskScores] = {}
    for name, items in dev_sets.items():
        if not items:
            continue
        score = _score_casing if items[0].kind == "casing" else _score_summaries
        tasks[name] = score(summarizer, items, batch_size)
    if not tasks:
        raise ValueError("no dev examples to score")
    return DevScores(sum(t.score for t in tasks.values()) / len(tasks), tasks)
