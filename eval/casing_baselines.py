"""Casing-restoration baselines for `python -m eval normalize`.

- `capitalize_sentence_starts`: uppercase the first letter of each sentence, nothing else.
- `TruecaseBaseline`: the PyPI `truecase` package (bundled n-gram statistics, no download) on
  the whitespace tokens, either on the whole record at once (as the package is usually called,
  `split=None`) or per sentence, re-aligned token for token to the input: a token whose output
  differs from the input other than by case keeps the input's form.

Both change only the case of letters and keep the input's whitespace exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from summarizer.text.sentences import split_sentences

__all__ = ["TruecaseBaseline", "apply_case", "capitalize_sentence_starts"]


def apply_case(text: str, cased_tokens: list[str]) -> str:
    """Copy the case of `cased_tokens` onto `text`, keeping its whitespace.

    `cased_tokens` must cover the non-space characters of `text` in order; a token that differs
    from its input token other than by case (or changes length when lowercased) is ignored.
    """
    source_tokens = text.split()
    if len(source_tokens) != len(cased_tokens):
        raise ValueError(f"got {len(cased_tokens)} cased tokens for {len(source_tokens)} input tokens")
    cased_chars: list[str] = []
    for original, cased in zip(source_tokens, cased_tokens, strict=True):
        same_letters = len(cased) == len(original) and cased.lower() == original.lower()
        cased_chars.extend(cased if same_letters else original)
    it = iter(cased_chars)
    return "".join(ch if ch.isspace() else next(it) for ch in text)


def _sentence_tokens(text: str, split: Callable[[str], list[str]]) -> list[list[str]]:
    """Whitespace tokens grouped by sentence. A token that a sentence split cuts in two (glued
    XSum text) stays whole, in the sentence where it starts."""
    tokens = text.split()
    groups: list[list[str]] = []
    position = 0
    for sentence in split(text):
        count = len("".join(sentence.split()))
        group: list[str] = []
        while count > 0 and position < len(tokens):
            group.append(tokens[position])
            count -= len(tokens[position])
            position += 1
        if group:
            groups.append(group)
    if position < len(tokens):
        groups.append(tokens[position:])
    return groups


def capitalize_sentence_starts(text: str, split: Callable[[str], list[str]] = split_sentences) -> str:
    """Uppercase the first letter of every sentence (after leading quotes and brackets)."""
    cased: list[str] = []
    for group in _sentence_tokens(text, split):
        done = False
        for token in group:
            if not done and any(ch.isalpha() for ch in token):
                i = next(i for i, ch in enumerate(token) if ch.isalpha())
                token = token[:i] + token[i].upper() + token[i + 1 :]
                done = True
            cased.append(token)
    return apply_case(text, cased)


@functools.cache
def _truecaser():
    """truecase's model, loaded once per process (76 MB of bundled statistics, a few seconds).

    truecase keeps the casing variants of a word in sets and breaks score ties by iteration
    order, which changes with Python's string hash seed from run to run. Fixing the order
    (lowercase variant first, then alphabetical) makes its output reproducible.
    """
    from truecase import TrueCaser

    caser = TrueCaser()
    caser.word_casing_lookup = {
        word: tuple(sorted(variants, key=lambda v: (v != v.lower(), v)))
        for word, variants in caser.word_casing_lookup.items()
    }
    return caser


class TruecaseBaseline:
    """`truecase.TrueCaser` on whitespace tokens, re-aligned to the input.

    `oov` is truecase's out-of-vocabulary option: "title" (its default), "capitalize", "lower" or
    "as-is". `split=None` treats the whole record as one sentence (only its first word gets the
    sentence-initial capital); pass a splitter to run sentence by sentence.
    The 76 MB statistics load on first use (a few seconds).
    """

    def __init__(self, oov: str = "title", split: Callable[[str], list[str]] | None = None) -> None:
        if oov not in ("title", "capitalize", "lower", "as-is"):
            raise ValueError(f"oov must be one of title, capitalize, lower, as-is; got {oov!r}")
        self.oov = oov
        self.split = split

    def __call__(self, text: str) -> str:
        caser = _truecaser()
        cased: list[str] = []
        groups = [text.split()] if self.split is None else _sentence_tokens(text, self.split)
        for group in groups:
            cased.extend(caser.get_true_case_from_tokens(group, self.oov))
        return apply_case(text, cased)
