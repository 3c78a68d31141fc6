"""Split text that is longer than a token budget on sentence boundaries.

Pure functions: the token counter is injected, so tests need no tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable

from summarizer.text.sentences import split_sentences

__all__ = ["chunk_text"]


def _split_long_sentence(sentence: str, count_tokens: Callable[[str], int], budget: int) -> list[str]:
    """Cut one sentence that alone exceeds the budget into word runs that fit."""
    words = sentence.split()
    pieces: list[str] = []
    current: list[str] = []
    for word in words:
        candidate = " ".join([*current, word])
        if current and count_tokens(candidate) > budget:
            pieces.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        pieces.append(" ".join(current))
    # A single "word" over budget (a URL, a base64 blob) is still kept whole: cutting
    # characters would change the text, and the model tolerates a little overflow better than
    # losing content.
    return pieces


def chunk_text(text: str, count_tokens: Callable[[str], int], budget: int) -> list[str]:
    """Greedily pack whole sentences of `text` into chunks of at most `budget` tokens.

    Every word of `text` appears in exactly one chunk, in order. A sentence longer than the
    budget is split between words.
    """
    if budget < 1:
        raise ValueError(f"budget must be >= 1 token, got {budget}")
    chunks: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(text):
        pieces = (
            [sentence] if count_tokens(sentence) <= budget else _split_long_sentence(sentence, count_tokens, budget)
        )
        for piece in pieces:
            candidate = " ".join([*current, piece])
            if current and count_tokens(candidate) > budget:
                chunks.append(" ".join(current))
                current = [piece]
            else:
                current.append(piece)
    if current:
        chunks.append(" ".join(current))
    return chunks
