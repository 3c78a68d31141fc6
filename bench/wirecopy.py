"""Score wire-copy normalization on whole articles, WSJ sentences and the FRANK references.

    python -m bench.wirecopy --split dev                          # statistical, both layouts + WSJ + frank
    python -m bench.wirecopy --split test --json docs/wirecopy_test.json   # final figures, once
    python -m bench.wirecopy --split dev --methods statistical model --limit 20 --sets running
    python -m bench.wirecopy --split dev --model /tmp/truecaser.json.gz  # a rebuilt table
    python -m bench.wirecopy --split dev --methods statistical tagger --model runs/tables/half/truecaser_en.json.gz \
        --tagger runs/case_tagger_news/tagger.pt    # a trained case tagger over the tables it read

Sets (`--sets`): `running` and `lines` are the wire-copy set of `eval.wirecopy` (whole
articles, split `--split`); `wsj` is `casing/wsj_ptb_pairs.jsonl` split=valid (one real PTB
sentence a record); `frank` is `casing/frank_refs.jsonl` split test of FRANK (`--split dev`
scores its valid split, on which it was tuned).

Columns: the project's one casing metric (`eval.metrics.casing`): cased-word P/R/F1, word
accuracy, sentence-start accuracy, changed records (must be 0); `WER`: end-to-end word error
rate of `detokenize(output)` against the published article (`eval.metrics.wer`; running layout
only); `WERsp`: the same for the gold-cased tokens (spacing alone); words/s: words (tokens with
a letter) restored and detokenized per second, one process, best of `--repeat` passes, the
table loaded beforehand (its load time is printed once). The machine's load average is printed
beside the speeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.metrics.casing import CasingCounts, CasingScores, aggregate_casing, casing_counts
from eval.metrics.wer import WordErrors, published_form, word_errors
from eval.wirecopy import LAYOUTS, wirecopy_records
from summarizer.casing.decoder import CaseDecoder, DecoderConfig
from summarizer.casing.detokenize import detokenize
from summarizer.casing.ngrams import DEFAULT_NGRAMS, CaseNgrams
from summarizer.casing.truecaser import StatisticalTruecaser
from summarizer.paths import data_root

__all__ = ["SetRecord", "load_set", "main", "score_set"]

SETS = (*LAYOUTS, "wsj", "frank")
METHODS = ("statistical", "tagger", "no-memory", "table", "truecase", "model")


@dataclass(frozen=True)
class SetRecord:
    id: str
    input: str
    target: str
    published: str | None = None
    dataset: str = ""


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_set(name: str, split: str, data: Path | None = None) -> list[SetRecord]:
    """The records of one set (`SETS`); `split` is dev or test."""
    data = Path(data or data_root())
    if name in LAYOUTS:
        return [
            SetRecord(r.id, r.input, r.target, r.published, r.dataset)
            for r in wirecopy_records(split, name, data)
        ]
    if name == "wsj":
        rows = _read_jsonl(data / "casing" / "wsj_ptb_pairs.jsonl")
        return [
            SetRecord(r["id"], r["input"], r["target"], None, "wsj") for r in rows if r["split"] == "valid"
        ]
    if name == "frank":
        from bench.casing import load_records

        rows = load_records(data, "valid" if split == "dev" else "test")
        return [SetRecord(r["id"], r["input"], r["target"], None, "frank") for r in rows]
    raise ValueError(f"unknown set {name!r}; choose from {SETS}")


@dataclass(frozen=True)
class SetResult:
    scores: CasingScores
    wer: float | None
    wer_spacing: float | None
    words_per_second: float
    by_dataset: dict


def score_set(records: Sequence[SetRecord], outputs: Sequence[str], seconds: float) -> SetResult:
    counts = [casing_counts(o, r.target) for r, o in zip(records, outputs, strict=True)]
    errors, spacing = WordErrors(), WordErrors()
    by_dataset: dict[str, list[CasingCounts]] = {}
    for record, output, count in zip(records, outputs, counts, strict=True):
        by_dataset.setdefault(record.dataset, []).append(count)
        if record.published is not None:
            reference = published_form(record.published)
            errors += word_errors(detokenize(output), reference)
            spacing += word_errors(detokenize(record.target), reference)
    scores = aggregate_casing(counts)
    return SetResult(
        scores=scores,
        wer=errors.rate,
        wer_spacing=spacing.rate,
        words_per_second=scores.words / seconds if seconds else float("inf"),
        by_dataset={k: _short(aggregate_casing(v)) for k, v in sorted(by_dataset.items())},
    )


def _short(s: CasingScores) -> dict:
    return {
        "f1": s.f1,
        "accuracy": s.accuracy,
        "sentence_start_accuracy": s.sentence_start_accuracy,
        "words": s.words,
    }


def _table(model_path: str | None) -> tuple[Callable[[Sequence[str]], list[str]], float]:
    """The per-word table alone, deciding left to right (the default before the decoder)."""
    start = time.perf_counter()
    truecaser = (
        StatisticalTruecaser.load(model_path) if model_path else StatisticalTruecaser.from_pretrained()
    )
    load = time.perf_counter() - start
    return (lambda texts: [truecaser.restore(t) for t in texts]), load


def _decoder(model_path: str | None, memory: bool = True) -> CaseDecoder:
    table = StatisticalTruecaser.load(model_path) if model_path else StatisticalTruecaser.from_pretrained()
    # A rebuilt table comes with its own n-grams (build_truecaser --out writes both).
    beside = Path(model_path).with_name(DEFAULT_NGRAMS) if model_path else None
    ngrams = CaseNgrams.load(beside) if beside and beside.is_file() else CaseNgrams.from_pretrained()
    return CaseDecoder(table, ngrams, None if memory else DecoderConfig(memory_strength=0.0))


def _tagged(model_path: str | None, tagger_path: str | None) -> tuple[Callable[[Sequence[str]], list[str]], float]:
    """The decoder's draft corrected by the case tagger (`summarizer.casing.tagger`)."""
    from summarizer.casing.tagger import CaseTagger, shipped_tagger

    start = time.perf_counter()
    tagger = CaseTagger.load(tagger_path, _decoder(model_path)) if tagger_path else shipped_tagger()
    load = time.perf_counter() - start
    return (lambda texts: [tagger.restore(t) for t in texts]), load


