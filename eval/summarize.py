"""Score summarization systems against references and against published systems, with intervals.

    python -m eval summarize --data summarization/realsumm.jsonl --out runs/eval/realsumm
    python -m eval summarize --data summarization/frank.jsonl --split test --dataset cnndm \
        --system mine=preds.jsonl --out runs/eval/frank-cnndm
    python -m eval summarize --data summarization/sumllm_cnndm_test.jsonl --model default \
        --style highlights --out runs/eval/sumllm
    python -m eval summarize --data articles.csv --text_column article --summary_column reference \
        --system mine=test.hypo --out runs/eval/mine          # your own data and summaries
    python -m eval summarize --dataset_name cnn_dailymail --dataset_config 3.0.0 --split test \
        --system mine=test.hypo --out runs/eval/cnndm         # through `datasets` (hub, if reachable)
    python -m eval summarize run.json        # the same flags as one JSON object

Data: the project's JSONL, any `.csv`/`.tsv`/`.json`/`.jsonl`/`.parquet` file or `save_to_disk`
folder, or a dataset by name (`eval.sources`), with column mapping as in transformers'
`run_summarization.py` (several references: a list column, or several `--summary_column`s).

Systems on one leaderboard, all on the same documents:
- ours: `--system NAME=PREDICTIONS` files (JSONL `{"id", "summary"}`, plain text one summary a
  line in data order such as fairseq's `test.hypo`, or `TABLE.csv:COLUMN`; see `eval.data`) and
  `--model` (predictions are written first to OUT/predictions/NAME.jsonl and resumed after a crash);
- baselines computed here: Lead-1, Lead-3 and TextRank (3 sentences, 1 on XSum);
- peers: every published system in the data file's `systems` that covers all documents.

Writes OUT/metrics.json (machine-readable: settings, versions, data hash, per-system scores,
pairwise tests), OUT/per_document.jsonl, OUT/report.md and PNG plots, and OUT/config.json.
The same numbers from Python: `eval.score(predictions, references)` (eval/api.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
from tqdm.auto import tqdm

from eval.baselines import lead, textrank
from eval.casing_baselines import TruecaseBaseline
from eval.config import (
    BootstrapArguments,
    ModelArguments,
    OutputArguments,
    SourceArguments,
    config_dict,
    parse_arguments,
    parse_system_specs,
)
from eval.data import (
    Document,
    SummaryColumns,
    align_predictions,
    predict_to_file,
    read_documents,
    read_system_outputs,
)
from eval.leaderboard import (
    SORT_KEY,
    Comparison,
    Mean,
    PrecisionMean,
    SystemResult,
    system_results,
    versus,
)
from eval.metrics.faithfulness import Precision, entity_precision, extract_entities, number_precision
from eval.metrics.rouge import ROUGE_KEYS, RougeScore, RougeSettings, rouge_scores
from eval.metrics.stats import Interval, bootstrap_interval, paired_test
from eval.metrics.text_stats import TextStats, text_stats, words
from eval.report import (
    interval_dict,
    software_versions,
    write_json,
    write_jsonl,
)
from eval.summarize_report import plots, render_report
from summarizer.text.sentences import split_sentences

__all__ = ["SummarizeArguments", "System", "evaluate_systems", "main"]

logger = logging.getLogger(__name__)

PredictFn = Callable[[list[str]], list[str]]

# Below this many capitalized mid-sentence names per word, a system is taken to write lowercase
# (FRANK's XSum systems, most of its CNN/DM ones, REALSumm's) and is recased before entity
# precision. Cased news summaries have several names per hundred words.
UNCASED_ENTITY_RATE = 0.005
# Datasets on which each faithfulness signal correlates with FRANK's human factuality labels
# (Spearman interval above 0; `python -m eval faithfulness`, numbers in docs/results_eval.md).
# A signal is left out of the report table for data with none of these datasets.
VALIDATED_ON = {"entity_precision": ("cnndm", "xsum"), "number_precision": ("cnndm",)}


@dataclass
class SummarizeArguments(SourceArguments):
    text_column: str | None = field(
        default=None, metadata={"help": "Column of the source text (default: article, document or text)."}
    )
    summary_column: list[str] = field(
        default_factory=list,
        metadata={
            "help": "Reference column(s): a string or list column; several give several references "
            "(default: references, highlights or summary).",
            "nargs": "+",
        },
    )
    dataset: str | None = field(
        default=None, metadata={"help": "Keep records with this `dataset` field (cnndm|xsum)."}
    )
    system: list[str] = field(
        default_factory=list,
        metadata={
            "help": "Our systems as NAME=PREDICTIONS (.jsonl with id/summary, a text file with one summary "
            "a line in data order, or TABLE.csv:COLUMN); repeatable.",
            "action": "extend",
        },
    )
    references: Literal["first", "all"] = field(
        default="first", metadata={"help": "ROUGE against the first reference or the max over all."}
    )
    stemmer: bool = field(default=True, metadata={"help": "Porter stemming in ROUGE."})
    baselines: bool = field(default=True, metadata={"help": "Add Lead-1, Lead-3 and TextRank."})
    peers: bool = field(default=True, metadata={"help": "Add the published systems of the data file."})

    def columns(self) -> SummaryColumns:
        return SummaryColumns(self.text_column, tuple(self.summary_column), self.id_column)


@dataclass(frozen=True)
class System:
    name: str
    kind: Literal["ours", "baseline", "peer"]
    outputs: dict[str, str]
    description: str = ""


@dataclass(frozen=True)
class DocumentScores:
    rouge: RougeScore
    stats: TextStats
    entities: Precision
    numbers: Precision


# ---------------------------------------------------------------------------------------------
# Systems


def model_predict_fn(model: str, style: str, batch_size: int, backend: str = "auto") -> PredictFn:
    """Our model as a list-in, list-out function (loaded once, here, not at import)."""
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(None if model == "default" else model, backend=backend)

    def predict(articles: list[str]) -> list[str]:
        results = summarizer.summarize(articles, style=style, batch_size=batch_size, progress=False)
        return [result.text for result in results]

    return predict


def _model_predictions(
    documents: Sequence[Document], model: ModelArguments, out_dir: Path, predict_fn: PredictFn | None
) -> dict[str, str]:
    path = out_dir / "predictions" / f"{model.model_name}.jsonl"
    meta = {"task": "summarize", "model": model.model, "style": model.style}
    meta_path = path.with_suffix(".meta.json")
    if meta_path.exists() and json.loads(meta_path.read_text()) != meta:
        raise ValueError(
            f"{path} holds predictions of {meta_path.read_text().strip()}, not {meta}; "
            "use another --out or --model_name, or delete the file"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(meta) + "\n")
    if predict_fn is None:
        predict_fn = model_predict_fn(model.model, model.style, model.batch_size, model.backend)
    return predict_to_file(
        path,
        [(d.id, d.article) for d in documents],
        predict_fn,
        text_field="summary",
        chunk_size=model.batch_size * 4,
        desc=f"summarizing ({model.model_name})",
    )


def baseline_systems(documents: Sequence[Document]) -> list[System]:
    def textrank_k(document: Document) -> int:
        return 1 if document.dataset == "xsum" else 3

    return [
        System("lead-1", "baseline", {d.id: lead(d.article, 1) for d in documents}, "first sentence"),
        System("lead-3", "baseline", {d.id: lead(d.article, 3) for d in documents}, "first three sentences"),
        System(
            "textrank",
            "baseline",
            {d.id: textrank(d.article, textrank_k(d)) for d in tqdm(documents, desc="textrank", leave=False)},
            "TextRank over TF-IDF cosine, 3 sentences (1 on XSum)",
        ),
    ]


def peer_systems(documents: Sequence[Document]) -> tuple[list[System], dict[str, str]]:
    """Published systems covering every document, and the reasons others were left out."""
    names = list(dict.fromkeys(name for d in documents for name in d.peers))
    kept, skipped = [], {}
    for name in names:
        covered = sum(name in d.peers for d in documents)
        if covered < len(documents):
            skipped[name] = f"covers {covered} of {len(documents)} documents (filter with --dataset/--split)"
            continue
        kept.append(System(name, "peer", {d.id: d.peers[name] for d in documents}, "published output"))
    return kept, skipped


# ---------------------------------------------------------------------------------------------
# Scoring


def entity_recaser() -> Callable[[str], str]:
    """Restores case of lowercase summaries before names are extracted: truecase per sentence,
    out-of-vocabulary words title-cased (so invented rare names still count as names)."""
    return TruecaseBaseline(oov="title", split=split_sentences)


def writes_lowercase(outputs: Sequence[str]) -> bool:
    """True when the outputs have (almost) no capitalized mid-sentence names."""
    total_words = sum(len(words(text)) for text in outputs)
    names = sum(len(extract_entities(text)) for text in outputs)
    return total_words > 0 and names / total_words < UNCASED_ENTITY_RATE


NO_SOURCE = Precision(0, 0)


def score_system(
    system: System,
    documents: Sequence[Document],
    rouge_settings: RougeSettings,
    recase: Callable[[str], str] | None,
    *,
    with_source: bool = True,
) -> list[DocumentScores]:
    """Per-document scores of `system`, in the order of `documents`. Without the source texts
    (`with_source=False`) only ROUGE and the length are computed."""
    outputs = [system.outputs[d.id] for d in documents]
    rouge = rouge_scores(outputs, [d.references for d in documents], rouge_settings)
    if not with_source:
        return [
            DocumentScores(r, TextStats(len(words(o)), *[None] * 6), NO_SOURCE, NO_SOURCE)
            for r, o in zip(rouge, outputs, strict=True)
        ]
    entity_texts = [recase(text) for text in outputs] if recase is not None else outputs
    return [
        DocumentScores(
            rouge=r,
            stats=text_stats(output, d.article),
            entities=entity_precision(entity_text, d.article),
            numbers=number_precision(output, d.article),
        )
        for r, output, entity_text, d in zip(rouge, outputs, entity_texts, documents, strict=True)
    ]


def _defined_mean(values: Sequence[float | None]) -> Mean:
    defined = [v for v in values if v is not None]
    return Mean(float(np.mean(defined)) if defined else None, len(defined))


def _precision_summary(precisions: Sequence[Precision]) -> PrecisionMean:
    matched = sum(p.matched for p in precisions)
    total = sum(p.total for p in precisions)
    mean = _defined_mean([p.value for p in precisions])
    return PrecisionMean(mean.mean, mean.n, micro=matched / total if total else None, items=total)


def aggregate(system: System, scores: Sequence[DocumentScores], bootstrap: BootstrapArguments,
              entity_casing: str) -> SystemResult:
    """Means with bootstrap intervals (ROUGE x100, length) and means of the other signals."""

    def interval(values: Sequence[float], scale: float = 1.0) -> Interval:
        return Interval(**interval_dict(
            bootstrap_interval(
                values, resamples=bootstrap.resamples, confidence=bootstrap.confidence, seed=bootstrap.seed
            ),
            scale,
        ))

    rouge = {key: interval([getattr(s.rouge, key) for s in scores], 100.0) for key in ROUGE_KEYS}
    rouge["rouge_mean"] = interval([s.rouge.mean for s in scores], 100.0)
    stats_fields = ("compression", "novel_1", "novel_2", "novel_3", "repeated_2", "repeated_3")
    return SystemResult(
        name=system.name,
        kind=system.kind,
        description=system.description,
        rouge=rouge,
        length=interval([s.stats.length for s in scores]),
        abstractiveness={name: _defined_mean([getattr(s.stats, name) for s in scores]) for name in stats_fields},
        faithfulness={
            "entity_precision": _precision_summary([s.entities for s in scores]),
            "number_precision": _precision_summary([s.numbers for s in scores]),
        },
        entity_casing=entity_casing,
    )


def pairwise_tests(per_system: dict[str, np.ndarray], bootstrap: BootstrapArguments) -> list[Comparison]:
    """Paired bootstrap and permutation tests on ROUGE mean (x100) for every pair of systems."""
    names = list(per_system)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            test = paired_test(
                per_system[a] * 100,
                per_system[b] * 100,
                resamples=bootstrap.resamples,
                confidence=bootstrap.confidence,
                seed=bootstrap.seed,
            )
            rows.append(Comparison(a, b, **asdict(test)))
    return rows


def _document_rows(system: System, documents: Sequence[Document], scores: Sequence[DocumentScores]):
    for document, s in zip(documents, scores, strict=True):
        yield {
            "system": system.name,
            "id": document.id,
            **{key: getattr(s.rouge, key) * 100 for key in ROUGE_KEYS},
            "rouge_mean": s.rouge.mean * 100,
            **vars(s.stats),
            "entity_precision": s.entities.value,
            "unsupported_entities": list(s.entities.unsupported),
            "number_precision": s.numbers.value,
            "unsupported_numbers": list(s.numbers.unsupported),
        }


def evaluate_systems(
    systems: Sequence[System],
    documents: Sequence[Document],
    rouge_settings: RougeSettings,
    bootstrap: BootstrapArguments,
    *,
    with_source: bool = True,
) -> tuple[list[SystemResult], list[Comparison], list[dict]]:
    """Score, aggregate and rank; returns (results best first, pairwise tests, per-document rows)."""
    recaser = entity_recaser()
    results, per_document, per_system_mean = [], [], {}
    for system in tqdm(systems, desc="scoring systems", unit="system"):
        lowercase = with_source and writes_lowercase([system.outputs[d.id] for d in documents])
        scores = score_system(
            system, documents, rouge_settings, recaser if lowercase else None, with_source=with_source
        )
        casing = "lowercase output: recased with truecase before extracting names" if lowercase else "as written"
        results.append(aggregate(system, scores, bootstrap, casing))
        per_system_mean[system.name] = np.array([s.rouge.mean for s in scores])
        per_document.extend(_document_rows(system, documents, scores))
    results.sort(key=lambda r: -r.rouge[SORT_KEY].mean)
    best = results[0].name
    pairs = pairwise_tests(per_system_mean, bootstrap)
    return [replace(r, vs_best=versus(pairs, r.name, best)) for r in results], pairs, per_document


# ---------------------------------------------------------------------------------------------
# The leaderboard (shared by the CLI and eval.score)


def _metrics_settings(
    rouge_settings: RougeSettings, bootstrap: BootstrapArguments, with_source: bool
) -> dict:
    return {
        "rouge": rouge_settings.describe(),
        "sort_by": "rouge_mean = mean of ROUGE-1, ROUGE-2, ROUGE-Lsum F (x100)",
        "bootstrap": {
            "resamples": bootstrap.resamples,
            "confidence": bootstrap.confidence,
            "seed": bootstrap.seed,
            "method": "percentile bootstrap over documents; pairs: paired bootstrap + sign-flip permutation",
        },
        "signals": {
            "source texts": "given" if with_source else "not given: ROUGE and length only, no baselines",
            "words": "runs of letters/digits, lowercased (eval.metrics.text_stats.words)",
            "novel/repeated n-grams": "distinct summary n-grams absent from the article / repeated occurrences",
            "entity_precision": "capitalized mid-sentence names found in the article "
            "(eval.metrics.faithfulness; lowercase systems recased with truecase first)",
            "number_precision": "numbers (digits and spelled) whose value occurs in the article",
            "textrank": "3 sentences, 1 on XSum documents",
        },
    }


def _systems(
    documents: Sequence[Document], ours: dict[str, dict[str, str]], baselines: bool, peers: bool
) -> tuple[list[System], dict[str, str]]:
    systems = [System(name, "ours", outputs, "our predictions") for name, outputs in ours.items()]
    if baselines:
        systems += baseline_systems(documents)
    skipped: dict[str, str] = {}
    if peers:
        found, skipped = peer_systems(documents)
        for name, reason in skipped.items():
            logger.warning("published system %r left out: %s", name, reason)
        systems += found
    clashes = {s.name for s in systems if sum(t.name == s.name for t in systems) > 1}
    if clashes:
        raise ValueError(f"system names {sorted(clashes)} are used twice; rename yours")
    if not systems:
        raise ValueError("nothing to score: give --system or --model, or keep baselines/peers on")
    return systems, skipped


def score_leaderboard(
    documents: Sequence[Document],
    ours: dict[str, dict[str, str]],
    *,
    rouge_settings: RougeSettings,
    bootstrap: BootstrapArguments,
    data: dict,
    allow_missing: bool = False,
    baselines: bool = True,
    peers: bool = True,
) -> tuple[dict, list[dict]]:
    """The leaderboard of `ours` (name -> {id: summary}) with baselines and peers on `documents`.

    Returns (metrics, per-document rows): the content of metrics.json and per_document.jsonl.
    `data` describes the data (path, sha256 or fingerprint, filters) for the report."""
    ids = align_predictions([d.id for d in documents], ours, allow_missing=allow_missing)
    kept = set(ids)
    before, documents = len(documents), [d for d in documents if d.id in kept]
    empty = [d.id for d in documents if not d.references]
    if empty:
        raise ValueError(
            f"{len(empty)} documents have no reference (first: {empty[0]!r}); ROUGE needs at least one each"
        )
    with_source = all(d.article.strip() for d in documents)
    if not with_source and baselines:
        logger.warning("no source texts: baselines and source-based signals are left out")
    systems, skipped = _systems(documents, ours, baselines and with_source, peers)
    results, pairs, per_document = evaluate_systems(
        systems, documents, rouge_settings, bootstrap, with_source=with_source
    )
    metrics = {
        "task": "summarize",
        "data": {
            **data,
            "documents": len(documents),
            "documents_before_alignment": before,
            "allow_missing_dropped": before - len(documents),
            "ids": [d.id for d in documents],
        },
        "settings": _metrics_settings(rouge_settings, bootstrap, with_source),
        "versions": software_versions(),
        "systems": [result.to_dict() for result in results],
        "skipped_peers": skipped,
        "faithfulness_validated_on": {k: list(v) for k, v in VALIDATED_ON.items()},
        "datasets": sorted({str(d.dataset) for d in documents}),
        "pairwise": {"metric": "rouge_mean (x100)", "tests": [asdict(pair) for pair in pairs]},
    }
    return metrics, per_document


# ---------------------------------------------------------------------------------------------
# Entry point


def _our_outputs(
    args: SummarizeArguments,
    model: ModelArguments,
    documents: Sequence[Document],
    out_dir: Path,
    predict_fn: PredictFn | None,
) -> dict[str, dict[str, str]]:
    """Prediction files (matched to all filtered documents) and our model's predictions."""
    ids = [d.id for d in documents]
    ours = {
        name: read_system_outputs(
            spec.path, "summary", ids, column=spec.column, allow_missing=args.allow_missing
        )
        for name, spec in parse_system_specs(args.system).items()
    }
    documents = documents[: args.limit] if args.limit else documents
    if model.model is not None:
        if model.model_name in ours:
            raise ValueError(f"--model_name {model.model_name!r} clashes with a --system name")
        ours[model.model_name] = _model_predictions(documents, model, out_dir, predict_fn)
    return ours


