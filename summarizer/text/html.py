"""Saved news web pages: the article's text and metadata, through trafilatura.

trafilatura is the field's reference extractor (its benchmark is where
`../shared/examples/html/expectations.jsonl` comes from); on the seven seed pages its defaults keep
every expected sentence and drop all page furniture but two related-story lines on the Daily Mail
page (docs/results_layout.md). Our own `cleaning.html_to_text` stays for HTML fragments, where
there is no page to read furniture from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.text.layout import ends_sentence

__all__ = ["MIN_ARTICLE_WORDS", "PAGE_SUFFIXES", "NoArticle", "WebArticle", "extract_article", "is_html_document"]

# File names of saved pages (batch readers, the demo's upload).
PAGE_SUFFIXES = (".html", ".htm")

_HTML_DOCUMENT = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]", re.IGNORECASE)
# Fewer words than a short sentence is a list page, a stub or an error page, not an article
# (a one-sentence brief still passes; trafilatura itself finds no text in most list pages).
MIN_ARTICLE_WORDS = 5


class NoArticle(ValueError):
    """The page holds no article (a list page, an empty page, not really HTML)."""


@dataclass(frozen=True)
class WebArticle:
    """A page's article: its text (a paragraph a line) and what the page says about it."""

    text: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    site: str | None = None
    url: str | None = None

    def metadata(self) -> dict[str, str]:
        return {k: v for k, v in (("date", self.date), ("author", self.author), ("site", self.site),
                                  ("url", self.url)) if v}  # fmt: skip

    def as_text(self) -> str:
        """Title line, then the body: the plain-text layout `text.layout.split_title` reads back."""
        return f"{self.title}\n{self.text}" if self.title else self.text


def is_html_document(text: str) -> bool:
    """A whole page (doctype, <html> or <body>), not a fragment."""
    return bool(_HTML_DOCUMENT.search(text))


def extract_article(html: str, url: str | None = None) -> WebArticle:
    """The article of a saved page, or NoArticle saying why there is none."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as error:  # noqa: BLE001 - any parser failure means: no article to read
        raise NoArticle(f"no article in this page: it could not be parsed ({type(error).__name__})") from None
    text = (doc.text or "").strip() if doc is not None else ""
    words = len(text.split())
    if words < MIN_ARTICLE_WORDS:
        found = f"only {words} words of text" if words else "no text"
        raise NoArticle(f"no article in this page ({found}): a list page, an empty page or not a news article")
    title = " ".join(doc.title.split()) if doc.title else None
    return WebArticle(_sentences_a_line(text, title), title, doc.date, doc.author, doc.sitename, url or doc.url)


_BULLET = re.compile(r"^[-•*–]\s+")
# Lines this short without final punctuation are subheads and labels ("Advertisement"), not
# sentences; the selection styles already pass them by as page furniture.
_MIN_SENTENCE_WORDS = 4


# Words a page sets in capitals only as typography: the small-caps opening of a paragraph
# ("THREE decades ago Thomas Malone ..." on the Economist page). Function and number words,
# never a name or an acronym.
_SMALL_CAPS_OPENERS = frozenset(
    "a an the in on at for from by of to with after before when while as if it its this that these those "
    "there here he she they we i you his her their our one two three four five six seven eight nine ten "
    "eleven twelve twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand "
    "thousands million millions last first next few many most some all every each no not nor but and or so "
    "yet just only once until since during over under".split()
)


def _unsmallcap(line: str) -> str:
    """`line` with a small-caps opening in sentence case ("THREE decades ago" -> "Three decades
    ago"); a line in capitals throughout, or one opening on any other word, stays as it is."""
    words = line.split(" ")
    run = 0
    while run < len(words) and words[run].isupper() and words[run].isalpha() and words[run].lower() in _SMALL_CAPS_OPENERS:
        run += 1
    if run == 0 or run == len(words) or not any(c.islower() for c in words[run]):
        return line
    opening = [words[0].capitalize(), *(w.lower() for w in words[1:run])]
    return " ".join([*opening, *words[run:]])


def _sentences_a_line(text: str, title: str | None) -> str:
    """The page's text as sentences a line: without a first line repeating the title, bullet
    marks gone, small-caps openings in sentence case, and a period after a standfirst or bullet
    line that has none, so no line is glued to the next when sentences are joined (as
    `casing.wire` does for wire copy's lines)."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if title and lines and lines[0].casefold() == title.casefold():
        lines = lines[1:]
    out = []
    for line in lines:
        line = _unsmallcap(_BULLET.sub("", line))
        if len(line.split()) >= _MIN_SENTENCE_WORDS and not ends_sentence(line):
            line += "."
        out.append(line)
    return "\n".join(out)
