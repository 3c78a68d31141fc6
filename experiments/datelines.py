"""Datelines and bylines in summaries of CNN/DailyMail articles (issue 24's figure, goal 0).

    python -m experiments.datelines [--split val] [--styles highlights extractive]

Set: the `summarization/sumllm_cnndm.jsonl` articles of `--split` (default `val`, the dev split;
never a test split) whose text carries a dateline or byline before its first sentence
(`summarizer.text.layout.strip_dateline` finds one), and the share of all articles that do.
Per style: how many summaries start with a dateline or byline, and how many contain a source
tag such as "(CNN)" anywhere.
"""

from __future__ import annotations

import argparse
import json
import re

from summarizer import Summarizer
from summarizer.paths import data_root
from summarizer.text.layout import strip_dateline

_TAG = re.compile(r"\((?:CNN|Reuters|AP|AFP|UPI)\)|\bPUBLISHED: \.|\bUPDATED: \.")


def articles_with_datelines(split: str) -> tuple[list[dict], int]:
    with (data_root() / "summarization" / "sumllm_cnndm.jsonl").open(encoding="utf-8") as f:
        records = [r for r in map(json.loads, f) if r.get("split") == split]
    return [r for r in records if strip_dateline(r["article"]) != r["article"]], len(records)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="val")
    parser.add_argument("--styles", nargs="+", default=["highlights", "extractive"])
    parser.add_argument("--backend", default="auto")
    args = parser.parse_args(argv)
    records, total = articles_with_datelines(args.split)
    print(f"{len(records)} of {total} {args.split} articles carry a dateline or byline")
    summarizer = Summarizer.from_pretrained(backend=args.backend)
    results = {"split": args.split, "articles": total, "with_dateline": len(records), "styles": {}}
    for style in args.styles:
        texts = [s.text for s in summarizer.summarize([r["article"] for r in records], style=style)]
        starts = sum(strip_dateline(t) != t for t in texts)
        tagged = sum(bool(_TAG.search(t)) for t in texts)
        results["styles"][style] = {"start_with_dateline": starts, "contain_source_tag": tagged}
        print(f"{style}: {starts} of {len(texts)} start with a dateline or byline, {tagged} contain a source tag")
    return results


if __name__ == "__main__":
    main()
