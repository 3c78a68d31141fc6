"""Score casing restoration (wire-copy normalization) with case-sensitive, token-aligned metrics.

    python -m eval normalize --data casing/frank_refs.jsonl --out runs/eval/casing
    python -m eval normalize --data casing/frank_refs.jsonl --system mine=outputs.jsonl --out ...
    python -m eval normalize --data casing/frank_refs.jsonl --model default --out ...
    python -m eval normalize --data pairs.csv --input_column lower --target_column cased \
        --system mine=restored.txt --out ...          # any aligned pair file, one output a line

Records carry `input` (lowercased, tokenized) and `target` (cased, same tokens): the project's
JSONL, or any file / save_to_disk folder / dataset that `eval.sources` reads, with column mapping.
Systems:
- ours: `--system NAME=PREDICTIONS` (JSONL `{"id": ..., "output": ...}` lines, plain text one
  output a line in data order, or `TABLE.csv:COLUMN`) and `--model`
  (`Summarizer.normalize(texts, detokenize=False)`, written first to OUT/predictions/NAME.jsonl,
  resumable);
- baselines: the lowercase input unchanged, sentence-initial capitals, and the PyPI `truecase`
  package on the whole record (as usually called) and sentence by sentence.

Metrics: the project's one casing metric (eval/metrics/casing.py, definition in its docstring):
word accuracy (tokens with a letter) and token accuracy, cased-word precision/recall/F1,
sentence and record exact match, and the count of records where a token changed other than by
case (must be 0; a changed token counts as wrong). Writes
OUT/metrics.json, OUT/per_record.jsonl, OUT/report.md, OUT/casing_bars.png, OUT/config.json.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from eval.casing_baselines import TruecaseBaseline, capitalize_sentence_starts
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
    CasingColumns,
    CasingRecord,
    align_predictions,
    predict_to_file,
    read_casing_records,
    read_system_outputs,
)
from eval.metrics.casing import (
    CasingCounts,
    aggregate_casing,
    casing_counts,
    casing_intervals,
    describe_casing_metric,
)
from eval.metrics.stats import paired_test
from eval.report import (
    format_interval,
    format_number,
    interval_dict,
    markdown_table,
    software_versions,
    write_json,
    write_jsonl,
)
from summarizer.text.sentences import split_sentences

__all__ = ["NormalizeArguments", "main", "score_casing_systems"]

logger = logging.getLogger(__name__)

PredictFn = Callable[[list[str]], list[str]]


@dataclass
class NormalizeArguments(SourceArguments):
    input_column: str | None = field(
        default=None, metadata={"help": "Column of the lowercased input (default: input)."}
    )
    target_column: str | None = field(
        default=None, metadata={"help": "Column of the cased target (default: target)."}
    )
    kind: str | None = field(default=None, metadata={"help": "Keep records of this `kind` only."})
    system: list[str] = field(
        default_factory=list,
        metadata={
            "help": "Our systems as NAME=PREDICTIONS (.jsonl with id/output, a text file with one output "
            "a line in data order, or TABLE.csv:COLUMN); repeatable.",
            "action": "extend",
        },
    )
    method: str = field(
        default="model",
        metadata={"help": "Summarizer.normalize method for --model: 'model' or 'statistical'."},
    )
    baselines: bool = field(
        default=True, metadata={"help": "Add the lowercase, sentence-initial and truecase baselines."}
    )

    def columns(self) -> CasingColumns:
        return CasingColumns(self.input_column, self.target_column, self.id_column)


def model_predict_fn(model: str, method: str, batch_size: int, backend: str = "auto") -> PredictFn:
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(None if model == "default" else model, backend=backend)

    def predict(texts: list[str]) -> list[str]:
        results = summarizer.normalize(texts, detokenize=False, method=method, batch_size=batch_size)
        return [result.text for result in results]

    return predict


def _model_outputs(
    records: Sequence[CasingRecord],
    model: ModelArguments,
    method: str,
    out_dir: Path,
    predict_fn: PredictFn | None,
) -> dict[str, str]:
    path = out_dir / "predictions" / f"{model.model_name}.jsonl"
    meta = {"task": "normalize", "model": model.model, "method": method, "detokenize": False}
    meta_path = path.with_suffix(".meta.json")
    if meta_path.exists() and json.loads(meta_path.read_text()) != meta:
        raise ValueError(
            f"{path} holds predictions of another run ({meta_path.read_text().strip()}); use another --out"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(meta) + "\n")
    if predict_fn is None:
        predict_fn = model_predict_fn(model.model, method, model.batch_size, model.backend)
    return predict_to_file(
        path,
        [(r.id, r.input) for r in records],
        predict_fn,
        text_field="output",
        chunk_size=model.batch_size * 4,
        desc=f"normalizing ({model.model_name})",
    )


def baseline_outputs(records: Sequence[CasingRecord]) -> dict[str, tuple[str, dict[str, str]]]:
    whole = TruecaseBaseline(oov="title")
    per_sentence = TruecaseBaseline(oov="title", split=split_sentences)
    return {
        "lowercase-input": ("the input unchanged", {r.id: r.input for r in records}),
        "sentence-initial": (
            "capitalize the first letter of each sentence",
            {r.id: capitalize_sentence_starts(r.input) for r in records},
        ),
        "truecase": (
            "PyPI truecase 0.0.14, whole record as one sentence, OOV title-cased, re-aligned per token",
            {r.id: whole(r.input) for r in tqdm(records, desc="truecase", leave=False)},
        ),
        "truecase-sentences": (
            "PyPI truecase, per sentence (split_sentences), OOV title-cased, re-aligned per token",
            {r.id: per_sentence(r.input) for r in tqdm(records, desc="truecase per sentence", leave=False)},
        ),
    }


def score_casing_systems(
    systems: dict[str, tuple[str, str, dict[str, str]]],
    records: Sequence[CasingRecord],
    bootstrap: BootstrapArguments,
) -> tuple[list[dict], list[dict]]:
    """`systems`: name -> (kind, description, outputs). Returns (sorted results, per-record rows)."""
    results, rows, correct = [], [], {}
    for name, (kind, description, outputs) in systems.items():
        counts: list[CasingCounts] = [casing_counts(outputs[r.id], r.target) for r in records]
        scores = aggregate_casing(counts)
        intervals = casing_intervals(
            counts, resamples=bootstrap.resamples, confidence=bootstrap.confidence, seed=bootstrap.seed
        )
        changed = [r.id for r, c in zip(records, counts, strict=True) if c.changed_records]
        if changed and kind == "ours":
            logger.warning(
                "%s changed words other than by case in %d records (first: %s)",
                name,
                len(changed),
                changed[0],
            )
        results.append(
            {
                "name": name,
                "kind": kind,
                "description": description,
                **vars(scores),
                "intervals": {key: interval_dict(value) for key, value in intervals.items()},
                "changed_ids": changed[:20],
            }
        )
        # Per-record correct words scaled so that their mean is the word accuracy (paired tests).
        correct[name] = (
            np.array([c.correct for c in counts], dtype=float) * len(records) / max(scores.words, 1)
        )
        rows.extend({"system": name, "id": r.id, **vars(c)} for r, c in zip(records, counts, strict=True))
    results.sort(key=lambda r: -(r["f1"] or 0.0))
    best = results[0]["name"]
    for result in results:
        if result["name"] == best:
            result["accuracy_vs_best"] = None
            continue
        test = paired_test(
            correct[result["name"]],
            correct[best],
            resamples=bootstrap.resamples,
            confidence=bootstrap.confidence,
            seed=bootstrap.seed,
        )
        result["accuracy_vs_best"] = vars(test)
    return results, rows


def _plot(results: list[dict], out_dir: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r["name"] for r in results]
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.5 * len(names) + 1.2)))
    y = np.arange(len(names))[::-1]
    for offset, metric, color in ((0.2, "accuracy", "tab:gray"), (-0.2, "f1", "tab:blue")):
        means = np.array([r["intervals"].get(metric, {}).get("mean", np.nan) for r in results], dtype=float)
        lows = np.array([r["intervals"].get(metric, {}).get("low", np.nan) for r in results], dtype=float)
        highs = np.array([r["intervals"].get(metric, {}).get("high", np.nan) for r in results], dtype=float)
        ax.barh(
            y + offset,
            means,
            height=0.38,
            xerr=[means - lows, highs - means],
            capsize=3,
            color=color,
            label=metric,
        )
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("word accuracy and cased-word F1, 95% bootstrap interval over records")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(out_dir / "casing_bars.png", dpi=120)
    plt.close(fig)
    return "casing_bars.png"


REPORT_HEADER = [
    "#",
    "system",
    "kind",
    "word acc.",
    "token acc.",
    "cased P",
    "cased R",
    "cased F1",
    "sentence exact",
    "record exact",
    "changed records",
    "Δ acc. vs best (p perm.)",
]


def _report_row(rank: int, r: dict) -> list:
    versus = r["accuracy_vs_best"]
    return [
        rank,
        f"**{r['name']}**" if r["kind"] == "ours" else r["name"],
        r["kind"],
        format_interval(r["intervals"].get("accuracy", {}), 3),
        format_number(r["token_accuracy"], 3),
        format_number(r["precision"], 3),
        format_number(r["recall"], 3),
        format_interval(r["intervals"].get("f1", {}), 3),
        format_number(r["sentence_exact"], 3),
        format_number(r["record_exact"], 3),
        f"{r['changed_records']}" + (" ⚠" if r["changed_records"] and r["kind"] == "ours" else ""),
        "—" if versus is None else f"{versus['delta']:+.3f} ({versus['p_permutation']:.3f})",
    ]


def render_report(metrics: dict, plot: str | None) -> str:
    rows = [_report_row(rank, r) for rank, r in enumerate(metrics["systems"], 1)]
    data = metrics["data"]
    bootstrap = metrics["settings"]["bootstrap"]
    lines = [
        "# Casing evaluation",
        "",
        f"Data: `{data['path']}` ("
        + (
            f"sha256 `{data['sha256'][:12]}`"
            if data.get("sha256")
            else f"fingerprint `{data.get('fingerprint')}`"
        )
        + f"), filters {json.dumps(data['filters'])}, "
        f"**{data['records']} records, {data['words']} words, {data['tokens']} tokens**.",
        "",
        "Case-sensitive, whitespace tokens aligned by lowercased form (eval/metrics/casing.py). "
        "Sorted by cased-word F1. Intervals: percentile bootstrap over records "
        f"({int(bootstrap['confidence'] * 100)}%, {bootstrap['resamples']} resamples, seed {bootstrap['seed']}). "
        "changed records: tokens changed other than by case (must be 0 for a casing model; such tokens count as wrong).",
        "",
        markdown_table(REPORT_HEADER, rows),
        "",
        "## Systems",
        "",
    ]
    lines += [f"- `{r['name']}` ({r['kind']}): {r['description']}" for r in metrics["systems"]]
    lines += ["", "## Settings", ""]
    lines += [f"- {key}: {value}" for key, value in metrics["settings"]["metrics"].items()]
    lines += ["- versions: " + ", ".join(f"{k} {v}" for k, v in metrics["versions"].items() if v), ""]
    if plot:
        lines += ["## Plot", "", f"![{plot}]({plot})", ""]
    return "\n".join(lines)


def _systems(
    records: Sequence[CasingRecord], ours: dict[str, dict[str, str]], baselines: bool
) -> dict[str, tuple[str, str, dict[str, str]]]:
    systems = {name: ("ours", "our outputs", outputs) for name, outputs in ours.items()}
    if baselines:
        for name, (description, outputs) in baseline_outputs(records).items():
            if name in systems:
                raise ValueError(f"system name {name!r} is a baseline's; rename yours")
            systems[name] = ("baseline", description, outputs)
    if not systems:
        raise ValueError("nothing to score: give --system or --model, or keep the baselines on")
    return systems


def _our_outputs(
    args: NormalizeArguments,
    model: ModelArguments,
    records: Sequence[CasingRecord],
    out_dir: Path,
    predict_fn: PredictFn | None,
) -> dict[str, dict[str, str]]:
    """Prediction files (matched to all filtered records) and our model's outputs."""
    ids = [r.id for r in records]
    ours = {
        name: read_system_outputs(
            spec.path, "output", ids, column=spec.column, allow_missing=args.allow_missing
        )
        for name, spec in parse_system_specs(args.system).items()
    }
    if model.model is not None:
        if model.model_name in ours:
            raise ValueError(f"--model_name {model.model_name!r} clashes with a --system name")
        limited = records[: args.limit] if args.limit else records
        ours[model.model_name] = _model_outputs(limited, model, args.method, out_dir, predict_fn)
    return ours


