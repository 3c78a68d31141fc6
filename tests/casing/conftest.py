"""Fixtures for the text-tool tests: the shared data folder (tests using it skip without it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    data = Path(os.environ.get("SUMMARIZER_DATA", _DEFAULT_DATA))
    if not (data / "casing" / "frank_refs.jsonl").is_file():
        pytest.skip(f"shared data not found at {data} (set SUMMARIZER_DATA)")
    return data
