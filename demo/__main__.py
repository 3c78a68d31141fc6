"""`python -m demo [--host H] [--port P] [--model PATH]`: the service with the Gradio demo at "/",
on Gradio's own GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (else 127.0.0.1:7860) unless a flag says.

The same process as `summarizer serve --demo-path /` (the demo lives in `summarizer.demo`); the
HTTP API answers beside it (`/v1/summarize`, `/docs`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from summarizer.cli import main as cli_main


def serve_args(argv: Sequence[str] | None = None) -> list[str]:
    """The `summarizer serve` arguments for `python -m demo`'s."""
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
                        help="interface (default $GRADIO_SERVER_NAME, else 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT") or 7860),
                        help="port (default $GRADIO_SERVER_PORT, else 7860)")
    parser.add_argument("--model", default=None, help="checkpoint folder (default: the embedded model)")
    args = parser.parse_args(argv)
    model = ["--model", args.model] if args.model else []
    return ["serve", "--demo-path", "/", "--host", args.host, "--port", str(args.port), *model]


if __name__ == "__main__":
    sys.exit(cli_main(serve_args()))
