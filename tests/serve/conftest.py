"""Helpers for the service tests: the app on a free local port (real HTTP, uvicorn)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from summarizer.serve import ServeSettings, create_app


@contextlib.contextmanager
def serving(summarizer, settings: ServeSettings):
    """The service for `summarizer` on a free local port, stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(summarizer, settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                break
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)



@pytest.fixture(scope="module")
def running():
    """`serving`: a context manager giving the base URL of the service for a summarizer."""
    return serving
