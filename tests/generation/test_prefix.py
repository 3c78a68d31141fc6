"""The shared start of a style's prompts, read once per model (`generation.prefix`)."""

from __future__ import annotations

import pytest
import torch

from summarizer import Summarizer
from summarizer.generation.prefix import common_length, start_cache

ARTICLE = "Maria Lopez opened the new bridge in Leeds on Monday. It cost 12 million pounds to build."


def _next_logits(model, prompt, cache=None, cached=0):
    with torch.inference_mode():
        out = model(input_ids=torch.tensor([prompt[cached:]]), past_key_values=cache, use_cache=True)
    return out.logits[0, -1]


def test_prefix_is_what_every_prompt_of_a_style_starts_with(tiny_dir):
    summarizer = Summarizer.from_pretrained(tiny_dir, device="cpu")
    prompter, style = summarizer.prompter, summarizer.config.style("headline")
    prefix = prompter.prefix_ids(style)
    if prompter.family != "causal":
        assert prefix == []  # an encoder reads its whole input at once
        return
    prompt = prompter.prompt_ids(ARTICLE, style)
    assert 0 < len(prefix) < len(prompt) and prompt[:len(prefix)] == prefix
    assert prompter.prefix_ids(summarizer.config.style("highlights")) != prefix  # each style its own


def test_a_prompt_read_from_the_stored_start_reads_as_a_whole(tiny_causal_dir):
    summarizer = Summarizer.from_pretrained(tiny_causal_dir, device="cpu")
    model, prompter, style = summarizer.model, summarizer.prompter, summarizer.config.style("headline")
    prefix, prompt = prompter.prefix_ids(style), prompter.prompt_ids(ARTICLE, style)
    whole = _next_logits(model, prompt)
    for _ in range(2):  # the second article reads the stored cache, unchanged by the first
        cache, cached = start_cache(model, prompt, prefix)
        assert cached == len(prefix) and cache.get_seq_length() == cached
        assert torch.allclose(_next_logits(model, prompt, cache, cached), whole, atol=1e-5)
    # A prompt sharing only part of the start gets the part it shares; one token is always left to read.
    short = prefix[:3] + [prefix[3] + 1]
    cache, cached = start_cache(model, short, prefix)
    assert cached == 3 and cache.get_seq_length() == 3
    assert start_cache(model, prefix, prefix)[1] == len(prefix) - 1
    assert start_cache(model, [prefix[0] + 1], prefix) == (None, 0)


def test_weights_changed_in_place_get_a_fresh_start(tiny_causal_dir):
    summarizer = Summarizer.from_pretrained(tiny_causal_dir, device="cpu")
    model, prompter, style = summarizer.model, summarizer.prompter, summarizer.config.style("headline")
    prefix, prompt = prompter.prefix_ids(style), prompter.prompt_ids(ARTICLE, style)
    start_cache(model, prompt, prefix)
    with torch.no_grad():  # as an optimizer step would
        for p in model.parameters():
            p.mul_(1.5)
    cache, cached = start_cache(model, prompt, prefix)
    assert torch.allclose(_next_logits(model, prompt, cache, cached), _next_logits(model, prompt), atol=1e-5)


@pytest.mark.parametrize(("a", "b", "n"), [([], [1], 0), ([1, 2, 3], [1, 2], 2), ([1, 2], [2, 1], 0), ([4], [4], 1)])
def test_common_length(a, b, n):
    assert common_length(a, b) == n
