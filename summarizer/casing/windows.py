"""Windows of wire copy that the model reads at once, and the casing prompt around each.

Both the LM check (`lm_check`) and constrained decoding (`normalize`, method "generate") cut
text this way, and training builds casing examples with the same prompt. `CaseLM` is the model
they read, with what prompting it needs, as one record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHECK_WINDOW_WORDS",
    "CaseLM",
    "case_windows",
    "casing_prompt_ids",
    "merged_windows",
    "stitch",
]

# Longest window, in words, that each model method reads at once (windows also close at
# sentence ends). The LM check reads a window in one teacher-forced pass, so more context is
# cheap and helps (24 / 48 / 96 words: F1 0.9435 / 0.9487 / 0.9497 on frank_refs valid,
# docs/results_casing_model.md); constrained decoding writes every byte of a window and keeps
# the prompt in context too, so its windows are shorter (`config.GENERATE_WINDOW_WORDS`, 64).
CHECK_WINDOW_WORDS = 96

_SENTENCE_END = re.compile(r"[.!?]['\"”’)]*$|^(?:''|\.\.\.)$")


def case_windows(text: str, max_words: int, max_bytes: int | None = None) -> list[tuple[int, int]]:
    """(start, end) character spans covering all non-space text: sentence ends, `max_words`
    words or `max_bytes` UTF-8 bytes close a window. Whitespace between windows stays outside."""
    spans: list[tuple[int, int]] = []
    start = None
    words = 0
    last_end = 0
    for match in re.finditer(r"\S+", text):
        if (
            start is not None
            and max_bytes is not None
            and len(text[start : match.end()].encode("utf-8")) > max_bytes
        ):
            spans.append((start, last_end))
            start, words = None, 0
        if start is None:
            start = match.start()
        words += 1
        last_end = match.end()
        if words >= max_words or _SENTENCE_END.search(match.group()):
            spans.append((start, last_end))
            start, words = None, 0
    if start is not None:
        spans.append((start, last_end))
    return spans


def merged_windows(text: str, max_words: int, max_bytes: int) -> list[tuple[int, int]]:
    """Sentence windows of `case_windows`, merged while they fit `max_words` and `max_bytes`."""
    merged: list[tuple[int, int]] = []
    words = 0
    for start, end in case_windows(text, max_words, max_bytes):
        n = len(text[start:end].split())
        if merged and words + n <= max_words and len(text[merged[-1][0] : end].encode("utf-8")) <= max_bytes:
            merged[-1] = (merged[-1][0], end)
            words += n
        else:
            merged.append((start, end))
            words = n
    return merged


def casing_prompt_ids(tokenizer, family: str, instruction: str, window: str, use_chat: bool) -> list[int]:
    """Token ids of the casing prompt for one lowercased `window`: what `method="generate"`
    decodes after, what the LM check scores after (with `use_chat`), and what training fine-tunes on."""
    if family == "seq2seq":
        return tokenizer(f"{instruction} {window}")["input_ids"]
    user = f"{instruction}\n\n{window}"
    if use_chat:
        prompt = tokenizer.apply_chat_template(
            [{"role": "user", "content": user}], tokenize=False, add_generation_prompt=True
        )
        return tokenizer(prompt, add_special_tokens=False)["input_ids"]
    return tokenizer(f"{user}\n\n", add_special_tokens=True)["input_ids"]


@dataclass(frozen=True)
class CaseLM:
    """The language model a casing method reads: the model and its tokenizer, its family
    ("causal" or "seq2seq"), the casing instruction, whether the prompt is wrapped in the chat
    template, and the context length. `Summarizer.case_lm()` builds it from a loaded model."""

    model: Any
    tokenizer: Any
    family: str
    instruction: str
    use_chat: bool
    context_length: int

    def prompt_ids(self, window: str, use_chat: bool | None = None) -> list[int]:
        """`casing_prompt_ids` for this model (`use_chat` overrides the record's choice)."""
        chat = self.use_chat if use_chat is None else use_chat
        return casing_prompt_ids(self.tokenizer, self.family, self.instruction, window, chat)


def stitch(text: str, spans: Sequence[tuple[int, int]], replacements: Sequence[str]) -> str:
    """`text` with each (start, end) span, in order and not overlapping, replaced; everything
    between the spans (the input's own whitespace) is kept as it is."""
    pieces, cursor = [], 0
    for (start, end), replacement in zip(spans, replacements, strict=True):
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
