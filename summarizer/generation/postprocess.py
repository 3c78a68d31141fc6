"""Clean generated text into the shape a style promises (pure functions)."""

from __future__ import annotations

import re

from summarizer.config import StyleConfig
from summarizer.text.sentences import split_sentences

__all__ = ["clean_output", "drop_unfinished", "trim_words"]

# Chat models like to announce what they are about to do ("Here is a summary of the article:").
_PREAMBLE = re.compile(
    r"^\s*(?:(?:here(?:'s| is| are)\b[^:\n]{0,80}:)|(?:(?:summary|headline|highlights?)\s*:))\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)


def trim_words(text: str, max_words: int) -> str:
    """At most `max_words` words: whole sentences where they fit, else the first words."""
    if len(text.split()) <= max_words:
        return text
    kept: list[str] = []
    count = 0
    for sentence in split_sentences(text):
        n = len(sentence.split())
        if count + n > max_words:
            break
        kept.append(sentence)
        count += n
    if kept:
        return " ".join(kept)
    return " ".join(text.split()[:max_words])


def drop_unfinished(text: str) -> str:
    """Drop a last sentence that the token limit cut off, if an earlier sentence is complete."""
    sentences = split_sentences(text)
    if len(sentences) > 1 and not re.search(r"[.!?]['\"’”)]*$", sentences[-1]):
        return " ".join(sentences[:-1])
    return text


def clean_output(text: str, style: StyleConfig, max_words: int | None = None, *, truncated: bool = False) -> str:
    """Strip chat preambles, list bullets and quotes; enforce sentence, line and word limits.

    truncated: generation stopped at max_new_tokens, so the last sentence may be unfinished.
    """
    text = _PREAMBLE.sub("", text.strip(), count=1)
    text = _BULLET.sub("", text)
    if style.single_line:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        text = lines[0] if lines else ""
        text = text.strip().strip("\"'“”*#").strip()
        text = re.sub(r"\.$", "", text)
    text = " ".join(text.split())
    if truncated and not style.single_line:
        text = drop_unfinished(text)
    if style.max_sentences is not None and not style.single_line:
        text = " ".join(split_sentences(text)[: style.max_sentences])
    if max_words is not None:
        text = trim_words(text, max_words)
    if style.single_line:
        # A headline cut at its word limit must not end on a dangling comma or dash.
        text = re.sub(r"[\s,;:\-–—]+$", "", text)
    return text
