"""Input cleaning: pure functions that turn what people feed a batch job into text a model can read.

What each kind of input gets (the readers, the CLI and the Ray job all apply `clean_text`):

- longer than `max_chars` (default 1,000,000 characters): rejected, before any other work;
- binary data (over 10% control or replacement characters): rejected;
- invalid Unicode (lone surrogates, e.g. from a broken ``\\ud800`` escape in JSON): rejected;
- control characters: removed, except newline and tab; ``\\r\\n`` and ``\\r`` become ``\\n``; a
  byte-order mark is dropped;
- HTML: a whole page (doctype, <html>, <body>) becomes its article, title line first
  (`summarizer.text.html`, trafilatura; a page with no article in it is rejected); a fragment
  with markup is stripped to its text with the standard library's `html.parser`: script, style
  and similar elements are dropped, block elements become line breaks, entities are decoded;
- empty or whitespace-only once cleaned: rejected;
- text that does not look like English: kept, with a warning (the default model is English-only).

Prompt injection is not removed here: the article is data and is summarized as such
(`summarizer.guard.injection` guards what the model writes). `check_texts` is the type and
emptiness check every library entry point applies.

Rejections raise `RejectedText` (a `ValueError`) whose message says why; nothing here logs or
does I/O, so callers decide how to report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from summarizer.text.html import NoArticle, extract_article, is_html_document

__all__ = [
    "DEFAULT_MAX_CHARS",
    "Cleaned",
    "RejectedText",
    "ENGLISH_STOPWORDS",
    "check_texts",
    "clean_text",
    "english_evidence",
    "html_to_text",
    "looks_like_html",
    "non_english_warning",
    "strip_control_chars",
]

DEFAULT_MAX_CHARS = 1_000_000
PAGE_MARKUP_FACTOR = 10

# C0 and C1 control characters except tab and newline (\r is turned into \n first), and the BOM.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
# What marks binary data that happened to decode: NUL and friends, and U+FFFD from a lossy decode.
_BINARY_MARK = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")
_BINARY_SHARE = 0.10
_SURROGATE = re.compile("[\ud800-\udfff]")

_HTML_TAGS = (
    "html|head|body|title|meta|link|div|p|br|hr|span|a|img|table|thead|tbody|tr|td|th|ul|ol|li|"
    "h[1-6]|script|style|article|section|header|footer|nav|aside|main|figure|figcaption|"
    "blockquote|pre|code|strong|em|b|i|u|form|input|button|iframe|noscript|svg"
)
_HTML_TAG = re.compile(rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
# Elements whose content is not text a reader sees.
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "canvas"})
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
    }
)

# Enough letters to judge the language of; shorter texts get no warning.
_MIN_LETTERS = 40
# ... and enough words to count stopwords in (headlines have few).
_MIN_WORDS = 25
# Only the start of a long text is looked at: the language rarely changes half-way.
_LANGUAGE_SAMPLE = 20_000
ENGLISH_STOPWORDS = frozenset(
    "the a an and or but of to in on at for with by from as is was were are be been has have had "
    "it its this that these those he she they we you i his her their our not no which who what "
    "said says will would can could after before over about than then there when while also".split()
)
# English news prose has 35-50% of its words in the list above; French, German, Spanish or
# Indonesian have a few percent, other scripts next to no ASCII letters.
_MIN_STOPWORD_SHARE = 0.10
_MIN_ASCII_SHARE = 0.60


class RejectedText(ValueError):
    """A text that cannot be summarized; the message says why."""


@dataclass(frozen=True)
class Cleaned:
    """A cleaned text and what was done to it."""

    text: str
    control_chars_removed: int = 0
    html_stripped: bool = False
    # Legal but suspicious input, e.g. text that does not look like English.
    warnings: tuple[str, ...] = ()


def strip_control_chars(text: str) -> tuple[str, int]:
    """The text without control characters (newline and tab kept; CR and CRLF become newline)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    cleaned, removed = _CONTROL.subn("", text)
    return cleaned, removed


