"""The service's request and response bodies, derived from the summarizer's config.

The styles a request may name, the per-call settings it may pass and the normalize methods are
read from `SummarizerConfig`, `GenerationSettings` and `NORMALIZE_METHODS`: one list of each,
which the OpenAPI schema at /docs and /v1/info show as they are.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from summarizer.config import (
    DEFAULT_NORMALIZE_METHOD,
    NORMALIZE_METHODS,
    GenerationSettings,
    SummarizerConfig,
)
from summarizer.text.layout import INPUT_FORMATS

__all__ = ["ArticleIn", "NormalizeRequest", "request_models", "summary_body"]


class ArticleIn(BaseModel):
    """One article: its text, or a saved web page's HTML; an id to find it by in the answer."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    text: str | None = None
    html: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' and 'html'")
        return self

    @property
    def content(self) -> str:
        return self.text if self.text is not None else self.html


class NormalizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[str] = Field(min_length=1)
    method: Literal[NORMALIZE_METHODS] = DEFAULT_NORMALIZE_METHOD  # type: ignore[valid-type]
    detokenize: bool = True


def _settings_fields() -> dict[str, Any]:
    hints = typing.get_type_hints(GenerationSettings)
    return {f.name: (hints[f.name] | None, None) for f in dataclasses.fields(GenerationSettings)}


def request_models(config: SummarizerConfig, max_articles: int) -> type[BaseModel]:
    """The /v1/summarize body for `config`'s styles: articles, style, input handling, and every
    generation setting as an optional override (a style refuses those it cannot honour)."""
    styles = tuple(config.styles)
    return create_model(
        "SummarizeRequest",
        __config__=ConfigDict(extra="forbid"),
        articles=(list[str | ArticleIn], Field(min_length=1, max_length=max_articles)),
        style=(Literal[styles], "highlights" if "highlights" in styles else styles[0]),  # type: ignore[valid-type]
        input_format=(Literal[INPUT_FORMATS], "auto"),  # type: ignore[valid-type]
        faithful=(bool | None, None),
        wire_casing=(Literal[NORMALIZE_METHODS] | None, None),  # type: ignore[valid-type]
        **_settings_fields(),
    )


def summary_body(summary: Any, article_id: str | None) -> dict[str, Any]:
    """A `Summary` as JSON: its fields, the guard's record, and the id the article came with."""
    body = dataclasses.asdict(summary)
    body["guard"] = [dataclasses.asdict(action) for action in summary.guard]
    body["dropped_sentences"] = summary.dropped_sentences
    body["extractive_fallback"] = summary.extractive_fallback
    return {"id": article_id, **body}
