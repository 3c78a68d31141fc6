"""How sure the model is of what it wrote (`generation.confidence`), and the rewrite of the
texts it is unsure of (`GenerationSettings.rewrite_unsure`)."""

from __future__ import annotations

import math

import pytest
import torch

from summarizer import GuardAction, Summarizer
from summarizer.config import GenerationSettings
from summarizer.generation.confidence import ContinuationScorer, _trie, mean_logprobs

ARTICLES = ["Maria Lopez opened the new bridge in Leeds on Monday. It cost 12 million pounds to build.",
            "The council in York met on Friday. It agreed to build 40 homes near the river."]


def _one_by_one(summarizer: Summarizer, model_input: str, text: str, style) -> float:
    """The same mean log-probability from a plain forward pass over one unpadded pair."""
    prompter, tokenizer, model = summarizer.prompter, summarizer.tokenizer, summarizer.model
    prompt = prompter.prompt_ids(model_input, style)
    lead = " " if prompter.family == "causal" and not prompter.uses_chat_template() else ""
    written = tokenizer(lead + text, add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        if prompter.family == "causal":
            logits = model(input_ids=torch.tensor([prompt + written])).logits[0, len(prompt) - 1:-1]
        else:
            logits = model(input_ids=torch.tensor([prompt]), labels=torch.tensor([written])).logits[0]
    return logits.float().log_softmax(-1)[torch.arange(len(written)), torch.tensor(written)].mean().item()


def test_mean_logprobs_match_one_pass_per_text(tiny_dir):
    summarizer = Summarizer.from_pretrained(tiny_dir, device="cpu")
    style = summarizer.config.style("headline_free")
    texts = ["Bridge opens in Leeds", "York council agrees to build 40 homes near the river", ""]
    inputs = [ARTICLES[0], ARTICLES[1], ARTICLES[0]]
    scores = mean_logprobs(summarizer.model, summarizer.prompter, inputs, texts, style, batch_size=8)
    for model_input, text, score in zip(inputs[:2], texts[:2], scores, strict=False):
        assert score == pytest.approx(_one_by_one(summarizer, model_input, text, style), abs=1e-4)
    assert scores[2] == -math.inf  # nothing written is nothing to trust


def test_continuations_read_as_one_trie_match_one_pass_per_text(tiny_dir):
    """Texts sharing openings, read as one token trie after the prompt's stored shared start,
    score as a plain pass over each prompt + text does; the prompt's cache is left as found, so
    a second call (the choice asks twice) scores the same."""
    summarizer = Summarizer.from_pretrained(tiny_dir, device="cpu")
    style = summarizer.config.style("headline")
    prompter = summarizer.prompter
    texts = ["Maria Lopez opened the new bridge", "Maria Lopez opened the new bridge in Leeds",
             "Maria Lopez opened a bridge", "Bridge cost 12 million pounds", "Maria"]
    prompt = prompter.prompt_ids(ARTICLES[0], style)
    scorer = ContinuationScorer(summarizer.model, prompter, prompt, prompter.prefix_ids(style))
    first = scorer(texts)
    for text, score in zip(texts, first, strict=True):
        assert score == pytest.approx(_one_by_one(summarizer, ARTICLES[0], text, style), abs=1e-4)
    assert scorer(texts[3:]) == pytest.approx(first[3:], abs=1e-5)
    assert scorer([]) == []


def test_trie_reads_each_shared_opening_once():
    tokens, parents, depths, paths = _trie([[5, 6, 7], [5, 6, 8], [5, 9], [4]])
    assert tokens == [5, 6, 7, 8, 9, 4]
    assert parents == [-1, 0, 1, 1, 0, -1]
    assert depths == [0, 1, 2, 2, 1, 0]
    assert paths == [[0, 1, 2], [0, 1, 3], [0, 4], [5]]


def test_unsure_texts_are_written_again_with_beams(tiny_dir):
    summarizer = Summarizer.from_pretrained(tiny_dir, device="cpu")
    # A style of several lines: the tiny decoder-only model starts its text with a line break.
    kw = {"style": "one_sentence_free", "faithful": False, "max_new_tokens": 12, "min_new_tokens": 6}
    greedy = summarizer.summarize(ARTICLES, rewrite_unsure=None, **kw)
    beams = summarizer.summarize(ARTICLES, num_beams=3, rewrite_unsure=None, **kw)
    # Every mean log-probability is below 0: every text is written again, and the record keeps the first.
    rewritten = summarizer.summarize(ARTICLES, rewrite_unsure=0.0, rewrite_beams=3, **kw)
    for g, b, r in zip(greedy, beams, rewritten, strict=True):
        assert r.text == b.text and r.guard == (GuardAction(g.text, "unsure"),)
    # No text is below -1e9: nothing is written again, nothing recorded.
    kept = summarizer.summarize(ARTICLES, rewrite_unsure=-1e9, **kw)
    assert all(s.text for s in greedy)
    assert [(s.text, s.guard) for s in kept] == [(s.text, ()) for s in greedy]


def test_rewrite_settings_are_checked_and_can_be_switched_off():
    with pytest.raises(ValueError, match="rewrite_unsure"):
        GenerationSettings(rewrite_unsure=True)
    with pytest.raises(ValueError, match="rewrite_beams"):
        GenerationSettings(rewrite_beams=1)
    assert GenerationSettings(rewrite_unsure=-0.85).override(rewrite_unsure=None).rewrite_unsure is None
