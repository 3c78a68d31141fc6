"""Validate the faithfulness signals against FRANK's human factuality labels.

    python -m eval faithfulness --data summarization/frank.jsonl --out runs/eval/faithfulness
    python -m eval faithfulness --data summarization/frank.jsonl --split test --out ...

For every annotated (document, system) pair of the data file (`labels.frank[system]`), computes
entity precision and number precision of the system's summary against the article, exactly as
the summarize leaderboard does (a system that writes lowercase is recased with truecase before
names are extracted), and correlates each signal with
- `Factuality` in [0, 1] (share of annotators' sentences without error): Spearman rho;
- `Factuality == 1` (no error at all): point-biserial r;
- `OutE == 1` (no out-of-article error: content not in the article, which is what the
  signals look for) and `EntE == 1` (no wrong-entity error, mostly an entity of the article in
  the wrong role, which they cannot see): point-biserial r;
per dataset (cnndm, xsum) and per system, with n, 95% bootstrap intervals and permutation
p-values. Pairs where a signal is undefined (no names / no numbers) are left out of that row.
A signal is kept for a dataset when its Spearman interval lies above 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eval.config import BootstrapArguments, OutputArguments, config_dict, parse_arguments
from eval.data import load_documents
from eval.metrics.faithfulness import entity_precision, number_precision
from eval.metrics.stats import Correlation, pearson, spearman
from eval.report import file_sha256, markdown_table, software_versions, write_json, write_jsonl
from eval.summarize import entity_recaser, writes_lowercase
from summarizer.paths import resolve_data_path

__all__ = ["FaithfulnessArguments", "main", "validate"]

logger = logging.getLogger(__name__)

SIGNALS = ("entity_precision", "number_precision")


@dataclass
class FaithfulnessArguments:
    data: str = field(
        default="summarization/frank.jsonl",
        metadata={"help": "Data with labels.frank[system].Factuality (path, or relative to the data root)."},
    )
    split: str | None = field(default=None, metadata={"help": "Keep records with this `split`."})
    label_set: str = field(default="frank", metadata={"help": "Key under `labels` holding the annotations."})


def _correlation_dict(correlation: Correlation) -> dict:
    return {
        "r": correlation.r,
        "low": correlation.low,
        "high": correlation.high,
        "p": correlation.p_value,
        "n": correlation.n,
    }


def _correlate(rows: list[dict], signal: str, bootstrap: BootstrapArguments) -> dict:
    defined = [row for row in rows if row[signal] is not None]
    values = [row[signal] for row in defined]
    options = {"resamples": bootstrap.resamples, "confidence": bootstrap.confidence, "seed": bootstrap.seed}
    result = {
        "spearman_factuality": _correlation_dict(
            spearman(values, [row["factuality"] for row in defined], **options)
        ),
        "pointbiserial_no_error": _correlation_dict(
            pearson(values, [float(row["factuality"] == 1.0) for row in defined], **options)
        ),
        "mean_signal": sum(values) / len(values) if values else None,
        "n_pairs": len(rows),
        "n_defined": len(defined),
    }
    for label in ("no_out_of_article_error", "no_entity_error"):
        with_label = [row for row in defined if row[label] is not None]
        result[f"pointbiserial_{label}"] = _correlation_dict(
            pearson([row[signal] for row in with_label], [float(row[label]) for row in with_label], **options)
        )
    return result


def validate(args: FaithfulnessArguments, bootstrap: BootstrapArguments) -> tuple[dict, list[dict]]:
    data_path = resolve_data_path(args.data)
    documents = load_documents(data_path, split=args.split)
    documents = [d for d in documents if d.labels.get(args.label_set)]
    if not documents:
        raise ValueError(
            f"no record of {data_path} has labels.{args.label_set}; this check needs FRANK-style labels"
        )
    systems = sorted({name for d in documents for name in d.labels[args.label_set]})
    recaser = entity_recaser()
    rows: list[dict] = []
    recased: list[str] = []
    for system in systems:
        docs = [d for d in documents if system in d.labels[args.label_set] and system in d.peers]
        lowercase = writes_lowercase([d.peers[system] for d in docs])
        if lowercase:
            recased.append(system)
        for d in docs:
            label = d.labels[args.label_set][system]
            if "Factuality" not in label:
                raise ValueError(f"{d.id}: labels.{args.label_set}.{system} has no 'Factuality'")
            summary = d.peers[system]
            rows.append(
                {
                    "id": d.id,
                    "dataset": d.dataset,
                    "system": system,
                    "factuality": float(label["Factuality"]),
                    "no_out_of_article_error": label["OutE"] == 1.0 if "OutE" in label else None,
                    "no_entity_error": label["EntE"] == 1.0 if "EntE" in label else None,
                    "entity_precision": entity_precision(
                        recaser(summary) if lowercase else summary, d.article
                    ).value,
                    "number_precision": number_precision(summary, d.article).value,
                }
            )
    groups: dict[str, dict] = {}
    datasets = sorted({row["dataset"] for row in rows})
    for dataset in datasets:
        selected = [row for row in rows if row["dataset"] == dataset]
        groups[dataset] = {signal: _correlate(selected, signal, bootstrap) for signal in SIGNALS}
        for system in sorted({row["system"] for row in selected}):
            per_system = [row for row in selected if row["system"] == system]
            groups[f"{dataset}/{system}"] = {
                signal: _correlate(per_system, signal, bootstrap) for signal in SIGNALS
            }
    groups["pooled (confounded by dataset)"] = {
        signal: _correlate(rows, signal, bootstrap) for signal in SIGNALS
    }
    kept = {
        dataset: [
            signal for signal in SIGNALS if (groups[dataset][signal]["spearman_factuality"]["low"] or 0) > 0
        ]
        for dataset in datasets
    }
    result = {
        "task": "faithfulness-validation",
        "data": {
            "path": str(data_path),
            "sha256": file_sha256(data_path),
            "split": args.split,
            "pairs": len(rows),
        },
        "recased_systems": recased,
        "groups": groups,
        "kept": kept,
        "settings": {
            "bootstrap": {
                "resamples": bootstrap.resamples,
                "confidence": bootstrap.confidence,
                "seed": bootstrap.seed,
            }
        },
        "versions": software_versions(),
    }
    return result, rows


def _fmt(c: dict) -> str:
    if c["r"] is None or c["r"] != c["r"]:
        return f"n/a (n={c['n']})"
    p = "<0.001" if c["p"] < 0.001 else f"{c['p']:.3f}"
    return f"{c['r']:+.3f} ({c['low']:+.2f}…{c['high']:+.2f}), p={p}, n={c['n']}"


def render_report(result: dict) -> str:
    header = [
        "group",
        "signal",
        "mean",
        "Spearman vs Factuality",
        "point-biserial vs no error",
        "pb vs no OutE",
        "pb vs no EntE",
    ]
    rows = []
    for group, signals in result["groups"].items():
        for signal, stats in signals.items():
            rows.append(
                [
                    group,
                    signal,
                    "n/a" if stats["mean_signal"] is None else f"{stats['mean_signal']:.3f}",
                    _fmt(stats["spearman_factuality"]),
                    _fmt(stats["pointbiserial_no_error"]),
                    _fmt(stats["pointbiserial_no_out_of_article_error"]),
                    _fmt(stats["pointbiserial_no_entity_error"]),
                ]
            )
    lines = [
        "# Faithfulness signals vs human factuality labels",
        "",
        f"Data: `{result['data']['path']}` (sha256 `{result['data']['sha256'][:12]}`), split {result['data']['split']}, "
        f"{result['data']['pairs']} annotated (document, system) pairs.",
        "",
        f"Recased with truecase before extracting names (lowercase output): {', '.join(result['recased_systems']) or 'none'}.",
        "",
        markdown_table(header, rows),
        "",
        "Kept (Spearman interval above 0): "
        + "; ".join(
            f"{dataset}: {', '.join(signals) or 'none'}" for dataset, signals in result["kept"].items()
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args, bootstrap, output = parse_arguments(
        (FaithfulnessArguments, BootstrapArguments, OutputArguments), argv, "python -m eval faithfulness"
    )
    out_dir = Path(output.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    result, rows = validate(args, bootstrap)
    write_json(out_dir / "metrics.json", result)
    write_jsonl(out_dir / "per_pair.jsonl", rows)
    write_json(out_dir / "config.json", {"command": "faithfulness", **config_dict(args, bootstrap, output)})
    (out_dir / "report.md").write_text(render_report(result), encoding="utf-8")
    logger.info("wrote %s", out_dir / "report.md")
    return result


if __name__ == "__main__":
    main()
