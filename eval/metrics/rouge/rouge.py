"""ROUGE as a local `evaluate` metric module, returning per-document scores.

Load it offline with `evaluate.load("eval/metrics/rouge")` (the directory) or with the path of
this file. It wraps `rouge_score.rouge_scorer.RougeScorer` (Google's reimplementation of
Lin 2004: lowercase, keep `[a-z0-9]` runs, optional Porter stemming of tokens longer than three
characters). ROUGE-Lsum treats newlines as sentence boundaries: split sentences before calling.

The module is self-contained (evaluate copies it into its cache), so it imports nothing from
this project.
"""

import datasets
import evaluate
from rouge_score import rouge_scorer

_DESCRIPTION = """Per-document ROUGE F-measure (and optionally precision and recall) with
single-reference or multi-reference (maximum over references, per ROUGE type) scoring."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of strings, one per document.
    references: list of strings, or list of lists of strings (one or more references each).
    rouge_types: ROUGE types, default ["rouge1", "rouge2", "rougeL", "rougeLsum"].
    use_stemmer: Porter-stem tokens longer than three characters (default True).
    multi_reference: "max" (best reference per ROUGE type, as `score_multi`) or "first".
    use_aggregator: if True, return the mean F-measure per type instead of per-document lists.
    measures: which of "fmeasure", "precision", "recall" to return (default ["fmeasure"]).
Returns:
    {rouge_type: [f per document]} and, for other measures, {f"{rouge_type}_{measure}": [...]}.
"""

_CITATION = """@inproceedings{lin-2004-rouge,
  title = "{ROUGE}: A Package for Automatic Evaluation of Summaries",
  author = "Lin, Chin-Yew", booktitle = "Text Summarization Branches Out", year = "2004"}"""

_DEFAULT_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


class Rouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=[
                datasets.Features(
                    {
                        "predictions": datasets.Value("string"),
                        "references": datasets.Sequence(datasets.Value("string")),
                    }
                ),
                datasets.Features(
                    {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
                ),
            ],
            codebase_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
        )

    def _compute(
        self,
        predictions,
        references,
        rouge_types=None,
        use_stemmer=True,
        multi_reference="max",
        use_aggregator=False,
        measures=("fmeasure",),
    ):
        rouge_types = list(rouge_types or _DEFAULT_TYPES)
        if multi_reference not in ("max", "first"):
            raise ValueError(f"multi_reference must be 'max' or 'first', got {multi_reference!r}")
        unknown = set(measures) - {"fmeasure", "precision", "recall"}
        if unknown:
            raise ValueError(f"unknown measures {sorted(unknown)}")
        scorer = rouge_scorer.RougeScorer(rouge_types=rouge_types, use_stemmer=use_stemmer)
        columns = {self._key(t, m): [] for t in rouge_types for m in measures}
        for prediction, refs in zip(predictions, references, strict=True):
            if isinstance(refs, str):
                refs = [refs]
            if not refs:
                raise ValueError("every prediction needs at least one reference")
            if multi_reference == "first":
                refs = refs[:1]
            per_reference = [scorer.score(ref, prediction) for ref in refs]
            for rouge_type in rouge_types:
                best = max(per_reference, key=lambda scores, t=rouge_type: scores[t].fmeasure)[rouge_type]
                for measure in measures:
                    columns[self._key(rouge_type, measure)].append(float(getattr(best, measure)))
        if use_aggregator:
            return {key: (sum(values) / len(values) if values else 0.0) for key, values in columns.items()}
        return columns

    @staticmethod
    def _key(rouge_type, measure):
        return rouge_type if measure == "fmeasure" else f"{rouge_type}_{measure}"
