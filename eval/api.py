"""`eval.score`: the summarization leaderboard from Python, with the CLI's numbers.

    import eval
    report = eval.score("test.hypo", "articles.csv", summary_column="reference")
    print(report.to_markdown())            # leaderboard with intervals, comparisons, settings
    report.to_csv("leaderboard.csv")       # one row per system
    report.systems[0].rouge["rouge1"]      # Interval(mean, low, high, n), x100
    report.to_dict()["systems"]            # the same, as in metrics.json

    # or in memory, several systems at once, several references per document
    report = eval.score({"a": summaries_a, "b": summaries_b}, [[ref1, ref2], [ref3]], articles=articles)

The same code path as `python -m eval summarize` (`eval.summarize.score_leaderboard`): the same
ROUGE settings, bootstrap intervals, paired tests, baselines and published systems.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from eval.config import BootstrapArguments
from eval.data import Document, SummaryColumns, read_documents, read_system_outputs
from eval.leaderboard import SystemResult, leaderboard_rows, system_results
from eval.metrics.rouge import ROUGE_KEYS, RougeSettings
from eval.sources import Source
from eval.summarize import data_description, score_leaderboard
from eval.summarize_report import render_report

__all__ = ["Report", "score"]

PathLike = str | os.PathLike
FILE_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".parquet")


@dataclass(frozen=True)
class Report:
    """A scored leaderboard: `metrics` is what the CLI writes to metrics.json."""

    metrics: dict
    per_document: list[dict] = field(default_factory=list, repr=False)

    @property
    def systems(self) -> list[SystemResult]:
        """One typed result per system, best first (`eval.leaderboard.SystemResult`)."""
        return system_results(self.metrics)

    def to_dict(self) -> dict:
        """A JSON-safe copy of the metrics (settings, versions, data, systems, pairwise tests)."""
        return json.loads(json.dumps(self.metrics, default=str))

    def to_markdown(self) -> str:
        """The CLI's report.md, without the plots."""
        return render_report(self.metrics, [])

    def rows(self) -> list[dict]:
        """One flat dict per system: rank, name, kind, each ROUGE mean/low/high (x100), length."""
        rows = []
        for board_row in leaderboard_rows(self.metrics):
            system, test = board_row.system, board_row.vs_best
            row: dict[str, Any] = {"rank": board_row.rank, "system": system.name, "kind": system.kind}
            for key in (*ROUGE_KEYS, "rouge_mean"):
                for part in ("mean", "low", "high"):
                    row[f"{key}_{part}"] = getattr(system.rouge[key], part)
            row["length"] = system.length.mean
            row["delta_vs_best"] = None if test is None else test.delta
            row["p_vs_best"] = None if test is None else test.p_permutation
            rows.append(row)
        return rows

    def to_csv(self, path: PathLike | None = None) -> str:
        """The leaderboard as CSV (`rows()`); also written to `path` when given."""
        rows = self.rows()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        if path is not None:
            Path(path).write_text(buffer.getvalue(), encoding="utf-8")
        return buffer.getvalue()


def _documents_in_memory(
    references: Sequence[str | Sequence[str]], articles: Sequence[str] | None, ids: Sequence[str] | None
) -> list[Document]:
    if articles is not None and len(articles) != len(references):
        raise ValueError(f"{len(articles)} articles but {len(references)} references")
    ids = [str(i) for i in (ids if ids is not None else range(len(references)))]
    if len(ids) != len(references) or len(set(ids)) != len(ids):
        raise ValueError("ids must be unique, one per reference")
    documents = []
    for i, (key, refs) in enumerate(zip(ids, references, strict=True)):
        refs = (refs,) if isinstance(refs, str) else tuple(refs)
        if not all(isinstance(r, str) for r in refs):
            raise TypeError(f"references[{i}] must be a string or a list of strings")
        documents.append(Document(key, articles[i] if articles is not None else "", refs))
    return documents


