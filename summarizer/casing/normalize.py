"""Case restoration under the constraint that only letter case may change.

Methods (`NORMALIZE_METHODS`): "statistical" (`normalize_statistical`, the shipped count-based
truecaser), "model" (the truecaser's draft checked word by word by a language model in one
teacher-forced pass per window: `summarizer.casing.lm_check`) and "generate" (`restore_case_with_model`
below: the model writes each window).

For "generate", text is cut into windows of whole tokens ending at sentence-final punctuation,
every window of every text is decoded in length-sorted batches, and the windows are put back
together with the input's exact whitespace. The model only chooses case: `CaseConstraint` masks
every token that would write other characters. Greedy decoding of a zero-shot model picks
odd tokenizations ("WiLl") and runs at ~15 words/s on two CPU cores: it is for models
fine-tuned on the casing prompt (`summarizer.casing.windows.casing_prompt_ids`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from tqdm.auto import tqdm
from transformers import LogitsProcessorList

from summarizer.casing.constrained import CaseConstraint, CaseTrie
from summarizer.casing.windows import case_windows, casing_prompt_ids, stitch
from summarizer.generation.batching import length_sorted_batches, pad_batch
from summarizer.text.cleaning import check_texts

__all__ = [
    "NORMALIZE_METHODS",
    "Normalized",
    "normalize_statistical",
    "restore_case_with_model",
    "shipped_truecaser",
]

NORMALIZE_METHODS = ("statistical", "model", "generate")


@dataclass(frozen=True)
class Normalized:
    """One text after case restoration (and detokenization, when asked)."""

    text: str
    # The case-restored text with the input's tokenization and spacing: aligns token for token
    # with the input, and `cased.lower() == input.lower()` always holds.
    cased: str
    method: str
    detokenized: bool


def finish(cased: Sequence[str], method: str, detokenize: bool) -> list[Normalized]:
    """Wrap case-restored texts, detokenizing them when asked."""
    from summarizer.casing.detokenize import detokenize as detok

    return [
        Normalized(text=detok(c) if detokenize else c, cased=c, method=method, detokenized=detokenize)
        for c in cased
    ]


@functools.lru_cache(maxsize=1)
def shipped_truecaser():
    """The shipped truecaser, read once (~1 s) per process."""
    from summarizer.casing.truecaser import StatisticalTruecaser

    return StatisticalTruecaser.from_pretrained()


def normalize_statistical(texts: Sequence[str], *, detokenize: bool = True, progress: bool = False) -> list[Normalized]:
    """Case restoration by the shipped statistical truecaser (no neural model needed)."""
    texts = check_texts(texts, "text")
    truecaser = shipped_truecaser()
    cased = [truecaser.restore(t) for t in tqdm(texts, desc="normalize", disable=not progress, leave=False)]
    return finish(cased, "statistical", detokenize)

@dataclass(frozen=True)
class Window:
    text_index: int
    start: int
    end: int


def _lower(text: str) -> str:
    """Lowercase, except characters whose lowercase is longer (`İ` -> `i̇`): they stay as given."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _repair(produced: bytes, window: str) -> str:
    """Produced bytes if they match the window up to ASCII case, completed from the window if
    generation stopped early; anything else falls back to the window as given."""
    target = window.encode("utf-8")
    if produced.lower() != target[: len(produced)].lower():
        return window
    try:
        return (produced + target[len(produced) :]).decode("utf-8")
    except UnicodeDecodeError:
        return window


@torch.inference_mode()
def restore_case_with_model(
    model,
    tokenizer,
    family: str,
    trie: CaseTrie,
    texts: Sequence[str],
    *,
    instruction: str,
    use_chat: bool,
    window_words: int,
    context_length: int,
    batch_size: int,
    progress_bar=None,
) -> list[str]:
    """Each text with its case restored by `model`; characters other than ASCII letter case and
    all whitespace are identical to the input."""
    # Each output token writes at least one byte, so a window of B bytes needs at most B + 1
    # decoding steps; decoder-only models also hold the prompt (the window again) in context.
    overhead = len(casing_prompt_ids(tokenizer, family, instruction, "", use_chat))
    room = context_length - overhead - 1
    max_bytes = max(1, room // 2 if family == "causal" else min(room, context_length - 1))
    windows: list[Window] = []
    for i, text in enumerate(texts):
        windows.extend(Window(i, s, e) for s, e in case_windows(text, window_words, max_bytes))
    window_texts = [_lower(texts[w.text_index][w.start : w.end]) for w in windows]
    prompts = [casing_prompt_ids(tokenizer, family, instruction, t, use_chat) for t in window_texts]
    restored: list[str] = list(window_texts)
    # A single token longer than the context (a 10 kB URL) cannot be shown to the model: it
    # stays as given, which the guarantee allows.
    shown = [k for k in range(len(windows)) if len(prompts[k]) + len(window_texts[k].encode("utf-8")) < context_length]
    pad_id = tokenizer.pad_token_id
    left_pad = family == "causal"
    device = next(model.parameters()).device
    for rows in length_sorted_batches([len(prompts[k]) for k in shown], batch_size):
        batch = [shown[r] for r in rows]
        ids, mask = pad_batch([prompts[k] for k in batch], pad_id, left=left_pad)
        width = ids.shape[1]
        # Decoder-only: generated ids follow the prompt; encoder-decoder: the decoder start token.
        gen_offset = width if left_pad else 1
        constraint = CaseConstraint(trie, [window_texts[k] for k in batch], tokenizer.eos_token_id, gen_offset)
        longest = max(len(window_texts[k].encode("utf-8")) for k in batch)
        out = model.generate(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            logits_processor=LogitsProcessorList([constraint]),
            max_new_tokens=longest + 1,
            do_sample=False,
            num_beams=1,
            pad_token_id=pad_id,
            eos_token_id=tokenizer.eos_token_id,
        )
        for row, k in enumerate(batch):
            produced = bytearray()
            for token_id in out[row, gen_offset:].tolist():
                if token_id == tokenizer.eos_token_id:
                    break
                data = trie.tokens.table[token_id] if token_id < len(trie.tokens) else None
                if data:
                    produced += data
            restored[k] = _repair(bytes(produced), window_texts[k])
        if progress_bar is not None:
            progress_bar.update(len(batch))

    # Stitch windows back into their texts, keeping the input's whitespace between them.
    by_text: dict[int, list[tuple[Window, str]]] = {}
    for window, cased in zip(windows, restored, strict=True):
        by_text.setdefault(window.text_index, []).append((window, cased))
    return [
        stitch(text, [(w.start, w.end) for w, _ in by_text.get(i, [])], [c for _, c in by_text.get(i, [])])
        for i, text in enumerate(texts)
    ]
