"""XSum-style one-sentence summaries beside published systems (issue 16's figures).

    python -m experiments.one_sentence --limit 50 --json runs/one_sentence.json

Sets (never a training record):
- `frank-xsum-test`: the XSum `split == "test"` documents of `summarization/frank.jsonl` (75),
  with FRANK's published outputs of BERTS2S, TranS2S, TConvS2S and PtGen on the same documents;
- `xsum_extra-dev`: `training.devsets.xsum_extra_dev` (`summarization/xsum_extra.jsonl`, id bucket 0 of 10: the
  `one_sentence_xsum` training task's dev records, which training never reads), first `--limit`.

Per system: ROUGE-1/2/L against the gold sentence (rouge-score, stemmed) and entity precision
against the article (`eval.writing.score`), beside `lead-1` (the article's first
sentence) and the model's `one_sentence_abstractive` (guard on, as users get it), with
`--styles ... one_sentence` also the selection style (the model picks one article sentence).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from eval.writing import score
from experiments.headlines import load_summarizer, parse_model_arguments
from summarizer.paths import data_root
from summarizer.text.sentences import split_sentences
from training.devsets import xsum_extra_dev

PUBLISHED = ("BERTS2S", "TranS2S", "TConvS2S", "PtGen")
STYLE = "one_sentence_abstractive"


def frank_xsum_test() -> list[dict]:
    with (data_root() / "summarization" / "frank.jsonl").open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    return [r for r in records if r.get("split") == "test" and r.get("dataset") == "xsum"]


def _row(dev: str, r: dict) -> str:
    p = "-" if r["entity_precision"] is None else f"{r['entity_precision']:.3f}"
    return (f"| {dev} | {r['system']} | {r['n']} | {r['rouge1']:.2f} | {r['rouge2']:.2f} | {r['rougeL']:.2f} "
            f"| {p} | {r['words']:.1f} | {r['seconds_per_item']:.2f} |")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=50, help="xsum_extra dev records (FRANK: all 75)")
    parser.add_argument("--styles", nargs="+", default=[STYLE], choices=[STYLE, "one_sentence"],
                        help="one_sentence: the model selects one of the article's sentences")
    args = parse_model_arguments(parser, argv)
    summarizer, overrides = load_summarizer(args, STYLE)
    print("| set | system | n | R-1 | R-2 | R-L | entity P | words | s / item |")
    print("|---|---|---|---|---|---|---|---|---|")
    results = []
    for dev, records in (("frank-xsum-test", frank_xsum_test()), ("xsum_extra-dev", xsum_extra_dev(args.limit))):
        pairs = [(r["article"], r["references"][0]) for r in records]
        texts = [text for text, _ in pairs]
        systems = {"lead-1": [(split_sentences(t) or [t])[0] for t in texts]}
        systems.update({name: [r["systems"][name] for r in records] for name in PUBLISHED if all(name in r.get("systems", {}) for r in records)})
        for name, outputs in systems.items():
            results.append({"set": dev, **score(name, outputs, pairs, 0.0)})
            print(_row(dev, results[-1]), flush=True)
        for style in args.styles:
            start = time.perf_counter()
            # The generation settings of --set are for the writing style; selection copies.
            summaries = summarizer.summarize(texts, style=style, **(overrides if style == STYLE else {}))
            written = [s.text for s in summaries]
            results.append({"set": dev, **score(style, written, pairs, time.perf_counter() - start),
                            "fallbacks": sum(s.extractive_fallback for s in summaries)})
            print(_row(dev, results[-1]), f"(guard fell back to the lead {results[-1]['fallbacks']} times)", flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
