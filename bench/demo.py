"""Latency of the running demo: one summarize request, then N simultaneous ones.

    OMP_NUM_THREADS=2 python -m bench.demo                      # real default model, 8 requests
    OMP_NUM_THREADS=2 python -m bench.demo --compare-unbatched --rounds 3 --output bench.json
    python -m bench.demo --model PATH --style one_sentence

Starts `summarizer serve` on a free localhost port (the demo mounted at /demo, as it runs for
users), sends one untimed warm-up request, then times requests through the demo's own endpoint
with `gradio_client` (the Gradio queue a browser click goes through, then the service's batcher;
"click to summary" here is request submitted -> result received). The N simultaneous requests
each come from their own client thread, released together; the mean batch is read from the
service's /metrics. `--compare-unbatched` repeats the concurrent run against a second service with
batching off (--max-batch 1), i.e. N requests one after another.
`--rounds K` repeats everything K times, interleaved, and reports medians.

The machine's load average is printed before and after: other jobs share the CPU cores, and
every number here moves with them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bench.serve import batch_stats, service
from summarizer.serve import ServeSettings

DEFAULT_ARTICLE = Path(__file__).resolve().parent.parent / "examples" / "harbour_bridge.txt"
MAX_BATCH = ServeSettings().max_batch


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def _client(url: str):
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def _request(client, article: str, style: str, limit: int) -> tuple[float, str]:
    """(seconds, summary)."""
    start = time.perf_counter()
    summary, _notice, _provenance, details, _normalized = client.predict(
        article, style, limit, True, api_name="/summarize"
    )
    elapsed = time.perf_counter() - start
    if not summary:
        raise RuntimeError(f"empty summary ({details})")
    return elapsed, summary


def _concurrent(base: str, article: str, style: str, limit: int, n: int) -> dict:
    """N requests released at once from N client threads: wall time, each request's latency, and
    the mean texts per model call."""
    clients = [_client(f"{base}/demo/") for _ in range(n)]
    barrier = threading.Barrier(n + 1)
    latencies: list[float | None] = [None] * n
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        barrier.wait()
        try:
            latencies[k], _ = _request(clients[k], article, style, limit)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
    for thread in threads:
        thread.start()
    calls, texts = batch_stats(base)
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - start
    calls, texts = (after - before for after, before in zip(batch_stats(base), (calls, texts), strict=True))
    if errors:
        raise RuntimeError(f"{len(errors)} of {n} requests failed: {errors[0]!r}")
    done = [t for t in latencies if t is not None]
    return {
        "requests": n,
        "total_s": total,
        "per_request_s": total / n,
        "latency_mean_s": statistics.mean(done),
        "latency_max_s": max(done),
        "model_calls": calls,
        "mean_batch": texts / calls if calls else 0.0,
    }


def _report(mode: str, result: dict, single: float) -> None:
    print(
        f"  {result['requests']} simultaneous requests, {mode}: {result['total_s']:.1f} s total, "
        f"{result['per_request_s']:.1f} s per request, mean latency {result['latency_mean_s']:.1f} s, "
        f"max {result['latency_max_s']:.1f} s ({result['total_s'] / single:.1f}x one request); "
        f"{result['model_calls']:.0f} model calls, mean batch {result['mean_batch']:.1f}",
        flush=True,
    )


def _rounds(args: argparse.Namespace, article: str, url: str, url_unbatched: str) -> list[dict]:
    client = _client(f"{url}/demo/")
    _request(client, article, args.style, args.limit)  # warm-up, untimed
    if args.compare_unbatched:
        _request(_client(f"{url_unbatched}/demo/"), article, args.style, args.limit)
    rounds = []
    for number in range(1, args.rounds + 1):
        # Each round times all modes back to back, so a change in the machine's load
        # shows up in one round rather than in one mode.
        single, summary = _request(client, article, args.style, args.limit)
        one = {"load": _load(), "single_s": single, "summary": summary}
        print(f"round {number} ({one['load']})\n  1 request: {single:.1f} s: {summary}", flush=True)
        one["batched"] = _concurrent(url, article, args.style, args.limit, args.requests)
        _report(f"batched (--max-batch {MAX_BATCH})", one["batched"], single)
        if args.compare_unbatched:
            one["unbatched"] = _concurrent(url_unbatched, article, args.style, args.limit, args.requests)
            _report("batching off", one["unbatched"], single)
        rounds.append(one)
    return rounds


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="checkpoint folder (default: the embedded model)")
    parser.add_argument("--article", default=str(DEFAULT_ARTICLE), help="text file to summarize")
    parser.add_argument("--style", default="highlights", help="summary style (default highlights)")
    parser.add_argument("--limit", type=int, default=0, help="word limit (0: the style's default)")
    parser.add_argument("--requests", type=int, default=MAX_BATCH, help="simultaneous requests")
    parser.add_argument("--compare-unbatched", action="store_true", help="also time with batching off")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the measurements (medians reported)")
    parser.add_argument("--output", default=None, help="write the results as JSON here too")
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error(f"--requests must be >= 1, got {args.requests}")
    if args.rounds < 1:
        parser.error(f"--rounds must be >= 1, got {args.rounds}")
    import torch

    article = Path(args.article).read_text(encoding="utf-8")
    results: dict = {
        "model": args.model or "embedded default",
        "style": args.style,
        "article": Path(args.article).name,
        "article_words": len(article.split()),
        "torch_threads": torch.get_num_threads(),
        "load_before": _load(),
    }
    print(f"{_load()}; torch threads {torch.get_num_threads()}", flush=True)
    with contextlib.ExitStack() as stack:
        start = time.perf_counter()
        url = stack.enter_context(service(MAX_BATCH, model=args.model))
        results["service_ready_s"] = time.perf_counter() - start
        print(f"service ready in {results['service_ready_s']:.1f} s", flush=True)
        url_unbatched = stack.enter_context(service(1, model=args.model)) if args.compare_unbatched else url
        rounds = _rounds(args, article, url, url_unbatched)
    results["rounds"] = rounds
    results["median"] = {"single_s": statistics.median(r["single_s"] for r in rounds)}
    for mode in ("batched", "unbatched"):
        if mode in rounds[0]:
            results["median"][mode] = {
                key: statistics.median(r[mode][key] for r in rounds)
                for key in ("total_s", "per_request_s", "latency_mean_s", "latency_max_s")
            }
    print(f"median over {len(rounds)} round(s): {json.dumps(results['median'])}", flush=True)
    results["load_after"] = _load()
    print(_load(), flush=True)
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
