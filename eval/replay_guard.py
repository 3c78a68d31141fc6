"""Apply the run-time faithfulness guard to predictions made without it.

    python -m eval.replay_guard --data summarization/sumllm_cnndm_test.jsonl \
        --predictions runs/zeroshot/preds.jsonl --out runs/zeroshot/preds.guarded.jsonl [--style highlights]

The guard is deterministic post-processing of the generated text (`summarizer.guard.faithfulness.
drop_unsupported`, then the extractive fallback), so replaying it gives exactly what
`Summarizer.summarize(..., faithful=True)` returns for the same generations, without spending
the model time again.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from summarizer.config import DEFAULT_STYLES
from summarizer.generation.extractive import extract_for_style
from summarizer.guard.faithfulness import drop_unsupported
from summarizer.paths import resolve_data_path


def main(argv: Sequence[str] | None = None) -> dict[str, int]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--predictions", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--style", default="highlights")
    args = parser.parse_args(argv)
    style = DEFAULT_STYLES[args.style]
    with open(resolve_data_path(args.data), encoding="utf-8") as f:
        articles = {row["id"]: row["article"] for row in map(json.loads, f)}
    counts = {"summaries": 0, "with_dropped_sentences": 0, "dropped_sentences": 0, "extractive_fallback": 0}
    with open(args.predictions, encoding="utf-8") as f, open(args.out, "w", encoding="utf-8") as out:
        for row in map(json.loads, f):
            checked = drop_unsupported(row["summary"], articles[row["id"]])
            text = checked.text
            if not text:
                text = extract_for_style(articles[row["id"]], style)
                counts["extractive_fallback"] += 1
            counts["summaries"] += 1
            counts["dropped_sentences"] += len(checked.dropped)
            counts["with_dropped_sentences"] += bool(checked.dropped)
            out.write(json.dumps({"id": row["id"], "summary": text}, ensure_ascii=False) + "\n")
    print(json.dumps(counts))
    return counts


if __name__ == "__main__":
    main()