def looks_like_html(text: str) -> bool:
    """A document (doctype, <html>, <body>) or at least two known HTML tags."""
    if is_html_document(text):
        return True
    tags = _HTML_TAG.finditer(text)
    return next(tags, None) is not None and next(tags, None) is not None


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page or fragment: one paragraph a line, entities decoded."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def english_evidence(text: str) -> tuple[float, float, int] | None:
    """(share of letters that are ASCII, share of words that are common English words, words).

    None when the text has too few letters to tell.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    letters = sum(ch.isalpha() for ch in sample)
    if letters < _MIN_LETTERS:
        return None
    ascii_letters = sum(("a" <= ch <= "z") or ("A" <= ch <= "Z") for ch in sample)
    words = re.findall(r"\w+", sample.lower())
    stop = sum(w in ENGLISH_STOPWORDS for w in words)
    return ascii_letters / letters, stop / max(len(words), 1), len(words)


def non_english_warning(text: str) -> str | None:
    """A warning when the text does not look like English (cheap heuristic), else None."""
    evidence = english_evidence(text)
    if evidence is None:
        return None
    ascii_share, stop_share, words = evidence
    if ascii_share < _MIN_ASCII_SHARE or (words >= _MIN_WORDS and stop_share < _MIN_STOPWORD_SHARE):
        return (
            f"text does not look like English ({ascii_share:.0%} of letters ASCII, {stop_share:.0%} of words "
            "common English words); the default model is English-only, expect a poor summary"
        )
    return None


def clean_text(
    text: str, *, max_chars: int | None = DEFAULT_MAX_CHARS, strip_html: bool = True, check_language: bool = True
) -> Cleaned:
    """Clean one input text, or raise `RejectedText` saying why it cannot be used.

    max_chars: longest text accepted (None: no limit); checked first, on the text as given; a
        whole HTML page may be `PAGE_MARKUP_FACTOR` times longer (a news page is mostly markup:
        the CNN seed page is 1.4M characters around a 14k-character article), its article not.
    strip_html: turn HTML into its text (False: keep markup as literal text).
    check_language: warn (in `Cleaned.warnings`) when the text does not look like English.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    page = strip_html and is_html_document(text)
    if max_chars is not None and len(text) > max_chars * (PAGE_MARKUP_FACTOR if page else 1):
        raise RejectedText(
            f"too long: {len(text):,} characters, over the limit of {max_chars:,} (raise max_chars / --max-chars "
            "to accept it; a long article is summarized in chunks)"
        )
    if not text.strip():
        raise RejectedText("empty text")
    surrogate = _SURROGATE.search(text)
    if surrogate:
        raise RejectedText(
            f"invalid Unicode: lone surrogate U+{ord(surrogate.group()):04X} at character {surrogate.start()} "
            "(undecodable bytes or a broken \\u escape)"
        )
    marks = len(_BINARY_MARK.findall(text))
    if marks > _BINARY_SHARE * len(text):
        raise RejectedText(f"looks like binary data ({marks / len(text):.0%} control or replacement characters)")
    text, removed = strip_control_chars(text)
    html = page or (strip_html and looks_like_html(text))
    if html:
        # Entities can decode to control characters.
        text, more = strip_control_chars(_page_text(text) if page else html_to_text(text))
        removed += more
        if not text.strip():
            raise RejectedText("HTML with no text in it")
        if max_chars is not None and len(text) > max_chars:
            raise RejectedText(f"too long: the page's text is {len(text):,} characters, over the limit of {max_chars:,}")
    if not text.strip():
        raise RejectedText("empty text once control characters were removed")
    warning = non_english_warning(text) if check_language else None
    return Cleaned(text, removed, html, (warning,) if warning else ())


def _page_text(html: str) -> str:
    """A whole page's article, title line first (trafilatura); RejectedText when it holds none."""
    try:
        return extract_article(html).as_text()
    except NoArticle as error:
        raise RejectedText(str(error)) from None


def check_texts(texts: Sequence[str], noun: str, *, check_unicode: bool = True) -> list[str]:
    """The texts as a list; TypeError/ValueError naming the index of the first bad one."""
    if isinstance(texts, str):
        raise TypeError(f"expected a sequence of {noun}s; wrap a single {noun} in a list")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{noun} {i} is {type(text).__name__}, expected str")
        if not text.strip():
            raise ValueError(f"{noun} {i} is empty or whitespace only")
        if not check_unicode:
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            # Lone surrogates (from bad decoding upstream) would fail deep in the tokenizer.
            raise ValueError(
                f"{noun} {i} is not valid Unicode: {e.reason} at character {e.start}"
            ) from None
    return texts
