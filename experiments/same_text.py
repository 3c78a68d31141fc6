"""Does a speed change keep the text? The four default styles' outputs on SumLLM val articles,
written by one checkout and compared with another's (issue 34: an exact change must give the
same summaries).

    python -m experiments.same_text write --out before.json [--offset 16 --limit 100]   # at the old commit
    python -m experiments.same_text write --out after.json                               # at the new one
    python -m experiments.same_text compare before.json after.json

`compare` prints, per style, how many outputs differ, the seconds each run took, and ROUGE-1
against the first GPT-4 highlight (`bench.speed`'s proxy), then each differing pair.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from bench.speed import load_articles, rouge
from summarizer import Summarizer
from summarizer.paths import data_root

STYLES = ("headline", "one_sentence_abstractive", "highlights", "one_sentence")


def write(args: argparse.Namespace) -> None:
    articles, references = load_articles(data_root(), args.offset + args.limit)
    articles, references = articles[args.offset:], references[args.offset:]
    summarizer = Summarizer.from_pretrained(None, backend=args.backend)
    out = {"backend": summarizer.backend, "references": references}
    for style in STYLES:
        start = time.perf_counter()
        texts = [s.text for s in summarizer.summarize(articles, style=style, batch_size=8)]
        out[style] = {"seconds": time.perf_counter() - start, "texts": texts}
        print(f"{style}: {out[style]['seconds']:.1f} s", flush=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)


def compare(args: argparse.Namespace) -> None:
    with open(args.before, encoding="utf-8") as f:
        before = json.load(f)
    with open(args.after, encoding="utf-8") as f:
        after = json.load(f)
    for style in STYLES:
        pairs = list(zip(before[style]["texts"], after[style]["texts"], strict=True))
        differ = [(a, b) for a, b in pairs if a != b]
        r_before = rouge(before[style]["texts"], before["references"])["rouge1"]
        r_after = rouge(after[style]["texts"], before["references"])["rouge1"]
        print(f"{style}: {len(differ)} of {len(pairs)} differ; {before[style]['seconds']:.1f} s -> "
              f"{after[style]['seconds']:.1f} s; R-1 {r_before:.2f} -> {r_after:.2f}")
        for a, b in differ:
            print(f"  before: {a}\n  after:  {b}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("--out", required=True)
    w.add_argument("--offset", type=int, default=16, help="skip bench.speed's 16 articles")
    w.add_argument("--limit", type=int, default=100)
    w.add_argument("--backend", default="auto")
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    write(args) if args.command == "write" else compare(args)


if __name__ == "__main__":
    main()
