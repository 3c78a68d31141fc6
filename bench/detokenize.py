"""Measure the PTB round trip on real CNN/DM references: `casing/frank_refs.jsonl` targets.

    python -m bench.detokenize [--data ../shared/data] [--hyphens]

For each cased reference `t` (PTB tokens), checks `tokenize_ptb(detokenize(t)) == t`, per
tokenization variant of the record: `bart` (BART outputs), `bert/bus` (references as in the
bert_sum/bus FRANK fields: See et al.'s format, `#` for £, `` ` `` for opening quotes) and
`pgn/s2s` (a different normalization: `£`, `'` for opening quotes, curly apostrophes unsplit),
which `tokenize_ptb` does not aim to reproduce. Reports the share of records reproduced
exactly and the share of tokens in matching blocks (difflib).

`--hyphens` also lists how `detokenize` resolves every spaced hyphen (`a - b`) in the
`summarization/realsumm.jsonl` references, whose tokenizer split compounds (`runner - up`), to
be judged by eye: JOIN (compound) or dash (kept spaced).
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import os
import re
from pathlib import Path

from summarizer.casing.detokenize import detokenize, tokenize_ptb

__all__ = ["variant", "main"]


def variant(record: dict) -> str:
    if record["kind"] == "bart-output":
        return "bart"
    if {"bert_sum_reference", "bus_reference"} & set(record["input_fields"]):
        return "bert/bus"
    return "pgn/s2s"


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("SUMMARIZER_DATA", "../shared/data"))
    parser.add_argument("--hyphens", action="store_true", help="list the realsumm spaced-hyphen decisions")
    args = parser.parse_args(argv)
    with (Path(args.data) / "casing" / "frank_refs.jsonl").open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    exact: collections.Counter = collections.Counter()
    count: collections.Counter = collections.Counter()
    matched: collections.Counter = collections.Counter()
    tokens: collections.Counter = collections.Counter()
    for record in records:
        name = variant(record)
        target = record["target"]
        back = tokenize_ptb(detokenize(target), pound_as_hash="£" not in target)
        gold, got = target.split(), back.split()
        blocks = difflib.SequenceMatcher(a=gold, b=got, autojunk=False).get_matching_blocks()
        for key in (name, "all"):
            count[key] += 1
            exact[key] += back == target
            matched[key] += sum(b.size for b in blocks)
            tokens[key] += len(gold)
    results = {
        key: {
            "records": count[key],
            "exact": exact[key] / count[key],
            "token_match": matched[key] / tokens[key],
        }
        for key in count
    }
    print(f"{'variant':<10} {'records':>7} {'exact':>7} {'tokens':>7}")
    for key, r in results.items():
        print(f"{key:<10} {r['records']:7d} {r['exact']:7.4f} {r['token_match']:7.4f}")
    if args.hyphens:
        _list_hyphens(Path(args.data) / "summarization" / "realsumm.jsonl")
    return results


def _list_hyphens(path: Path) -> None:
    with path.open(encoding="utf-8") as f:
        references = [json.loads(line)["references"][0] for line in f if line.strip()]
    decisions = []
    for reference in references:
        out = detokenize(reference)
        for match in re.finditer(r"(\S+) - (?=(\S+))", reference):
            left, right = match.group(1), match.group(2)
            decisions.append((f"{left} - {right}", f"{left}-{right}" in out))
    print(f"\nrealsumm references: {len(decisions)} spaced hyphens, {sum(j for _, j in decisions)} joined")
    for pair, joined in decisions:
        print(f"  {'JOIN' if joined else 'dash':<5} {pair}")


if __name__ == "__main__":
    main()
