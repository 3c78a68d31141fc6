"""Fixtures for the demo tests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_eval_data(tmp_path, monkeypatch) -> Path:
    """Four synthetic CNN/DM-like documents with one published system, as the SumLLM test file."""
    root = tmp_path / "data"
    (root / "summarization").mkdir(parents=True)
    paths = [p for p in sorted((REPO / "summarizer" / "demo" / "examples").glob("*.txt")) if p.name != "wire_copy.txt"]
    paths.append(REPO / "examples" / "harbour_bridge.txt")
    articles = [p.read_text(encoding="utf-8") for p in paths]
    records = []
    for k, article in enumerate(articles):
        first = article.split(". ")[0] + "."
        records.append(
            {
                "id": f"doc-{k}",
                "dataset": "cnndm",
                "article": article,
                "references": [first],
                "systems": {"peer": " ".join(article.split()[:30])},
            }
        )
    path = root / "summarization" / "sumllm_cnndm_test.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_DATA", str(root))
    return path


@pytest.fixture(scope="module")
def tiny_summarizer(tiny_causal_dir):
    """The tiny random model of tests/conftest.py, loaded once per module."""
    from summarizer import Summarizer

    return Summarizer.from_pretrained(str(tiny_causal_dir))


@pytest.fixture
def call(tiny_summarizer):
    """call(handler, *args): run a demo handler against a fresh `Service` over the tiny model, as
    the mounted demo does (the service's batcher in this event loop)."""
    from summarizer.serve.service import Service

    def run(handler, *args, summarizer=None):
        async def go():
            service = Service(summarizer or tiny_summarizer)
            service.start()
            try:
                return await handler(service, *args)
            finally:
                await service.stop()

        return asyncio.run(go())

    return run
