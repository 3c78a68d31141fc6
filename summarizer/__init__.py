"""summarizer: summarize news articles and normalize wire copy with one fine-tunable model.

Public surface::

    from summarizer import Summarizer
    s = Summarizer.from_pretrained()          # embedded default (SmolLM2-135M-Instruct)
    s.summarize(["..."], style="highlights")  # -> list[Summary]
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from summarizer.casing.headline import headline_case
from summarizer.casing.normalize import Normalized
from summarizer.casing.normalize import normalize as normalize_texts
from summarizer.config import (
    DEFAULT_NORMALIZE_METHOD,
    DEFAULT_STYLES,
    MODEL_FREE_NORMALIZE_METHODS,
    GenerationSettings,
    StyleConfig,
    SummarizerConfig,
)
from summarizer.guard.actions import GuardAction
from summarizer.model import Summarizer, Summary

__all__ = [
    "DEFAULT_STYLES",
    "GenerationSettings",
    "GuardAction",
    "Normalized",
    "StyleConfig",
    "Summarizer",
    "SummarizerConfig",
    "Summary",
    "headline_case",
    "normalize",
    "summarize",
]

__version__ = "0.1.0"


@lru_cache(maxsize=1)
def _default() -> Summarizer:
    return Summarizer.from_pretrained()


def summarize(articles: list[str], **kwargs: Any) -> list[Summary]:
    """`Summarizer.summarize` on a cached instance of the embedded default model."""
    return _default().summarize(articles, **kwargs)


def normalize(texts: list[str], *, method: str = DEFAULT_NORMALIZE_METHOD, **kwargs: Any) -> list[Normalized]:
    """Case-restore (and detokenize) wire copy (`summarizer.casing.normalize.normalize`); the model
    methods run the embedded default model, loaded once; "tagger" (the default) and "statistical" load none."""
    model = None if method in MODEL_FREE_NORMALIZE_METHODS else _default()
    return normalize_texts(texts, method=method, model=model, **kwargs)
