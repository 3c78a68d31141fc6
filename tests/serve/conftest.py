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


def free_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(base: str, seconds: float, alive=None) -> None:
    """Until `base`/ready answers 200 (or `seconds` pass); `alive()` may raise if the server died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        if alive is not None:
            alive()
        time.sleep(0.05)


@contextlib.contextmanager
def serving(summarizer, settings: ServeSettings):
    """The service for `summarizer` on a free local port, stopped on exit."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(summarizer, settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, 10)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def running():
    """`serving`: a context manager giving the base URL of the service for a summarizer."""
    return serving


@pytest.fixture(scope="session")
def local_server():
    """(free_port, wait_ready) for tests that start a server of their own."""
    return free_port, wait_ready
