"""Run the service on uvicorn, draining on SIGTERM / SIGINT.

On the signal `/ready` turns 503 at once (a load balancer stops sending), uvicorn stops
accepting connections, every request already accepted is answered, then the process exits 0.
"""

from __future__ import annotations

import os
from typing import Any

import uvicorn

__all__ = ["default_host", "default_port", "serve"]


def default_host() -> str:
    """UVICORN_HOST, HOST, else 127.0.0.1 (the usual environment variables)."""
    return os.environ.get("UVICORN_HOST") or os.environ.get("HOST") or "127.0.0.1"


def default_port() -> int:
    """UVICORN_PORT, PORT, else 8000."""
    return int(os.environ.get("UVICORN_PORT") or os.environ.get("PORT") or 8000)


class _DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: Any) -> None:
        super().__init__(config)
        self._app = app

    def handle_exit(self, sig: int, frame: Any) -> None:
        self._app.state.ready = False
        super().handle_exit(sig, frame)
        # uvicorn raises the signal again once drained, so the process dies of it (exit -15);
        # a drain that answered everything is a clean exit: 0.
        self._captured_signals.clear()


def serve(app: Any, *, host: str | None = None, port: int | None = None, log_level: str = "info") -> None:
    """Serve `app` (`create_app`'s, maybe with the demo mounted) until a signal; returns once every
    accepted request is answered."""
    config = uvicorn.Config(app, host=host or default_host(), port=port or default_port(), log_level=log_level,
                            timeout_graceful_shutdown=None)
    _DrainingServer(config, app).run()
