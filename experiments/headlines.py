"""Headlines against the publishers' own, beside a lead baseline (issue 16's dev figures).

    python -m experiments.headlines --limit 50 --json runs/headlines.json

Dev sets (fixed; never a test split):
- `rss`: `headlines/rss_news.jsonl` items whose description has >= 25 words and whose id hashes
  to dev (sha256(id) % 50 == 1), first `--limit` by hash; the headline is written from the
  description alone.
- `bbc`: `summarization/bbc_summary.jsonl` `split == "valid"`, first `--limit`; the article's
  first line is its title (the reference), the rest is what the headline is written from.

Systems: `lead-10` (the text's first sentence cut to 10 words at a phrase boundary, like the
library cuts a headline) and the model's `headline` style (`--model`, default the shipped one).
Per system: ROUGE-1/2/L against the real headline (rouge-score, stemmed), entity and number
precision against the source, words. Then the headline of
`../shared/examples/article_with_headline.txt` beside the publisher's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from eval.metrics.rouge import rouge_scores
from summarizer import Summarizer
from summarizer.config import BACKENDS, parse_setting_overrides
from summarizer.generation.postprocess import shorten_at_clause
from summarizer.guard.faithfulness import entity_precision, number_precision
from summarizer.paths import data_root
from summarizer.text.sentences import split_sentences
from training.data import id_bucket

MIN_DESCRIPTION_WORDS = 25


def rss_dev(limit: int) -> list[tuple[str, str]]:
    """(source text, headline) pairs of the RSS dev split."""
    items = []
    with (data_root() / "headlines" / "rss_news.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if id_bucket(record["id"], 50) == 1 and len(record["description"].split()) >= MIN_DESCRIPTION_WORDS:
                items.append((id_bucket(record["id"], 1 << 48), record["description"], record["headline"]))
    return [(text, headline) for _, text, headline in sorted(items)[:limit]]


def bbc_dev(limit: int) -> list[tuple[str, str]]:
    pairs = []
    with (data_root() / "summarization" / "bbc_summary.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("split") == "valid":
                title, body = record["article"].split("\n", 1)
                pairs.append((body.strip(), title.strip()))
    return pairs[:limit]


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


def lead_baseline(text: str, words: int = 10) -> str:
    first = (split_sentences(text) or [text])[0]
    return shorten_at_clause(first, words).rstrip(".")


def score(name: str, outputs: list[str], pairs: list[tuple[str, str]], seconds: float) -> dict:
    scores = rouge_scores(outputs, [[headline] for _, headline in pairs])
    entities = [entity_precision(o, text) for o, (text, _) in zip(outputs, pairs, strict=True)]
    numbers = [number_precision(o, text) for o, (text, _) in zip(outputs, pairs, strict=True)]

    def pooled(precisions) -> float | None:
        total = sum(p.total for p in precisions)
        return sum(p.matched for p in precisions) / total if total else None

    n = len(outputs)
    return {
        "system": name, "n": n,
        "rouge1": 100 * sum(s.rouge1 for s in scores) / n,
        "rouge2": 100 * sum(s.rouge2 for s in scores) / n,
        "rougeL": 100 * sum(s.rougeL for s in scores) / n,
        "entity_precision": pooled(entities), "number_precision": pooled(numbers),
        "words": sum(len(o.split()) for o in outputs) / n, "seconds_per_item": seconds / n,
        "outputs": outputs,
    }


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
        written = [s.text for s in summarizer.summarize(texts, style="headline", **overrides)]
        results.append({"dev": dev, **score("headline", written, pairs, time.perf_counter() - start)})
        print(_row(dev, results[-1]), flush=True)
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
