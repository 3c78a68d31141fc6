"""The summarization service: a FastAPI app over one loaded `Summarizer`.

    POST /v1/summarize   {"articles": [...], "style": "headline", ...settings} -> {"summaries": [...]}
    POST /v1/normalize   {"texts": [...], "method": "tagger"} -> {"results": [...]}
    GET  /health         alive
    GET  /ready          model loaded and accepting (503 while draining)
    GET  /metrics        Prometheus text
    GET  /v1/info        model, backend, styles, settings, limits

Concurrent requests that can share a model call are batched (`summarizer.serve.batcher`); each
answer is what `Summarizer.summarize([article], ...)` gives alone. Errors are JSON naming the
field and the limit: 422 bad input, 413 body too large, 503 queue full (Retry-After), 504 past
the request deadline.
"""

# No `from __future__ import annotations` here: FastAPI reads the request model of
# /v1/summarize, built at run time from the config, from the live annotation.
import dataclasses
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from summarizer.config import GENERATION_SETTINGS, NORMALIZE_METHOD_HELP, STYLE_KIND_HELP
from summarizer.serve.schemas import ArticleIn, NormalizeRequest, request_models, summary_body
from summarizer.serve.service import ClientGone, DeadlinePassed, InvalidRequest, QueueFull, Service, Submit
from summarizer.serve.settings import ServeSettings

__all__ = ["create_app"]


def create_app(summarizer: Any, settings: ServeSettings | None = None, *, batch: Submit | None = None) -> FastAPI:
    """The service for `summarizer` (loaded once, shared by every request). `batch`: another
    batcher to submit (key, texts) to, as Ray Serve's `@serve.batch` (`summarizer.serve.ray`);
    default this process's `Batcher`. The routes call `app.state.service`, as the demo mounted
    beside them does (`summarizer.demo.mount_demo`)."""
    settings = settings or ServeSettings()
    metrics = _Metrics()
    service = Service(summarizer, settings, batch=batch, on_batch=metrics.batch_size.observe)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service.start()
        app.state.ready = True
        yield
        app.state.ready = False
        await service.stop()

    app = FastAPI(title="summarizer", description=__doc__.split("\n\n")[0], lifespan=lifespan)
    app.state.ready = batch is not None
    app.state.service = service
    SummarizeRequest = request_models(summarizer.config, settings.max_articles)  # noqa: N806

    app.add_middleware(_LimitsAndMetrics, settings=settings, metrics=metrics, queued=lambda: service.queued)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        if error.status_code == 400:  # FastAPI's answer to a body it cannot decode (not UTF-8)
            return _error(422, ["body"], "the body is not JSON text (not valid UTF-8)", "json_invalid")
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)

    @app.post("/v1/summarize")
    async def summarize(body: SummarizeRequest, request: Request):  # type: ignore[valid-type]
        if not app.state.ready:
            return _not_ready()
        articles = [a if isinstance(a, ArticleIn) else ArticleIn(text=a) for a in body.articles]
        overrides = {k: getattr(body, k) for k in GENERATION_SETTINGS if getattr(body, k) is not None}
        pages = [a.html is not None for a in articles]
        results = await _answer(service.summarize(
            [a.content for a in articles], body.style, overrides, input_format=body.input_format,
            faithful=body.faithful, wire_casing=body.wire_casing, pages=pages, gone=request.is_disconnected,
        ), settings)
        if isinstance(results, JSONResponse):
            return results
        return {"summaries": [summary_body(s, a.id) for s, a in zip(results, articles, strict=True)]}

    @app.post("/v1/normalize")
    async def normalize(body: NormalizeRequest, request: Request):
        if not app.state.ready:
            return _not_ready()
        if len(body.texts) > settings.max_articles:
            return _error(422, ["body", "texts"], f"{len(body.texts)} texts, the limit is {settings.max_articles}",
                          "too_long")
        results = await _answer(service.normalize(body.texts, body.method, body.detokenize,
                                                  gone=request.is_disconnected), settings)
        if isinstance(results, JSONResponse):
            return results
        return {"results": [dataclasses.asdict(r) for r in results]}

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.get("/ready")
    async def ready():
        return {"ready": True} if app.state.ready else _not_ready()

    @app.get("/metrics")
    async def prometheus():
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/info")
    async def info():
        return _info(summarizer, settings)

    return app


