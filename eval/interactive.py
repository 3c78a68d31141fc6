"""One `eval.summarize` run for an interactive caller (the demo's Evaluate tab): a predictions
file or our extractive summarizer scored on one set, with the leaderboard as table rows.

    result = run_request(EvalRequest(data="...frank.jsonl", split="test", dataset="xsum"), out_dir)
    result.header, result.rows, result.plots, result.files, result.status
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eval.config import BootstrapArguments, ModelArguments, OutputArguments
from eval.leaderboard import SIGNAL_LABELS, shown_signals
from eval.leaderboard import leaderboard_rows as board_rows
from eval.summarize import SummarizeArguments, run

__all__ = ["EvalRequest", "EvalResult", "leaderboard_table", "run_request"]

_PLOTS = ("rouge_bars.png", "length_vs_rouge.png", "per_document.png")
_FILES = ("report.md", "metrics.json", "per_document.jsonl")


@dataclass(frozen=True)
class EvalRequest:
    data: str
    split: str | None = None
    dataset: str | None = None
    # A predictions .jsonl ({"id", "summary"} a line); None: our extractive summarizer.
    predictions: str | None = None
    system_name: str = "mine"
    allow_missing: bool = False
    peers: bool = True
    resamples: int = 1000


@dataclass(frozen=True)
class EvalResult:
    header: list[str]
    rows: list[list]
    plots: list[str]
    files: list[str]
    status: str


def run_request(request: EvalRequest, out_dir: Path) -> EvalResult:
    """Score the request's system into `out_dir`; ValueError says what is wrong with it."""
    name = request.system_name
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"System name {name!r}: use letters, digits, - and _ only.")
    model, predict_fn, systems = ModelArguments(), None, []
    if request.predictions is not None:
        _check_predictions(Path(request.predictions))
        systems = [f"{name}={request.predictions}"]
    else:
        model = ModelArguments(model="extractive", model_name="ours-extractive", style="extractive")
        predict_fn = _extractive_predictions
    args = SummarizeArguments(data=request.data, split=request.split, dataset=request.dataset, system=systems,
                              allow_missing=request.allow_missing, peers=request.peers)
    metrics = run(args, model, BootstrapArguments(resamples=request.resamples), OutputArguments(out=str(out_dir)),
                  predict_fn=predict_fn)
    header, rows = leaderboard_table(metrics)
    data = metrics["data"]
    status = (
        f"Scored **{len(rows)} systems** on **{data['documents']} documents** of "
        f"`{Path(data['path']).name}` (sha256 `{data['sha256'][:12]}`). "
        f"{metrics['settings']['rouge'].get('scorer', 'ROUGE')}; sorted by the mean of R-1, R-2 and R-Lsum."
    )
    if data["allow_missing_dropped"]:
        status += f" {data['allow_missing_dropped']} documents without a prediction were left out."
    plots = [str(out_dir / p) for p in _PLOTS if (out_dir / p).exists()]
    return EvalResult(header, rows, plots, [str(out_dir / f) for f in _FILES], status)


def _check_predictions(path: Path) -> None:
    """A ValueError an uploader can act on for a file that is not UTF-8 JSONL text."""
    if path.suffix.lower() != ".jsonl":
        raise ValueError(f"{path.name}: predictions must be a .jsonl file.")
    data = path.read_bytes()
    if b"\x00" in data:
        raise ValueError(f"{path.name} is a binary file, not text.")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path.name} is not valid UTF-8 text (bad byte at position {error.start}).") from None


def _extractive_predictions(articles: list[str]) -> list[str]:
    """The library's extractive style (lead content sentences); needs no model."""
    from summarizer import DEFAULT_STYLES
    from summarizer.generation.extractive import extract_for_style

    return [extract_for_style(article, DEFAULT_STYLES["extractive"]) for article in articles]


def leaderboard_table(metrics: dict) -> tuple[list[str], list[list]]:
    """Header and rows of the leaderboard from an `eval.summarize` metrics dict (the rows and
    signal labels are `eval.leaderboard`'s, as in report.md)."""
    header = ["#", "system", "kind", "R-1", "R-2", "R-Lsum", "ROUGE mean (95% CI)", "Δ vs best (p)", "words"]
    header += [SIGNAL_LABELS[s] for s in shown_signals(metrics)]
    rows = []
    for row in board_rows(metrics):
        system, versus = row.system, row.vs_best
        if versus is None:
            delta = "—"
        else:
            p = versus.p_permutation
            delta = f"{versus.delta:+.2f} ({'<0.001' if p < 0.001 else f'{p:.3f}'})"
        mean = system.rouge["rouge_mean"]
        rows.append([
            row.rank, system.name, system.kind,
            round(system.rouge["rouge1"].mean, 2), round(system.rouge["rouge2"].mean, 2),
            round(system.rouge["rougeLsum"].mean, 2),
            f"{mean.mean:.2f} ({mean.low:.2f}–{mean.high:.2f})", delta, round(system.length.mean, 1),
            *(None if value is None else round(value, 3) for value in row.signals.values()),
        ])
    return header, rows
