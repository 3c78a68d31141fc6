"""How sure the model is of what it wrote: the mean log-probability of a written text's tokens
given its prompt, scored by the model itself (no copy bias, no other decoding control).

A small model writing a headline greedily commits to a word at each step; where it improvises
("ISIS terrorists are stealing cars from Iraqi army soldiers" for a lead about civilians' cars) the
whole text scores low, and beam search, which weighs whole texts, writes closer to the article.
`free.write_summaries` uses the score to pick the texts to write again
(`GenerationSettings.rewrite_unsure`; measured in docs/results_headlines.md).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch

from summarizer.batching import length_sorted_batches, pad_batch
from summarizer.config import StyleConfig
from summarizer.generation.prompts import Prompter

__all__ = ["continuation_logprobs", "mean_logprobs"]


@torch.inference_mode()
def mean_logprobs(model: Any, prompter: Prompter, model_inputs: Sequence[str], texts: Sequence[str],
                  style: StyleConfig, *, batch_size: int) -> list[float]:
    """For each pair, the mean log P(token | prompt of `model_inputs[i]` in `style`, tokens before)
    over the tokens of `texts[i]`; -inf for an empty text (nothing written is nothing to trust)."""
    tokenizer = prompter.tokenizer
    prompts = [prompter.prompt_ids(m, style) for m in model_inputs]
    # A plain prompt ends "Headline:" and the model writes " The ..."; a chat turn ends on a newline.
    lead = " " if prompter.family == "causal" and not prompter.uses_chat_template() else ""
    written = [tokenizer(lead + t, add_special_tokens=False)["input_ids"] if t.strip() else [] for t in texts]
    scores = [float("-inf")] * len(texts)
    todo = [i for i, w in enumerate(written) if w]
    score = _causal_batch if prompter.family == "causal" else _seq2seq_batch
    for batch in length_sorted_batches([len(prompts[i]) + len(written[i]) for i in todo], batch_size):
        rows = [todo[b] for b in batch]
        for i, value in zip(rows, score(model, tokenizer, [prompts[i] for i in rows], [written[i] for i in rows]),
                            strict=True):
            scores[i] = value
    return scores


def _causal_batch(model: Any, tokenizer: Any, prompts: list[list[int]], written: list[list[int]]) -> list[float]:
    """Prompt and text as one right-padded row; only the positions that predict a text token go
    through the output layer (a headline is 20 tokens after a 300-token prompt)."""
    device = next(model.parameters()).device
    ids, mask = pad_batch([p + w for p, w in zip(prompts, written, strict=True)], tokenizer.pad_token_id, left=False)
    hidden = model.base_model(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state
    rows = [r for r, w in enumerate(written) for _ in w]
    cols = [len(p) - 1 + k for p, w in zip(prompts, written, strict=True) for k in range(len(w))]
    logits = model.get_output_embeddings()(hidden[torch.tensor(rows), torch.tensor(cols)])
    picked = logits.float().log_softmax(-1)[torch.arange(len(rows)), torch.tensor([t for w in written for t in w])]
    return [chunk.mean().item() for chunk in picked.split([len(w) for w in written])]


def _seq2seq_batch(model: Any, tokenizer: Any, prompts: list[list[int]], written: list[list[int]]) -> list[float]:
    """The prompt through the encoder, the text as the decoder's labels."""
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    enc, enc_mask = pad_batch(prompts, pad, left=False)
    # The decoder reads each text shifted right behind its start token (built here rather than
    # from -100-padded labels, which a model without a pad id in its config would embed).
    start = model.config.decoder_start_token_id
    decoder, _ = pad_batch([[start] + w[:-1] for w in written], pad, left=False)
    logits = model(input_ids=enc.to(device), attention_mask=enc_mask.to(device),
                   decoder_input_ids=decoder.to(device)).logits
    logprobs = logits.float().log_softmax(-1)
    return [
        logprobs[r, torch.arange(len(w)), torch.tensor(w)].mean().item() for r, w in enumerate(written)
    ]


@torch.inference_mode()
def continuation_logprobs(model: Any, prompter: Prompter, prompt: Sequence[int], texts: Sequence[str],
                          *, batch_size: int = 32) -> list[float]:
    """`mean_logprobs` of many texts after one prompt (token ids): the prompt runs once and a
    decoder-only model's KV cache is shared by every text (a compressive headline scores ~40
    candidates after a 300-token prompt)."""
    if not texts:
        return []
    tokenizer = prompter.tokenizer
    # As in `mean_logprobs`: a plain prompt ends "Headline:" and the model writes " The ...".
    lead = " " if prompter.family == "causal" and not prompter.uses_chat_template() else ""
    written = [tokenizer(lead + t, add_special_tokens=False)["input_ids"] or [tokenizer.eos_token_id] for t in texts]
    batches = [written[start:start + batch_size] for start in range(0, len(written), batch_size)]
    if prompter.family != "causal":
        return [v for rows in batches for v in _seq2seq_batch(model, tokenizer, [list(prompt)] * len(rows), rows)]
    device = next(model.parameters()).device
    ids = torch.tensor([list(prompt)], device=device)
    out = model.base_model(input_ids=ids, use_cache=True)
    cache, last = out.past_key_values, out.last_hidden_state[:, -1]
    return [v for rows in batches for v in _after_cache(model, tokenizer, cache, last, ids.shape[1], rows)]


def _after_cache(model: Any, tokenizer: Any, cache: Any, last: torch.Tensor, prompt_len: int,
                 rows: list[list[int]]) -> list[float]:
    """Mean log-probabilities of `rows` (token lists), each continuing the cached prompt."""
    device = last.device
    shared = copy.deepcopy(cache)
    shared.batch_repeat_interleave(len(rows))
    ids, mask = pad_batch(rows, tokenizer.pad_token_id or 0, left=False)
    full_mask = torch.cat([torch.ones(len(rows), prompt_len, dtype=mask.dtype), mask], dim=1)
    hidden = model.base_model(input_ids=ids.to(device), attention_mask=full_mask.to(device),
                              past_key_values=shared, use_cache=True).last_hidden_state
    # Token k of a row is predicted by position k-1 of the row, the first by the prompt's last.
    states = torch.cat([last.expand(len(rows), -1).unsqueeze(1), hidden[:, :-1]], dim=1)
    r = [i for i, w in enumerate(rows) for _ in w]
    c = [k for w in rows for k in range(len(w))]
    logits = model.get_output_embeddings()(states[torch.tensor(r), torch.tensor(c)])
    picked = logits.float().log_softmax(-1)[torch.arange(len(r)), torch.tensor([t for w in rows for t in w])]
    return [chunk.mean().item() for chunk in picked.split([len(w) for w in rows])]