def data_description(rows, filters: dict) -> dict:
    """The `data` block of metrics.json for rows loaded by `eval.sources.load_rows`."""
    return {"path": rows.origin, "sha256": rows.sha256, "fingerprint": rows.fingerprint, "filters": filters}


def run(
    args: SummarizeArguments,
    model: ModelArguments,
    bootstrap: BootstrapArguments,
    output: OutputArguments,
    predict_fn: PredictFn | None = None,
) -> dict:
    out_dir = Path(output.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    documents, rows = read_documents(args.source(), args.columns(), dataset=args.dataset)
    logger.info("%d documents from %s", len(documents), rows.origin)
    ours = _our_outputs(args, model, documents, out_dir, predict_fn)
    documents = documents[: args.limit] if args.limit else documents
    filters = {"split": args.split, "dataset": args.dataset, "limit": args.limit}
    metrics, per_document = score_leaderboard(
        documents,
        ours,
        rouge_settings=RougeSettings(stemmer=args.stemmer, references=args.references),
        bootstrap=bootstrap,
        data=data_description(rows, filters),
        allow_missing=args.allow_missing,
        baselines=args.baselines,
        peers=args.peers,
    )
    write_json(out_dir / "metrics.json", metrics)
    write_jsonl(out_dir / "per_document.jsonl", per_document)
    write_json(
        out_dir / "config.json", {"command": "summarize", **config_dict(args, model, bootstrap, output)}
    )
    plot_files = plots(system_results(metrics), per_document, out_dir) if output.plots else []
    (out_dir / "report.md").write_text(render_report(metrics, plot_files), encoding="utf-8")
    logger.info("wrote %s", out_dir / "report.md")
    return metrics


def main(argv: Sequence[str] | None = None, *, predict_fn: PredictFn | None = None) -> dict:
    """Parse flags (or one JSON file) and run. `predict_fn` stands in for `--model` in tests."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("absl").setLevel(logging.WARNING)  # rouge-score logs once per scorer
    args, model, bootstrap, output = parse_arguments(
        (SummarizeArguments, ModelArguments, BootstrapArguments, OutputArguments),
        argv,
        "python -m eval summarize",
    )
    return run(args, model, bootstrap, output, predict_fn=predict_fn)


if __name__ == "__main__":
    main()
