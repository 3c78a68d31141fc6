"""`python -m demo`: Gradio's own GRADIO_SERVER_NAME / GRADIO_SERVER_PORT apply unless a flag is given."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

import demo.app as app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def launches(monkeypatch) -> list[tuple[gr.Blocks, dict]]:
    """Calls of `Blocks.launch` made by `main`, recorded instead of serving."""
    calls: list[tuple[gr.Blocks, dict]] = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kwargs: calls.append((self, kwargs)))
    monkeypatch.delenv("SUMMARIZER_DEMO_MODEL", raising=False)
    monkeypatch.setenv("GRADIO_SERVER_NAME", "localhost")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "8123")
    return calls


def test_without_flags_gradio_settles_host_and_port(launches):
    app.main(["--lazy"])
    [(ui, kwargs)] = launches
    assert ui is app.demo
    assert "server_name" not in kwargs and "server_port" not in kwargs  # Gradio reads its env vars
    assert kwargs["max_file_size"] == app.MAX_UPLOAD_SIZE


def test_flags_win_over_the_environment(launches):
    app.main(["--lazy", "--host", "127.0.0.1", "--port", "9000"])
    [(_, kwargs)] = launches
    assert (kwargs["server_name"], kwargs["server_port"]) == ("127.0.0.1", 9000)
    app.main(["--lazy", "--port", "9001"])
    assert launches[1][1]["server_port"] == 9001 and "server_name" not in launches[1][1]


_SERVE_ONCE = """
import gradio as gr
import demo.app as app

real = gr.Blocks.launch


def launch(self, **kwargs):
    real(self, prevent_thread_lock=True, **kwargs)
    print("SERVED", self.server_name, self.server_port, flush=True)
    self.close()


gr.Blocks.launch = launch
app.main(["--lazy"])
"""


def test_python_m_demo_serves_where_the_gradio_env_says():
    """End to end, in a fresh process (Gradio reads GRADIO_SERVER_PORT when it is imported); about
    15 s, most of it importing gradio and torch."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SUMMARIZER_DEMO_MODEL"}
    env.update(GRADIO_SERVER_NAME="localhost", GRADIO_SERVER_PORT=str(port))
    result = subprocess.run(
        [sys.executable, "-c", _SERVE_ONCE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-1000:] + result.stderr[-2000:]
    assert f"SERVED localhost {port}" in result.stdout, result.stdout[-1000:]
