"""`Summary`: what every style returns for one article."""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.guard.actions import DROPPED, GuardAction

__all__ = ["Summary"]


@dataclass(frozen=True)
class Summary:
    """One article's summary."""

    text: str
    style: str
    # Tokens of the article as given (before any chunking) and of the final generated text.
    input_tokens: int
    output_tokens: int
    # True when the article exceeded the model's input budget and was summarized map-reduce.
    chunked: bool = False
    num_chunks: int = 1
    # What the faithfulness guard did, in order: each sentence it dropped and why, a rewrite,
    # the extractive fallback (`summarizer.guard.actions`); with the guard off, at most a fallback.
    guard: tuple[GuardAction, ...] = ()
    # "plain" (summarized as given) or "wire" (lowercased / PTB-tokenized copy, normalized first:
    # see `summarizer.casing.wire`).
    input_format: str = "plain"
    # The article's title line, recognised and kept apart: never summarized as a sentence.
    title: str | None = None
    # A saved web page's date, author, site and url (`summarizer.text.html`); None for text.
    metadata: dict[str, str] | None = None

    @property
    def dropped_sentences(self) -> int:
        """Sentences the guard removed (names/numbers not in the article, planted instructions)."""
        return sum(action.reason in DROPPED for action in self.guard)

    @property
    def extractive_fallback(self) -> bool:
        """True when nothing written was left, so the extractive summary was returned instead."""
        return any(action.reason == "fallback" for action in self.guard)
