"""Decoding that can only change letter case: the hard guarantee behind `normalize`.

Every vocabulary entry is mapped to the exact bytes it stands for. A trie over the ASCII-lowercased
bytes finds, at any point, the tokens whose bytes equal the next input bytes up to ASCII case.
Masking all other logits means the model may choose *how* to case a word but never *which*
characters to write: the output equals the input except for the case of ASCII letters. Non-ASCII
letters are copied exactly as given.

`restore_case_with_model` is `normalize(method="generate")`: text is cut into windows of whole
tokens ending at sentence-final punctuation, every window of every text is decoded in
length-sorted batches, and the windows are put back together with the input's exact whitespace.
Greedy decoding of a zero-shot model picks odd tokenizations ("WiLl") and runs at ~15 words/s on
two CPU cores: it is for models fine-tuned on the casing prompt (`windows.casing_prompt_ids`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import LogitsProcessorList

from summarizer.batching import length_sorted_batches, pad_batch
from summarizer.casing.windows import CaseLM, case_windows, stitch
from summarizer.weights.vocab import TokenBytes

__all__ = ["CaseTrie", "restore_case_with_model"]




class CaseTrie:
    """Which tokens can continue an input, up to ASCII case."""

    def __init__(self, tokens: TokenBytes) -> None:
        self.tokens = tokens
        # Nested dicts keyed by lowercased byte; the key -1 holds the ids ending at that node.
        self._root: dict[int, object] = {}
        for token_id, data in enumerate(tokens.table):
            if data is None:
                continue
            node = self._root
            for byte in data.lower():
                node = node.setdefault(byte, {})  # type: ignore[assignment]
            node.setdefault(-1, []).append(token_id)  # type: ignore[union-attr]

    def allowed(self, remaining_lower: bytes, limit: int = 64) -> list[int]:
        """Token ids whose lowercased bytes are a prefix of `remaining_lower`."""
        ids: list[int] = []
        node = self._root
        for byte in remaining_lower[:limit]:
            node = node.get(byte)  # type: ignore[assignment]
            if node is None:
                break
            ids.extend(node.get(-1, ()))  # type: ignore[arg-type]
        return ids


class CaseConstraint:
    """Per-row decoding state for a batch: how many input bytes each row has written so far."""

    def __init__(self, trie: CaseTrie, inputs: Sequence[str], eos_token_id: int, prompt_width: int) -> None:
        self.trie = trie
        self.targets = [text.encode("utf-8").lower() for text in inputs]
        self.eos = eos_token_id
        self.width = prompt_width
        self.positions = [0] * len(inputs)
        self._seen = [0] * len(inputs)

    def _advance(self, row: int, generated: list[int]) -> None:
        for token_id in generated[self._seen[row] :]:
            data = self.trie.tokens.table[token_id] if token_id < len(self.trie.tokens) else None
            if data is not None:
                self.positions[row] += len(data)
        self._seen[row] = len(generated)

    def done(self, row: int) -> bool:
        return self.positions[row] >= len(self.targets[row])

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        mask = torch.full_like(scores, float("-inf"))
        for row in range(input_ids.shape[0]):
            self._advance(row, input_ids[row, self.width :].tolist())
            pos = self.positions[row]
            target = self.targets[row]
            if pos >= len(target):
                mask[row, self.eos] = 0
                continue
            allowed = self.trie.allowed(target[pos:])
            # Byte-level vocabularies hold every single byte, so this is never empty; if a
            # vocabulary lacks one, eos ends the row and the caller keeps that window as given.
            mask[row, allowed or [self.eos]] = 0
        return scores + mask


# ------------------------------------------------------------------ method "generate"
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
    lm: CaseLM,
    trie: CaseTrie,
    texts: Sequence[str],
    *,
    window_words: int,
    batch_size: int,
    progress_bar=None,
) -> list[str]:
    """Each text with its case restored by `lm`; characters other than ASCII letter case and
    all whitespace are identical to the input."""
    model, tokenizer, family, context_length = lm.model, lm.tokenizer, lm.family, lm.context_length
    # Each output token writes at least one byte, so a window of B bytes needs at most B + 1
    # decoding steps; decoder-only models also hold the prompt (the window again) in context.
    overhead = len(lm.prompt_ids(""))
    room = context_length - overhead - 1
    max_bytes = max(1, room // 2 if family == "causal" else min(room, context_length - 1))
    windows: list[Window] = []
    for i, text in enumerate(texts):
        windows.extend(Window(i, s, e) for s, e in case_windows(text, window_words, max_bytes))
    window_texts = [_lower(texts[w.text_index][w.start : w.end]) for w in windows]
    prompts = [lm.prompt_ids(t) for t in window_texts]
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
