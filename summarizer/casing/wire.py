"""Wire copy in, publishable text out: what `summarize` does to wire copy before it summarizes.

`prepare_article` detects the layout (`summarizer.text.layout`) unless told, and for wire copy
restores letter case with the shipped statistical truecaser (fast: about a millisecond an
article, well under the summary's own time), undoes PTB tokenization, and, when the copy puts
one sentence a line without final periods, ends each such line with a period so that every
sentence splitter downstream (selection, extraction, chunking, the guard) sees the sentences the
lines mark. Words are never changed: only letter case, spacing and those line-final periods.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from summarizer.casing.decoder import shipped_decoder
from summarizer.casing.detokenize import detokenize
from summarizer.text.html import extract_article, is_html_document
from summarizer.text.layout import INPUT_FORMATS, Layout, detect_layout, split_title, strip_dateline

__all__ = ["PreparedArticle", "prepare_article", "wire_to_plain"]

# A line already ends a sentence: terminal punctuation, perhaps inside closing quotes/brackets.
_ENDS_SENTENCE = re.compile(r"[.!?…]['\"’”)\]]*$|:$")


@dataclass(frozen=True)
class PreparedArticle:
    """The text the model reads, and what was done to get it."""

    text: str
    # "plain" (given as publishable text) or "wire" (normalized first).
    input_format: str
    # The article's title line, kept apart from the text (`summarizer.text.layout.split_title`),
    # or a saved page's title; and what the page says of the article (date, author, site, url).
    title: str | None = None
    metadata: dict[str, str] | None = None


def wire_to_plain(text: str, layout: Layout | None = None) -> str:
    """`text` (wire copy) as plain text: case restored where it was lowercased, PTB spacing
    undone where it was tokenized, a period after each unterminated sentence line."""
    layout = layout or detect_layout(text)
    # Both read the whole text at once: the truecaser takes each line as its own run of
    # sentences, and the detokenizer carries a quote opened on one line to the line closing it.
    if layout.lowercased:
        text = shipped_decoder().restore(text)
    if layout.tokenized:
        text = detokenize(text)
    lines = text.splitlines()
    if layout.sentence_lines:
        lines = [line.rstrip() + "." if line.strip() and not _ENDS_SENTENCE.search(line.rstrip()) else line
                 for line in lines]
    return "\n".join(line.strip() for line in lines)


def prepare_article(text: str, input_format: str = "auto") -> PreparedArticle:
    """The article as the summarizer should read it: a saved page's article (`summarizer.text.html`),
    its title line apart, its dateline or byline gone (`summarizer.text.layout`). `input_format`:
    "auto" (detect), "wire" (normalize whatever the text looks like) or "plain" (take it as it is)."""
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"unknown input_format {input_format!r}; choose one of {INPUT_FORMATS}")
    if is_html_document(text):
        page = extract_article(text)  # NoArticle (a ValueError) when the page holds none
        prepared = prepare_article(page.text, input_format)
        return dataclasses.replace(prepared, title=page.title or prepared.title, metadata=page.metadata())
    title, text = split_title(text)
    if input_format == "plain":
        return PreparedArticle(strip_dateline(text), "plain", title)
    layout = detect_layout(text)
    if input_format == "wire":
        # Told it is wire copy: restore case and spacing even where the signs are faint.
        layout = Layout(lowercased=layout.lowercased or not any(c.isupper() for c in text),
                        tokenized=True, sentence_lines=layout.sentence_lines)
    elif not layout.is_wire:
        return PreparedArticle(strip_dateline(text), "plain", title)
    if title is not None:  # cased and spaced like the body, but a title takes no final period
        title = wire_to_plain(title, dataclasses.replace(layout, sentence_lines=False))
    # The dateline is read once the wire copy is cased ("-lrb- cnn -rrb-" -> "(CNN)").
    return PreparedArticle(strip_dateline(wire_to_plain(text, layout)), "wire", title)
