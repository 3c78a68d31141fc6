"""Extractive summaries: whole source sentences, in source order. They cannot invent anything.

News puts the most important facts first, so the scorer is the lead: the first sentences that
carry content, skipping page furniture that scraped articles are full of ("SCROLL DOWN FOR
VIDEO", bylines, "Share this with Email", photo captions ending in a colon).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from summarizer.config import GenerationSettings, StyleConfig
from summarizer.generation.postprocess import clean_output, trim_words
from summarizer.generation.summary import Summary
from summarizer.text.sentences import split_sentences

__all__ = ["extract", "extract_for_style", "extractive_summaries", "is_boilerplate"]

# Lead-3 is the classic extractive news summary; a style may ask for fewer sentences.
_DEFAULT_SENTENCES = 3

_BOILERPLATE = re.compile(
    r"^(?:by\b|published:|updated:|last updated|click here|scroll down|share this|follow @|"
    r"read more|watch the video|see more|image caption|media playback)|"
    r"(?:copy this link|for latest updates|all rights reserved)",
    re.IGNORECASE,
)
_MIN_WORDS = 5


def is_boilerplate(sentence: str) -> bool:
    """Page furniture rather than reporting: bylines, share widgets, shouted captions, stubs."""
    text = sentence.strip().strip("\"'“”‘’`")
    letters = [ch for ch in text if ch.isalpha()]
    if len(text.split()) < _MIN_WORDS or not letters:
        return True
    if sum(ch.isupper() for ch in letters) > 0.7 * len(letters):
        return True  # "SCROLL DOWN FOR VIDEO", "EXCLUSIVE"
    if text.endswith(":"):
        return True  # captions and list headers
    return bool(_BOILERPLATE.search(text))


def extract(article: str, *, max_sentences: int = 3, max_words: int | None = None) -> str:
    """The first `max_sentences` content sentences of `article`, within `max_words` if given."""
    if max_sentences < 1:
        raise ValueError(f"max_sentences must be >= 1, got {max_sentences}")
    sentences = split_sentences(article)
    content = [s for s in sentences if not is_boilerplate(s)] or sentences
    text = " ".join(content[:max_sentences])
    return trim_words(text, max_words) if max_words is not None else text


def extract_for_style(article: str, style: StyleConfig, max_words: int | None = None) -> str:
    """The extractive summary shaped like `style` (a headline is one line of at most max_words)."""
    sentences = min(style.max_sentences or _DEFAULT_SENTENCES, _DEFAULT_SENTENCES)
    return clean_output(extract(article, max_sentences=sentences, max_words=max_words), style, max_words)


def extractive_summaries(
    articles: Sequence[str], style: StyleConfig, settings: GenerationSettings, count_tokens: Callable[[str], int]
) -> list[Summary]:
    """The extractive summary of each article in `style`: no model call."""
    return [
        Summary(
            text=extract_for_style(article, style, settings.max_words),
            style=style.name,
            input_tokens=count_tokens(article),
            output_tokens=0,
        )
        for article in articles
    ]
