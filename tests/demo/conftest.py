"""Fixtures for the demo tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_eval_data(tmp_path, monkeypatch) -> Path:
    """Four synthetic CNN/DM-like documents with one published system, as the SumLLM test file."""
    root = tmp_path / "data"
    (root / "summarization").mkdir(parents=True)
    paths = [p for p in sorted((REPO / "demo" / "examples").glob("*.txt")) if p.name != "wire_copy.txt"]
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
