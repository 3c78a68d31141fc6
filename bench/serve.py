"""Load-test the HTTP service on localhost: throughput and latency at each concurrency, batched
against one article per model call, and what an overload gets.

    python -m bench.serve [--styles headline,highlights] [--concurrency 1,4,16] [--requests 200]
                          [--overload 64] [--json docs/serve_bench.json]

For each `--max-batch` setting (the service's default and 1) one `summarizer serve` process is
started on a free local port with the shipped model; for each style and concurrency c, c client
threads send `--requests` one-article requests in all (closed loop: each sends its next once
answered), articles cycling through SumLLM val. Reported: requests/s, p50/p99 latency, failures,
and the mean texts per model call (from /metrics). The overload run sends `--overload` clients
at a service with a queue of 8 and reports the status codes and how fast refusals come.
`--ray N` runs the same against `summarizer serve --ray --replicas N` (a local Ray cluster; the
mean batch is not read there: each replica counts its own).
State the CPU and the load beside the figures: 2 torch threads collapse when another process is
busy on a core.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.speed import load_articles
from summarizer.paths import data_root


@contextlib.contextmanager
def service(max_batch: int, max_queue: int = 256, model: str | None = None, ray_replicas: int = 0):
    """A `summarizer serve` process on a free local port (on a local Ray cluster with `ray_replicas`
    replicas when > 0); its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "summarizer.cli", "serve", "--port", str(port), "--max-batch", str(max_batch),
               "--max-queue", str(max_queue), "--request-timeout", "600"]
    if model:
        command += ["--model", model]
    if ray_replicas:
        command += ["--ray", "--replicas", str(ray_replicas)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, "UVICORN_HOST": "127.0.0.1"})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(3000):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"the service exited: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=120)


def batch_stats(base: str) -> tuple[float, float]:
    """(model calls, texts) so far, from /metrics."""
    calls = texts = 0.0
    for line in httpx.get(f"{base}/metrics").text.splitlines():
        if line.startswith("summarizer_batch_texts_count"):
            calls = float(line.split()[-1])
        elif line.startswith("summarizer_batch_texts_sum"):
            texts = float(line.split()[-1])
    return calls, texts


def load(base: str, style: str, articles: Sequence[str], clients: int, requests: int, ray: bool = False) -> dict:
    """`requests` requests from `clients` closed-loop threads; throughput, latency, statuses."""
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[tuple[int, float]] = []

    def client() -> None:
        with httpx.Client(timeout=900) as http:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                answer = http.post(f"{base}/v1/summarize", json={"articles": [articles[n % len(articles)]],
                                                                 "style": style})
                with lock:
                    latencies.append((answer.status_code, time.perf_counter() - started))

    # On Ray each replica counts its own model calls, and /metrics answers from one of them.
    counted = not ray
    calls0, texts0 = batch_stats(base) if counted else (0.0, 0.0)
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    calls1, texts1 = batch_stats(base) if counted else (0.0, 0.0)
    ok = sorted(s for code, s in latencies if code == 200)
    refused = sorted(s for code, s in latencies if code != 200)
    return {
        "style": style, "clients": clients, "requests": len(latencies), "seconds": round(wall, 2),
        "requests_per_s": round(len(ok) / wall, 3), "statuses": dict(Counter(code for code, _ in latencies)),
        "p50_s": round(statistics.median(ok), 3) if ok else None,
        "p99_s": round(_quantile(ok, 0.99), 3) if ok else None,
        "refused_p99_s": round(_quantile(refused, 0.99), 3) if refused else None,
        "mean_batch": round((texts1 - texts0) / (calls1 - calls0), 2) if calls1 > calls0 else None,
    }


def _quantile(values: Sequence[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: Sequence[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", default="headline,highlights")
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--requests", type=int, default=200, help="requests per style and concurrency")
    parser.add_argument("--max-batch", default="8,1", help="service settings to compare")
    parser.add_argument("--overload", type=int, default=64, help="clients in the overload run (0: none)")
    parser.add_argument("--articles", type=int, default=32)
    parser.add_argument("--model", default=None)
    parser.add_argument("--ray", type=int, default=0, metavar="REPLICAS",
                        help="serve on a local Ray cluster with this many replicas (summarizer serve --ray)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    on_ray = {"model": args.model, "ray_replicas": args.ray}
    articles, _ = load_articles(data_root(), args.articles)
    styles, levels = args.styles.split(","), [int(c) for c in args.concurrency.split(",")]
    rows = []
    for max_batch in (int(b) for b in args.max_batch.split(",")):
        with service(max_batch, **on_ray) as base:
            for style in styles:
                load(base, style, articles[:4], 2, 4, bool(args.ray))  # warm up (each replica on Ray)
                for clients in levels:
                    rows.append({"max_batch": max_batch, "ray_replicas": args.ray,
                                 **load(base, style, articles, clients, args.requests, bool(args.ray))})
                    print(json.dumps(rows[-1]), flush=True)
    if args.overload:
        with service(int(args.max_batch.split(",")[0]), max_queue=8, **on_ray) as base:
            rows.append({"max_batch": int(args.max_batch.split(",")[0]), "ray_replicas": args.ray, "overload": True,
                         **load(base, styles[0], articles, args.overload, args.requests, bool(args.ray))})
            print(json.dumps(rows[-1]), flush=True)
    _print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return rows


def _print_table(rows: list[dict]) -> None:
    print("| Ray replicas | max batch | style | clients | requests/s | p50 s | p99 s | refused p99 s | mean batch "
          "| statuses |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        label = f"{r['clients']} (overload, queue 8)" if r.get("overload") else r["clients"]
        print(f"| {r['ray_replicas'] or '-'} | {r['max_batch']} | {r['style']} | {label} | {r['requests_per_s']} "
              f"| {r['p50_s']} | {r['p99_s']} | {r['refused_p99_s']} | {r['mean_batch']} | {r['statuses']} |")


if __name__ == "__main__":
    main()
