"""Glued wire lines (two sentences on one line, no period): what they cost, and a pair-statistics try.

    python -m training.build_truecaser --out /tmp/tc --tokens-cache /tmp/tokens.txt.gz   # once
    python -m experiments.glued_boundaries --tokens /tmp/tokens.txt.gz --threshold 0.5 0.8

`glued`: the dev split's `lines` layout with every two lines joined into one (the second
sentence's start is then mid-line, lowercase, with no period before it), as in
`../shared/examples/wire_copy.txt` ("north of tikrit university militiamen laid down ...").

The detector tried: from the cased training text, for each word how often it ends / starts a
sentence, and for each word pair seen across a sentence end how often it occurs so and inside a
sentence. A pair gets P(boundary) = (across + p0) / (across + within + 1), p0 a naive-Bayes mix of
the two words' end and start rates (pairs never seen across an end: no boundary). Where it passes
the threshold, the word is decoded as a sentence start. Scored on `glued` and on the unglued
`lines` and `running` layouts (a false boundary capitalizes a word mid-sentence).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import re

from bench.wirecopy import SetRecord, load_set, score_set
from summarizer.casing import decoder as decoding
from summarizer.casing.positions import MID, START, position_kinds

_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
_END = {".", "!", "?"}


def boundary_stats(path: str) -> tuple[collections.Counter, ...]:
    """(across, within, ends, starts, totals) counted over the tokenized training lines."""
    across, within, ends, starts, totals = (collections.Counter() for _ in range(5))
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = [line.lower().split() for line in f]
    for low in lines:
        totals.update(w for w in low if _WORD.match(w))
        if low and _WORD.match(low[0]):
            starts[low[0]] += 1
        for j in range(1, len(low) - 1):
            if low[j] in _END:
                a, b = low[j - 1], low[j + 1]
                ends[a] += bool(_WORD.match(a))
                starts[b] += bool(_WORD.match(b))
                if _WORD.match(a) and _WORD.match(b):
                    across[(a, b)] += 1
    for low in lines:
        within.update(pair for pair in zip(low, low[1:], strict=False) if pair in across)
    return across, within, ends, starts, totals


def glued(records: list[SetRecord]) -> list[SetRecord]:
    """Every two lines of each record joined into one."""
    def join(text: str) -> str:
        lines = text.split("\n")
        return "\n".join(" ".join(lines[k : k + 2]) for k in range(0, len(lines), 2))

    return [SetRecord(r.id, join(r.input), join(r.target), None, r.dataset) for r in records]


def boundary_kinds(stats, threshold: float, prior_odds: float = 20.0):
    """A `position_kinds` that also marks the detected glued sentence starts."""
    across, within, ends, starts, totals = stats

    def p_boundary(a: str, b: str) -> float:
        seen = across.get((a, b), 0)
        if not seen:
            return 0.0
        pe, ps = (ends[a] + 0.1) / (totals[a] + 1), (starts[b] + 0.1) / (totals[b] + 1)
        odds = pe * ps / ((1 - pe) * (1 - ps) * prior_odds)
        return (seen + odds / (1 + odds)) / (seen + within.get((a, b), 0) + 1)

    def kinds_of(lower):
        kinds = position_kinds(lower)
        for i in range(2, len(lower) - 1):
            words = _WORD.match(lower[i - 1]) and _WORD.match(lower[i])
            if words and kinds[i] == kinds[i - 1] == MID and p_boundary(lower[i - 1], lower[i]) > threshold:
                kinds[i] = START
        return kinds

    return kinds_of


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", required=True, help="the build's --tokens-cache file")
    parser.add_argument("--threshold", type=float, nargs="+", default=[0.5, 0.8])
    args = parser.parse_args(argv)
    stats = boundary_stats(args.tokens)
    lines = load_set("lines", "dev")
    sets = {"glued": glued(lines), "lines": lines, "running": load_set("running", "dev")}
    decoder = decoding.CaseDecoder.from_pretrained()
    print("| detector | " + " | ".join(f"{name} F1" for name in sets) + " |")
    print("|---|" + "---|" * len(sets))
    for threshold in (None, *args.threshold):
        decoding.position_kinds = position_kinds if threshold is None else boundary_kinds(stats, threshold)
        decoder.config = decoding.DecoderConfig()  # clears the caches
        scores = [score_set(rs, [decoder.restore(r.input) for r in rs], 1.0).scores.f1 for rs in sets.values()]
        name = "none (shipped)" if threshold is None else f"pairs, threshold {threshold}"
        print(f"| {name} | " + " | ".join(f"{s:.4f}" for s in scores) + " |", flush=True)
    decoding.position_kinds = position_kinds


if __name__ == "__main__":
    main()
