"""The summarization report: report.md (leaderboard, comparisons, settings) and PNG plots.

Renders the `metrics` dict that `eval.summarize.score_leaderboard` builds (the content of
metrics.json) through its typed records (`eval.leaderboard`); computes nothing new. Used by `python -m eval summarize` and `Report.to_markdown()`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from eval.leaderboard import (
    SIGNAL_LABELS,
    SORT_KEY,
    Comparison,
    SystemResult,
    leaderboard_rows,
    shown_signals,
    system_results,
    versus,
)
from eval.report import format_interval, format_number, markdown_table

__all__ = ["plots", "render_report"]

COLORS = {"ours": "tab:red", "baseline": "tab:gray", "peer": "tab:blue"}


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


# ---------------------------------------------------------------------------------------------
# Plots


def _intervals(results: list[SystemResult]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(means, lows, highs) of the ranking score."""
    ranked = [r.rouge[SORT_KEY] for r in results]
    return tuple(np.array([getattr(i, k) for i in ranked]) for k in ("mean", "low", "high"))  # type: ignore[return-value]


def _bars(results: list[SystemResult], out_dir: Path, plt) -> str:
    names = [r.name for r in results]
    means, lows, highs = _intervals(results)
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.32 * len(results) + 1.2)))
    y = np.arange(len(results))[::-1]
    ax.barh(
        y, means, xerr=[means - lows, highs - means], color=[COLORS[r.kind] for r in results], capsize=3
    )
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel("ROUGE mean of R-1, R-2, R-Lsum (x100), 95% bootstrap interval")
    ax.set_title("Systems (red: ours, gray: baselines, blue: published)")
    fig.tight_layout()
    fig.savefig(out_dir / "rouge_bars.png", dpi=120)
    plt.close(fig)
    return "rouge_bars.png"


def _length_vs_rouge(results: list[SystemResult], out_dir: Path, plt) -> str:
    means, lows, highs = _intervals(results)
    lengths = [r.length.mean for r in results]
    fig, ax = plt.subplots(figsize=(8, 6))
    ax.errorbar(lengths, means, yerr=[means - lows, highs - means], fmt="none", ecolor="lightgray")
    ax.scatter(lengths, means, c=[COLORS[r.kind] for r in results])
    for x, yv, r in zip(lengths, means, results, strict=True):
        ax.annotate(r.name, (x, yv), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("mean output length (words)")
    ax.set_ylabel("ROUGE mean (x100)")
    ax.set_title("Length vs ROUGE")
    fig.tight_layout()
    fig.savefig(out_dir / "length_vs_rouge.png", dpi=120)
    plt.close(fig)
    return "length_vs_rouge.png"


def _distribution(results: list[SystemResult], per_document: list[dict], out_dir: Path, plt) -> str:
    names = [r.name for r in results]
    by_system: dict[str, list[float]] = {name: [] for name in names}
    for row in per_document:
        by_system[row["system"]].append(row["rouge_mean"])
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.32 * len(results) + 1.2)))
    ax.boxplot([by_system[name] for name in names][::-1], orientation="horizontal", showmeans=True)
    ax.set_yticks(np.arange(1, len(names) + 1), names[::-1], fontsize=8)
    ax.set_xlabel("per-document ROUGE mean (x100)")
    ax.set_title("Per-document distribution")
    fig.tight_layout()
    fig.savefig(out_dir / "per_document.png", dpi=120)
    plt.close(fig)
    return "per_document.png"


