"""Input checks shared by every batch entry point."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from summarizer.text.cleaning import DEFAULT_MAX_CHARS, RejectedText, clean_text

__all__ = ["check_texts", "clean_texts"]

logger = logging.getLogger(__name__)


def check_texts(texts: Sequence[str], noun: str, *, check_unicode: bool = True) -> list[str]:
    """The texts as a list; TypeError/ValueError naming the index of the first bad one."""
    if isinstance(texts, str):
        raise TypeError(f"expected a sequence of {noun}s; wrap a single {noun} in a list")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{noun} {i} is {type(text).__name__}, expected str")
        if not text.strip():
            raise ValueError(f"{noun} {i} is empty or whitespace only")
        if not check_unicode:
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            # Lone surrogates (from bad decoding upstream) would fail deep in the tokenizer.
            raise ValueError(
                f"{noun} {i} is not valid Unicode: {e.reason} at character {e.start}"
            ) from None
    return texts


def clean_texts(
    texts: Sequence[str], noun: str, *, max_chars: int | None = DEFAULT_MAX_CHARS, strip_html: bool = True
) -> list[str]:
    """`check_texts`, then `summarizer.text.cleaning.clean_text` on each text.

    Control characters go, HTML becomes its text; a text that cannot be used (binary, invalid
    Unicode, over `max_chars`) raises ValueError naming its index and the reason. Text that does
    not look like English is kept and logged as a warning.
    """
    texts = check_texts(texts, noun, check_unicode=False)  # clean_text says what is wrong with it
    cleaned = []
    for i, text in enumerate(texts):
        try:
            result = clean_text(text, max_chars=max_chars, strip_html=strip_html)
        except RejectedText as e:
            raise ValueError(f"{noun} {i}: {e}") from None
        for warning in result.warnings:
            logger.warning("%s %d: %s", noun, i, warning)
        cleaned.append(result.text)
    return cleaned
