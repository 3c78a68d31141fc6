"""Where a style's time goes: model prefill, decoding steps, and the Python around them.

    python -m experiments.stage_times --styles headline one_sentence_abstractive highlights one_sentence

16 SumLLM val articles (`bench.speed`'s), summarized per style in batches of `--batch-size`
(summarize's default, 8) with `--backend` (default `auto`). The model's forward calls are timed as they run, split by how many new positions
they read (more than one: prefill of prompts, or of the compressive styles' candidates after
their prompt's cache; one: a decoding step); the rest comes
from cProfile (cumulative seconds of the named functions; cProfile slows Python-heavy parts, so
read those as shares). Issue 34: "measure where the time goes per style".
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import defaultdict

import torch

from bench.speed import load_articles
from summarizer import Summarizer
from summarizer.paths import data_root

# (label, file suffix, function name) read from the profile.
STAGES = (
    ("text preparation (prepare_article)", "casing/wire.py", "prepare_article"),
    ("spaCy parse", "text/parsing.py", "parse"),
    ("compressions (enumeration, checks)", "generation/compression.py", "compressions"),
    ("main-point scorer", "generation/point.py", "scores"),
    ("choice features", "generation/choice.py", "choose"),
    ("faithfulness guard", "generation/free.py", "_guarded"),
    ("headline case", "casing/headline.py", "headline_case"),
)


def timed_forward(model: torch.nn.Module, log: dict[str, list[float]]) -> list[torch.nn.Module]:
    """Wrap the forward of `model` and of its base model (what the compressive styles' scoring
    calls) to add each outermost call's seconds to `log["prefill"]` or `log["decode"]`; the
    modules wrapped (`del module.forward` restores each)."""
    depth = [0]

    def wrap(module: torch.nn.Module) -> None:
        forward = module.forward

        def wrapper(*args, **kwargs):
            ids = kwargs.get("input_ids", args[0] if args else None)
            depth[0] += 1
            start = time.perf_counter()
            try:
                return forward(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    kind = "decode" if ids is not None and ids.shape[-1] == 1 else "prefill"
                    log[kind].append(time.perf_counter() - start)

        module.forward = wrapper

    modules = [model] + ([model.base_model] if getattr(model, "base_model", model) is not model else [])
    for module in modules:
        wrap(module)
    return modules


COUNTS = ("prefill calls", "decoding steps")


def profile_style(summarizer: Summarizer, articles: list[str], style: str, batch_size: int) -> dict[str, float]:
    log: dict[str, list[float]] = defaultdict(list)
    wrapped = timed_forward(summarizer.model, log)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    try:
        profiler.enable()
        summarizer.summarize(articles, style=style, batch_size=batch_size)
    finally:
        profiler.disable()
        for module in wrapped:
            del module.forward
    total = time.perf_counter() - start
    stats = pstats.Stats(profiler).stats
    found = {"total": total, "model prefill": sum(log["prefill"]), "model decoding steps": sum(log["decode"]),
             "prefill calls": len(log["prefill"]), "decoding steps": len(log["decode"])}
    for label, path, name in STAGES:
        found[label] = sum(v[3] for (file, _, func), v in stats.items() if file.endswith(path) and func == name)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", nargs="+", default=["headline", "one_sentence_abstractive", "highlights", "one_sentence"])
    parser.add_argument("--articles", type=int, default=16)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--batch-size", type=int, default=8, help="articles a model pass reads together")
    args = parser.parse_args(argv)
    articles, _ = load_articles(data_root(), args.articles)
    summarizer = Summarizer.from_pretrained(None, backend=args.backend)
    summarizer.summarize(articles[:2], style=args.styles[0])  # warm-up: spaCy, the scorer, kernels
    print(f"backend {summarizer.backend}, torch kernels {torch.backends.cpu.get_cpu_capability()}, "
          f"{torch.get_num_threads()} threads, {len(articles)} articles, batch {args.batch_size}")
    rows = {style: profile_style(summarizer, articles, style, args.batch_size) for style in args.styles}
    labels = list(next(iter(rows.values())))
    print("| stage | " + " | ".join(args.styles) + " |")
    print("|---|" + "---|" * len(args.styles))
    for label in labels:
        cells = []
        for style in args.styles:
            value, total = rows[style][label], rows[style]["total"]
            cells.append(str(int(value)) if label in COUNTS else f"{value:.2f} s ({100 * value / total:.0f}%)")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