def plots(results: list[SystemResult], per_document: list[dict], out_dir: Path) -> list[str]:
    """Score bars with intervals, length vs ROUGE, per-document distribution (PNG, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return [
        _bars(results, out_dir, plt),
        _length_vs_rouge(results, out_dir, plt),
        _distribution(results, per_document, out_dir, plt),
    ]


# ---------------------------------------------------------------------------------------------
# report.md


def _leaderboard(metrics: dict) -> str:
    signals = shown_signals(metrics)
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
    ]
    header += ["novel 2-gr.", "rep. 3-gr."] + [SIGNAL_LABELS[s] for s in signals]
    rows = []
    for row in leaderboard_rows(metrics):
        r, test = row.system, row.vs_best
        rows.append(
            [
                row.rank,
                f"**{r.name}**" if r.kind == "ours" else r.name,
                r.kind,
                format_interval(r.rouge["rouge1"]),
                format_interval(r.rouge["rouge2"]),
                format_number(r.rouge["rougeL"].mean),
                format_interval(r.rouge["rougeLsum"]),
                format_interval(r.rouge["rouge_mean"]),
                "—" if test is None else f"{test.delta:+.2f} ({_p(test.p_permutation)})",
                format_number(r.length.mean, 1),
                format_number(r.abstractiveness["novel_2"].mean, 3),
                format_number(r.abstractiveness["repeated_3"].mean, 3),
                *(format_number(row.signals[signal], 3) for signal in signals),
            ]
        )
    return markdown_table(header, rows)


def _data_line(data: dict) -> str:
    stamp = (
        f"sha256 `{data['sha256'][:12]}`"
        if data.get("sha256")
        else f"fingerprint `{data.get('fingerprint')}`"
    )
    dropped = (
        f" (of {data['documents_before_alignment']}; --allow_missing)"
        if data["allow_missing_dropped"]
        else ""
    )
    return (
        f"Data: `{data['path']}` ({stamp}), filters {json.dumps(data['filters'])}, "
        f"**{data['documents']} documents**{dropped}."
    )


def _intro(metrics: dict) -> list[str]:
    bootstrap = metrics["settings"]["bootstrap"]
    rouge = metrics["settings"]["rouge"]
    return [
        "Sorted by the mean of ROUGE-1, ROUGE-2 and ROUGE-Lsum. Scores x100 with "
        f"{int(bootstrap['confidence'] * 100)}% bootstrap intervals "
        f"({bootstrap['resamples']} resamples, seed {bootstrap['seed']}). "
        f"{rouge['scorer']}; stemming: {rouge['stemmer']}; references: {rouge['references']}. "
        "Δ: difference in ROUGE mean to the top system with the paired permutation p-value. "
        "words: mean output length; novel 2-gr.: share of summary bigrams not in the source; "
        "rep. 3-gr.: share of repeated trigrams; entity/number P: share of names/numbers found in the source "
        "(mean over documents that have any).",
    ]


def _comparisons(metrics: dict) -> list[str]:
    results = system_results(metrics)
    tests = [Comparison(**test) for test in metrics["pairwise"]["tests"]]
    rows = []
    for name in [r.name for r in results if r.kind == "ours"]:
        for other in results:
            if other.name == name:
                continue
            test = versus(tests, name, other.name)
            rows.append(
                [
                    name,
                    other.name,
                    f"{test.delta:+.2f}",
                    f"{test.low:+.2f}…{test.high:+.2f}",
                    _p(test.p_bootstrap),
                    _p(test.p_permutation),
                ]
            )
    if not rows:
        return []
    header = ["ours", "other", "Δ ROUGE mean", "95% paired bootstrap", "p bootstrap", "p permutation"]
    return ["## Our systems against every other system", "", markdown_table(header, rows), ""]


def _settings(metrics: dict) -> list[str]:
    lines = ["## Settings", ""]
    lines += [f"- ROUGE {key}: {value}" for key, value in metrics["settings"]["rouge"].items()]
    lines += [f"- bootstrap: {metrics['settings']['bootstrap']['method']}"]
    lines += [f"- {key}: {value}" for key, value in metrics["settings"]["signals"].items()]
    recased = [r.name for r in system_results(metrics) if r.entity_casing != "as written"]
    if recased:
        lines.append(f"- entity precision on recased text (lowercase output): {', '.join(recased)}")
    versions = ", ".join(f"{k} {v}" for k, v in metrics["versions"].items() if v)
    return [*lines, f"- versions: {versions}", ""]


def render_report(metrics: dict, plot_files: list[str]) -> str:
    """report.md from a metrics dict."""
    lines = ["# Summarization evaluation", "", _data_line(metrics["data"]), "", "## Leaderboard", ""]
    lines += _intro(metrics) + ["", _leaderboard(metrics), ""]
    lines += [
        "Faithfulness signals are shown only for data of a dataset where they were validated against "
        "FRANK human labels (docs/results_eval.md): "
        + "; ".join(f"{k} on {', '.join(v)}" for k, v in metrics["faithfulness_validated_on"].items())
        + ". All signals are in metrics.json.",
        "",
    ]
    lines += _comparisons(metrics)
    if metrics["skipped_peers"]:
        lines += ["Published systems left out (not on every document):", ""]
        lines += [f"- `{name}`: {reason}" for name, reason in metrics["skipped_peers"].items()]
        lines.append("")
    lines += _settings(metrics)
    if plot_files:
        lines += ["## Plots", ""] + [f"![{name}]({name})" for name in plot_files] + [""]
    return "\n".join(lines)
