"""Wire copy in, publishable text out: what `summarize` does to wire copy before it summarizes.

`prepare_article` detects the layout (`summarizer.text.layout`) unless told, and for wire copy
restores letter case (by default with the shipped case tagger over the statistical decoder, ~50 ms an article;
`Summarizer.summarize(wire_casing=...)` may pass a model method), undoes PTB tokenization, and, when the copy puts
one sentence a line without final periods, ends each such line with a period so that every
sentence splitter downstream (selection, extraction, chunking, the guard) sees the sentences the
lines mark. Sentences glued on one line without a period (captions, pasted paragraphs) get lines
of their own first (`summarizer.casing.boundaries`). Words are never changed: only letter case,
spacing and those line-final periods.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from summarizer.casing.boundaries import shipped_boundaries
from summarizer.casing.detokenize import detokenize
from summarizer.casing.tagger import shipped_tagger
from summarizer.text.debris import strip_debris
from summarizer.text.html import extract_article, is_html_document
from summarizer.text.layout import INPUT_FORMATS, Layout, detect_layout, split_title, strip_dateline

__all__ = ["PreparedArticle", "RestoreCase", "SplitGlued", "prepare_article", "split_with_bigru", "wire_to_plain"]

# One wire text in, the same text with its letter case restored out (nothing else changed).
RestoreCase = Callable[[str], str]
# Lowercased wire text in, the same text with each glued sentence on a line of its own out.
SplitGlued = Callable[[str], str]


def split_with_bigru(text: str) -> str:
    """The default `SplitGlued`: the shipped BiGRU alone (`summarizer.casing.boundaries`)."""
    return shipped_boundaries().split(text)


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


def wire_to_plain(
    text: str, layout: Layout | None = None, restore_case: RestoreCase | None = None,
    split_glued: SplitGlued | None = split_with_bigru,
) -> str:
    """`text` (wire copy) as plain text: case restored where it was lowercased (by
    `restore_case`, default the shipped case tagger over the decoder), each glued sentence on a
    line of its own (`summarizer.casing.boundaries`), PTB spacing undone where it was tokenized, a
    period after each unterminated sentence line. `split_glued` None: no line is split."""
    layout = layout or detect_layout(text)
    # Both read the whole text at once: the truecaser takes each line as its own run of
    # sentences, and the detokenizer carries a quote opened on one line to the line closing it.
    split = False
    if layout.lowercased and split_glued:
        # Sentences glued without a period get lines of their own first, so that the casing sees
        # their starts and each ends with a period below, whatever the layout.
        glued, text = text, split_glued(text)
        split = text != glued
    if layout.lowercased:
        text = (restore_case or shipped_tagger().restore)(text)
    if layout.tokenized:
        text = detokenize(text)
    lines = text.splitlines()
    if layout.sentence_lines or split:
        lines = [line.rstrip() + "." if line.strip() and not _ENDS_SENTENCE.search(line.rstrip()) else line
                 for line in lines]
    return "\n".join(line.strip() for line in lines)


def prepare_article(
    text: str, input_format: str = "auto", restore_case: RestoreCase | None = None,
    split_glued: SplitGlued = split_with_bigru,
) -> PreparedArticle:
    """The article as the summarizer should read it: a saved page's article (`summarizer.text.html`),
    its title line apart, its dateline or byline gone (`summarizer.text.layout`). `input_format`:
    "auto" (detect), "wire" (normalize whatever the text looks like) or "plain" (take it as it is).
    `restore_case`: how wire copy gets its case back (one text in, the same text cased out;
    default the shipped tagger); `split_glued`: how glued sentences get lines of their own."""
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"unknown input_format {input_format!r}; choose one of {INPUT_FORMATS}")
    if is_html_document(text):
        page = extract_article(text)  # NoArticle (a ValueError) when the page holds none
        prepared = prepare_article(page.text, input_format, restore_case, split_glued)
        return dataclasses.replace(prepared, title=page.title or prepared.title, metadata=page.metadata())
    # Captions, credits, widgets and bios never reach a summary (`summarizer.text.debris`); CNN's
    # "Story highlights" heading could pass for a title line, so before the title is read.
    title, text = split_title(text if input_format == "wire" else strip_debris(text))
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
        title = wire_to_plain(title, dataclasses.replace(layout, sentence_lines=False), restore_case, split_glued=None)
    # The dateline is read once the wire copy is cased ("-lrb- cnn -rrb-" -> "(CNN)").
    return PreparedArticle(strip_dateline(wire_to_plain(text, layout, restore_case, split_glued)), "wire", title)
