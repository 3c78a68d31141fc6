"""The service's one way to the model: what the API's routes and the demo both call.

`Service.summarize` and `Service.normalize` check a request, key it (only requests with the same
task, style and settings share a model call), hand it to the batcher (this process's `Batcher`,
or another such as Ray Serve's `@serve.batch`) and wait for it within the request deadline. A
request whose client went away stops waiting and costs no model time if its call has not run.
No web framework here: the routes turn the exceptions into HTTP answers, the demo into messages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Any

from summarizer.config import DEFAULT_NORMALIZE_METHOD, check_normalize_method
from summarizer.serve.batcher import Batcher, QueueFull
from summarizer.serve.settings import ServeSettings
from summarizer.text.cleaning import RejectedText, check_texts, clean_text

__all__ = ["ClientGone", "DeadlinePassed", "InvalidRequest", "QueueFull", "Service", "Submit", "clean", "run_batch"]

# Another batcher's submit: (key, texts) -> one result per text.
Submit = Callable[[Hashable, list[str]], Awaitable[list[Any]]]
# Whether the request's client has gone away.
Gone = Callable[[], Awaitable[bool]]

# How often a waiting request checks whether its client is still there.
_POLL_S = 0.1


class DeadlinePassed(Exception):
    """The request was not answered within `ServeSettings.request_timeout_s`."""


class ClientGone(Exception):
    """The request's client went away while it waited."""


class InvalidRequest(ValueError):
    """A request the summarizer would refuse, found before queueing; `field` names what is wrong."""

    def __init__(self, field: str, error: Exception) -> None:
        super().__init__(str(error))
        self.field = field


class Service:
    """One loaded summarizer behind a batcher (see the module docstring)."""

    def __init__(self, summarizer: Any, settings: ServeSettings | None = None, *, batch: Submit | None = None,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self.summarizer = summarizer
        self.settings = settings = settings or ServeSettings()
        self.batcher = Batcher(
            partial(run_batch, summarizer), max_batch=settings.max_batch, max_wait_ms=settings.max_wait_ms,
            max_tokens=settings.max_batch_tokens, max_queue=settings.max_queue, on_batch=on_batch,
        ) if batch is None else None
        self._batch = batch

    @property
    def queued(self) -> int:
        """Texts waiting for a model call (0 when another batcher holds them)."""
        return self.batcher.queued if self.batcher is not None else 0

    def start(self) -> None:
        if self.batcher is not None:
            self.batcher.start()

    async def stop(self) -> None:
        if self.batcher is not None:
            await self.batcher.stop()

    def check_summarize(self, texts: Sequence[str], style: str, overrides: dict[str, Any],
                        pages: Sequence[bool] | None = None) -> list[str]:
        """The texts cleaned (`clean`), or InvalidRequest for what `Summarizer.summarize` would
        refuse, before any queueing."""
        try:
            cleaned = clean(texts, "article", pages)
        except (ValueError, TypeError) as error:
            raise InvalidRequest("articles", error) from None
        try:
            self.summarizer.config.style(style).settings(**overrides)
        except (ValueError, TypeError) as error:
            raise InvalidRequest("style", error) from None
        return cleaned

    async def summarize(self, texts: Sequence[str], style: str, overrides: dict[str, Any] | None = None, *,
                        input_format: str = "auto", faithful: bool | None = None, wire_casing: str | None = None,
                        pages: Sequence[bool] | None = None, gone: Gone | None = None) -> list[Any]:
        """`Summarizer.summarize(texts, style=style, ...)` of the cleaned texts, batched with other
        requests like it. `pages`: which texts are saved pages' HTML (their markup is the library's
        to read: title, metadata, the article)."""
        overrides = overrides or {}
        texts = self.check_summarize(texts, style, overrides, pages)
        # Defaults spelled out, so that a request naming them shares a call with one that does not.
        config = self.summarizer.config
        faithful = config.faithful if faithful is None else faithful
        wire_casing = config.wire_casing if wire_casing is None else wire_casing
        key = ("summarize", style, tuple(sorted(overrides.items())), input_format, faithful, wire_casing)
        return await self.run(key, list(texts), gone)

    async def normalize(self, texts: Sequence[str], method: str = DEFAULT_NORMALIZE_METHOD, detokenize: bool = True, *,
                        gone: Gone | None = None) -> list[Any]:
        """`Summarizer.normalize(texts, method=method, detokenize=detokenize)`, batched."""
        try:
            texts = clean(texts, "text")
        except (ValueError, TypeError) as error:
            raise InvalidRequest("texts", error) from None
        check_normalize_method(method)
        return await self.run(("normalize", method, bool(detokenize)), texts, gone)

    async def run(self, key: Hashable, texts: list[str], gone: Gone | None = None) -> list[Any]:
        """The results of `texts`' model call. Raises QueueFull (the queue is full), DeadlinePassed,
        ClientGone (`gone()` said so), or the call's own ValueError / TypeError."""
        tokens = sum(len(t) // 4 for t in texts)  # a cheap estimate; the library caps real batches
        job = asyncio.ensure_future(self.batcher.submit(key, texts, tokens) if self.batcher is not None
                                    else self._batch(key, texts))
        deadline = time.monotonic() + self.settings.request_timeout_s
        try:
            while not job.done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DeadlinePassed(f"not answered within {self.settings.request_timeout_s:g} s")
                await asyncio.wait({job}, timeout=min(left, _POLL_S))
                if not job.done() and gone is not None and await gone():
                    raise ClientGone("the client closed the connection")
            return job.result()
        finally:
            job.cancel()  # no-op once done; else its texts cost no model time if not yet run


def clean(texts: Sequence[str], what: str = "article", pages: Sequence[bool] | None = None) -> list[str]:
    """Each text as the batch readers clean it (`summarizer.text.cleaning.clean_text`: control
    characters removed, binary data refused, an HTML fragment turned into its text; a saved page,
    where `pages` says so, keeps its markup), or ValueError naming the text and why. No length
    cap here: the body limit bounds a request."""
    texts = check_texts(texts, what)
    out = []
    for i, text in enumerate(texts):
        try:
            out.append(clean_text(text, max_chars=None, strip_html=not (pages and pages[i]),
                                  check_language=False).text)
        except RejectedText as error:
            raise ValueError(f"{what} {i}: {error}") from None
    return out


def run_batch(summarizer: Any, key: tuple, texts: list[str]) -> list[Any]:
    """One model call for a batch of texts sharing `key` (runs in the batcher's thread)."""
    if key[0] == "normalize":
        _, method, detokenize = key
        return summarizer.normalize(texts, method=method, detokenize=detokenize, batch_size=len(texts))
    _, style, overrides, input_format, faithful, wire_casing = key
    return summarizer.summarize(texts, style=style, batch_size=len(texts), input_format=input_format,
                                faithful=faithful, wire_casing=wire_casing, **dict(overrides))
