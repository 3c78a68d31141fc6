"""Does the rest of the document settle a word's case? The tagger's class scores at each
occurrence of a word, pulled toward its scores at the word's other occurrences mid-sentence.

    PYTHONPATH=. python -m experiments.doc_consistency --split dev --weights 0,0.25,0.5,1

Prints cased-word F1 per set and weight (weight 0 is the shipped tagger).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import torch

from bench.wirecopy import load_set, score_set
from summarizer.casing.forms import join_cased, split_keeping_space
from summarizer.casing.tagger import case_class, shipped_tagger

_ENDS = {".", "!", "?"}


def mid_sentence_groups(lines: list[list[str]]) -> dict[str, list[int]]:
    """Word -> its token indices (lines run together) that neither open a line nor follow . ! ?"""
    groups: dict[str, list[int]] = defaultdict(list)
    n = 0
    for words in lines:
        for i, word in enumerate(words):
            if i and words[i - 1] not in _ENDS and word.isalpha() and len(word) > 1:
                groups[word.lower()].append(n)
            n += 1
    return groups


def pulled(logits: torch.Tensor, groups: dict[str, list[int]], weight: float, margin: float) -> torch.Tensor:
    if not weight:
        return logits
    logp = logits.log_softmax(-1)
    out = logits.clone()
    top = logits.topk(2, -1).values
    unsure = (top[:, 0] - top[:, 1]) < margin
    for positions in groups.values():
        if len(positions) < 2:
            continue
        idx = torch.tensor(positions)
        total = logp[idx].sum(0)
        for p in positions:
            if unsure[p]:
                out[p] += weight * (total - logp[p]) / (len(positions) - 1)
    return out


def restore(text: str, weight: float, margin: float) -> str:
    tagger = shipped_tagger()
    lines = [split_keeping_space(line) for line in text.split("\n")]
    tokens = [[pieces[k] for k in slots] for pieces, slots in lines]
    decoded = tagger.decoder.restore_document(tokens)
    lower = [[t.lower() for t in line] for line in tokens]
    logits = tagger.logits(lower, [[case_class(t) for t in line] for line in decoded], tagger.keep_bias)
    classes = pulled(logits, mid_sentence_groups(lower), weight, margin).argmax(-1).tolist()
    out, n = [], 0
    for words, guesses in zip(tokens, decoded, strict=True):
        out.append([tagger._cased(w, g, classes[n + i]) for i, (w, g) in enumerate(zip(words, guesses, strict=True))])
        n += len(words)
    return join_cased(lines, out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev")
    parser.add_argument("--sets", default="running,lines")
    parser.add_argument("--weights", default="0,0.25,0.5,1")
    parser.add_argument("--margins", default="100")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    for name in args.sets.split(","):
        records = load_set(name, args.split)[: args.limit or None]
        for margin in map(float, args.margins.split(",")):
            for weight in map(float, args.weights.split(",")):
                outputs = [restore(r.input, weight, margin) for r in records]
                s = score_set(records, outputs, 0).scores
                print(f"{name} margin {margin} weight {weight}: F1 {s.f1:.4f} acc {s.accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
