"""Word tokens for metrics and faithfulness checks: runs of letters, or numbers with separators.

`Koirala's` is two words and `40,000` one, the same for PTB-tokenized and raw text.
"""

from __future__ import annotations

import re

__all__ = ["ngrams", "words"]

_WORD = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+|[^\W_]")


def words(text: str) -> list[str]:
    """Lowercased word tokens. Punctuation-only text has none."""
    return [match.group(0) for match in _WORD.finditer(text.lower())]


def ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
