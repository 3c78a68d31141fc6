"""The same service on Ray Serve: `summarizer serve --ray [ADDRESS] --replicas N`.

Each replica loads the model once and serves `create_app`'s FastAPI app (the same routes, bodies
and errors as the one-process service) as the deployment's ingress; Ray Serve's `@serve.batch`
takes the place of this package's batcher. Each replica gets cores / replicas torch threads,
`max_ongoing_requests` of at least twice the batch size (so a batch can fill), a bounded queue
(`max_queued_requests`: past it Ray answers 503), the request timeout, and a health check.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections import defaultdict
from functools import partial
from typing import Any

from summarizer.serve.settings import ServeSettings

__all__ = ["ray_app", "serve_on_ray"]

APP_NAME = "summarizer"


def ray_app(model: str | None, backend: str, replicas: int, settings: ServeSettings, threads: int) -> Any:
    """The bound Ray Serve application: `replicas` replicas of the service."""
    from ray import serve

    @serve.deployment(
        num_replicas=replicas, ray_actor_options={"num_cpus": threads},
        max_ongoing_requests=max(2 * settings.max_batch, 16), max_queued_requests=settings.max_queue,
        health_check_period_s=10, health_check_timeout_s=60,
    )
    @serve.ingress()
    class Replica:
        def __init__(self) -> None:
            import torch

            from summarizer.model import Summarizer

            torch.set_num_threads(threads)
            self.summarizer = Summarizer.from_pretrained(model, backend=backend)

        def __serve_build_asgi_app__(self) -> Any:
            from summarizer.serve.app import create_app

            return create_app(self.summarizer, settings, batch=self.submit)

        async def submit(self, key: Any, texts: list[str]) -> list[Any]:
            result = await self.batched((key, texts))
            if isinstance(result, Exception):  # this request's own failure (see `batched`)
                raise result
            return result

        @serve.batch(max_batch_size=settings.max_batch, batch_wait_timeout_s=settings.max_wait_ms / 1000)
        async def batched(self, jobs: list[tuple[Any, list[str]]]) -> list[Any]:
            """One model call per key among the requests Ray gathered; results in their order (a
            request whose texts fail alone gets its exception as its result)."""
            from summarizer.serve.batcher import run_jobs
            from summarizer.serve.service import run_batch

            by_key: dict[Any, list[int]] = defaultdict(list)
            for n, (key, _) in enumerate(jobs):
                by_key[key].append(n)
            results: list[Any] = [None] * len(jobs)
            for key, members in by_key.items():
                outcomes = await asyncio.to_thread(run_jobs, partial(run_batch, self.summarizer), key,
                                                   [jobs[n][1] for n in members])
                for n, outcome in zip(members, outcomes, strict=True):
                    results[n] = outcome
            return results

        def check_health(self) -> None:
            if self.summarizer is None:
                raise RuntimeError("no model")

    return Replica.bind()


def serve_on_ray(model: str | None, backend: str, settings: ServeSettings, *, replicas: int, address: str | None,
                 host: str, port: int) -> None:
    """Start (or join) a Ray cluster, run the service there, block until SIGTERM / SIGINT."""
    import ray
    from ray import serve

    if not ray.is_initialized():
        ray.init(address=address or None)
    cores = int(ray.cluster_resources().get("CPU", os.cpu_count() or 1))
    threads = max(1, cores // replicas)
    serve.start(http_options={"host": host, "port": port, "request_timeout_s": settings.request_timeout_s})
    serve.run(ray_app(model, backend, replicas, settings, threads), name=APP_NAME, route_prefix="/")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    serve.delete(APP_NAME)
    serve.shutdown()
