"""Score summarization systems against references and against published systems, with intervals.

    python -m eval summarize --data summarization/realsumm.jsonl --out runs/eval/realsumm
    python -m eval summarize --data summarization/frank.jsonl --split test --dataset cnndm \
        --system mine=preds.jsonl --out runs/eval/frank-cnndm
    python -m eval summarize --data summarization/sumllm_cnndm_test.jsonl --model default \
        --style highlights --out runs/eval/sumllm
    python -m eval summarize run.json        # the same flags as one JSON object

Systems on one leaderboard, all on the same documents:
- ours: `--system NAME=PRED.jsonl` files (`{"id": ..., "summary": ...}` lines) and `--model`
  (predictions are written first to OUT/predictions/NAME.jsonl and resumed after a crash);
- baselines computed here: Lead-1, Lead-3 and TextRank (3 sentences, 1 on XSum);
- peers: every published system in the data file's `systems` that covers all documents.

Writes OUT/metrics.json (machine-readable: settings, versions, data hash, per-system scores,
pairwise tests), OUT/per_document.jsonl, OUT/report.md and PNG plots, and OUT/config.json.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    config_dict,
    parse_arguments,
    parse_system_specs,
)
from eval.data import (
    Document,
    align_predictions,
    load_documents,
    predict_to_file,
    read_predictions,
    resolve_data_path,
)
from eval.metrics.faithfulness import Precision, entity_precision, extract_entities, number_precision
from eval.metrics.rouge import ROUGE_KEYS, RougeScore, RougeSettings, rouge_scores
from eval.metrics.stats import bootstrap_interval, paired_test
from eval.metrics.text_stats import TextStats, text_stats, words
from eval.report import (
    file_sha256,
    format_interval,
    format_number,
    interval_dict,
    markdown_table,
    software_versions,
    write_json,
    write_jsonl,
)
from summarizer.text.sentences import split_sentences

__all__ = ["SummarizeArguments", "System", "evaluate_systems", "main"]

logger = logging.getLogger(__name__)

PredictFn = Callable[[list[str]], list[str]]

SORT_KEY = "rouge_mean"
ROUGE_LABELS = {
    "rouge1": "R-1",
    "rouge2": "R-2",
    "rougeL": "R-L",
    "rougeLsum": "R-Lsum",
    "rouge_mean": "mean",
}
# Below this many capitalized mid-sentence names per word, a system is taken to write lowercase
# (FRANK's XSum systems, most of its CNN/DM ones, REALSumm's) and is recased before entity
# precision. Cased news summaries have several names per hundred words.
UNCASED_ENTITY_RATE = 0.005
# Datasets on which each faithfulness signal correlates with FRANK's human factuality labels
# (Spearman interval above 0; `python -m eval faithfulness`, numbers in docs/results_eval.md).
# A signal is left out of the report table for data with none of these datasets.
VALIDATED_ON = {"entity_precision": ("cnndm", "xsum"), "number_precision": ("cnndm",)}


@dataclass
class SummarizeArguments:
    data: str = field(metadata={"help": "Summarization jsonl (path, or relative to the data root)."})
    split: str | None = field(default=None, metadata={"help": "Keep records with this `split`."})
    dataset: str | None = field(
        default=None, metadata={"help": "Keep records with this `dataset` (cnndm|xsum)."}
    )
    limit: int | None = field(
        default=None, metadata={"help": "Score only the first N records after filters."}
    )
    system: list[str] = field(
        default_factory=list,
        metadata={"help": "Our systems as NAME=PREDICTIONS.jsonl (repeatable).", "action": "extend"},
    )
    allow_missing: bool = field(
        default=False, metadata={"help": "Score only the documents every system of ours covers."}
    )
    references: Literal["first", "all"] = field(
        default="first", metadata={"help": "ROUGE against the first reference or the max over all."}
    )
    stemmer: bool = field(default=True, metadata={"help": "Porter stemming in ROUGE."})
    baselines: bool = field(default=True, metadata={"help": "Add Lead-1, Lead-3 and TextRank."})
    peers: bool = field(default=True, metadata={"help": "Add the published systems of the data file."})

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"--limit must be >= 1, got {self.limit}")


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


def model_predict_fn(model: str, style: str, batch_size: int) -> PredictFn:
    """Our model as a list-in, list-out function (loaded once, here, not at import)."""
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(None if model == "default" else model)

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
        predict_fn = model_predict_fn(model.model, model.style, model.batch_size)
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


def score_system(
    system: System,
    documents: Sequence[Document],
    rouge_settings: RougeSettings,
    recase: Callable[[str], str] | None,
) -> list[DocumentScores]:
    """Per-document scores of `system`, in the order of `documents`."""
    outputs = [system.outputs[d.id] for d in documents]
    rouge = rouge_scores(outputs, [d.references for d in documents], rouge_settings)
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


def _defined_mean(values: Sequence[float | None]) -> dict:
    defined = [v for v in values if v is not None]
    return {"mean": float(np.mean(defined)) if defined else None, "n": len(defined)}


def _precision_summary(precisions: Sequence[Precision]) -> dict:
    matched = sum(p.matched for p in precisions)
    total = sum(p.total for p in precisions)
    summary = _defined_mean([p.value for p in precisions])
    summary["micro"] = matched / total if total else None
    summary["items"] = total
    return summary


def aggregate(scores: Sequence[DocumentScores], bootstrap: BootstrapArguments) -> dict:
    """Means with bootstrap intervals (ROUGE x100, length) and means of the other signals."""

    def interval(values: Sequence[float], scale: float = 1.0) -> dict:
        return interval_dict(
            bootstrap_interval(
                values, resamples=bootstrap.resamples, confidence=bootstrap.confidence, seed=bootstrap.seed
            ),
            scale,
        )

    rouge = {key: interval([getattr(s.rouge, key) for s in scores], 100.0) for key in ROUGE_KEYS}
    rouge["rouge_mean"] = interval([s.rouge.mean for s in scores], 100.0)
    stats_fields = ("compression", "novel_1", "novel_2", "novel_3", "repeated_2", "repeated_3")
    return {
        "rouge": rouge,
        "length": interval([s.stats.length for s in scores]),
        "abstractiveness": {
            name: _defined_mean([getattr(s.stats, name) for s in scores]) for name in stats_fields
        },
        "faithfulness": {
            "entity_precision": _precision_summary([s.entities for s in scores]),
            "number_precision": _precision_summary([s.numbers for s in scores]),
        },
    }


def pairwise_tests(per_system: dict[str, np.ndarray], bootstrap: BootstrapArguments) -> list[dict]:
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
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "delta": test.delta,
                    "low": test.low,
                    "high": test.high,
                    "p_bootstrap": test.p_bootstrap,
                    "p_permutation": test.p_permutation,
                    "n": test.n,
                }
            )
    return rows


def evaluate_systems(
    systems: Sequence[System],
    documents: Sequence[Document],
    rouge_settings: RougeSettings,
    bootstrap: BootstrapArguments,
) -> tuple[list[dict], list[dict], list[dict]]:
    """Score, aggregate and rank; returns (leaderboard rows, pairwise tests, per-document rows)."""
    recaser = entity_recaser()
    results, per_document, per_system_mean = [], [], {}
    for system in tqdm(systems, desc="scoring systems", unit="system"):
        lowercase = writes_lowercase([system.outputs[d.id] for d in documents])
        scores = score_system(system, documents, rouge_settings, recaser if lowercase else None)
        summary = aggregate(scores, bootstrap)
        summary["faithfulness"]["entity_casing"] = (
            "lowercase output: recased with truecase before extracting names" if lowercase else "as written"
        )
        results.append(
            {"name": system.name, "kind": system.kind, "description": system.description, **summary}
        )
        per_system_mean[system.name] = np.array([s.rouge.mean for s in scores])
        for document, s in zip(documents, scores, strict=True):
            per_document.append(
                {
                    "system": system.name,
                    "id": document.id,
                    **{key: getattr(s.rouge, key) * 100 for key in ROUGE_KEYS},
                    "rouge_mean": s.rouge.mean * 100,
                    **{k: v for k, v in vars(s.stats).items()},
                    "entity_precision": s.entities.value,
                    "unsupported_entities": list(s.entities.unsupported),
                    "number_precision": s.numbers.value,
                    "unsupported_numbers": list(s.numbers.unsupported),
                }
            )
    results.sort(key=lambda r: -r["rouge"][SORT_KEY]["mean"])
    best = results[0]["name"]
    pairs = pairwise_tests(per_system_mean, bootstrap)
    for row in results:
        row["vs_best"] = _versus(pairs, row["name"], best)
    return results, pairs, per_document


def _versus(pairs: list[dict], name: str, other: str) -> dict | None:
    """The test of `name` minus `other`, whichever way round it was computed."""
    for pair in pairs:
        if pair["a"] == name and pair["b"] == other:
            return pair
        if pair["a"] == other and pair["b"] == name:
            flipped = dict(pair, a=name, b=other, delta=-pair["delta"], low=-pair["high"], high=-pair["low"])
            return flipped
    return None


# ---------------------------------------------------------------------------------------------
# Report


def _plots(results: list[dict], per_document: list[dict], out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"ours": "tab:red", "baseline": "tab:gray", "peer": "tab:blue"}
    names = [r["name"] for r in results]
    means = np.array([r["rouge"][SORT_KEY]["mean"] for r in results])
    lows = np.array([r["rouge"][SORT_KEY]["low"] for r in results])
    highs = np.array([r["rouge"][SORT_KEY]["high"] for r in results])
    height = max(3.0, 0.32 * len(results) + 1.2)

    fig, ax = plt.subplots(figsize=(8, height))
    y = np.arange(len(results))[::-1]
    ax.barh(
        y, means, xerr=[means - lows, highs - means], color=[colors[r["kind"]] for r in results], capsize=3
    )
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel("ROUGE mean of R-1, R-2, R-Lsum (x100), 95% bootstrap interval")
    ax.set_title("Systems (red: ours, gray: baselines, blue: published)")
    fig.tight_layout()
    fig.savefig(out_dir / "rouge_bars.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 6))
    lengths = [r["length"]["mean"] for r in results]
    ax.errorbar(lengths, means, yerr=[means - lows, highs - means], fmt="none", ecolor="lightgray")
    ax.scatter(lengths, means, c=[colors[r["kind"]] for r in results])
    for x, yv, name in zip(lengths, means, names, strict=True):
        ax.annotate(name, (x, yv), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("mean output length (words)")
    ax.set_ylabel("ROUGE mean (x100)")
    ax.set_title("Length vs ROUGE")
    fig.tight_layout()
    fig.savefig(out_dir / "length_vs_rouge.png", dpi=120)
    plt.close(fig)

    by_system: dict[str, list[float]] = {name: [] for name in names}
    for row in per_document:
        by_system[row["system"]].append(row["rouge_mean"])
    fig, ax = plt.subplots(figsize=(8, height))
    ax.boxplot([by_system[name] for name in names][::-1], orientation="horizontal", showmeans=True)
    ax.set_yticks(np.arange(1, len(names) + 1), names[::-1], fontsize=8)
    ax.set_xlabel("per-document ROUGE mean (x100)")
    ax.set_title("Per-document distribution")
    fig.tight_layout()
    fig.savefig(out_dir / "per_document.png", dpi=120)
    plt.close(fig)
    return ["rouge_bars.png", "length_vs_rouge.png", "per_document.png"]


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def render_report(metrics: dict, plots: list[str]) -> str:
    results = metrics["systems"]
    header = [
        "#",
        "system",
        "kind",
        "R-1",
        "R-2",
        "R-L",
        "R-Lsum",
        "mean",
        "Δ mean vs best (p perm.)",
        "words",
        "novel 2-gr.",
        "rep. 3-gr.",
    ]
    present = set(metrics["datasets"])
    signals = [
        signal for signal, datasets in metrics["faithfulness_validated_on"].items() if present & set(datasets)
    ]
    header += [{"entity_precision": "entity P", "number_precision": "number P"}[s] for s in signals]
    rows = []
    for rank, r in enumerate(results, 1):
        versus = r["vs_best"]
        delta = "—" if versus is None else f"{versus['delta']:+.2f} ({_p(versus['p_permutation'])})"
        faith = r["faithfulness"]
        rows.append(
            [
                rank,
                f"**{r['name']}**" if r["kind"] == "ours" else r["name"],
                r["kind"],
                format_interval(r["rouge"]["rouge1"]),
                format_interval(r["rouge"]["rouge2"]),
                format_number(r["rouge"]["rougeL"]["mean"]),
                format_interval(r["rouge"]["rougeLsum"]),
                format_interval(r["rouge"]["rouge_mean"]),
                delta,
                format_number(r["length"]["mean"], 1),
                format_number(r["abstractiveness"]["novel_2"]["mean"], 3),
                format_number(r["abstractiveness"]["repeated_3"]["mean"], 3),
                *(format_number(faith[signal]["mean"], 3) for signal in signals),
            ]
        )
    data = metrics["data"]
    lines = [
        "# Summarization evaluation",
        "",
        f"Data: `{data['path']}` (sha256 `{data['sha256'][:12]}`), filters {json.dumps(data['filters'])}, "
        f"**{data['documents']} documents**"
        + (
            f" (of {data['documents_before_alignment']}; --allow-missing)"
            if data["allow_missing_dropped"]
            else ""
        )
        + ".",
        "",
        "## Leaderboard",
        "",
        "Sorted by the mean of ROUGE-1, ROUGE-2 and ROUGE-Lsum. Scores x100 with "
        f"{int(metrics['settings']['bootstrap']['confidence'] * 100)}% bootstrap intervals "
        f"({metrics['settings']['bootstrap']['resamples']} resamples, seed {metrics['settings']['bootstrap']['seed']}). "
        "Δ: difference in ROUGE mean to the top system with the paired permutation p-value. "
        "words: mean output length; novel 2-gr.: share of summary bigrams not in the source; "
        "rep. 3-gr.: share of repeated trigrams; entity/number P: share of names/numbers found in the source "
        "(mean over documents that have any).",
        "",
        markdown_table(header, rows),
        "",
        "Faithfulness signals are shown only for data of a dataset where they were validated against "
        "FRANK human labels (docs/results_eval.md): "
        + "; ".join(f"{k} on {', '.join(v)}" for k, v in metrics["faithfulness_validated_on"].items())
        + ". All signals are in metrics.json.",
        "",
    ]
    ours = [r["name"] for r in results if r["kind"] == "ours"]
    if ours:
        lines += ["## Our systems against every other system", ""]
        comparison_rows = []
        for name in ours:
            for other in results:
                if other["name"] == name:
                    continue
                test = _versus(metrics["pairwise"]["tests"], name, other["name"])
                comparison_rows.append(
                    [
                        name,
                        other["name"],
                        f"{test['delta']:+.2f}",
                        f"{test['low']:+.2f}…{test['high']:+.2f}",
                        _p(test["p_bootstrap"]),
                        _p(test["p_permutation"]),
                    ]
                )
        lines += [
            markdown_table(
                ["ours", "other", "Δ ROUGE mean", "95% paired bootstrap", "p bootstrap", "p permutation"],
                comparison_rows,
            ),
            "",
        ]
    if metrics["skipped_peers"]:
        lines += ["Published systems left out (not on every document):", ""]
        lines += [f"- `{name}`: {reason}" for name, reason in metrics["skipped_peers"].items()]
        lines.append("")
    lines += ["## Settings", ""]
    lines += [f"- ROUGE {key}: {value}" for key, value in metrics["settings"]["rouge"].items()]
    lines += [f"- {key}: {value}" for key, value in metrics["settings"]["signals"].items()]
    recased = [r["name"] for r in results if r["faithfulness"]["entity_casing"] != "as written"]
    if recased:
        lines.append(f"- entity precision on recased text (lowercase output): {', '.join(recased)}")
    lines += [
        "- versions: " + ", ".join(f"{k} {v}" for k, v in metrics["versions"].items() if v),
        "",
    ]
    if plots:
        lines += ["## Plots", ""] + [f"![{name}]({name})" for name in plots] + [""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Entry point


def run(
    args: SummarizeArguments,
    model: ModelArguments,
    bootstrap: BootstrapArguments,
    output: OutputArguments,
    predict_fn: PredictFn | None = None,
) -> dict:
    out_dir = Path(output.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_path = resolve_data_path(args.data)
    documents = load_documents(data_path, split=args.split, dataset=args.dataset, limit=args.limit)
    if any(not d.references for d in documents):
        raise ValueError(
            f"{data_path}: some records have no references; ROUGE needs at least one per document"
        )
    logger.info("%d documents from %s", len(documents), data_path)

    ours: dict[str, dict[str, str]] = {
        name: read_predictions(path, "summary") for name, path in parse_system_specs(args.system).items()
    }
    if model.model is not None:
        if model.model_name in ours:
            raise ValueError(f"--model_name {model.model_name!r} clashes with a --system name")
        ours[model.model_name] = _model_predictions(documents, model, out_dir, predict_fn)
    ids = align_predictions([d.id for d in documents], ours, allow_missing=args.allow_missing)
    before = len(documents)
    kept = set(ids)
    documents = [d for d in documents if d.id in kept]

    systems = [System(name, "ours", outputs, "our predictions") for name, outputs in ours.items()]
    if args.baselines:
        systems += baseline_systems(documents)
    skipped: dict[str, str] = {}
    if args.peers:
        peers, skipped = peer_systems(documents)
        for name, reason in skipped.items():
            logger.warning("published system %r left out: %s", name, reason)
        systems += peers
    clashes = {s.name for s in systems if sum(t.name == s.name for t in systems) > 1}
    if clashes:
        raise ValueError(f"system names {sorted(clashes)} are used twice; rename yours")
    if not systems:
        raise ValueError("nothing to score: give --system or --model, or keep baselines/peers on")

    rouge_settings = RougeSettings(stemmer=args.stemmer, references=args.references)
    results, pairs, per_document = evaluate_systems(systems, documents, rouge_settings, bootstrap)

    metrics = {
        "task": "summarize",
        "data": {
            "path": str(data_path),
            "sha256": file_sha256(data_path),
            "filters": {"split": args.split, "dataset": args.dataset, "limit": args.limit},
            "documents": len(documents),
            "documents_before_alignment": before,
            "allow_missing_dropped": before - len(documents),
            "ids": [d.id for d in documents],
        },
        "settings": {
            "rouge": rouge_settings.describe(),
            "sort_by": "rouge_mean = mean of ROUGE-1, ROUGE-2, ROUGE-Lsum F (x100)",
            "bootstrap": {
                "resamples": bootstrap.resamples,
                "confidence": bootstrap.confidence,
                "seed": bootstrap.seed,
                "method": "percentile bootstrap over documents; pairs: paired bootstrap + sign-flip permutation",
            },
            "signals": {
                "words": "runs of letters/digits, lowercased (eval.metrics.text_stats.words)",
                "novel/repeated n-grams": "distinct summary n-grams absent from the article / repeated occurrences",
                "entity_precision": "capitalized mid-sentence names found in the article "
                "(eval.metrics.faithfulness; lowercase systems recased with truecase first)",
                "number_precision": "numbers (digits and spelled) whose value occurs in the article",
                "textrank": "3 sentences, 1 on XSum documents",
            },
        },
        "versions": software_versions(),
        "systems": results,
        "skipped_peers": skipped,
        "faithfulness_validated_on": {k: list(v) for k, v in VALIDATED_ON.items()},
        "datasets": sorted({str(d.dataset) for d in documents}),
        "pairwise": {"metric": "rouge_mean (x100)", "tests": pairs},
    }
    write_json(out_dir / "metrics.json", metrics)
    write_jsonl(out_dir / "per_document.jsonl", per_document)
    write_json(
        out_dir / "config.json",
        {"command": "summarize", **config_dict(args, model, bootstrap, output)},
    )
    plots = _plots(results, per_document, out_dir) if output.plots else []
    (out_dir / "report.md").write_text(render_report(metrics, plots), encoding="utf-8")
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
