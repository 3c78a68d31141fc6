"""The glued-sentence finder: only whitespace changes, marked starts are never split, and the
model survives a save and load; the shipped model splits the seed's glued lines (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.casing.boundaries import (
    BoundaryConfig,
    BoundaryNet,
    SentenceBoundaries,
    document_arrays,
    splittable,
)

WORDS = ["the", "army", "entered", "tikrit", ",", ".", "?", "said", "'", "militiamen", "laid", "down", "fire", "u.s.", "30,000"]


def _model(threshold: float = 0.0, seed: int = 0) -> SentenceBoundaries:
    torch.manual_seed(seed)
    vocab = {w: i + 1 for i, w in enumerate(WORDS)}
    return SentenceBoundaries(BoundaryNet(BoundaryConfig(vocab=len(vocab) + 1, hidden=8)), vocab, threshold, min_words=2)


texts = st.lists(
    st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join).flatmap(
        lambda line: st.sampled_from([line, "  " + line + " ", line.replace(" ", "  ")])),
    min_size=1, max_size=4,
).map("\n".join)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_only_whitespace_changes(text):
    model = _model()  # threshold 0: split wherever a split is allowed
    out = model.split(text)
    assert out.split() == text.split()
    assert out.replace("\n", " ").split(" ") != [] and len(out) <= len(text)
    assert [c for c in out if not c.isspace()] == [c for c in text if not c.isspace()]
    # each split removes whitespace and adds exactly one newline
    assert out.count("\n") - text.count("\n") == sum(map(len, model.starts([line.split() for line in text.split("\n")])))


def test_marked_starts_and_short_pieces_are_never_split():
    model = _model()
    lines = [["the", "army", "entered", ".", "militiamen", "laid", "down", "?", "fire", "said"]]
    chosen = model.starts(lines)[0]
    assert 4 not in chosen and 8 not in chosen and 0 not in chosen
    assert all(b - a >= 2 for a, b in zip([0, *chosen], [*chosen, len(lines[0])], strict=True))
    bits = document_arrays(lines, model.vocab)[2]
    assert [splittable(b) for b in bits] == [False, True, True, True, False, True, True, True, False, True]


def test_threshold_one_splits_nothing():
    text = "the army entered tikrit militiamen laid down fire\nsaid the army"
    assert _model(threshold=1.01).split(text) == text


def test_save_and_load(tmp_path: Path):
    model = _model(threshold=0.7, seed=3)
    model.save(tmp_path / "b.pt")
    again = SentenceBoundaries.load(tmp_path / "b.pt")
    assert (again.threshold, again.min_words, again.vocab) == (0.7, 2, model.vocab)
    lines = [["the", "army", "entered", "tikrit", "militiamen", "laid", "down", "fire"]]
    # fp16 storage: the same probabilities to 1e-2
    assert again.probabilities(lines) == pytest.approx(model.probabilities(lines), abs=1e-2)


def test_rejects_non_text():
    with pytest.raises(TypeError, match="expects a str"):
        _model().split(None)  # type: ignore[arg-type]
