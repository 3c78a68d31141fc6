"""How sure the model is of what it wrote: the mean log-probability of a written text's tokens
given its prompt, scored by the model itself (no copy bias, no other decoding control).

A small model writing a headline greedily commits to a word at each step; where it improvises
("ISIS terrorists are stealing cars from Iraqi army soldiers" for a lead about civilians' cars) the
whole text scores low, and beam search, which weighs whole texts, writes closer to the article.
`free.write_summaries` uses the score to pick the texts to write again
(`GenerationSettings.rewrite_unsure`; measured in docs/results_headlines.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from summarizer.batching import length_sorted_batches, pad_batch
from summarizer.config import StyleConfig
from summarizer.generation.prefix import crop_to, start_cache
from summarizer.generation.prompts import Prompter

__all__ = ["ContinuationScorer", "continuation_logprobs", "mean_logprobs"]


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


class ContinuationScorer:
    """Mean log-probabilities (`mean_logprobs`) of texts that continue one prompt (token ids),
    asked for as often as a caller needs: a compressive headline scores its likeliest winners
    first and the rest only if they could still win (`choice.choose_scored`).

    Decoder-only models read the prompt once, from the style's shared start (`prefix_ids`,
    `summarizer.generation.prefix`), on the first call. Each call's texts (up to `batch_size` a
    pass) then go through the model as one row: their token trie (compressions of one sentence
    share their opening words), each node attending to the prompt and to its own ancestors, so a
    shared opening is read once, no row is padded, and a text's last token, which nothing reads,
    is not run. Encoder-decoder models score the texts as decoder labels."""

    def __init__(self, model: Any, prompter: Prompter, prompt: Sequence[int], prefix_ids: Sequence[int] = (),
                 *, batch_size: int = 32) -> None:
        self.model, self.prompter, self.prompt = model, prompter, list(prompt)
        self.prefix_ids, self.batch_size = list(prefix_ids), batch_size
        self._cache: Any = None
        self._last: torch.Tensor | None = None

    @torch.inference_mode()
    def __call__(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        tokenizer = self.prompter.tokenizer
        # As in `mean_logprobs`: a plain prompt ends "Headline:" and the model writes " The ...".
        lead = " " if self.prompter.family == "causal" and not self.prompter.uses_chat_template() else ""
        written = [tokenizer(lead + t, add_special_tokens=False)["input_ids"] or [tokenizer.eos_token_id]
                   for t in texts]
        batches = [written[start:start + self.batch_size] for start in range(0, len(written), self.batch_size)]
        if self.prompter.family != "causal":
            return [v for rows in batches for v in _seq2seq_batch(self.model, tokenizer, [self.prompt] * len(rows), rows)]
        if self._cache is None:
            self._read_prompt()
        return [v for rows in batches for v in self._packed(rows)]

    def _read_prompt(self) -> None:
        device = next(self.model.parameters()).device
        cache, cached = start_cache(self.model, self.prompt, self.prefix_ids) if self.prefix_ids else (None, 0)
        out = self.model.base_model(input_ids=torch.tensor([self.prompt[cached:]], device=device),
                                    past_key_values=cache, use_cache=True)
        self._cache, self._last = out.past_key_values, out.last_hidden_state[0, -1]

    def _packed(self, rows: list[list[int]]) -> list[float]:
        """Scores of `rows` read as one token trie after the cached prompt (left as found). Only
        nodes with a child go through the model: a text's last token is predicted, never read."""
        tokens, parents, depths, paths = _trie(rows)
        read = sorted({p for p in parents if p >= 0})
        at = {node: k + 1 for k, node in enumerate(read)}  # state row; 0: the prompt's last
        hidden = self._run([tokens[k] for k in read], [at.get(parents[k], 0) - 1 for k in read],
                           [depths[k] for k in read])
        states = torch.cat([self._last.unsqueeze(0), hidden])
        # Node k's token is predicted by its parent's state, a first token by the prompt's last.
        logprobs = self.model.get_output_embeddings()(states).float().log_softmax(-1)
        picked = logprobs[torch.tensor([at.get(p, 0) for p in parents]), torch.tensor(tokens)]
        return [picked[torch.tensor(path)].mean().item() for path in paths]

    def _run(self, tokens: list[int], parents: list[int], depths: list[int]) -> torch.Tensor:
        """Hidden states of trie nodes (`parents`: positions in this list, -1 for the root)
        after the cached prompt, each attending to the prompt and its ancestors."""
        device, dtype = self._last.device, self._last.dtype
        n, length = len(tokens), len(self.prompt)
        if n == 0:
            return self._last.new_zeros(0, self._last.shape[-1])
        blocked = torch.ones(n, n, dtype=torch.bool)
        for node, parent in enumerate(parents):
            if parent >= 0:
                blocked[node] = blocked[parent]
            blocked[node, node] = False
        mask = torch.zeros(1, 1, n, length + n, dtype=dtype)
        mask[0, 0, :, length:].masked_fill_(blocked, torch.finfo(dtype).min)
        hidden = self.model.base_model(
            input_ids=torch.tensor([tokens], device=device), attention_mask=mask.to(device),
            position_ids=torch.tensor([[length + d for d in depths]], device=device),
            past_key_values=self._cache, use_cache=True,
        ).last_hidden_state[0]
        crop_to(self._cache, length)
        return hidden


def _trie(rows: Sequence[Sequence[int]]) -> tuple[list[int], list[int], list[int], list[list[int]]]:
    """The token trie of `rows`: each node's token, parent node (-1: the root), depth, and for
    each row the nodes along its path."""
    index: dict[tuple[int, ...], int] = {}
    tokens: list[int] = []
    parents: list[int] = []
    depths: list[int] = []
    paths = []
    for row in rows:
        path, parent = [], -1
        for depth, token in enumerate(row):
            key = tuple(row[:depth + 1])
            if key not in index:
                index[key] = len(tokens)
                tokens.append(token)
                parents.append(parent)
                depths.append(depth)
            parent = index[key]
            path.append(parent)
        paths.append(path)
    return tokens, parents, depths, paths


def continuation_logprobs(model: Any, prompter: Prompter, prompt: Sequence[int], texts: Sequence[str],
                          prefix_ids: Sequence[int] = ()) -> list[float]:
    """`mean_logprobs` of many texts after one prompt (token ids), all at once
    (`ContinuationScorer`)."""
    return ContinuationScorer(model, prompter, prompt, prefix_ids)(texts)
