"""Score case restorers on real CNN/DM wire copy: `casing/frank_refs.jsonl`.

    python -m bench.casing                          # all records, all systems
    python -m bench.casing --split test --systems statistical truecase
    python -m bench.casing --split valid --json out.json

Each record's `input` is lowercased PTB tokens; a system returns one cased token per input
token (tokenization kept). Scoring is token-aligned and case-sensitive. A "word" is a token
with at least one letter (punctuation and numbers cannot be wrong and are not counted):

* accuracy: words whose restored form equals the gold form (`token_acc` counts every
  whitespace token instead, punctuation included, as `eval/metrics/casing.py` does);
* cased-word precision / recall / F1: over words whose gold form has an uppercase letter
  (a hit needs the exact gold form); precision's denominator is the predicted words with an
  uppercase letter;
* sentence exact match: sentences (split after . ! ?) restored exactly; record exact match:
  whole records restored exactly;
* changed records: records where any token changed other than in letter case (must be 0);
* words/s: words (as above) restored per second of wall time, one process, best of
  `--repeat` passes over the records, each with a freshly loaded system (loading is not
  timed; the statistical model memoizes its decisions within a pass only).

`--split` keeps records whose FRANK document is in that split of `summarization/frank.jsonl`
(tuning used `valid` only). Systems: `statistical` (this package's shipped model),
`truecase` (PyPI truecase 0.0.14, fed one sentence of tokens at a time, unknown words
title-cased (its default), ties broken lowercase-first; its output is aligned token by token
to the input), `first` (lowercase, first word of each sentence
capitalized), `lower` (input unchanged).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from summarizer.casing.truecaser import START, StatisticalTruecaser, position_kinds

__all__ = ["CasingScores", "case_counts", "score_casing", "main"]

_SENTENCE_END = frozenset({".", "!", "?"})


@dataclass(frozen=True)
class CaseCounts:
    """Counts from one or more aligned (input, predicted, gold) token sequences."""

    words: int = 0
    correct: int = 0
    tokens: int = 0
    tokens_correct: int = 0
    gold_cased: int = 0
    pred_cased: int = 0
    cased_hits: int = 0
    sentences: int = 0
    sentences_exact: int = 0
    records_exact: int = 0
    changed_records: int = 0
    records: int = 0

    def __add__(self, other: CaseCounts) -> CaseCounts:
        return CaseCounts(*(a + b for a, b in zip(_astuple(self), _astuple(other), strict=True)))


@dataclass(frozen=True)
class CasingScores:
    accuracy: float
    token_accuracy: float
    precision: float
    recall: float
    f1: float
    sentence_exact: float
    record_exact: float
    changed_records: int
    words: int
    records: int


def _astuple(counts: CaseCounts) -> tuple[int, ...]:
    return tuple(asdict(counts).values())


def _has_letter(token: str) -> bool:
    return any(c.isalpha() for c in token)


def _has_upper(token: str) -> bool:
    return any(c.isupper() for c in token)


def sentence_spans(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """[start, end) spans of sentences: a sentence ends after a `.`, `!` or `?` token."""
    spans, start = [], 0
    for i, token in enumerate(tokens):
        if token in _SENTENCE_END:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(tokens):
        spans.append((start, len(tokens)))
    return spans


def case_counts(source: str, predicted: str, gold: str) -> CaseCounts:
    """Token-aligned counts for one record. `source` is the lowercased input."""
    src, pred, ref = source.split(), predicted.split(), gold.split()
    if len(ref) != len(src):
        raise ValueError(f"gold has {len(ref)} tokens but the input has {len(src)}: {gold[:80]!r}")
    changed = len(pred) != len(src) or any(p.lower() != s.lower() for p, s in zip(pred, src, strict=True))
    if changed:  # a changed token, or a whole misaligned output, scores as the input itself
        pred = (
            [p if p.lower() == s.lower() else s for p, s in zip(pred, src, strict=True)]
            if len(pred) == len(src)
            else src
        )
    words = correct = gold_cased = pred_cased = hits = 0
    tokens_correct = sum(p == g for p, g in zip(pred, ref, strict=True))
    for p, g in zip(pred, ref, strict=True):
        if not _has_letter(g):
            continue
        words += 1
        correct += p == g
        gold_cased += _has_upper(g)
        pred_cased += _has_upper(p)
        hits += p == g and _has_upper(g)
    spans = sentence_spans(ref)
    exact = sum(pred[a:b] == ref[a:b] for a, b in spans)
    return CaseCounts(
        words,
        correct,
        len(ref),
        tokens_correct,
        gold_cased,
        pred_cased,
        hits,
        len(spans),
        exact,
        int(pred == ref),
        int(changed),
        1,
    )


def score_casing(counts: CaseCounts) -> CasingScores:
    """Rates from summed counts (empty denominators give 0.0)."""

    def ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    precision = ratio(counts.cased_hits, counts.pred_cased)
    recall = ratio(counts.cased_hits, counts.gold_cased)
    f1 = ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
    return CasingScores(
        accuracy=ratio(counts.correct, counts.words),
        token_accuracy=ratio(counts.tokens_correct, counts.tokens),
        precision=precision,
        recall=recall,
        f1=f1,
        sentence_exact=ratio(counts.sentences_exact, counts.sentences),
        record_exact=ratio(counts.records_exact, counts.records),
        changed_records=counts.changed_records,
        words=counts.words,
        records=counts.records,
    )


# ------------------------------------------------------------------------------ systems


def first_word_baseline(text: str) -> str:
    """Lowercase, with the first word of each sentence capitalized."""
    tokens = text.lower().split()
    kinds = position_kinds(tokens)
    return " ".join(t[:1].upper() + t[1:] if k == START else t for t, k in zip(tokens, kinds, strict=True))


def truecase_package() -> Callable[[str], str]:
    """PyPI `truecase`, fed one sentence of tokens at a time, re-aligned to the input tokens."""
    import truecase  # optional dependency (the `eval` extra)

    caser = truecase.get_truecaser()
    # It breaks score ties by iterating over sets, so its output depends on the string hash
    # seed; fix the order (lowercase form first, then sorted) to make runs repeatable.
    caser.word_casing_lookup = {
        word: sorted(forms, key=lambda form: (form != form.lower(), form))
        for word, forms in caser.word_casing_lookup.items()
    }

    def restore(text: str) -> str:
        tokens = text.split()
        out: list[str] = []
        for a, b in sentence_spans(tokens):
            sentence = tokens[a:b]
            cased = caser.get_true_case_from_tokens(sentence, out_of_vocabulary_token_option="title")
            if len(cased) != len(sentence):
                cased = sentence
            out.extend(c if c.lower() == s.lower() else s for c, s in zip(cased, sentence, strict=True))
        return " ".join(out)

    return restore


def make_system(name: str, model_path: str | None = None) -> Callable[[str], str]:
    if name == "statistical":
        model = (
            StatisticalTruecaser.load(model_path) if model_path else StatisticalTruecaser.from_pretrained()
        )
        return model.restore
    if name == "truecase":
        return truecase_package()
    if name == "first":
        return first_word_baseline
    if name == "lower":
        return lambda text: text
    raise ValueError(f"unknown system {name!r}; choose from statistical, truecase, first, lower")


# ------------------------------------------------------------------------------ data and run


def load_records(data: Path, split: str = "all") -> list[dict]:
    """frank_refs records, optionally only those whose FRANK document is in `split`."""
    if split not in ("all", "valid", "test"):
        raise ValueError(f"split must be all, valid or test, got {split!r}")
    with (data / "casing" / "frank_refs.jsonl").open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    if split == "all":
        return records
    with (data / "summarization" / "frank.jsonl").open(encoding="utf-8") as f:
        splits = {r["id"]: r["split"] for r in map(json.loads, f)}
    return [r for r in records if splits.get(r["doc_id"]) == split]


def evaluate(
    make_system: Callable[[], Callable[[str], str]], records: Iterable[dict], repeat: int = 1
) -> tuple[CasingScores, float, list[str]]:
    """Scores, words per second, and the outputs in record order.

    Each of `repeat` passes gets a fresh system from `make_system` (so no pass profits from
    another's memoized decisions; building it is not timed); the fastest pass counts.
    """
    records = list(records)
    seconds = float("inf")
    for _ in range(max(1, repeat)):
        system = make_system()
        start = time.perf_counter()
        outputs = [system(r["input"]) for r in records]
        seconds = min(seconds, time.perf_counter() - start)
    total = CaseCounts()
    for record, output in zip(records, outputs, strict=True):
        total += case_counts(record["input"], output, record["target"])
    scores = score_casing(total)
    return scores, scores.words / seconds if seconds else float("inf"), outputs


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("SUMMARIZER_DATA", "../shared/data"))
    parser.add_argument("--split", default="all", choices=["all", "valid", "test"])
    parser.add_argument("--systems", nargs="+", default=["statistical", "truecase", "first"])
    parser.add_argument("--model", default=None, help="a truecaser .json.gz (default: the shipped one)")
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument("--repeat", type=int, default=3, help="time the best of this many passes")
    args = parser.parse_args(argv)

    records = load_records(Path(args.data), args.split)
    results: dict[str, dict] = {}
    print(f"frank_refs split={args.split}: {len(records)} records")
    print(
        f"{'system':<12} {'acc':>7} {'tok_acc':>7} {'P':>7} {'R':>7} {'F1':>7} {'sentEM':>7} {'recEM':>7} {'changed':>7} {'words/s':>9}"
    )
    for name in args.systems:
        scores, speed, _ = evaluate(lambda name=name: make_system(name, args.model), records, args.repeat)
        results[name] = {**asdict(scores), "words_per_second": round(speed)}
        print(
            f"{name:<12} {scores.accuracy:7.4f} {scores.token_accuracy:7.4f} {scores.precision:7.4f} "
            f"{scores.recall:7.4f} {scores.f1:7.4f} {scores.sentence_exact:7.4f} {scores.record_exact:7.4f} {scores.changed_records:7d} {speed:9.0f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"split": args.split, "results": results}, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