def _statistical(model_path: str | None, memory: bool = True) -> tuple[Callable[[Sequence[str]], list[str]], float]:
    """The default: the sequence decoder over the table's forms (`summarizer.casing.decoder`)."""
    start = time.perf_counter()
    decoder = _decoder(model_path, memory)
    load = time.perf_counter() - start
    return (lambda texts: [decoder.restore(t) for t in texts]), load


def _truecase_package() -> tuple[Callable[[Sequence[str]], list[str]], float]:
    """PyPI `truecase` (eval.casing_baselines), sentence by sentence within each line."""
    from eval.casing_baselines import TruecaseBaseline
    from summarizer.text.sentences import split_sentences

    start = time.perf_counter()
    baseline = TruecaseBaseline(split=split_sentences)
    baseline("load the statistics")  # read on first use: time the load here, not in the passes
    load = time.perf_counter() - start
    return (lambda texts: ["\n".join(baseline(line) if line.strip() else line for line in t.split("\n")) for t in texts]), load


def _system(method: str, args) -> tuple[Callable[[Sequence[str]], list[str]], float]:
    if method == "statistical":
        return _statistical(args.model)
    if method == "tagger":
        return _tagged(args.model, args.tagger)
    if method == "no-memory":
        return _statistical(args.model, memory=False)
    if method == "table":
        return _table(args.model)
    if method == "truecase":
        return _truecase_package()
    return _model_method(args.model, args.backend, args.settled_margin, args.context_words)


