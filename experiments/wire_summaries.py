"""Summaries of wire copy against summaries of the same articles given cased (issue: wire copy in summarize).

    python -m experiments.wire_summaries --limit 50 --headline-limit 20 --json runs/wire_summaries.json

Articles: the `val` split of `summarization/sumllm_cnndm.jsonl` (CNN/DM; GPT-4 references; a
dev split, never a test one). Each article is summarized three ways with the defaults a new
user gets (`input_format="auto"`): as published (cased), and as wire copy in the two layouts of
`eval.wirecopy` (`running`: one line of lowercased PTB tokens; `lines`: one sentence a line,
final periods dropped, compounds split, like ../shared/examples/wire_copy.txt).

Per style and layout: the share of summaries over the style's word limit, with PTB artifacts
(` 's`, ` n't`, ` ,`, ` .`, `-lrb-`, quote codes, `x - y`), not starting with a capital; ROUGE
(rouge-score, stemmed, first reference) of the wire-copy summaries against the cased ones'; and
the seconds a summary spends in layout detection and normalization beside its whole time.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from eval.metrics.rouge import rouge_scores
from eval.wirecopy import WireArticle, lines_copy, running_copy
from summarizer import Summarizer
from summarizer.config import NORMALIZE_METHODS
from summarizer.paths import data_root

# PTB tokens left in the text (a spaced dash is not counted: published text uses it too).
PTB_ARTIFACTS = re.compile(r" 's\b| n't\b| ,| \.(?:\s|$)|-lrb-|-rrb-|``|''")
STYLES = ("highlights", "one_sentence", "extractive", "headline")


@dataclass
class Row:
    style: str
    layout: str
    n: int
    over_limit: float
    ptb_artifacts: float
    not_capitalized: float
    rouge1: float
    rouge2: float
    rougeL: float
    mean_words: float
    prepare_seconds: float
    summary_seconds: float
    summaries: list[str]


def load_articles(limit: int) -> list[dict]:
    path = data_root() / "summarization" / "sumllm_cnndm.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    return [r for r in records if r.get("split") == "val"][:limit]


def layouts(record: dict) -> dict[str, str]:
    article = WireArticle(record["id"], record["dataset"], record["article"].strip())
    return {
        "cased": article.text,
        "running": running_copy(article).lower(),
        "lines": lines_copy(article).lower(),
    }


def run_style(summarizer: Summarizer, style: str, records: list[dict], wire_casing: str | None = None) -> list[Row]:
    limit = summarizer.config.style(style).generation.max_words
    refs = [[r["references"][0]] for r in records]
    rows = []
    for layout in ("cased", "running", "lines"):
        texts = [layouts(r)[layout] for r in records]
        start = time.perf_counter()
        summarizer.prepare(texts, wire_casing=wire_casing)
        prepare = time.perf_counter() - start
        start = time.perf_counter()
        summaries = [s.text for s in summarizer.summarize(texts, style=style, wire_casing=wire_casing)]
        seconds = time.perf_counter() - start
        scores = rouge_scores(summaries, refs)
        n = len(summaries)
        rows.append(Row(
            style=style, layout=layout, n=n,
            over_limit=sum(len(s.split()) > limit for s in summaries) / n,
            ptb_artifacts=sum(bool(PTB_ARTIFACTS.search(s)) for s in summaries) / n,
            not_capitalized=sum(not _first_letter_upper(s) for s in summaries) / n,
            rouge1=100 * sum(s.rouge1 for s in scores) / n,
            rouge2=100 * sum(s.rouge2 for s in scores) / n,
            rougeL=100 * sum(s.rougeLsum for s in scores) / n,
            mean_words=sum(len(s.split()) for s in summaries) / n,
            prepare_seconds=prepare / n,
            summary_seconds=seconds / n,
            summaries=summaries,
        ))
        print(_line(rows[-1]), flush=True)
    return rows


def _first_letter_upper(text: str) -> bool:
    """The first letter is a capital (after any opening quote or bracket, as in `(CNN) --`)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and letters[0].isupper()


def _line(r: Row) -> str:
    return (
        f"| {r.style} | {r.layout} | {r.n} | {r.over_limit:.2f} | {r.ptb_artifacts:.2f} | {r.not_capitalized:.2f} "
        f"| {r.rouge1:.2f} | {r.rouge2:.2f} | {r.rougeL:.2f} | {r.mean_words:.1f} "
        f"| {1000 * r.prepare_seconds:.1f} ms | {r.summary_seconds:.2f} s |"
    )


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=50, help="articles (of SumLLM val's 100)")
    parser.add_argument("--headline-limit", type=int, default=20, help="articles for the (slow) headline style")
    parser.add_argument("--styles", nargs="+", default=list(STYLES), choices=STYLES)
    parser.add_argument("--model", default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("--wire-casing", default=None, choices=NORMALIZE_METHODS,
                        help="the normalize method of the wire step (default: the model's config)")
    args = parser.parse_args(argv)
    records = load_articles(args.limit)
    summarizer = Summarizer.from_pretrained(args.model)
    # The casing tables load once (~2 s), not per article.
    summarizer.prepare([layouts(records[0])["running"]], wire_casing=args.wire_casing)
    print("| style | input | n | over limit | PTB artifacts | not capitalized | R-1 | R-2 | R-Lsum | words "
          "| detect+normalize / article | summary / article |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for style in args.styles:
        subset = records[: args.headline_limit] if style == "headline" else records
        rows.extend(run_style(summarizer, style, subset, args.wire_casing))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps([r.__dict__ for r in rows], indent=1) + "\n")
    return rows


if __name__ == "__main__":
    main()
