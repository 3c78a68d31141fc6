"""The Gradio demo for editors, mounted on the service (`summarizer serve`, at /demo): summarize
with provenance and the guard's record, normalize wire copy with a visual diff, and (from the
repository) score prediction files with the evaluation harness.

A thin client: every model call goes through the service's `Service` (`summarizer.serve.service`),
the path the HTTP API takes, so the demo's clicks and the API's requests share batches. The page
is `layout`, what its buttons do `handlers`, how results are drawn `markup`.
Needs the `demo` extra (`pip install -e ".[demo,serve]"`).
"""

from __future__ import annotations

import os
from typing import Any

# Gradio must not phone home (usage analytics, version check): set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

__all__ = ["mount_demo"]


def mount_demo(app: Any, service: Any, path: str = "/demo") -> Any:
    """`app` (the service's FastAPI app) with the demo over `service` mounted at `path`."""
    import gradio as gr

    from summarizer.demo.layout import build_demo

    return gr.mount_gradio_app(app, build_demo(service), path=path, max_file_size=service.settings.max_body_bytes,
                               footer_links=["gradio", "settings"], show_error=False)
