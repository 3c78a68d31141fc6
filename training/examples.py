"""Token ids and labels for training, built with the library's own prompts.

Training must show the model exactly what inference shows it, so prompts come from the
`Summarizer` being trained: its `prompter` (`model_input`, `prompt_ids`) for summaries, and
`Summarizer.casing_prompt_ids` (the normalizer's window prompt) for case restoration. Labels are -100 on the prompt and on
padding, so the loss counts only the tokens the model has to write:

- decoder-only: input = prompt + target + eos; labels = -100 * len(prompt) + target + eos;
- encoder-decoder: input = prompt; labels = target as the tokenizer encodes a target (BART adds
  bos) ending in eos. Casing targets have no bos: the case-constrained decoder cannot emit one.

A `select_sentences` style (the model copies source sentences) is trained on the oracle
sentences of the shown article for the reference (`summarizer.generation.selection.oracle_sentences`).
A style's `source_sentences` selects the article's lead content sentences as `summarize` does.
Articles longer than `max_source_tokens` (prompt included) are cut after the last whole sentence
that fits (inference would chunk them instead; a cut article is the usual training compromise).
Examples whose target is longer than `max_target_tokens` are dropped, never cut: a cut target
would teach the model to stop without eos.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from summarizer import Summarizer
from summarizer.generation.selection import SEPARATOR, candidate_sentences, oracle_sentences
from summarizer.text.sentences import split_sentences
from training.data import Pair, cut_after

__all__ = [
    "IGNORE_INDEX",
    "Example",
    "ExampleEncoder",
    "collate",
    "logits_at_targets",
    "predicting_positions",
    "target_loss",
    "target_rows_loss",
]

IGNORE_INDEX = -100


@dataclass(frozen=True)
class Example:
    task: str
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]

    @property
    def length(self) -> int:
        return len(self.input_ids) + (0 if len(self.labels) == len(self.input_ids) else len(self.labels))


class ExampleEncoder:
    """Turns `Pair`s into `Example`s with `summarizer`'s prompts and tokenizer."""

    def __init__(self, summarizer: Summarizer, max_source_tokens: int, max_target_tokens: int) -> None:
        self.summarizer = summarizer
        self.tokenizer = summarizer.tokenizer
        self.family = summarizer.family
        self.max_source_tokens = max_source_tokens
        self.max_target_tokens = max_target_tokens
        self.eos_id = self.tokenizer.eos_token_id
        if self.eos_id is None:
            raise ValueError("the tokenizer has no eos token; training needs one to teach the model to stop")

    # -------------------------------------------------------------- prompts (the library's own)
    def summary_prompt_ids(self, article: str, style: str) -> list[int]:
        # The exact encoding `Summarizer.summarize` uses (prompt text, special tokens or not);
        # `article` is already the model input (see `model_input`).
        return self.summarizer.prompter.prompt_ids(article, self.summarizer.config.style(style))

    def model_input(self, article: str, style: str) -> str:
        """The part of `article` that `Summarizer.summarize` shows the model for `style`: its
        first `source_sentences` content sentences when the style sets that, else all of it."""
        style_cfg = self.summarizer.config.style(style)
        if style_cfg.extractive:
            raise ValueError(
                f"style {style!r} is extractive (no model call): there is nothing to train for it"
            )
        return self.summarizer.prompter.model_input(article, style_cfg)

    def _fitted_summary_prompt(self, article: str, style: str) -> list[int] | None:
        ids = self.summary_prompt_ids(article, style)
        if len(ids) <= self.max_source_tokens:
            return ids
        sentences = split_sentences(article)
        low, high = 0, len(sentences) - 1  # the longest fitting prefix has between low and high sentences
        while low < high:
            middle = (low + high + 1) // 2
            if (
                len(self.summary_prompt_ids(article[: cut_after(article, sentences[:middle])], style))
                <= self.max_source_tokens
            ):
                low = middle
            else:
                high = middle - 1
        if low > 0:
            return self.summary_prompt_ids(article[: cut_after(article, sentences[:low])], style)
        # Not even the first sentence fits: cut its tokens.
        overhead = len(self.summary_prompt_ids("", style))
        room = self.max_source_tokens - overhead - 4
        if room < 8:
            return None
        article_ids = self.tokenizer(article, add_special_tokens=False)["input_ids"][:room]
        ids = self.summary_prompt_ids(self.tokenizer.decode(article_ids), style)
        return ids if len(ids) <= self.max_source_tokens else None

    # -------------------------------------------------------------- targets
    def target_ids(self, target: str, kind: str) -> list[int]:
        if self.family == "causal" or kind == "casing":
            ids = self.tokenizer(target, add_special_tokens=False)["input_ids"]
        else:
            ids = self.tokenizer(text_target=target)["input_ids"]
        if not ids or ids[-1] != self.eos_id:
            ids = [*ids, self.eos_id]
        return ids

    def encode(self, pair: Pair) -> Example | None:
        """The example for `pair`, or None when it cannot fit the token limits."""
        if pair.kind == "casing":
            target = self.target_ids(pair.target, pair.kind)
            prompt = self.summarizer.casing_prompt_ids(pair.source)
            if len(prompt) > self.max_source_tokens:
                return None
        else:
            assert pair.style is not None
            shown = self.model_input(pair.source, pair.style)
            prompt = self._fitted_summary_prompt(shown, pair.style)
            if prompt is None:
                return None
            target_text = pair.target
            style_cfg = self.summarizer.config.style(pair.style)
            if style_cfg.select_sentences:
                # A selection style can only write source sentences: its target is the oracle
                # choice among the sentences the (possibly cut) prompt shows.
                text = self.tokenizer.decode(prompt)
                candidates = [c for c in candidate_sentences(shown) if c in text]
                picked = oracle_sentences(candidates, pair.target, style_cfg.max_sentences or 3)
                if not picked:
                    return None
                target_text = SEPARATOR.join(candidates[i] for i in picked)
            target = self.target_ids(target_text, pair.kind)
        if len(target) > self.max_target_tokens:
            return None
        if self.family == "causal":
            return Example(pair.task, tuple(prompt + target), (IGNORE_INDEX,) * len(prompt) + tuple(target))
        return Example(pair.task, tuple(prompt), tuple(target))


