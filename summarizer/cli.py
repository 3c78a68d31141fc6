"""Command line: `summarizer summarize|normalize INPUT... --output OUT.jsonl`, `summarizer prepare`.

With `--ray [ADDRESS]` the job runs on a Ray cluster and `--output` names a folder of parts
(`summarizer.batch.distributed`); without it, in this process.

Exit status: 0 when every record was written, 1 when any record failed (see the errors file
beside the output), 2 for a usage error (bad flags, missing input file).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from summarizer.batch.distributed import ERRORS, OUTPUT_FORMATS, RunOptions
from summarizer.batch.jobs import (
    DEFAULT_MAX_BATCH_TOKENS,
    JobReport,
    NormalizeTask,
    SummarizeTask,
    errors_path_for,
    run_job,
)
from summarizer.batch.records import STDIN, count_records, expand_inputs, read_records
from summarizer.config import (
    BACKENDS,
    DEFAULT_NORMALIZE_METHOD,
    DEFAULT_STYLES,
    NORMALIZE_METHOD_HELP,
    NORMALIZE_METHODS,
    parse_setting_overrides,
)
from summarizer.serve.settings import ServeSettings
from summarizer.text.cleaning import DEFAULT_MAX_CHARS
from summarizer.text.layout import INPUT_FORMATS

__all__ = ["main"]

EXIT_OK, EXIT_RECORDS_FAILED, EXIT_USAGE = 0, 1, 2


def _add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="model folder or hub id (default: the embedded model)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda if available)")
    parser.add_argument("--dtype", default=None, choices=["float32", "bfloat16"], help="default float32")
    parser.add_argument("--backend", default="auto", choices=list(BACKENDS),
                        help="inference backend (default auto: bf16 where the CPU/GPU computes it natively, "
                        "int8 on other CPUs; int8: integer GEMM, one activation scale per row, "
                        "batch-invariant; torch: fp32; docs/results_speed.md)")
    parser.add_argument("--batch-size", type=int, default=8, help="most records per model call (default 8)")
    parser.add_argument(
        "--max-batch-tokens", type=int, default=DEFAULT_MAX_BATCH_TOKENS,
        help=f"most tokens per model call, rows times the longest (default {DEFAULT_MAX_BATCH_TOKENS}; 0: no limit)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument(
        "--ray", nargs="?", const="", default=None, metavar="ADDRESS",
        help="run on Ray: no ADDRESS starts a local cluster (or uses RAY_ADDRESS), 'auto' joins one started "
        "with `ray start`, ray://HOST:10001 a remote one; --output is then a folder. Put it after the inputs "
        "or write --ray=ADDRESS",
    )
    parser.add_argument("--ray-workers", type=int, default=None, help="Ray actors, each with its own model "
                        "(default: one per CPU of the cluster)")
    # Defaults of the Ray options come from their owner, `RunOptions`.
    parser.add_argument("--ray-gpus-per-worker", type=float, default=RunOptions.gpus_per_worker,
                        help="GPUs each Ray actor reserves (default 0; 1 with --device cuda on GPU nodes)")
    parser.add_argument("--shard-size", type=int, default=RunOptions.shard_size,
                        help=f"rows per output part with --ray (default {RunOptions.shard_size})")
    parser.add_argument("--output-format", choices=list(OUTPUT_FORMATS), default=RunOptions.output_format,
                        help=f"format of the output parts with --ray (default {RunOptions.output_format})")


def _add_io_args(parser: argparse.ArgumentParser, text_field: str) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help=".jsonl, .csv, .txt, a folder, or - for stdin")
    parser.add_argument("--output", "-o", required=True, help="output .jsonl (appended; rerun to resume)")
    parser.add_argument("--text-field", default=text_field, help=f"field holding the text (default {text_field})")
    parser.add_argument("--id-field", default="id", help="field holding the record id (default id)")
    parser.add_argument(
        "--max-chars", type=int, default=DEFAULT_MAX_CHARS,
        help=f"longest text accepted, in characters (default {DEFAULT_MAX_CHARS:,}; 0: no limit); longer "
        "records go to the errors file",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarizer", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    summarize = sub.add_parser("summarize", help="summarize articles")
    _add_io_args(summarize, "article")
    _add_model_args(summarize)
    summarize.add_argument(
        "--style", default="highlights",
        help="default highlights; a saved model may add its own. "
        + "; ".join(style.label for style in DEFAULT_STYLES.values()),
    )
    summarize.add_argument("--max-words", type=int, default=None, help="word budget per summary")
    summarize.add_argument("--max-new-tokens", type=int, default=None, help="writing styles only")
    summarize.add_argument("--num-beams", type=int, default=None, help="writing styles only (beam search)")
    summarize.add_argument(
        "--set", nargs="+", default=[], metavar="NAME=VALUE", dest="settings",
        help="any other generation setting, e.g. copy_names=true rewrite_rejected=true (writing styles)",
    )
    summarize.add_argument(
        "--input-format", default="auto", choices=list(INPUT_FORMATS),
        help="auto (default): wire copy (lowercased / PTB-tokenized) is normalized before summarizing; "
        "wire: always normalize; plain: summarize the text as it is",
    )
    summarize.add_argument(
        "--wire-casing", default=None, choices=list(NORMALIZE_METHODS),
        help="how wire copy gets its case back before summarizing (default: the model's config, tagger)",
    )
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
        "--method", default=DEFAULT_NORMALIZE_METHOD, choices=list(NORMALIZE_METHODS),
        help="; ".join(f"{name}: {what}" for name, what in NORMALIZE_METHOD_HELP.items()),
    )
    normalize.add_argument("--headline", default=None, choices=["sentence", "title"], help="also apply headline case")

    sub.add_parser("prepare", help="convert the embedded default model once and print where it is cached")
    serve = sub.add_parser("serve", help="serve the HTTP API (POST /v1/summarize, /v1/normalize; /docs)")
    serve.add_argument("--model", default=None, help="model folder or hub id (default: the embedded model)")
    serve.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda if available)")
    serve.add_argument("--backend", default="auto", choices=list(BACKENDS), help="inference backend (default auto)")
    serve.add_argument("--host", default=None, help="default UVICORN_HOST, HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default UVICORN_PORT, PORT or 8000")
    defaults = ServeSettings()
    serve.add_argument("--max-batch", type=int, default=defaults.max_batch,
                       help=f"texts per model call (default {defaults.max_batch}; 1: no batching)")
    serve.add_argument("--max-wait-ms", type=float, default=defaults.max_wait_ms,
                       help=f"how long a request waits for others to batch with (default {defaults.max_wait_ms:g})")
    serve.add_argument("--max-queue", type=int, default=defaults.max_queue,
                       help=f"texts waiting before requests get 503 (default {defaults.max_queue})")
    serve.add_argument("--request-timeout", type=float, default=defaults.request_timeout_s,
                       help=f"seconds before a request gets 504 (default {defaults.request_timeout_s:g})")
    serve.add_argument("--demo-path", default="/demo", help="where the Gradio demo is mounted (default /demo; "
                       "needs the demo extra)")
    serve.add_argument("--no-demo", action="store_true", help="serve the API only")
    serve.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                       help="serve on Ray Serve: no ADDRESS starts a local cluster (or uses RAY_ADDRESS), 'auto' "
                       "joins one started with `ray start`")
    serve.add_argument("--replicas", type=int, default=2, help="Ray Serve replicas, each with its own model "
                       "and cores / replicas threads (default 2; with --ray)")
    return parser


def _prepare() -> int:
    from summarizer.weights.shipped import default_model_path

    start = time.perf_counter()
    path = default_model_path()
    print(f"{path} (ready in {time.perf_counter() - start:.1f} s)")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    """Load the model once and serve it until SIGTERM / SIGINT (`summarizer.serve`)."""
    from summarizer.model import Summarizer
    from summarizer.serve.app import create_app
    from summarizer.serve.run import serve

    settings = ServeSettings(max_batch=args.max_batch, max_wait_ms=args.max_wait_ms, max_queue=args.max_queue,
                             request_timeout_s=args.request_timeout)
    if args.ray is not None:
        from summarizer.serve.ray import serve_on_ray
        from summarizer.serve.run import default_host, default_port

        serve_on_ray(args.model, args.backend, settings, replicas=args.replicas, address=args.ray,
                     host=args.host or default_host(), port=args.port or default_port())
        return EXIT_OK
    summarizer = Summarizer.from_pretrained(args.model, device=args.device, backend=args.backend)
    app = create_app(summarizer, settings)
    demo_path = _demo_path(args)
    if demo_path is not None:
        from summarizer.demo import mount_demo

        app = mount_demo(app, app.state.service, demo_path)
    serve(app, host=args.host, port=args.port)
    return EXIT_OK


def _demo_path(args: argparse.Namespace) -> str | None:
    """Where to mount the demo, or None: asked not to, or gradio is not installed (said on stderr)."""
    if args.no_demo:
        return None
    if importlib.util.find_spec("gradio") is None:
        print("gradio is not installed (pip install -e '.[demo]'): serving the API without the demo", file=sys.stderr)
        return None
    return args.demo_path


def _summarize_task(args: argparse.Namespace) -> SummarizeTask:
    flags = {"max_words": args.max_words, "max_new_tokens": args.max_new_tokens, "num_beams": args.num_beams}
    overrides = {**parse_setting_overrides(args.settings), **{k: v for k, v in flags.items() if v is not None}}
    return SummarizeTask(
        model=args.model,
        style=args.style,
        faithful=not args.no_faithfulness_guard,
        input_format=args.input_format,
        wire_casing=args.wire_casing,
        # A null from --set is the user's ("rewrite_unsure=null": off), not a flag left unset.
        overrides=tuple(overrides.items()),
        device=args.device,
        dtype=args.dtype,
        backend=args.backend,
    )


def _normalize_task(args: argparse.Namespace) -> NormalizeTask:
    return NormalizeTask(
        method=args.method,
        detokenize=not args.keep_tokenization,
        headline=args.headline,
        model=args.model,
        device=args.device,
        dtype=args.dtype,
        backend=args.backend,
    )


def _run(args: argparse.Namespace, paths: list[str], task: SummarizeTask | NormalizeTask) -> JobReport:
    max_chars = args.max_chars or None
    max_batch_tokens = args.max_batch_tokens or None
    if args.ray is not None:
        from summarizer.batch.distributed import run_distributed

        options = RunOptions(
            ray_address=args.ray or None,
            num_workers=args.ray_workers,
            gpus_per_worker=args.ray_gpus_per_worker,
            max_batch_size=args.batch_size,
            max_batch_tokens=max_batch_tokens,
            max_chars=max_chars,
            text_field=args.text_field,
            id_field=args.id_field,
            shard_size=args.shard_size,
            output_format=args.output_format,
            progress=not args.no_progress,
        )
        return run_distributed(paths, task, args.output, options)
    worker = task.load()  # loads the model (and checks the style) before reading any input
    records = read_records(paths, text_field=args.text_field, id_field=args.id_field, max_chars=max_chars)
    return run_job(
        records,
        worker.process,
        args.output,
        batch_size=args.batch_size,
        total=count_records(paths),
        progress=not args.no_progress,
        cost=worker.cost,
        max_batch_tokens=max_batch_tokens,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if args.command == "prepare":
        return _prepare()
    if args.command == "serve":
        return _serve(args)
    for flag, value, low in [
        ("--batch-size", args.batch_size, 1), ("--max-batch-tokens", args.max_batch_tokens, 0),
        ("--max-chars", args.max_chars, 0), ("--shard-size", args.shard_size, 1),
        ("--ray-workers", args.ray_workers or 1, 1),
    ]:
        if value < low:
            parser.error(f"{flag} must be >= {low}, got {value}")
    try:
        # Check the inputs before spending seconds on loading a model.
        paths = expand_inputs(args.inputs)
        if args.ray is not None and STDIN in paths:
            raise ValueError("--ray reads files, not stdin; save the input to a file first")
        task = _summarize_task(args) if args.command == "summarize" else _normalize_task(args)
        report = _run(args, paths, task)
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        print(f"summarizer: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    errors = Path(args.output) / ERRORS if args.ray is not None else errors_path_for(args.output)
    print(
        f"wrote {report.written}, skipped {report.skipped_done} already done, failed {report.failed}"
        + (f": {report.failure_summary()} (see {errors})" if report.failed else ""),
        file=sys.stderr,
    )
    if report.written + report.skipped_done + report.failed == 0:
        print("summarizer: warning: the input held no records", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_RECORDS_FAILED


if __name__ == "__main__":
    sys.exit(main())
