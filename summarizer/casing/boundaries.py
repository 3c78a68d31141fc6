"""Sentences glued on one line of wire copy, found and given lines of their own (issue 35).

Wire copy puts a sentence a line without its final period, but captions and pasted paragraphs
arrive glued: ``... north of tikrit university militiamen laid down heavy machine gunfire ...``
is two sentences on one line, and nothing but the words says where the second starts. A small
BiGRU reads the document's lowercased tokens on both sides and gives every token the probability
that a sentence starts there with no punctuation before it. Where that passes the threshold
(chosen on glued dev copy for precision, `training/train_boundaries.py`), the space before the
token becomes a newline: the text's words and characters stay, only spacing changes, so the
normalize contract holds, and the casing that follows sees a line start. `summarize`'s wire step
then ends each line with a period as it does for every line of wire copy.

Tokens after `.`, `!` or `?` and the first token of a line are never split: those starts are
already marked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from summarizer.casing.token_gru import TokenBiGRU, TokenGRUConfig, suffix_id

DEFAULT_BOUNDARIES = "sentence_boundaries_en.pt"  # shipped in summarizer/resources
FLAGS = 6  # line start, line end, after end punctuation, punctuation, has a digit, mixed letters and punctuation
_ENDS = frozenset({".", "!", "?"})
_TOKEN = re.compile(r"\S+")


@dataclass
class BoundaryConfig(TokenGRUConfig):
    hidden: int = 128


class BoundaryNet(TokenBiGRU):
    """Word, suffix and shape features -> BiGRU -> one logit per token (a glued sentence starts here)."""

    def __init__(self, config: BoundaryConfig) -> None:
        super().__init__(config, FLAGS, 1)

    def forward(self, ids: torch.Tensor, suffix: torch.Tensor, flags: torch.Tensor) -> torch.Tensor:
        return super().forward(ids, suffix, flags).squeeze(-1)


def token_features(word: str, vocab: dict[str, int]) -> tuple[int, int, int]:
    """(word id, suffix id, shape bits 3-5) of one lowercased token."""
    punct = not any(c.isalnum() for c in word)
    bits = (punct << 3) | (any(c.isdigit() for c in word) << 4) | ((not punct and not word.isalnum()) << 5)
    return vocab.get(word, 0), suffix_id(word), bits


def document_arrays(lines: Sequence[Sequence[str]], vocab: dict[str, int]) -> tuple[list[int], list[int], list[int]]:
    """(ids, suffix ids, flag bits) of a document's tokens, its lines run together."""
    ids, suffix, bits = [], [], []
    for words in lines:
        previous = None
        for i, word in enumerate(words):
            w, s, b = token_features(word.lower(), vocab)
            b |= (i == 0) | ((i == len(words) - 1) << 1) | ((previous in _ENDS) << 2)
            ids.append(w)
            suffix.append(s)
            bits.append(b)
            previous = word
    return ids, suffix, bits


def flag_tensor(bits: torch.Tensor) -> torch.Tensor:
    """Bit fields -> float flags (..., FLAGS)."""
    return ((bits.long()[..., None] >> torch.arange(FLAGS)) & 1).float()


def splittable(bits: int) -> bool:
    """Whether a token may start a new line: not a line's first token, not after `.`/`!`/`?`."""
    return not bits & 0b101


class SentenceBoundaries:
    """Split glued sentences of lowercased PTB wire copy onto lines of their own."""

    def __init__(self, net: BoundaryNet, vocab: dict[str, int], threshold: float = 0.5, min_words: int = 3) -> None:
        self.net, self.vocab = net.eval(), vocab
        # A split needs this probability, and leaves at least `min_words` tokens on each side.
        self.threshold, self.min_words = threshold, min_words

    def save(self, path: str | Path) -> None:
        state = {k: v.half() if v.is_floating_point() else v for k, v in self.net.state_dict().items()}
        torch.save({"config": vars(self.net.config), "vocab": self.vocab, "state": state,
                    "threshold": self.threshold, "min_words": self.min_words}, path)

    @classmethod
    def load(cls, path: str | Path) -> SentenceBoundaries:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        net = BoundaryNet(BoundaryConfig(**payload["config"]))
        net.load_state_dict({k: v.float() for k, v in payload["state"].items()})
        return cls(net, payload["vocab"], payload["threshold"], payload["min_words"])

    def probabilities(self, lines: Sequence[Sequence[str]]) -> list[float]:
        """For every token of the document, the probability that a glued sentence starts there
        (0 where a start is already marked)."""
        ids, suffix, bits = document_arrays(lines, self.vocab)
        if not ids:
            return []
        bits_t = torch.tensor(bits)
        with torch.inference_mode():
            logits = self.net(torch.tensor([ids]), torch.tensor([suffix]), flag_tensor(bits_t)[None])[0]
        probs = torch.sigmoid(logits).tolist()
        return [p if splittable(b) else 0.0 for p, b in zip(probs, bits, strict=True)]

    def starts(self, lines: Sequence[Sequence[str]]) -> list[list[int]]:
        """Per line, the token indices where a new line should start."""
        probs, n, out = self.probabilities(lines), 0, []
        for words in lines:
            line_probs, n = probs[n: n + len(words)], n + len(words)
            chosen, last = [], 0
            for i, p in enumerate(line_probs):
                if p > 0 and p >= self.threshold and i - last >= self.min_words and len(words) - i >= self.min_words:
                    chosen.append(i)
                    last = i
            out.append(chosen)
        return out

    def split(self, text: str, starts: Sequence[Sequence[int]] | None = None) -> str:
        """`text` with each glued sentence on a line of its own: the whitespace before it becomes
        one newline; every other character stays. `starts`: per line, the token indices to split
        at (default `self.starts`)."""
        if not isinstance(text, str):
            raise TypeError(f"split expects a str, got {type(text).__name__}")
        raw_lines = text.split("\n")
        spans = [[m.span() for m in _TOKEN.finditer(line)] for line in raw_lines]
        if starts is None:
            starts = self.starts([[line[a:b] for a, b in s] for line, s in zip(raw_lines, spans, strict=True)])
        out = []
        for line, line_spans, chosen in zip(raw_lines, spans, starts, strict=True):
            for i in reversed(chosen):
                line = line[: line_spans[i - 1][1]] + "\n" + line[line_spans[i][0]:]
            out.append(line)
        return "\n".join(out)


@functools.lru_cache(maxsize=1)
def shipped_boundaries() -> SentenceBoundaries:
    """The shipped boundary model, read once per process."""
    from importlib import resources

    path = resources.files("summarizer") / "resources" / DEFAULT_BOUNDARIES
    with resources.as_file(path) as real_path:
        if not real_path.is_file():
            raise FileNotFoundError(
                f"{real_path} is missing: train it with `python -m training.train_boundaries` "
                "(docs/results_wirecopy.md) or pass split_glued=False"
            )
        return SentenceBoundaries.load(real_path)