async def _answer(call: Awaitable[list[Any]], settings: ServeSettings) -> list[Any] | JSONResponse:
    """The call's results, or the JSON error its exception stands for."""
    try:
        return await call
    except QueueFull as error:
        response = _error(503, ["body"], f"the service is busy: {error}", "queue_full")
        response.headers["Retry-After"] = str(settings.retry_after_s)
        return response
    except DeadlinePassed as error:
        return _error(504, ["body"], str(error), "timeout")
    except ClientGone as error:
        return _error(499, ["body"], str(error), "client_closed")
    except InvalidRequest as error:  # found before queueing: the field is known
        return _error(422, ["body", error.field], str(error), "value_error")
    except (ValueError, TypeError) as error:
        return _error(422, ["body"], str(error), "value_error")


def _info(summarizer: Any, settings: ServeSettings) -> dict[str, Any]:
    styles = {
        name: {"kind": style.kind, "description": STYLE_KIND_HELP[style.kind],
               "settings": list(style.honoured_settings), "max_words": style.generation.max_words}
        for name, style in summarizer.config.styles.items()
    }
    return {
        "model": str(getattr(summarizer.model, "name_or_path", "") or summarizer.model.config.name_or_path),
        "backend": summarizer.backend, "family": str(summarizer.family), "styles": styles,
        "settings": list(GENERATION_SETTINGS), "normalize_methods": NORMALIZE_METHOD_HELP,
        "limits": dataclasses.asdict(settings),
    }


def _error(status: int, loc: list[str], msg: str, kind: str) -> JSONResponse:
    # The shape of FastAPI's own validation errors, so clients read one kind of error body.
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": kind}]}, status_code=status)


def _not_ready() -> JSONResponse:
    return _error(503, [], "the service is not ready (loading or shutting down)", "not_ready")


class _LimitsAndMetrics:
    """The body-size limit and the request metrics, as plain ASGI middleware: Starlette's
    `BaseHTTPMiddleware` wraps `receive` so that a route cannot see its client leave."""

    def __init__(self, app: Any, *, settings: ServeSettings, metrics: "_Metrics", queued: Callable[[], int]) -> None:
        self.app, self.settings, self.metrics, self.queued = app, settings, metrics, queued

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        limit = self.settings.max_body_bytes
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if not length.isdigit():  # a chunked body: read it here, up to the limit, then replay it
            length, receive = await _buffered(receive, limit)
        if int(length) > limit:
            response = _error(413, ["body"], f"body of {int(length)}{'+' if int(length) == limit + 1 else ''} "
                              f"bytes is over the limit of {limit} bytes", "too_large")
            await response(scope, receive, sending)
        else:
            await self.app(scope, receive, sending)
        route = scope.get("route")
        path = route.path if route is not None else "unmatched"
        self.metrics.requests.labels(path, str(status)).inc()
        self.metrics.latency.labels(path).observe(time.perf_counter() - started)
        self.metrics.queue.set(self.queued())


async def _buffered(receive: Callable, limit: int) -> tuple[bytes, Callable]:
    """(its length, or limit + 1 once past it; a receive that replays it) for a body without a
    Content-Length."""
    body, more = b"", True
    while more and len(body) <= limit:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        more = message.get("more_body", False)
    replayed = False

    async def replay() -> dict:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: a disconnect, as the route may ask

    return str(min(len(body), limit + 1)).encode(), replay


class _Metrics:
    """The service's Prometheus metrics, in a registry of its own (several apps per process in tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("summarizer_requests", "HTTP requests by route and status", ["route", "status"],
                                registry=self.registry)
        self.latency = Histogram("summarizer_request_seconds", "request latency by route", ["route"],
                                 registry=self.registry,
                                 buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128))
        self.queue = Gauge("summarizer_queue_texts", "texts waiting for a model call", registry=self.registry)
        self.batch_size = Histogram("summarizer_batch_texts", "texts per model call", registry=self.registry,
                                    buckets=(1, 2, 4, 8, 16, 32))
