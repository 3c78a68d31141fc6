"""The LM check of the statistical draft (`normalize(method="model")`) against the draft alone.

    python -m bench.casing_lm --split valid                 # statistical vs model on frank_refs
    python -m bench.casing_lm --split all --bf16 --repeat 2  # bfloat16 autocast, best of 2 timed
    python -m bench.casing_lm --split valid --tune          # grid over the combination weights

Scores with the project's one casing metric (`eval.metrics.casing`); figures in
docs/results_casing_model.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import torch

from bench.casing import case_counts, format_header, format_row, load_records
from eval.metrics.casing import CasingScores, aggregate_casing
from summarizer import Summarizer
from summarizer.casing.decoder import shipped_decoder
from summarizer.casing.lm_check import (
    CaseLMSettings,
    apply_forms,
    choose_forms,
    restore_case_with_lm,
    score_candidates,
)
from summarizer.paths import data_root

# The choice settings `--tune` grids over, after one scoring pass.
TUNING_GRID = {
    "draft_bonus": [1.5, 2.0, 2.5, 3.0, 3.5],
    "prior_weight": [0.0, 0.1, 0.25],
    "next_weight": [0.0, 0.5],
    "settled_share": [None, 0.95, 0.99],
    "settled_count": [5, 20],
    "max_upper_letters": [3, 5],
}


def score_outputs(records: Sequence[dict], outputs: Sequence[str]) -> CasingScores:
    return aggregate_casing(
        case_counts(record["input"], output, record["target"])
        for record, output in zip(records, outputs, strict=True)
    )


def _row(name: str, scores: CasingScores, speed: float | None) -> str:
    return format_row(name, scores, speed, width=22)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", default=None, help="data root (default: $SUMMARIZER_DATA or ../shared/data)"
    )
    parser.add_argument("--split", default="valid", choices=["all", "valid", "test"])
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--model", default=None, help="checkpoint folder (default: the embedded model)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=1, help="time the best of this many passes")
    parser.add_argument(
        "--tune",
        action="store_true",
        help="score every word once, then grid over the choice settings (one pass)",
    )
    parser.add_argument("--json", default=None, help="also write the results here")
    for field_name, value in asdict(CaseLMSettings()).items():
        flag = "--" + field_name.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, action="store_true")
        elif field_name in ("max_upper_letters", "settled_share"):
            kind = int if field_name == "max_upper_letters" else float
            parser.add_argument(
                flag, type=lambda s, kind=kind: None if s == "none" else kind(s), default=value
            )
        else:
            parser.add_argument(flag, type=type(value), default=value)
    return parser


def _tune(summarizer, truecaser, records, settings, kwargs) -> list[dict]:
    """Score every word once with the widest settings, then choose forms for each grid point."""
    inputs = [r["input"] for r in records]
    wide = replace(settings, max_upper_letters=None, settled_share=None, next_weight=1.0)
    scored = score_candidates(summarizer.case_lm(), truecaser, inputs, wide, **kwargs)
    tried = []
    for values in itertools.product(*TUNING_GRID.values()):
        trial = replace(settings, **dict(zip(TUNING_GRID, values, strict=True)))
        outputs = [apply_forms(t, w, choose_forms(w, trial)) for t, w in zip(inputs, scored, strict=True)]
        tried.append((score_outputs(records, outputs), trial))
    tried.sort(key=lambda g: (g[0].f1 or 0.0, g[0].accuracy or 0.0), reverse=True)
    for scores, trial in tried[:15]:
        print(_row(" ".join(str(getattr(trial, k)) for k in TUNING_GRID), scores, None))
    print("(columns of the label: " + ", ".join(TUNING_GRID) + ")")
    return [{**asdict(t), **asdict(s)} for s, t in tried]


def _timed(summarizer, truecaser, records, settings, kwargs, repeat: int) -> tuple[str, dict]:
    """Best wall and CPU time of `repeat` passes of the model path, with its scores."""
    inputs = [r["input"] for r in records]
    best, cpu = math.inf, math.inf
    for _ in range(max(1, repeat)):
        start, start_cpu = time.perf_counter(), time.process_time()
        outputs = restore_case_with_lm(summarizer.case_lm(), truecaser, inputs, settings, **kwargs)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    scores = score_outputs(records, outputs)
    name = "model" + (" bf16" if settings.bf16 else " fp32")
    print(_row(name, scores, scores.words / best))
    load = os.getloadavg()[0]
    # On a shared machine wall time includes waiting for a core; CPU time does not.
    print(
        f"(torch threads {torch.get_num_threads()}, 1-minute load average after the run {load:.2f}; "
        f"{scores.words / cpu:.0f} words per CPU second)"
    )
    return name, {
        **asdict(scores),
        "words_per_second": round(scores.words / best),
        "words_per_cpu_second": round(scores.words / cpu),
        "torch_threads": torch.get_num_threads(),
        "load_average": round(load, 2),
    }


def main(argv: list[str] | None = None) -> dict:
    """Score the statistical truecaser and the model path on frank_refs; optionally tune."""
    args = build_parser().parse_args(argv)
    settings = CaseLMSettings(**{k: getattr(args, k) for k in asdict(CaseLMSettings())})
    records = load_records(Path(args.data) if args.data else data_root(), args.split)[: args.limit]
    truecaser = shipped_decoder()
    summarizer = Summarizer.from_pretrained(args.model)
    print(
        f"frank_refs split={args.split}: {len(records)} records; model {args.model or 'embedded default'}; {settings}"
    )
    print(format_header(width=22))
    results: dict = {
        "split": args.split,
        "records": len(records),
        "settings": asdict(settings),
        "systems": {},
    }

    start = time.perf_counter()
    outputs = [truecaser.restore(r["input"]) for r in records]
    seconds = time.perf_counter() - start
    scores = score_outputs(records, outputs)
    print(_row("statistical", scores, scores.words / seconds))
    results["systems"]["statistical"] = {**asdict(scores), "words_per_second": round(scores.words / seconds)}

    kwargs = {"batch_size": args.batch_size}
    if args.tune:
        results["tuning"] = _tune(summarizer, truecaser, records, settings, kwargs)
    else:
        name, results["systems"][name] = _timed(summarizer, truecaser, records, settings, kwargs, args.repeat)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
