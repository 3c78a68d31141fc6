"""The dynamic batcher: merges jobs that share a key, keeps order, isolates failures, skips the
jobs whose callers went away, refuses past its queue limit."""

from __future__ import annotations

import asyncio
import threading

import pytest

from summarizer.serve.batcher import Batcher, QueueFull


class Recorder:
    def __init__(self, fail_on: str | None = None, delay: float = 0.0) -> None:
        self.calls: list[tuple] = []
        self.fail_on, self.delay = fail_on, delay
        self.lock = threading.Lock()

    def __call__(self, key, texts):
        with self.lock:
            self.calls.append((key, list(texts)))
        if self.delay:
            import time

            time.sleep(self.delay)
        if self.fail_on in texts:
            raise ValueError(f"bad text {self.fail_on!r}")
        return [f"{key}:{t.upper()}" for t in texts]


def _run(coro):
    return asyncio.run(coro)


async def _with(batcher: Batcher, body):
    batcher.start()
    try:
        return await body()
    finally:
        await batcher.stop()


def test_concurrent_jobs_with_one_key_share_a_call_and_keep_their_order():
    run = Recorder()
    batcher = Batcher(run, max_batch=8, max_wait_ms=50)

    async def body():
        return await asyncio.gather(*(batcher.submit("k", [f"a{i}", f"b{i}"]) for i in range(3)))

    results = _run(_with(batcher, body))
    assert results == [[f"k:A{i}", f"k:B{i}"] for i in range(3)]
    assert len(run.calls) == 1 and len(run.calls[0][1]) == 6


def test_keys_never_share_a_call_and_the_batch_size_is_capped():
    run = Recorder()
    batcher = Batcher(run, max_batch=2, max_wait_ms=20)

    async def body():
        jobs = [batcher.submit(key, [f"{key}{i}"]) for i in range(3) for key in ("x", "y")]
        return await asyncio.gather(*jobs)

    results = _run(_with(batcher, body))
    assert results == [[f"{key}:{key.upper()}{i}"] for i in range(3) for key in ("x", "y")]
    assert all(len({k for k in [key]}) == 1 and len(texts) <= 2 for key, texts in run.calls)
    assert all(t.startswith(key) for key, texts in run.calls for t in texts)


def test_a_failing_job_fails_alone():
    run = Recorder(fail_on="bad")
    batcher = Batcher(run, max_batch=8, max_wait_ms=50)

    async def body():
        return await asyncio.gather(batcher.submit("k", ["ok1"]), batcher.submit("k", ["bad"]),
                                    batcher.submit("k", ["ok2"]), return_exceptions=True)

    good1, bad, good2 = _run(_with(batcher, body))
    assert good1 == ["k:OK1"] and good2 == ["k:OK2"]
    assert isinstance(bad, ValueError) and "bad" in str(bad)


def test_a_job_whose_caller_went_away_costs_no_model_time():
    run = Recorder()
    batcher = Batcher(run, max_batch=8, max_wait_ms=200)

    async def body():
        gone = asyncio.ensure_future(batcher.submit("k", ["gone"]))
        await asyncio.sleep(0.01)
        gone.cancel()
        return await batcher.submit("k", ["kept"])

    assert _run(_with(batcher, body)) == ["k:KEPT"]
    assert all("gone" not in texts for _, texts in run.calls)


def test_past_the_queue_limit_a_job_is_refused_at_once():
    batcher = Batcher(Recorder(), max_batch=8, max_wait_ms=300, max_queue=2)

    async def body():
        first = asyncio.ensure_future(batcher.submit("k", ["a", "b"]))
        await asyncio.sleep(0.01)
        with pytest.raises(QueueFull, match="limit is 2"):
            await batcher.submit("k", ["c"])
        return await first

    assert _run(_with(batcher, body)) == ["k:A", "k:B"]
