"""Fixtures for the training tests (data in `tiny_data.py`; tiny models in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_data import build_data


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory) -> Path:
    return build_data(tmp_path_factory.mktemp("tiny_data"))
