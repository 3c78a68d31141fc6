"""The reading sheet for the headline style on session 10's 72 read BBC / RSS dev items.

    python -m experiments.headline_reading_bbc_rss --out docs/reading/bbc_rss_headline_sheet.jsonl
    python -m eval.reading report --sheet docs/reading/bbc_rss_headline_sheet.jsonl \\
        --labels docs/reading/bbc_rss_headline_labels.jsonl

Session 10 read the written headline on these items (`docs/headline_reading.json`: RSS 0-33 and
BBC 0-60 of `training.devsets`, where greedy and 4-beam headlines differ): greedy misstated 24,
the shipped one 12. This writes the same items' headlines in the current `headline` style as an
`eval.reading` sheet (the outlet's headline as reference), so the two readings compare item by item.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.reading import write_sheet
from summarizer import Summarizer
from training.devsets import bbc_dev, rss_dev

SESSION_10 = Path(__file__).resolve().parents[1] / "docs" / "headline_reading.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--model", default=None, help="Summarizer folder (default: the shipped model)")
    args = parser.parse_args(argv)
    rows = json.loads(SESSION_10.read_text(encoding="utf-8"))["rows"]
    sets = {"rss": rss_dev(100), "bbc": bbc_dev(100)}
    records = [{"id": f"{r['dev']}-{r['index']}", "source": r["dev"], "text": sets[r["dev"]][r["index"]][0],
                "title": sets[r["dev"]][r["index"]][1]} for r in rows]
    summaries = Summarizer.from_pretrained(args.model).summarize([r["text"] for r in records], style="headline")
    print(write_sheet(records, [s.text for s in summaries], Path(args.out), "headline"))


if __name__ == "__main__":
    main()
