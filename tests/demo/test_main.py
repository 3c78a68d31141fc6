"""`python -m demo`: the service with the demo at "/", where Gradio's GRADIO_SERVER_NAME /
GRADIO_SERVER_PORT say unless a flag does; the API answers beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from demo.__main__ import serve_args

REPO = Path(__file__).resolve().parents[2]


def test_gradio_variables_then_flags(monkeypatch):
    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_PORT", raising=False)
    assert serve_args([]) == ["serve", "--demo-path", "/", "--host", "127.0.0.1", "--port", "7860"]
    monkeypatch.setenv("GRADIO_SERVER_NAME", "localhost")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "8123")
    assert serve_args([])[-4:] == ["--host", "localhost", "--port", "8123"]
    assert serve_args(["--port", "9000", "--model", "m"])[-6:] == ["--host", "localhost", "--port", "9000",
                                                                   "--model", "m"]


def test_python_m_demo_serves_the_page_and_the_api(tiny_causal_dir, local_server, example_articles):
    """End to end in a fresh process: the page at "/", the API beside it, SIGTERM exits 0."""
    free_port, wait_ready = local_server
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "demo", "--model", str(tiny_causal_dir)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def alive() -> None:
            assert server.poll() is None, server.stdout.read().decode()[-3000:]

        wait_ready(base, 120, alive)
        page = httpx.get(f"{base}/", timeout=10)
        assert page.status_code == 200 and "gradio" in page.text.lower()
        answer = httpx.post(f"{base}/v1/summarize", json={"articles": [example_articles[0]], "style": "extractive"},
                            timeout=60)
        assert answer.status_code == 200 and answer.json()["summaries"][0]["text"]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