def _predictions(predictions: Any, ids: list[str], allow_missing: bool) -> dict[str, dict[str, str]]:
    """name -> {id: summary} from a list, a path, or a mapping of names to lists or paths."""
    if isinstance(predictions, str | os.PathLike):
        predictions = {Path(predictions).stem: predictions}
    elif not isinstance(predictions, Mapping):
        predictions = {"system": predictions}
    systems = {}
    for name, value in predictions.items():
        if isinstance(value, str | os.PathLike):
            systems[name] = read_system_outputs(value, "summary", ids, allow_missing=allow_missing)
        elif isinstance(value, Mapping):
            systems[name] = {str(k): v for k, v in value.items()}
        else:
            values = list(value)
            if len(values) != len(ids) and not (allow_missing and len(values) < len(ids)):
                raise ValueError(f"system {name!r} has {len(values)} predictions for {len(ids)} documents")
            systems[name] = dict(zip(ids, values, strict=False))
        if not all(isinstance(v, str) for v in systems[name].values()):
            raise TypeError(f"system {name!r}: predictions must be strings")
    return systems


def score(
    predictions: Any,
    references: Any,
    *,
    articles: Sequence[str] | None = None,
    ids: Sequence[str] | None = None,
    text_column: str | None = None,
    summary_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    split: str | None = None,
    dataset_config: str | None = None,
    use_references: Literal["first", "all"] = "first",
    stemmer: bool = True,
    baselines: bool = True,
    peers: bool = True,
    allow_missing: bool = False,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Report:
    """Score summaries against references: ROUGE-1/2/L/Lsum with bootstrap intervals and paired tests.

    `predictions`: one system's summaries (a list in document order, or a prediction file: JSONL
    `{"id", "summary"}`, one summary a line, `.csv`/`.parquet` with a `summary` column), or a dict
    of system name -> such a list, `{id: summary}` dict or file.
    `references`: a list with one reference (str) or several (list of str) per document (then
    `articles` optionally gives the sources, for baselines and the source-based signals), or
    data to load: a path (`.csv`/`.jsonl`/`.json`/`.parquet` file, `save_to_disk` folder, or a
    dataset name with `dataset_config`), a `datasets.Dataset`, or a list of dicts, read with the
    column mapping (`text_column`, `summary_column`, `id_column`) and `split` as in the CLI.
    `use_references`: "first" reference, or "all" (max over references per ROUGE type).
    """
    bootstrap = BootstrapArguments(resamples=resamples, confidence=confidence, seed=seed)
    if (
        isinstance(references, Sequence)
        and not isinstance(references, str)
        and (not references or not isinstance(references[0], Mapping))
    ):
        documents = _documents_in_memory(references, articles, ids)
        data = {"path": "references given in Python", "sha256": None, "fingerprint": None, "filters": {}}
    else:
        columns = SummaryColumns(
            text_column,
            (summary_column,) if isinstance(summary_column, str) else tuple(summary_column or ()),
            id_column,
        )
        documents, rows = read_documents(_as_source(references, split, dataset_config), columns)
        data = data_description(rows, {"split": split})
    ours = _predictions(predictions, [d.id for d in documents], allow_missing)
    metrics, per_document = score_leaderboard(
        documents,
        ours,
        rouge_settings=RougeSettings(stemmer=stemmer, references=use_references),
        bootstrap=bootstrap,
        data=data,
        allow_missing=allow_missing,
        baselines=baselines,
        peers=peers,
    )
    return Report(metrics, per_document)


def _as_source(references: Any, split: str | None, dataset_config: str | None) -> Any:
    if isinstance(references, os.PathLike) or (isinstance(references, str) and Path(references).exists()):
        return Source(data=str(references), split=split)
    if isinstance(references, str):
        from summarizer.paths import data_root

        if (data_root() / references).exists() or Path(references).suffix.lower() in FILE_SUFFIXES:
            return Source(data=references, split=split)
        return Source(dataset_name=references, dataset_config=dataset_config, split=split)
    if split is not None and hasattr(references, "keys"):  # a DatasetDict
        return references[split]
    return references
