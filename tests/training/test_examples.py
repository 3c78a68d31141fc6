"""Label masking: the loss sees target tokens only, and prompts are the library's own."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from summarizer import Summarizer
from summarizer.casing.windows import casing_prompt_ids as _prompt_ids
from summarizer.generation.extractive import extract
from training.data import Pair
from training.examples import (
    IGNORE_INDEX,
    ExampleEncoder,
    collate,
    logits_at_targets,
    target_loss,
    target_rows_loss,
)

ARTICLE = (
    "Engineers reopened the Harbour Street bridge on Tuesday after a storm damaged it. "
    "The repair cost 4.2 million pounds, more than the council had budgeted."
)
SUMMARY = "The bridge reopened on Tuesday."


@pytest.fixture(scope="module")
def summarizer(tiny_dir) -> Summarizer:
    # fp32 (backend "torch"): the loss tests compare to 1e-5; in bf16, BART's own loss would come
    # back in bf16 while target_loss upcasts the logits to fp32.
    return Summarizer.from_pretrained(tiny_dir, device="cpu", backend="torch")


def _encoder(summarizer, source=None, target=60) -> ExampleEncoder:
    # The tiny causal model's chat prompt (system message included) is ~130 tokens on its own.
    source = source or (300 if summarizer.family == "causal" else 120)
    return ExampleEncoder(summarizer, max_source_tokens=source, max_target_tokens=target)


def _inference_prompt(summarizer: Summarizer, article: str, style: str) -> list[int]:
    """What `Summarizer.summarize` feeds the model, rebuilt from its public pieces."""
    prompt = summarizer.build_prompt(article, summarizer.config.style(style))
    chat = summarizer.family == "causal" and summarizer.tokenizer.chat_template is not None
    return summarizer.tokenizer(prompt, add_special_tokens=not chat)["input_ids"]


def test_summary_labels_cover_the_target_only(summarizer):
    example = _encoder(summarizer).encode(Pair("t", "summary", "one_sentence_abstractive", ARTICLE, SUMMARY))
    assert example is not None
    prompt = _inference_prompt(summarizer, ARTICLE, "one_sentence_abstractive")
    tokenizer = summarizer.tokenizer
    eos = tokenizer.eos_token_id
    if summarizer.family == "causal":
        assert list(example.input_ids[: len(prompt)]) == prompt
        assert len(example.labels) == len(example.input_ids)
        assert set(example.labels[: len(prompt)]) == {IGNORE_INDEX}
        target = list(example.labels[len(prompt) :])
        assert list(example.input_ids[len(prompt) :]) == target
    else:
        assert list(example.input_ids) == prompt
        target = list(example.labels)
        assert IGNORE_INDEX not in target
    assert target[-1] == eos
    assert tokenizer.decode(target, skip_special_tokens=True) == SUMMARY


def test_casing_examples_use_the_normalizer_prompt_and_no_bos(summarizer):
    window = "council leader margaret okafor said the repair cost 4.2 million pounds ."
    cased = "Council leader Margaret Okafor said the repair cost 4.2 million pounds ."
    example = _encoder(summarizer).encode(Pair("c", "casing", None, window, cased))
    assert example is not None
    use_chat = summarizer.family == "causal"  # the tiny causal tokenizer has a chat template
    prompt = _prompt_ids(
        summarizer.tokenizer, summarizer.family, summarizer.config.normalize_instruction, window, use_chat
    )
    target = [t for t in example.labels if t != IGNORE_INDEX]
    if summarizer.family == "causal":
        assert list(example.input_ids[: len(prompt)]) == prompt
    else:
        assert list(example.input_ids) == prompt
    assert target[0] != summarizer.tokenizer.bos_token_id
    assert target == summarizer.tokenizer(cased, add_special_tokens=False)["input_ids"] + [
        summarizer.tokenizer.eos_token_id
    ]


def test_long_articles_are_cut_at_a_sentence_and_long_targets_dropped(summarizer):
    limit = 220 if summarizer.family == "causal" else 90
    encoder = _encoder(summarizer, source=limit, target=12)
    long_article = " ".join([ARTICLE] * 6)
    example = encoder.encode(Pair("t", "summary", "headline", long_article, "Bridge reopens"))
    assert example is not None
    n_prompt = len(example.input_ids)
    if summarizer.family == "causal":
        n_prompt = sum(label == IGNORE_INDEX for label in example.labels)
    assert n_prompt <= limit
    decoded = summarizer.tokenizer.decode(example.input_ids[:n_prompt], skip_special_tokens=True)
    assert "budgeted." in decoded and "Engineers reopened" in decoded
    assert encoder.encode(Pair("t", "summary", "headline", ARTICLE, " ".join([SUMMARY] * 5))) is None


def test_collate_pads_labels_with_ignore_index(summarizer):
    encoder = _encoder(summarizer)
    short = encoder.encode(Pair("t", "summary", "headline", "Bridge reopened.", "Bridge"))
    long = encoder.encode(Pair("t", "summary", "headline", ARTICLE, SUMMARY))
    pad = summarizer.tokenizer.pad_token_id
    start = getattr(summarizer.model.config, "decoder_start_token_id", None)
    batch = collate([short, long], family=summarizer.family, pad_id=pad, decoder_start_id=start)
    assert batch["input_ids"].shape == batch["attention_mask"].shape
    assert int(batch["attention_mask"][0].sum()) == len(short.input_ids)
    assert int((batch["labels"] != IGNORE_INDEX).sum()) == sum(
        sum(label != IGNORE_INDEX for label in e.labels) for e in (short, long)
    )
    if summarizer.family == "seq2seq":
        assert batch["decoder_input_ids"][0, 0] == start
        # Shifted right: position t holds label t - 1, so the eos label is read at len(labels).
        assert batch["decoder_input_ids"][0, 1 : len(short.labels) + 1].tolist() == list(short.labels)
        assert set(batch["decoder_input_ids"][0, len(short.labels) + 1 :].tolist()) <= {pad}


def test_loss_counts_target_tokens_only_and_matches_the_model_loss(summarizer):
    encoder = _encoder(summarizer)
    examples = [
        encoder.encode(Pair("t", "summary", "headline", "Bridge reopened.", "Bridge")),
        encoder.encode(Pair("t", "summary", "one_sentence_abstractive", ARTICLE, SUMMARY)),
    ]
    start = getattr(summarizer.model.config, "decoder_start_token_id", None)
    batch = collate(
        examples, family=summarizer.family, pad_id=summarizer.tokenizer.pad_token_id, decoder_start_id=start
    )
    labels = batch.pop("labels")
    with torch.no_grad():
        logits = summarizer.model(**batch).logits
    total, count = target_loss(logits, labels, summarizer.family)
    shift = 1 if summarizer.family == "causal" else 0
    assert int(count) == int((labels[:, shift:] != IGNORE_INDEX).sum())
    # Logits at prompt and padding positions do not matter.
    noisy = logits.clone()
    ignored = torch.zeros_like(labels, dtype=torch.bool)
    if summarizer.family == "causal":
        ignored[:, :-1] = labels[:, 1:] == IGNORE_INDEX
    else:
        ignored = labels == IGNORE_INDEX
    noisy[ignored] = torch.randn_like(noisy[ignored]) * 50
    assert torch.allclose(target_loss(noisy, labels, summarizer.family)[0], total)
    # Same number as the model's own mean loss over the labelled tokens.
    with torch.no_grad():
        reference = summarizer.model(**batch, labels=labels).loss
    assert torch.allclose(total / count, reference, atol=1e-5)


def test_logits_at_target_positions_only_give_the_same_loss(tiny_causal_dir):
    summarizer = Summarizer.from_pretrained(tiny_causal_dir, device="cpu", backend="torch")
    encoder = _encoder(summarizer)
    examples = [
        encoder.encode(Pair("t", "summary", "one_sentence_abstractive", ARTICLE, SUMMARY)),
        encoder.encode(Pair("c", "casing", None, "the bridge reopened .", "The bridge reopened .")),
    ]
    batch = collate(examples, family="causal", pad_id=summarizer.tokenizer.pad_token_id)
    labels = batch.pop("labels")
    with torch.no_grad():
        full = target_loss(summarizer.model(**batch).logits, labels, "causal")
        with logits_at_targets(summarizer.model, labels):
            rows = summarizer.model(**batch).logits
        kept = target_rows_loss(rows, labels)
        after = summarizer.model(**batch).logits  # the hook is gone
    assert rows.shape[1] == int(full[1]) < labels.numel() / 4
    assert after.shape[:2] == labels.shape
    assert int(kept[1]) == int(full[1])
    assert torch.allclose(kept[0], full[0], atol=1e-4)


def test_a_style_showing_only_lead_sentences_trains_on_them_too(summarizer):
    styles = dict(summarizer.config.styles)
    styles["headline"] = dataclasses.replace(styles["headline"], source_sentences=1)
    lead_only = Summarizer(
        summarizer.model, summarizer.tokenizer, dataclasses.replace(summarizer.config, styles=styles)
    )
    example = _encoder(lead_only).encode(Pair("t", "summary", "headline", ARTICLE, "Bridge reopens"))
    first = extract(ARTICLE, max_sentences=1)
    prompt = _inference_prompt(lead_only, first, "headline")
    assert list(example.input_ids[: len(prompt)]) == prompt
    with pytest.raises(ValueError, match="extractive"):
        _encoder(summarizer).encode(Pair("t", "summary", "extractive", ARTICLE, "x"))
