"""Score case restorers on real CNN/DM wire copy: `casing/frank_refs.jsonl`.

    python -m bench.casing                          # all records, all systems
    python -m bench.casing --split test --systems statistical truecase
    python -m bench.casing --split valid --json out.json

Each record's `input` is lowercased PTB tokens; a system returns one cased token per input
token (tokenization kept). Scored with the project's one casing metric,
`eval.metrics.casing` (its docstring has the definition): word accuracy over tokens with a
letter (`tok_acc` over every token), cased-word precision / recall / F1, sentence and record
exact match, and changed records (any change other than letter case; must be 0; a changed token
counts as wrong). words/s: words restored per second of wall time, one process, best of
`--repeat` passes over the records, each with a freshly loaded system (loading is not timed;
the statistical model memoizes its decisions within a pass only).

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
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from eval.metrics.casing import CasingCounts, CasingScores, casing_counts, casing_scores, sentence_spans
from summarizer.casing.positions import START, position_kinds
from summarizer.casing.truecaser import StatisticalTruecaser
from summarizer.paths import data_root

__all__ = ["CasingScores", "case_counts", "evaluate", "format_row", "load_records", "main", "score_casing"]

# The totals-to-rates step of the one casing metric, under the name this module's callers use.
score_casing = casing_scores


def case_counts(source: str, predicted: str, gold: str) -> CasingCounts:
    """`eval.metrics.casing.casing_counts(predicted, gold)`, after checking that the record's gold
    target has the input's tokens (a data error otherwise)."""
    if len(gold.split()) != len(source.split()):
        raise ValueError(
            f"gold has {len(gold.split())} tokens but the input has {len(source.split())}: {gold[:80]!r}"
        )
    return casing_counts(predicted, gold)


HEADER = ("acc", "tok_acc", "P", "R", "F1", "sentEM", "recEM")


def format_row(name: str, scores: CasingScores, speed: float | None, width: int = 12) -> str:
    """One line of the results table (n/a for an undefined rate)."""
    values = (
        scores.accuracy,
        scores.token_accuracy,
        scores.precision,
        scores.recall,
        scores.f1,
        scores.sentence_exact,
        scores.record_exact,
    )
    cells = " ".join(f"{v:7.4f}" if v is not None else f"{'n/a':>7}" for v in values)
    rate = f"{speed:9.0f}" if speed is not None else f"{'-':>9}"
    return f"{name:<{width}} {cells} {scores.changed_records:7d} {rate}"


def format_header(width: int = 12) -> str:
    return f"{'system':<{width}} " + " ".join(f"{h:>7}" for h in HEADER) + f" {'changed':>7} {'words/s':>9}"


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
    total = sum(
        (case_counts(r["input"], output, r["target"]) for r, output in zip(records, outputs, strict=True)),
        CasingCounts(),
    )
    scores = casing_scores(total)
    return scores, scores.words / seconds if seconds else float("inf"), outputs


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", default=None, help="data root (default: $SUMMARIZER_DATA or ../shared/data)"
    )
    parser.add_argument("--split", default="all", choices=["all", "valid", "test"])
    parser.add_argument("--systems", nargs="+", default=["statistical", "truecase", "first"])
    parser.add_argument("--model", default=None, help="a truecaser .json.gz (default: the shipped one)")
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument("--repeat", type=int, default=3, help="time the best of this many passes")
    args = parser.parse_args(argv)

    records = load_records(Path(args.data) if args.data else data_root(), args.split)
    results: dict[str, dict] = {}
    print(f"frank_refs split={args.split}: {len(records)} records")
    print(format_header())
    for name in args.systems:
        scores, speed, _ = evaluate(lambda name=name: make_system(name, args.model), records, args.repeat)
        results[name] = {**asdict(scores), "words_per_second": round(speed)}
        print(format_row(name, scores, speed))
    if args.json:
        Path(args.json).write_text(json.dumps({"split": args.split, "results": results}, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
