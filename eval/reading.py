"""Reading sheets: the human half of a headline or summary evaluation, beside ROUGE.

ROUGE cannot tell a true headline from a false one. `../shared/protocols/headline_judging.md`
can: a reader gives each output two labels, `faithful` (yes / no / unclear) and `keep` (yes /
no), against the article's opening. This module writes the sheet a reader fills and reports
the labels given back, with Wilson 95% intervals, beside ROUGE against the outlet's own text:

    python -m eval.reading sheet --style headline --limit 100 --out runs/reading/headline.jsonl
    python -m eval.reading report --sheet runs/reading/headline.jsonl --labels docs/reading/headline_labels.jsonl

A label counts only for the text it was given with (its `headline` field): after a change, the
report names the items whose output changed, to be read again.

`sheet` summarizes AllSides dev articles (`split=dev`, sorted by id: the same items for every
system; `--offset` for another slice) with the shipped model (or `--model`), or reads any
system's outputs from `--outputs` (JSONL with `id` and `output`). Each sheet line holds the id,
the output, the article's first ~250 words and the outlet's headline. A program prints the items
and counts the labels; it never chooses one (the protocol's rule).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from collections.abc import Sequence
from pathlib import Path

from eval.metrics.rouge import rouge_scores
from eval.writing import lead_baseline
from summarizer.paths import data_root

__all__ = ["allsides_dev", "read_labels", "report", "wilson", "write_sheet"]

ALLSIDES = "news/allsides_articles.jsonl.gz"
# The protocol reads the article's first ~250 words.
OPENING_WORDS = 250
LABELS = {"faithful": ("yes", "no", "unclear"), "keep": ("yes", "no")}


def allsides_dev(limit: int, offset: int = 0) -> list[dict]:
    """AllSides dev records (id, title, text, source), sorted by id, `offset` to `offset + limit`."""
    path = data_root() / ALLSIDES
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        dev = [r for r in map(json.loads, handle) if r.get("split") == "dev"]
    dev.sort(key=lambda r: r["id"])
    return dev[offset: offset + limit]


def opening(text: str, words: int = OPENING_WORDS) -> str:
    split = text.split()
    return " ".join(split[:words]) + (" ..." if len(split) > words else "")


def write_sheet(records: Sequence[dict], outputs: Sequence[str], path: Path, system: str) -> Path:
    """One line per item for a reader: id, system, output, the article's opening, the reference."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record, output in zip(records, outputs, strict=True):
            handle.write(json.dumps({
                "id": record["id"], "system": system, "output": output, "reference": record["title"],
                "source": record.get("source"), "article": opening(record["text"]),
            }, ensure_ascii=False) + "\n")
    return path


def read_labels(path: Path) -> dict[str, dict]:
    """Labels by id; a missing or unknown label, or a `no` without its `why`, is a ValueError."""
    labels = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        for name, allowed in LABELS.items():
            if row.get(name) not in allowed:
                raise ValueError(f"{path}:{n}: {name} must be one of {allowed}, got {row.get(name)!r}")
        if "no" in (row["faithful"], row["keep"]) and not str(row.get("why", "")).strip():
            raise ValueError(f"{path}:{n}: a 'no' needs its 'why' (item {row.get('id')})")
        labels[row["id"]] = row
    return labels


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for k successes in n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def report(sheet: Path, labels_path: Path) -> dict:
    """Misstated and kept counts with intervals, and ROUGE of the outputs and of lead-10, over the
    sheet items that have labels."""
    sheet_rows = [json.loads(line) for line in sheet.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = read_labels(labels_path)
    # A label judges the text it was given with ("headline"): an output that has changed since
    # is not labelled until it is read again.
    stale = [r["id"] for r in sheet_rows if r["id"] in labels and labels[r["id"]].get("headline", r["output"]) != r["output"]]
    rows = [r for r in sheet_rows if r["id"] in labels and r["id"] not in stale]
    if not rows:
        raise ValueError(f"no labelled items: none of {labels_path}'s ids is on {sheet}")
    n = len(rows)
    misstated = sum(labels[r["id"]]["faithful"] == "no" for r in rows)
    kept = sum(labels[r["id"]]["keep"] == "yes" for r in rows)
    references = [[r["reference"]] for r in rows]
    ours = rouge_scores([r["output"] for r in rows], references)
    lead = rouge_scores([lead_baseline(r["article"].removesuffix(" ...")) for r in rows], references)

    def r1(scores) -> float:
        return 100 * sum(s.rouge1 for s in scores) / len(scores)

    return {
        "n": n, "misstated": misstated, "misstated_ci": wilson(misstated, n),
        "kept": kept, "kept_ci": wilson(kept, n), "rouge1": r1(ours), "lead10_rouge1": r1(lead),
        "unread": [r["id"] for r in sheet_rows if r["id"] not in labels or r["id"] in stale],
    }


def _summaries(args: argparse.Namespace, records: list[dict]) -> list[str]:
    if args.outputs:
        by_id = {}
        for line in Path(args.outputs).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_id[row["id"]] = row["output"]
        missing = [r["id"] for r in records if r["id"] not in by_id]
        if missing:
            raise SystemExit(f"--outputs lacks {len(missing)} item(s), e.g. {missing[:3]}")
        return [by_id[r["id"]] for r in records]
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(args.model)
    return [s.text for s in summarizer.summarize([r["text"] for r in records], style=args.style, progress=True)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sheet = sub.add_parser("sheet", help="write a reading sheet")
    sheet.add_argument("--style", default="headline")
    sheet.add_argument("--model", default=None, help="Summarizer folder (default: the shipped model)")
    sheet.add_argument("--outputs", default=None, help="JSONL of another system's outputs (id, output)")
    sheet.add_argument("--limit", type=int, default=100)
    sheet.add_argument("--offset", type=int, default=0)
    sheet.add_argument("--out", required=True)
    rep = sub.add_parser("report", help="misstated and kept rates from a reader's labels")
    rep.add_argument("--sheet", required=True)
    rep.add_argument("--labels", required=True)
    args = parser.parse_args(argv)
    if args.command == "sheet":
        records = allsides_dev(args.limit, args.offset)
        system = args.outputs or args.style
        print(write_sheet(records, _summaries(args, records), Path(args.out), system))
        return
    result = report(Path(args.sheet), Path(args.labels))
    lo, hi = result["misstated_ci"]
    klo, khi = result["kept_ci"]
    print(f"n={result['n']}  misstated {result['misstated']} ({lo:.2f}-{hi:.2f})  "
          f"kept {result['kept']} ({klo:.2f}-{khi:.2f})  ROUGE-1 {result['rouge1']:.2f}  "
          f"lead-10 {result['lead10_rouge1']:.2f}")
    if result["unread"]:
        print(f"{len(result['unread'])} item(s) on the sheet without a label for their text (read them): "
              + ", ".join(result["unread"]))


if __name__ == "__main__":
    main()