def _model_method(
    model_path: str | None,
    backend: str = "auto",
    settled_margin: float | None = None,
    context_words: int | None = None,
) -> tuple[Callable[[Sequence[str]], list[str]], float]:
    from summarizer import Summarizer
    from summarizer.casing.lm_check import CaseLMSettings

    start = time.perf_counter()
    summarizer = Summarizer.from_pretrained(model_path, backend=backend)
    load = time.perf_counter() - start
    settings = CaseLMSettings()
    if settled_margin is not None:
        settings = dataclasses.replace(settings, settled_margin=settled_margin)
    if context_words is not None:  # 0 or more; -1: the whole window, as before
        settings = dataclasses.replace(settings, context_words=None if context_words < 0 else context_words)

    def run(texts: Sequence[str]) -> list[str]:
        return [
            n.cased
            for n in summarizer.normalize(list(texts), method="model", detokenize=False, case_settings=settings)
        ]

    return run, load


HEADER = f"{'set':<9} {'method':<12} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6} {'start':>6} {'chg':>4} {'WER':>6} {'WERsp':>6} {'words/s':>8} {'words':>7}"


def _cell(value: float | None, width: int = 6) -> str:
    return f"{value:{width}.4f}" if value is not None else f"{'-':>{width}}"


def format_row(set_name: str, method: str, r: SetResult) -> str:
    s = r.scores
    return (
        f"{set_name:<9} {method:<12} {_cell(s.precision)} {_cell(s.recall)} {_cell(s.f1)} {_cell(s.accuracy)} "
        f"{_cell(s.sentence_start_accuracy)} {s.changed_records:4d} {_cell(r.wer)} {_cell(r.wer_spacing)} "
        f"{r.words_per_second:8.0f} {s.words:7d}"
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="data root (default: summarizer.paths.data_root())")
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument(
        "--methods", nargs="+", default=["statistical"], choices=list(METHODS),
        help="statistical (the default decoder), tagger (the decoder corrected by the case tagger), no-memory "
        "(the decoder without document memory), table (the per-word table alone), truecase (the PyPI package), "
        "model (the LM check)",
    )
    parser.add_argument(
        "--model", default=None,
        help="truecaser .json.gz (with the case_ngrams_en.json.gz beside it, if any), or checkpoint for method model",
    )
    parser.add_argument("--tagger", default=None, help="case tagger .pt for method tagger (default: the shipped one)")
    parser.add_argument("--backend", default="auto", help="how the weights run for method model (auto, torch, bf16, int8)")
    parser.add_argument(
        "--settled-margin", type=float, default=None,
        help="method model: check only words the decoder's margin puts below this (default: CaseLMSettings)",
    )
    parser.add_argument(
        "--context-words", type=int, default=None,
        help="method model: draft words read before each checked word (-1: whole windows; default: CaseLMSettings)",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N records of each set")
    parser.add_argument("--repeat", type=int, default=2, help="time the best of this many passes")
    parser.add_argument("--by-dataset", action="store_true", help="also print F1/accuracy per source")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    data = Path(args.data) if args.data else None

    results: dict = {"split": args.split, "results": {}}
    systems = {}
    for method in args.methods:
        run, load = _system(method, args)
        systems[method] = run
        results[f"{method}_load_seconds"] = round(load, 2)
        print(f"{method}: loaded in {load:.2f} s")
    print(HEADER)
    for set_name in args.sets:
        records = load_set(set_name, args.split, data)[: args.limit]
        for method, run in systems.items():
            best, outputs = float("inf"), []
            for _ in range(max(1, args.repeat if method != "model" else 1)):
                start = time.perf_counter()
                outputs = run([r.input for r in records])
                [detokenize(o) for o in outputs]
                best = min(best, time.perf_counter() - start)
            result = score_set(records, outputs, best)
            print(format_row(set_name, method, result))
            if args.by_dataset:
                for name, row in result.by_dataset.items():
                    print(
                        f"    {name:<14} "
                        + " ".join(
                            f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
                        )
                    )
            results["results"][f"{set_name}/{method}"] = {
                **asdict(result.scores),
                "wer": result.wer,
                "wer_spacing": result.wer_spacing,
                "words_per_second": round(result.words_per_second),
                "records": len(records),
                "by_dataset": result.by_dataset,
            }
    load_avg = os.getloadavg()
    print(f"(load average {load_avg[0]:.2f} {load_avg[1]:.2f}; {os.cpu_count()} CPUs)")
    results["load_average"] = [round(x, 2) for x in load_avg]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
