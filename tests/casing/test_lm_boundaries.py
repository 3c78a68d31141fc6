"""The language model's vote on glued sentences: the one packed pass scores each candidate as two
plain passes would, candidates stay inside long runs, and normalize splits only when asked."""

from __future__ import annotations

import math

import pytest
import torch

from summarizer import Summarizer
from summarizer.casing import lm_boundaries
from summarizer.casing.lm_boundaries import candidate_positions, lm_scores

WORDS = ("the terrorists still hold the town of Al-Alam , north of Tikrit University militiamen laid down "
         "heavy machine gunfire in the dusty streets during the attack today taking Tikrit would open a "
         "supply line").split()


def _plain_score(model, tokenizer, words, i) -> float:
    """log P(". Next words" | left) - log P("next words" | left), each by a plain forward pass."""
    left = " ".join(words[:i])
    end = min(i + lm_boundaries.NEXT_WORDS, len(words))
    total = []
    for continuation in (" " + " ".join(words[i:end]),
                         " . " + " ".join([words[i][:1].upper() + words[i][1:], *words[i + 1: end]])):
        prefix = tokenizer(left, add_special_tokens=False)["input_ids"]
        ids = tokenizer(left + continuation, add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            logp = model(torch.tensor([ids])).logits[0].float().log_softmax(-1)
        total.append(sum(logp[k - 1, ids[k]].item() for k in range(len(prefix), len(ids))))
    return total[1] - total[0]


def test_packed_pass_matches_plain_passes(tiny_causal_dir, monkeypatch):
    summarizer = Summarizer.from_pretrained(tiny_causal_dir, dtype="float32", backend="torch")
    model, tokenizer = summarizer.model, summarizer.tokenizer
    monkeypatch.setattr(lm_boundaries, "PERIOD_FLOOR", -math.inf)  # a random model's periods are rare
    positions = [13, 14, 25]
    packed = lm_scores(model, tokenizer, WORDS, positions)
    for i, score in zip(positions, packed, strict=True):
        if math.isinf(score):  # a word whose first token is merged with the space differently
            continue
        assert score == pytest.approx(_plain_score(model, tokenizer, WORDS, i), abs=1e-3)
    assert any(not math.isinf(s) for s in packed)


def test_candidates_are_word_boundaries_inside_long_runs(monkeypatch):
    monkeypatch.setattr(lm_boundaries, "MIN_RUN", 10)
    words = ["a"] * 5 + ["."] + ["w"] * 12 + [","] + ["w"] * 3
    positions = candidate_positions(words, min_words=3)
    # the 5-token run is too short; in the long run, 3 from its edges, never beside the comma
    assert positions and min(positions) >= 6 + 3 and max(positions) <= len(words) - 3
    assert all(words[i - 1] != "," and words[i] != "," for i in positions)


def test_normalize_splits_only_when_asked():
    from summarizer.casing.normalize import normalize

    glued = "he said it was over\nthe terrorists are stealing civilians ' cars the rapid advance across syria and iraq by militant fighters from isis in 2014 led to the caliphate"
    kept = normalize([glued], detokenize=False)[0]
    assert kept.cased.lower() == glued  # only case changes when spacing must stay
    assert normalize([glued], split_glued=False)[0].text.count("\n") == 1
    split = normalize([glued])[0]
    assert split.text.split() == normalize([glued], split_glued=False)[0].text.split()
    assert split.cased.replace("\n", " ").lower() == glued.replace("\n", " ")


def test_without_the_models_vote_the_bigrus_document_starts_stand(monkeypatch):
    """The BiGRU's sure starts are read in the whole document, as `SentenceBoundaries.starts`
    reads them, and the model only adds to them."""
    from summarizer.casing.boundaries import BoundaryConfig, BoundaryNet, SentenceBoundaries

    torch.manual_seed(0)
    vocab = {w: i + 1 for i, w in enumerate(sorted({w.lower() for w in WORDS}))}
    boundaries = SentenceBoundaries(BoundaryNet(BoundaryConfig(vocab=len(vocab) + 1, hidden=8)), vocab, 0.5, 3)
    lines = [WORDS[:20], WORDS[20:]]
    monkeypatch.setattr(lm_boundaries, "lm_scores", lambda model, tokenizer, words, positions: [-math.inf] * len(positions))
    assert lm_boundaries.lm_split_starts(boundaries, None, None, lines) == boundaries.starts(lines)
    monkeypatch.setattr(lm_boundaries, "lm_scores", lambda model, tokenizer, words, positions: [math.inf] * len(positions))
    monkeypatch.setattr(lm_boundaries, "MIN_RUN", 10)
    more = lm_boundaries.lm_split_starts(boundaries, None, None, lines)
    assert sum(map(len, more)) > sum(map(len, boundaries.starts(lines)))


def test_a_line_past_one_pass_is_left_to_the_bigru(tiny_causal_dir, monkeypatch):
    summarizer = Summarizer.from_pretrained(tiny_causal_dir, dtype="float32", backend="torch")
    monkeypatch.setattr(lm_boundaries, "MAX_LINE_TOKENS", 8)
    assert lm_scores(summarizer.model, summarizer.tokenizer, WORDS, [13, 14]) == [-math.inf, -math.inf]
