"""Dynamic batching: requests that arrive together and can share a model call run as one.

Each request is a job: a key (what must match to share a call: the task, style, settings) and
its texts. One worker takes the oldest job, waits up to `max_wait_ms` from its arrival for more
jobs with the same key, and runs them as one call of at most `max_batch` texts and
`max_tokens` tokens, one call at a time, in a thread (the event loop stays free to accept and
refuse). A job whose client went away before its call costs no model time; a call that fails is
run again job by job, so a bad job fails alone.

The same design as text-generation-inference's and Ray Serve's `@serve.batch`, kept here because
the key (only same-style requests share a call) and the failure isolation are the library's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Batcher", "QueueFull", "run_jobs"]

# Run(key, texts) -> one result per text, in order.
Run = Callable[[Hashable, list[str]], Sequence[Any]]


class QueueFull(Exception):
    """The batcher holds `max_queue` texts already; the caller should retry later."""


@dataclass
class _Job:
    key: Hashable
    texts: list[str]
    tokens: int
    future: asyncio.Future
    arrived: float = field(default_factory=time.monotonic)


class Batcher:
    """Merges concurrent jobs with equal keys into model calls (see the module docstring)."""

    def __init__(self, run: Run, *, max_batch: int = 8, max_wait_ms: float = 10.0, max_tokens: int = 0,
                 max_queue: int = 256, on_batch: Callable[[int], None] | None = None) -> None:
        if max_batch < 1 or max_queue < 1 or max_wait_ms < 0 or max_tokens < 0:
            raise ValueError("max_batch and max_queue must be >= 1, max_wait_ms and max_tokens >= 0")
        self._run, self.max_batch, self.max_queue = run, max_batch, max_queue
        self.max_wait, self.max_tokens = max_wait_ms / 1000.0, max_tokens
        self._on_batch = on_batch
        self._jobs: deque[_Job] = deque()
        self._arrived: asyncio.Event | None = None
        self._worker: asyncio.Task | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        self.running = 0  # texts in the call under way

    @property
    def queued(self) -> int:
        """Texts waiting for a model call."""
        return sum(len(job.texts) for job in self._jobs)

    def start(self) -> None:
        self._arrived = asyncio.Event()
        self._worker = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self._executor.shutdown(wait=True)

    async def submit(self, key: Hashable, texts: list[str], tokens: int = 0) -> list[Any]:
        """The results for `texts`, once their call has run; QueueFull when the queue is full."""
        if self._arrived is None:
            raise RuntimeError("Batcher.start() was not called")
        if self.queued + len(texts) > self.max_queue:
            raise QueueFull(f"{self.queued} texts queued, the limit is {self.max_queue}")
        job = _Job(key, list(texts), tokens, asyncio.get_running_loop().create_future())
        self._jobs.append(job)
        self._arrived.set()
        return await job.future

    async def _loop(self) -> None:
        while True:
            # Cancelled while queued (the client went away, or its deadline passed): no model time.
            self._jobs = deque(job for job in self._jobs if not job.future.done())
            if not self._jobs:
                self._arrived.clear()
                await self._arrived.wait()
                continue
            batch = await self._gather()
            if batch:
                await self._call(batch)

    async def _gather(self) -> list[_Job]:
        """The oldest live job and the live jobs with its key that fit beside it, once its wait is over
        or the batch is full."""
        first = self._jobs[0]
        while True:
            batch = self._fitting(first.key)
            full = sum(len(j.texts) for j in batch) >= self.max_batch
            left = first.arrived + self.max_wait - time.monotonic()
            if full or left <= 0:
                break
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=left)
        for job in batch:
            self._jobs.remove(job)
        return [job for job in batch if not job.future.done()]

    def _fitting(self, key: Hashable) -> list[_Job]:
        batch: list[_Job] = []
        texts = tokens = 0
        for job in self._jobs:
            if job.future.done() or job.key != key:
                continue
            over_tokens = self.max_tokens and batch and tokens + job.tokens > self.max_tokens
            if batch and (texts + len(job.texts) > self.max_batch or over_tokens):
                continue
            batch.append(job)
            texts, tokens = texts + len(job.texts), tokens + job.tokens
        return batch

    async def _call(self, batch: list[_Job]) -> None:
        loop = asyncio.get_running_loop()
        self.running = sum(len(job.texts) for job in batch)
        if self._on_batch:
            self._on_batch(self.running)
        try:
            outcomes = await loop.run_in_executor(self._executor, run_jobs, self._run, batch[0].key,
                                                  [job.texts for job in batch])
        finally:
            self.running = 0
        for job, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):  # the job's own failure, reported to its caller only
                _settle(job.future, error=outcome)
            else:
                _settle(job.future, result=outcome)


def run_jobs(run: Run, key: Hashable, jobs: Sequence[Sequence[str]]) -> list[list[Any] | Exception]:
    """One call of `run` for all the jobs' texts, its results split back per job. A call that
    fails is made again job by job, so one bad job fails alone: its exception in its place."""
    try:
        results = run(key, [text for job in jobs for text in job])
    except Exception as error:
        if len(jobs) == 1:
            return [error]
        return [run_jobs(run, key, [job])[0] for job in jobs]
    outcomes, start = [], 0
    for job in jobs:
        outcomes.append(list(results[start: start + len(job)]))
        start += len(job)
    return outcomes


def _settle(future: asyncio.Future, *, result: Any = None, error: BaseException | None = None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
