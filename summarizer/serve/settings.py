"""The service's limits and batching, apart from the app so the CLI can show them without
importing the web stack."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServeSettings"]


@dataclass(frozen=True)
class ServeSettings:
    """The service's limits and batching."""

    max_batch: int = 8  # texts per model call
    max_wait_ms: float = 10.0  # how long the first request of a batch waits for company
    max_batch_tokens: int = 16384  # tokens per model call (0: no cap)
    max_queue: int = 64  # texts waiting; more -> 503
    max_articles: int = 32  # articles (or texts) per request
    max_body_bytes: int = 2_000_000  # request body; more -> 413
    request_timeout_s: float = 120.0  # queue + model time; more -> 504
    retry_after_s: int = 1
