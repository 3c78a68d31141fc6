"""Input checks shared by every batch entry point."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["check_texts"]


def check_texts(texts: Sequence[str], noun: str) -> list[str]:
    """The texts as a list; TypeError/ValueError naming the index of the first bad one."""
    if isinstance(texts, str):
        raise TypeError(f"expected a sequence of {noun}s; wrap a single {noun} in a list")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{noun} {i} is {type(text).__name__}, expected str")
        if not text.strip():
            raise ValueError(f"{noun} {i} is empty or whitespace only")
    return texts
