"""The summarization service (`summarizer serve`): a JSON HTTP API over one loaded model.

`create_app(summarizer, ServeSettings(...))` builds the FastAPI app; `serve(app)` runs it on
uvicorn. The web stack is imported on first use (`pip install -e ".[serve]"`).
"""

from __future__ import annotations

from typing import Any

from summarizer.serve.settings import ServeSettings

__all__ = ["ServeSettings", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from summarizer.serve.app import create_app

        return create_app
    if name == "serve":
        from summarizer.serve.run import serve

        return serve
    raise AttributeError(name)
