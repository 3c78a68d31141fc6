"""Free generation: the copy prior (`copy_bias`) and the name constraint (`copy_names`)."""

from __future__ import annotations

import re

import pytest
import torch

from summarizer import Summarizer
from summarizer.config import GenerationSettings
from summarizer.generation.copying import SourceTokenBias

ARTICLE = "Maria Lopez opened the new bridge in Leeds on Monday. It cost 12 million pounds to build."


def test_source_token_bias_boosts_each_rows_prompt_tokens_only():
    ids = torch.tensor([[0, 5, 6], [0, 0, 7]])
    mask = torch.tensor([[0, 1, 1], [0, 0, 1]])
    bias = SourceTokenBias(ids, mask, vocab_size=10, bias=2.0, special_ids=[6])
    scores = bias(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 10))
    assert scores[0].nonzero().flatten().tolist() == [5]  # 6 is special, 0 is padding
    assert scores[1].nonzero().flatten().tolist() == [7] and scores[1, 7] == 2.0
    # Beam search: each prompt's beams are consecutive rows.
    beams = bias(torch.zeros(4, 3, dtype=torch.long), torch.zeros(4, 10))
    assert [row.nonzero().flatten().tolist() for row in beams] == [[5], [5], [7], [7]]


def test_a_large_copy_bias_writes_only_prompt_tokens(tiny_dir):
    summarizer = Summarizer.from_pretrained(tiny_dir, device="cpu")
    calls = []
    generate = summarizer.model.generate

    def observed(**kwargs):  # the real generate, its input and output kept for the check
        out = generate(**kwargs)
        calls.append((kwargs["input_ids"], out))
        return out

    summarizer.model.generate = observed
    summarizer.summarize([ARTICLE], style="headline_free", copy_bias=1e4, faithful=False, rewrite_unsure=None)
    (prompt, out), = calls
    allowed = set(prompt[0].tolist()) | set(summarizer.tokenizer.all_special_ids)
    written = out[0, prompt.shape[1]:] if summarizer.family == "causal" else out[0]
    assert written.numel() and set(written.tolist()) <= allowed


def test_copy_bias_must_not_be_negative():
    with pytest.raises(ValueError, match="copy_bias"):
        GenerationSettings(copy_bias=-1.0)


def test_copy_names_and_rewrite_rejected_take_only_booleans():
    for flag in ("copy_names", "rewrite_rejected"):
        with pytest.raises(ValueError, match=flag):
            GenerationSettings(**{flag: "false"})  # a truthy string must not switch it on


def test_prompt_lookup_decoding_writes_what_greedy_writes(tiny_dir):
    summarizer = Summarizer.from_pretrained(tiny_dir, device="cpu")
    articles = [ARTICLE, "The council in York met on Friday. It agreed to build 40 homes near the river."]
    plain = summarizer.summarize(articles, style="highlights_abstractive", faithful=False)
    lookup = summarizer.summarize(articles, style="highlights_abstractive", faithful=False, prompt_lookup_tokens=5)
    assert [s.text for s in lookup] == [s.text for s in plain]
    with pytest.raises(ValueError, match="greedy"):
        GenerationSettings(prompt_lookup_tokens=5, num_beams=2)


def _names_and_numbers(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]+|[0-9]+", text) if w[0].isupper() or w[0].isdigit()}


def _copyable(article: str) -> set[str]:
    """What copy_names lets a summary of `article` write: its words, also with a capital."""
    runs = set(re.findall(r"[A-Za-z]+|[0-9]+", article))
    return runs | {w[0].upper() + w[1:] for w in runs}


@pytest.mark.parametrize("num_beams", [1, 3])
def test_copy_names_writes_only_the_articles_names_and_numbers(tiny_dir, num_beams):
    # A random model writes random capitals and digits; constrained, every capitalized word and
    # digit run it writes is the article's (a sentence may capitalize the article's lowercase word).
    summarizer = Summarizer.from_pretrained(tiny_dir, device="cpu")
    articles = [ARTICLE, "The council in York met on Friday. It agreed to build 40 homes near the river."]
    settings = {"style": "highlights_abstractive", "faithful": False, "num_beams": num_beams, "min_new_tokens": 12}
    free = summarizer.summarize(articles, **settings)
    copied = summarizer.summarize(articles, **settings, copy_names=True)
    for article, summary in zip(articles, copied, strict=True):
        assert summary.text and _names_and_numbers(summary.text) <= _copyable(article)
    # The check can fail: unconstrained, the same model writes names the articles lack.
    assert any(not _names_and_numbers(s.text) <= set(re.findall(r"\w+", a)) for s, a in zip(free, articles, strict=True))


def test_rewrite_rejected_writes_again_only_what_the_guard_rejected(tiny_causal_dir, monkeypatch):
    from summarizer.generation import free

    # The seeded tiny decoder-only model writes names its articles lack (the seq2seq one may not).
    summarizer = Summarizer.from_pretrained(tiny_causal_dir, device="cpu")
    articles = [ARTICLE, "The council in York met on Friday. It agreed to build 40 homes near the river.",
                "Rain fell in Cardiff. The match went ahead."]
    first = summarizer.summarize(articles, style="one_sentence_free", min_new_tokens=6)
    calls = []
    generate = free.generate

    def observed(model, prompter, texts, style, settings, **kwargs):
        calls.append((list(texts), settings.copy_names))
        return generate(model, prompter, texts, style, settings, **kwargs)

    monkeypatch.setattr(free, "generate", observed)
    again = summarizer.summarize(articles, style="one_sentence_free", min_new_tokens=6, rewrite_rejected=True)
    rejected = [i for i, s in enumerate(first) if s.extractive_fallback]
    assert rejected, "the random model's names should fail the guard"
    assert [copy for _, copy in calls] == [False, True] and len(calls[1][0]) == len(rejected)
    for i, (before, after) in enumerate(zip(first, again, strict=True)):
        if i not in rejected:
            assert after == before
        elif not after.extractive_fallback:  # a rewrite the guard passed replaces the lead
            assert _names_and_numbers(after.text) <= _copyable(articles[i])