def run(
    args: NormalizeArguments,
    model: ModelArguments,
    bootstrap: BootstrapArguments,
    output: OutputArguments,
    predict_fn: PredictFn | None = None,
) -> dict:
    out_dir = Path(output.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    records, rows = read_casing_records(args.source(), args.columns(), kind=args.kind)
    ours = _our_outputs(args, model, records, out_dir, predict_fn)
    records = records[: args.limit] if args.limit else records
    ids = set(align_predictions([r.id for r in records], ours, allow_missing=args.allow_missing))
    before = len(records)
    records = [r for r in records if r.id in ids]
    results, per_record = score_casing_systems(_systems(records, ours, args.baselines), records, bootstrap)
    gold = aggregate_casing(casing_counts(r.target, r.target) for r in records)
    metrics = {
        "task": "normalize",
        "data": {
            "path": rows.origin,
            "sha256": rows.sha256,
            "fingerprint": rows.fingerprint,
            "filters": {"split": args.split, "kind": args.kind, "limit": args.limit},
            "records": len(records),
            "records_before_alignment": before,
            "words": gold.words,
            "tokens": gold.tokens,
        },
        "settings": {
            "metrics": describe_casing_metric(),
            "bootstrap": {
                "resamples": bootstrap.resamples,
                "confidence": bootstrap.confidence,
                "seed": bootstrap.seed,
            },
        },
        "versions": software_versions(),
        "systems": results,
    }
    write_json(out_dir / "metrics.json", metrics)
    write_jsonl(out_dir / "per_record.jsonl", per_record)
    write_json(
        out_dir / "config.json", {"command": "normalize", **config_dict(args, model, bootstrap, output)}
    )
    plot = _plot(results, out_dir) if output.plots else None
    (out_dir / "report.md").write_text(render_report(metrics, plot), encoding="utf-8")
    logger.info("wrote %s", out_dir / "report.md")
    return metrics


def main(argv: Sequence[str] | None = None, *, predict_fn: PredictFn | None = None) -> dict:
    """Parse flags (or one JSON file) and run. `predict_fn` stands in for `--model` in tests."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args, model, bootstrap, output = parse_arguments(
        (NormalizeArguments, ModelArguments, BootstrapArguments, OutputArguments),
        argv,
        "python -m eval normalize",
    )
    return run(args, model, bootstrap, output, predict_fn=predict_fn)


if __name__ == "__main__":
    main()
