"""Tune the selection style's decoding knobs on dev data (never a test set).

    python -m experiments.selection_tuning [--dev sumllm|frank] [--limit 50] \
        [--weights 0,0.5,1,2,3] [--min 1,3] [--budgets none,90,100] [--bf16]

Dev sets: `sumllm` = SumLLM `val` (first GPT-4 reference); `frank` = the FRANK `valid` CNN/DM
articles with their original highlights (`bart_reference`), the kind of reference REALSumm and
FRANK test use. For each (lead_weight, min_sentences, word_budget) the shipped model selects
sentences for the first `--limit` articles; ROUGE-1/2/Lsum against the first reference are
printed next to Lead-3 and the oracle (the best 3 candidates for the reference: the ceiling of
selection).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import time
from collections.abc import Sequence

from bench.speed import load_articles
from eval.data import load_documents
from eval.metrics.rouge import rouge_scores
from summarizer import Summarizer
from summarizer.generation.extractive import extract
from summarizer.generation.selection import candidate_sentences, oracle_sentences
from summarizer.paths import data_root


def _dev_set(name: str, limit: int) -> tuple[list[str], list[list[str]]]:
    if name == "sumllm":
        return load_articles(data_root(), limit)
    docs = load_documents(data_root() / "summarization/frank.jsonl", dataset="cnndm", split="valid")
    return [d.article for d in docs[:limit]], [list(d.references) for d in docs[:limit]]


def _mean(scores) -> tuple[float, float, float]:
    n = len(scores)
    return tuple(100 * sum(getattr(s, k) for s in scores) / n for k in ("rouge1", "rouge2", "rougeLsum"))


def main(argv: Sequence[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--weights", default="0,0.5,1,2,3")
    parser.add_argument("--min", default="1,3")
    parser.add_argument("--budgets", default="none", help="word budgets to try; none = no budget")
    parser.add_argument("--dev", default="sumllm", choices=["sumllm", "frank"])
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    articles, references = _dev_set(args.dev, args.limit)
    refs = [r[:1] for r in references]
    model = Summarizer.from_pretrained(args.model, backend="bf16" if args.bf16 else "torch")
    base = model.config.style("highlights")
    rows = []
    lead3 = [extract(a, max_sentences=3) for a in articles]
    oracle = []
    for article, ref in zip(articles, refs, strict=True):
        cands = candidate_sentences(model.prompter.model_input(article, base))
        oracle.append(" ".join(cands[i] for i in oracle_sentences(cands, ref[0], 3)))
    for name, outputs in (("lead-3 (extractive style)", lead3), ("oracle (ceiling)", oracle)):
        r1, r2, rl = _mean(rouge_scores(outputs, refs))
        rows.append({"run": name, "rouge1": r1, "rouge2": r2, "rougeLsum": rl})
        print(f"{name:32s} R1 {r1:.2f} R2 {r2:.2f} RLsum {rl:.2f}", flush=True)
    budgets = [None if x == "none" else int(x) for x in args.budgets.split(",")]
    for minimum, weight, budget in itertools.product(
        [int(x) for x in args.min.split(",")], [float(x) for x in args.weights.split(",")], budgets
    ):
        style = dataclasses.replace(base, lead_weight=weight, min_sentences=minimum, word_budget=budget)
        model.config.styles["highlights"] = style
        start = time.perf_counter()
        outputs = [s.text for s in model.summarize(articles, style="highlights")]
        seconds = time.perf_counter() - start
        r1, r2, rl = _mean(rouge_scores(outputs, refs))
        words = sum(len(o.split()) for o in outputs) / len(outputs)
        row = {"run": f"lead_weight={weight} min={minimum} budget={budget}", "rouge1": r1, "rouge2": r2,
               "rougeLsum": rl, "words": words, "seconds_per_article": seconds / len(articles)}
        rows.append(row)
        print(f"{row['run']:32s} R1 {r1:.2f} R2 {r2:.2f} RLsum {rl:.2f} words {words:.1f} "
              f"{seconds / len(articles):.2f} s/article", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return rows


if __name__ == "__main__":
    main()
