"""Headlines against the publishers' own, beside a lead baseline (issue 16's dev figures).

    python -m experiments.headlines --limit 50 --json runs/headlines.json

Dev sets (fixed; never a test split): `rss` and `bbc` of `training.devsets`.

Systems: `lead-10` (the text's first sentence cut to 10 words at a phrase boundary, like the
library cuts a headline) and the model's `headline` style (`--model`, default the shipped one).
Per system: ROUGE-1/2/L against the real headline (rouge-score, stemmed), entity and number
precision against the source, words, and how many headlines were written again with beams
because the model was unsure of its first (`rewrite_unsure`). Then the headline of
`../shared/examples/article_with_headline.txt` beside the publisher's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from eval.writing import lead_baseline, score
from summarizer import Summarizer
from summarizer.config import BACKENDS, parse_setting_overrides
from summarizer.paths import data_root
from training.devsets import bbc_dev, rss_dev


def parse_model_arguments(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The flags every writing-style study takes: which model, its generation settings, where
    to write the results (`experiments.one_sentence` uses them too)."""
    parser.add_argument("--model", default=None, help="Summarizer folder (default: the shipped model)")
    parser.add_argument("--json", default=None)
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="generation settings for the model's style, e.g. copy_bias=1.0")
    parser.add_argument("--backend", default="auto", choices=BACKENDS, help="how the weights run")
    parser.add_argument("--source_sentences", type=int, default=None,
                        help="show the model this many lead sentences (default: the style's own)")
    return parser.parse_args(argv)


def load_summarizer(args: argparse.Namespace, style: str) -> tuple[Summarizer, dict]:
    """The summarizer a study runs (`--model`, `--backend`), with `--source_sentences` applied to `style`,
    and the generation overrides of `--set`."""
    summarizer = Summarizer.from_pretrained(args.model, backend=args.backend)
    if args.source_sentences is not None:
        styles = summarizer.config.styles
        styles[style] = dataclasses.replace(styles[style], source_sentences=args.source_sentences)
    return summarizer, parse_setting_overrides(args.set)


def _row(dev: str, r: dict) -> str:
    def p(v):
        return "-" if v is None else f"{v:.3f}"

    return (f"| {dev} | {r['system']} | {r['n']} | {r['rouge1']:.2f} | {r['rouge2']:.2f} | {r['rougeL']:.2f} "
            f"| {p(r['entity_precision'])} | {p(r['number_precision'])} | {r['words']:.1f} | {r['seconds_per_item']:.2f} |")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=50)
    args = parse_model_arguments(parser, argv)
    summarizer, overrides = load_summarizer(args, "headline")
    print("| dev set | system | n | R-1 | R-2 | R-L | entity P | number P | words | s / item |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    results = []
    for dev, pairs in (("rss", rss_dev(args.limit)), ("bbc", bbc_dev(args.limit))):
        texts = [text for text, _ in pairs]
        start = time.perf_counter()
        lead = [lead_baseline(t) for t in texts]
        results.append({"dev": dev, **score("lead-10", lead, pairs, time.perf_counter() - start)})
        print(_row(dev, results[-1]), flush=True)
        start = time.perf_counter()
        summaries = summarizer.summarize(texts, style="headline", **overrides)
        written = [s.text for s in summaries]
        rewritten = sum(any(a.reason == "unsure" for a in s.guard) for s in summaries)
        results.append({"dev": dev, **score("headline", written, pairs, time.perf_counter() - start),
                        "rewritten_unsure": rewritten})
        print(_row(dev, results[-1]) + f" ({rewritten} written again: the model was unsure)", flush=True)
    example = data_root().parent / "examples" / "article_with_headline.txt"
    if example.is_file():
        title, body = example.read_text(encoding="utf-8").strip().split("\n", 1)
        print(f"\nexample article: publisher {title.strip()!r}, ours {summarizer.summarize([body.strip()], style='headline', **overrides)[0].text!r}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
