"""summarizer: summarize news articles and normalize wire copy with one fine-tunable model.

Public surface::

    from summarizer import Summarizer
    s = Summarizer.from_pretrained()          # embedded default (SmolLM2-135M-Instruct)
    s.summarize(["..."], style="highlights")  # -> list[Summary]
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .config import DEFAULT_STYLES, GenerationSettings, StyleConfig, SummarizerConfig
from .model import Normalized, Summarizer, Summary

__all__ = [
    "DEFAULT_STYLES",
    "GenerationSettings",
    "Normalized",
    "StyleConfig",
    "Summarizer",
    "SummarizerConfig",
    "Summary",
    "summarize",
]

__version__ = "0.1.0"


@lru_cache(maxsize=1)
def _default() -> Summarizer:
    return Summarizer.from_pretrained()


def summarize(articles: list[str], **kwargs: Any) -> list[Summary]:
    """`Summarizer.summarize` on a cached instance of the embedded default model."""
    return _default().summarize(articles, **kwargs)