def collate(
    examples: Sequence[Example], *, family: str, pad_id: int, decoder_start_id: int | None = None
) -> dict[str, torch.Tensor]:
    """Right-padded tensors; labels are -100 on padding. Encoder-decoder batches also get the
    decoder inputs (labels shifted right after the decoder start token)."""
    width = max(len(e.input_ids) for e in examples)
    input_ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros_like(input_ids)
    for row, example in enumerate(examples):
        input_ids[row, : len(example.input_ids)] = torch.tensor(example.input_ids)
        attention_mask[row, : len(example.input_ids)] = 1
    if family == "causal":
        labels = torch.full_like(input_ids, IGNORE_INDEX)
        for row, example in enumerate(examples):
            labels[row, : len(example.labels)] = torch.tensor(example.labels)
        return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
    if decoder_start_id is None:
        raise ValueError("encoder-decoder batches need the model's decoder_start_token_id")
    target_width = max(len(e.labels) for e in examples)
    labels = torch.full((len(examples), target_width), IGNORE_INDEX, dtype=torch.long)
    for row, example in enumerate(examples):
        labels[row, : len(example.labels)] = torch.tensor(example.labels)
    decoder_input_ids = torch.full_like(labels, pad_id)
    decoder_input_ids[:, 0] = decoder_start_id
    decoder_input_ids[:, 1:] = labels[:, :-1].masked_fill(labels[:, :-1] == IGNORE_INDEX, pad_id)
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "decoder_input_ids": decoder_input_ids,
        "labels": labels,
    }


def predicting_positions(labels: torch.Tensor) -> torch.Tensor:
    """Decoder-only: True at each position whose logits predict a target token (t predicts t + 1)."""
    mask = torch.zeros_like(labels, dtype=torch.bool)
    mask[:, :-1] = labels[:, 1:] != IGNORE_INDEX
    return mask


@contextlib.contextmanager
def logits_at_targets(model: torch.nn.Module, labels: torch.Tensor) -> Iterator[None]:
    """Decoder-only: inside, `model`'s output head computes logits only at the positions that
    predict a target token, in row-major order: (1, target tokens, vocabulary) instead of (batch,
    length, vocabulary). Prompt logits are never needed, and on long prompts they are most of
    a step's memory (70 GB of a batch of 64 on the GPU run, docs/results_gpu.md). The hook sits on
    the head module itself, so it works through wrappers (peft, DDP). Score with `target_rows_loss`."""
    head = model.get_output_embeddings()
    if head is None:
        raise ValueError(f"{type(model).__name__} has no output embeddings to restrict")
    keep = predicting_positions(labels)

    def select(_module: torch.nn.Module, args: tuple) -> tuple:
        hidden = args[0]
        return (hidden[keep.to(hidden.device)].unsqueeze(0), *args[1:])

    handle = head.register_forward_pre_hook(select)
    try:
        yield
    finally:
        handle.remove()


def target_rows_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(summed cross-entropy, number of target tokens) of logits made under `logits_at_targets`."""
    shifted = labels[:, 1:]
    targets = shifted[shifted != IGNORE_INDEX].to(logits.device)
    logits = logits.reshape(-1, logits.shape[-1])
    if logits.shape[0] != targets.shape[0]:
        raise ValueError(f"{logits.shape[0]} logit rows for {targets.shape[0]} target tokens")
    loss = torch.nn.functional.cross_entropy(logits.float(), targets, reduction="sum")
    return loss, torch.tensor(targets.numel())


def target_loss(logits: torch.Tensor, labels: torch.Tensor, family: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(summed cross-entropy, number of target tokens): positions labelled -100 count for nothing.

    Decoder-only logits at position t predict token t + 1; encoder-decoder logits line up with
    their labels."""
    if family == "causal":
        logits, labels = logits[:, :-1], labels[:, 1:]
    labels = labels.to(logits.device)
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]).float(),
        labels.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return loss, (labels != IGNORE_INDEX).sum()
