"""`python -m bench.casing_lm`: the LM check against its draft on frank_refs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.casing_lm import main

DATA = Path(os.environ.get("SUMMARIZER_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))


@pytest.mark.skipif(not (DATA / "casing" / "frank_refs.jsonl").exists(), reason="needs the shared data")
def test_main_scores_frank_refs(tiny_causal_dir, tmp_path):
    results = main(
        [
            "--data",
            str(DATA),
            "--split",
            "valid",
            "--limit",
            "3",
            "--model",
            str(tiny_causal_dir),
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    assert results["records"] == 3
    model = results["systems"]["model fp32"]
    assert model["changed_records"] == 0 and model["words"] > 0
    # A random tiny model should not pull the draft far (the draft bonus holds it).
    assert model["accuracy"] > 0.8 * results["systems"]["statistical"]["accuracy"]
