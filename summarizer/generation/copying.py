"""Copy priors for free generation: the names and numbers a summary writes come from its source.

Two logits processors, one per setting (`GenerationSettings.copy_bias`, `copy_names`):
- `SourceTokenBias` adds a bonus to every token of the prompt (a soft prior);
- `NameCopy` is a hard constraint: a word that starts with a capital letter, and a run of
  digits, may only be written if it is a word of the source, letter for letter (its first letter
  may be capitalized: a sentence starts "Police said" where the article says "police"). Unconstrained, a 135M
  model misspells the names it copies ("Djukovic" for "Djokovic", "Callagham Square") and invents
  numbers; the guard then drops the whole sentence. Lowercase words are left alone.

Words are ASCII letter runs and digit runs (`[A-Za-z]+`, `[0-9]+`) on both sides, so a
non-ASCII letter splits a name the same way in the source and the output (`Müller`: `M`, `ller`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import torch
from transformers import LogitsProcessor

from summarizer.weights.vocab import token_bytes_table

__all__ = ["NameCopy", "SourceTokenBias"]

_RUN = re.compile(rb"^(?:[A-Za-z]+|[0-9]+)")
_TRAILING_RUN = re.compile(r"(?:[A-Za-z]+|[0-9]+)$")
_SOURCE_RUNS = re.compile(r"[A-Za-z]+|[0-9]+")


class SourceTokenBias(LogitsProcessor):
    """Adds `bias` to the logits of the tokens in each row's prompt (special tokens excluded):
    a copy prior for names and numbers. Rows are the batch's prompts in order; with beam search
    each prompt's beams follow it (`model.generate`'s layout)."""

    def __init__(self, prompt_ids: torch.Tensor, mask: torch.Tensor, vocab_size: int, bias: float,
                 special_ids: Sequence[int]) -> None:
        boost = torch.zeros(prompt_ids.shape[0], vocab_size)
        for row in range(prompt_ids.shape[0]):
            boost[row, prompt_ids[row][mask[row].bool()]] = bias
        boost[:, [i for i in special_ids if i < vocab_size]] = 0.0
        self.boost = boost

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        boost = self.boost.to(scores.device, scores.dtype)
        if scores.shape[0] != boost.shape[0]:  # beams: each prompt's rows are consecutive
            boost = boost.repeat_interleave(scores.shape[0] // boost.shape[0], dim=0)
        width = min(scores.shape[1], boost.shape[1])
        scores[:, :width] += boost[:, :width]
        return scores


@dataclass(frozen=True)
class _Vocab:
    """What each token writes, as far as runs of letters and digits go."""

    runs: tuple[str, ...]  # the letter or digit run the token starts with ("" if none)
    whole: torch.Tensor  # bool: the token is nothing but that run (the run may go on after it)
    spaced: torch.Tensor  # bool: the token starts with a space (it starts a new word)
    upper: torch.Tensor  # bool: its run starts with a capital letter
    letter: torch.Tensor  # bool: its run is letters
    digit: torch.Tensor  # bool: its run is digits
    # Tokens without a leading space, by their run: what may continue a word.
    continuations: dict[str, list[int]]


@lru_cache(maxsize=4)
def _vocab(tokenizer) -> _Vocab:
    table = token_bytes_table(tokenizer).table
    n = len(table)
    runs, whole, spaced, upper, letter, digit = [""] * n, *(torch.zeros(n, dtype=torch.bool) for _ in range(5))
    continuations: dict[str, list[int]] = {}
    for token_id, data in enumerate(table):
        if not data:
            continue
        spaced[token_id] = data[:1] == b" "
        core = data[1:] if spaced[token_id] else data
        match = _RUN.match(core)
        if not match:
            continue
        run = match.group().decode("ascii")
        runs[token_id] = run
        whole[token_id] = match.end() == len(core)
        upper[token_id] = run[0].isupper()
        letter[token_id] = run[0].isalpha()
        digit[token_id] = run[0].isdigit()
        if not spaced[token_id]:
            continuations.setdefault(run, []).append(token_id)
    return _Vocab(tuple(runs), whole, spaced, upper, letter, digit, continuations)


class _Words:
    """One source's words (letter runs, also with a capital first letter, and digit runs) and
    their prefixes."""

    def __init__(self, source: str) -> None:
        runs = set(_SOURCE_RUNS.findall(source))
        self.words = runs | {w[0].upper() + w[1:] for w in runs}
        self.prefixes: dict[str, list[str]] = {}
        for word in self.words:
            for k in range(1, len(word) + 1):
                self.prefixes.setdefault(word[:k], []).append(word)

    def allows(self, run: str, complete: bool) -> bool:
        return run in self.words if complete else run in self.prefixes


class NameCopy(LogitsProcessor):
    """Masks every token that would write a capitalized word or a digit run that is not a word
    of the row's source, or end one before it is a whole source word.

    sources: each prompt's source text, in batch order (beams follow their prompt); prompt_length:
    how many leading ids of `input_ids` are prompt (what the row generated is decoded after it).
    """

    def __init__(self, sources: Sequence[str], tokenizer, prompt_length: int) -> None:
        self.tokenizer = tokenizer
        self.prompt_length = prompt_length
        self.vocab = _vocab(tokenizer)
        self.words = [_Words(source) for source in sources]
        # A word a token starts: capitalized or digits, it must be (the start of) a source word.
        self.start_ok = torch.stack([self._start_mask(words) for words in self.words])

    def _start_mask(self, words: _Words) -> torch.Tensor:
        v = self.vocab
        ok = [True] * len(v.runs)
        whole = v.whole.tolist()
        for token_id in torch.nonzero(v.upper | v.digit).flatten().tolist():
            ok[token_id] = words.allows(v.runs[token_id], complete=not whole[token_id])
        return torch.tensor(ok)

    def _continuations(self, words: _Words, run: str) -> list[int]:
        """Tokens that carry `run` on towards a source word."""
        allowed: list[int] = []
        for word in set(words.prefixes.get(run, ())):
            rest = word[len(run):]
            for k in range(1, len(rest) + 1):
                for token_id in self.vocab.continuations.get(rest[:k], ()):
                    if self.vocab.whole[token_id] or k == len(rest):
                        allowed.append(token_id)
        return allowed

    def _row_mask(self, words: _Words, start_ok: torch.Tensor, written: str) -> torch.Tensor:
        v = self.vocab
        allowed = start_ok.clone()
        match = _TRAILING_RUN.search(written)
        if not match:
            return allowed
        run = match.group()
        same_kind = ~v.spaced & (v.letter if run[0].isalpha() else v.digit)
        if not (run[0].isupper() or run[0].isdigit()):
            allowed[same_kind] = True  # a lowercase word goes on freely
            return allowed
        if run not in words.words:
            allowed[:] = False  # the word must go on until it is a source word
        allowed[same_kind] = False
        allowed[self._continuations(words, run)] = True
        return allowed

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        per_prompt = max(1, scores.shape[0] // len(self.words))
        width = min(scores.shape[1], self.start_ok.shape[1])
        for row in range(scores.shape[0]):
            prompt = row // per_prompt
            written = self.tokenizer.decode(input_ids[row, self.prompt_length:], skip_special_tokens=True)
            allowed = self._row_mask(self.words[prompt], self.start_ok[prompt], written)
            if allowed[:width].any():
                scores[row, :width] = scores[row, :width].masked_fill(~allowed[:width], float("-inf"))
        return scores
