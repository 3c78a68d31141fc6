"""Summarize dev articles with the model seeing the whole article or only its lead.

    python -m experiments.lead_input --limit 24 --source-sentences 6 --out /tmp/val_src6.jsonl
    python -m experiments.lead_input --limit 24 --out /tmp/val_srcnone.jsonl

Reads the training pool's dev split (SumLLM CNN/DM `split == "val"`), guard off so the model
itself is measured; score the outputs with `python -m eval summarize ... --split val`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Sequence

from eval.data import read_jsonl, resolve_data_path
from summarizer import Summarizer


def main(argv: Sequence[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="summarization/sumllm_cnndm.jsonl")
    parser.add_argument("--limit", type=int, default=24)
    parser.add_argument("--source-sentences", type=int, default=None)
    parser.add_argument("--style", default="highlights")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    records = [r for r in read_jsonl(resolve_data_path(args.data)) if r.get("split") == "val"][: args.limit]
    summarizer = Summarizer.from_pretrained()
    style = summarizer.config.styles[args.style]
    summarizer.config.styles[args.style] = dataclasses.replace(style, source_sentences=args.source_sentences)
    start = time.perf_counter()
    summaries = summarizer.summarize([r["article"] for r in records], style=args.style, faithful=False, progress=True)
    per_article = (time.perf_counter() - start) / max(len(records), 1)
    with open(args.out, "w", encoding="utf-8") as f:
        for record, summary in zip(records, summaries, strict=True):
            f.write(json.dumps({"id": record["id"], "summary": summary.text}, ensure_ascii=False) + "\n")
    print(f"{per_article:.2f} s/article")
    return per_article


if __name__ == "__main__":
    main()
