"""Command line: `summarizer summarize|normalize INPUT... --output OUT.jsonl`, `summarizer prepare`.

Exit status: 0 when every record was written, 1 when any record failed (see the errors file
beside the output), 2 for a usage error (bad flags, missing input file).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence

from .jobs import JobReport, errors_path_for, run_job
from .normalizer import normalize_statistical
from .records import count_records, expand_inputs, read_records

__all__ = ["main"]

EXIT_OK, EXIT_RECORDS_FAILED, EXIT_USAGE = 0, 1, 2


def _add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="model folder or hub id (default: the embedded model)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda if available)")
    parser.add_argument("--dtype", default=None, choices=["float32", "bfloat16"], help="default float32")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _add_io_args(parser: argparse.ArgumentParser, text_field: str) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help=".jsonl, .csv, .txt, a folder, or - for stdin")
    parser.add_argument("--output", "-o", required=True, help="output .jsonl (appended; rerun to resume)")
    parser.add_argument("--text-field", default=text_field, help=f"field holding the text (default {text_field})")
    parser.add_argument("--id-field", default="id", help="field holding the record id (default id)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarizer", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    summarize = sub.add_parser("summarize", help="summarize articles")
    _add_io_args(summarize, "article")
    _add_model_args(summarize)
    summarize.add_argument(
        "--style", default="highlights", help="highlights, one_sentence, headline or extractive"
    )
    summarize.add_argument("--max-words", type=int, default=None, help="word budget per summary")
    summarize.add_argument("--max-new-tokens", type=int, default=None)
    summarize.add_argument("--num-beams", type=int, default=None)
    summarize.add_argument(
        "--no-faithfulness-guard", action="store_true",
        help="keep generated sentences even when their names or numbers are not in the article",
    )

    normalize = sub.add_parser("normalize", help="restore case (and spacing) of lowercased, tokenized wire copy")
    _add_io_args(normalize, "input")
    _add_model_args(normalize)
    normalize.add_argument(
        "--keep-tokenization", action="store_true",
        help="change only letter case, so output aligns token for token with PTB-tokenized gold",
    )
    normalize.add_argument(
        "--method", default="statistical", choices=["statistical", "model"],
        help="statistical: shipped count model (default, more accurate today); model: constrained decoding",
    )
    normalize.add_argument("--headline", default=None, choices=["sentence", "title"], help="also apply headline case")

    sub.add_parser("prepare", help="convert the embedded default model once and print where it is cached")
    return parser


def _prepare() -> int:
    from .embedded import default_model_path

    start = time.perf_counter()
    path = default_model_path()
    print(f"{path} (ready in {time.perf_counter() - start:.1f} s)")
    return EXIT_OK


def _summarize(args: argparse.Namespace, paths: list[str]) -> JobReport:
    from .model import Summarizer

    summarizer = Summarizer.from_pretrained(args.model, device=args.device, dtype=args.dtype)
    summarizer.config.style(args.style)  # fail fast on an unknown style, before reading input
    overrides = {"max_words": args.max_words, "max_new_tokens": args.max_new_tokens, "num_beams": args.num_beams}
    overrides = {k: v for k, v in overrides.items() if v is not None}

    def process(texts: list[str]) -> list[dict]:
        summaries = summarizer.summarize(
            texts, style=args.style, batch_size=len(texts), faithful=not args.no_faithfulness_guard, **overrides
        )
        return [
            {
                "summary": s.text,
                "style": s.style,
                "chunked": s.chunked,
                "dropped_sentences": s.dropped_sentences,
                "extractive_fallback": s.extractive_fallback,
            }
            for s in summaries
        ]

    return _run(args, paths, process)


def _normalize(args: argparse.Namespace, paths: list[str]) -> JobReport:
    from .model import Summarizer
    from .text.headline import headline_case

    # The statistical method needs no neural model; only load one when it is used.
    summarizer = Summarizer.from_pretrained(args.model, device=args.device, dtype=args.dtype) if (
        args.method == "model"
    ) else None

    def process(texts: list[str]) -> list[dict]:
        if summarizer is not None:
            results = summarizer.normalize(
                texts, detokenize=not args.keep_tokenization, method=args.method, batch_size=len(texts)
            )
        else:
            results = normalize_statistical(texts, detokenize=not args.keep_tokenization)
        outputs = [r.text for r in results]
        if args.headline:
            outputs = [headline_case(o, style=args.headline) for o in outputs]
        return [{"output": o} for o in outputs]

    return _run(args, paths, process)


def _run(args: argparse.Namespace, paths: list[str], process) -> JobReport:
    records = read_records(paths, text_field=args.text_field, id_field=args.id_field)
    return run_job(
        records,
        process,
        args.output,
        batch_size=args.batch_size,
        total=count_records(paths),
        progress=not args.no_progress,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if args.command == "prepare":
        return _prepare()
    if args.batch_size < 1:
        parser.error(f"--batch-size must be >= 1, got {args.batch_size}")
    try:
        # Check the inputs before spending seconds on loading a model.
        paths = expand_inputs(args.inputs)
        report = (_summarize if args.command == "summarize" else _normalize)(args, paths)
    except (FileNotFoundError, ValueError) as e:
        print(f"summarizer: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"wrote {report.written}, skipped {report.skipped_done} already done, failed {report.failed}"
        + (f" (see {errors_path_for(args.output)})" if report.failed else ""),
        file=sys.stderr,
    )
    return EXIT_OK if report.ok else EXIT_RECORDS_FAILED


if __name__ == "__main__":
    sys.exit(main())
