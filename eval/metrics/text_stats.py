"""Length, compression and abstractiveness of a summary, tokenization-independent.

Words are runs of Unicode letters or digits (a number keeps its inner `.,:` separators), lowercased.
That makes PTB-tokenized and raw text count the same: `Koirala 's` and `Koirala's` are both
`koirala s`, `kick - off` and `kick-off` both `kick off`, `40,000` one word.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from summarizer.text.tokens import ngrams, words

__all__ = [
    "TextStats",
    "compression_ratio",
    "ngrams",
    "novel_ngram_rate",
    "repeated_ngram_rate",
    "text_stats",
    "words",
]

def _novel(summary_words: list[str], source_words: list[str], n: int) -> float | None:
    summary_ngrams = set(ngrams(summary_words, n))
    if not summary_ngrams:
        return None
    return len(summary_ngrams - set(ngrams(source_words, n))) / len(summary_ngrams)


def _repeated(summary_words: list[str], n: int) -> float | None:
    grams = ngrams(summary_words, n)
    if not grams:
        return None
    return sum(count - 1 for count in Counter(grams).values()) / len(grams)


def compression_ratio(summary: str, source: str) -> float | None:
    """Source words per summary word; None when the summary has no words."""
    summary_length = len(words(summary))
    return len(words(source)) / summary_length if summary_length else None


def novel_ngram_rate(summary: str, source: str, n: int) -> float | None:
    """Share of the summary's distinct n-grams absent from the source; None if it has none."""
    return _novel(words(summary), words(source), n)


def repeated_ngram_rate(summary: str, n: int) -> float | None:
    """Share of the summary's n-gram occurrences that repeat an earlier one; None if it has none."""
    return _repeated(words(summary), n)


@dataclass(frozen=True)
class TextStats:
    """Per-document length and abstractiveness. Rates are in [0, 1]; None means undefined
    (the summary is too short to have such n-grams)."""

    length: int
    compression: float | None
    novel_1: float | None
    novel_2: float | None
    novel_3: float | None
    repeated_2: float | None
    repeated_3: float | None


def text_stats(summary: str, source: str) -> TextStats:
    summary_words = words(summary)
    source_words = words(source)
    return TextStats(
        length=len(summary_words),
        compression=len(source_words) / len(summary_words) if summary_words else None,
        novel_1=_novel(summary_words, source_words, 1),
        novel_2=_novel(summary_words, source_words, 2),
        novel_3=_novel(summary_words, source_words, 3),
        repeated_2=_repeated(summary_words, 2),
        repeated_3=_repeated(summary_words, 3),
    )
