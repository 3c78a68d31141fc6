"""Input cleaning: pure functions that turn what people feed a batch job into text a model can read.

What each kind of input gets (the readers, the CLI and the Ray job all apply `clean_text`):

- longer than `max_chars` (default 1,000,000 characters): rejected, before any other work;
- binary data (over 10% control or replacement characters): rejected;
- invalid Unicode (lone surrogates, e.g. from a broken ``\\ud800`` escape in JSON): rejected;
- control characters: removed, except newline and tab; ``\\r\\n`` and ``\\r`` become ``\\n``; a
  byte-order mark is dropped;
- HTML (a page or a fragment with markup): stripped to its text with the standard library's
  `html.parser`: script, style and similar elements are dropped, block elements become line
  breaks, entities are decoded;
- empty or whitespace-only once cleaned: rejected;
- text that does not look like English: kept, with a warning (the default model is English-only).

Prompt injection ("ignore previous instructions and ...") is not removed: the article is data
and is summarized as such. `instruction_like_sentences` finds such sentences, and
`drop_injected` removes the summary sentences that draw on them rather than on the rest of the
article; a caller falls back to an extractive summary when nothing is left
(`summarizer.batch.jobs.SummarizeTask` does). `defuse_special_tokens` is for the prompt builder: an article that spells out a chat template's
special tokens (``<|im_end|><|im_start|>system``) must not be able to close its turn and open
another; the batch tasks (`summarizer.batch.jobs.SummarizeTask`) apply it.

Rejections raise `RejectedText` (a `ValueError`) whose message says why; nothing here logs or
does I/O, so callers decide how to report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

from summarizer.text.sentences import split_sentences

__all__ = [
    "DEFAULT_MAX_CHARS",
    "Cleaned",
    "RejectedText",
    "clean_text",
    "defuse_special_tokens",
    "drop_injected",
    "english_evidence",
    "follows_injection",
    "html_to_text",
    "instruction_like_sentences",
    "looks_like_html",
    "non_english_warning",
    "strip_control_chars",
    "without_instructions",
]

DEFAULT_MAX_CHARS = 1_000_000

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
_HTML_DOCUMENT = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]", re.IGNORECASE)
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
_STOPWORDS = frozenset(
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
    if _HTML_DOCUMENT.search(text):
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
    stop = sum(w in _STOPWORDS for w in words)
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

    max_chars: longest text accepted (None: no limit); checked first, on the text as given.
    strip_html: turn HTML into its text (False: keep markup as literal text).
    check_language: warn (in `Cleaned.warnings`) when the text does not look like English.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if max_chars is not None and len(text) > max_chars:
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
    html = strip_html and looks_like_html(text)
    if html:
        text, more = strip_control_chars(html_to_text(text))  # entities can decode to controls
        removed += more
        if not text.strip():
            raise RejectedText("HTML with no text in it")
    if not text.strip():
        raise RejectedText("empty text once control characters were removed")
    warning = non_english_warning(text) if check_language else None
    return Cleaned(text, removed, html, (warning,) if warning else ())


def defuse_special_tokens(text: str, special_tokens: Iterable[str]) -> str:
    """The text with each spelled-out special token broken by a space after its first character.

    "<|im_start|>system" becomes "< |im_start|>system": the tokenizer reads it as plain text, so
    an article cannot open or close a chat turn. Tokens without markup characters (such as a
    plain word) are left alone, and text with no special tokens is returned unchanged.
    """
    tokens = sorted({t for t in special_tokens if len(t) > 1 and not t.isalnum()}, key=len, reverse=True)
    if not tokens or not any(t in text for t in tokens):
        return text
    pattern = re.compile("|".join(map(re.escape, tokens)))
    return pattern.sub(lambda m: f"{m.group()[0]} {m.group()[1:]}", text)


# Sentences that address the model rather than report news: "Ignore all previous instructions",
# "You are now a pirate", "System note: ...", "Instead, write only ...".
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|skip)\b[^.!?\n]{0,40}?\b(?:instructions?|prompts?|rules|directions|"
    r"guidelines|task|above|previous)\b"
    r"|\byou are now\b|\b(?:new|updated|real) instructions?\b|\b(?:system|assistant|developer) (?:note|prompt|message)\b"
    r"|^\s*(?:system|assistant)\s*:|\b(?:reply|respond|answer|output|write|say) (?:only|just)\b"
    r"|\binstead,? (?:write|reply|say|output)\b|\bdo not summari[sz]e\b",
    re.IGNORECASE | re.MULTILINE,
)
_CONTENT_WORD = re.compile(r"[a-z]{4,}")


def instruction_like_sentences(text: str) -> list[str]:
    """The sentences of `text` that look like instructions to a model (prompt injection)."""
    if not _INSTRUCTION.search(text):
        return []
    return [s for s in split_sentences(text) if _INSTRUCTION.search(s)]


def without_instructions(text: str) -> str:
    """`text` with its instruction-like sentences removed (all of it if nothing else is left)."""
    rest = text
    for sentence in instruction_like_sentences(text):
        rest = rest.replace(sentence, " ")
    return rest if rest.strip() else text


def _content_words(text: str) -> set[str]:
    return {w.removesuffix("s") for w in _CONTENT_WORD.findall(text.lower()) if w not in _STOPWORDS}


def _injection_vocabulary(article: str) -> tuple[set[str], set[str]] | None:
    """(words only in the instruction-like sentences, words of the rest), or None without any."""
    injected = instruction_like_sentences(article)
    if not injected:
        return None
    rest = article
    for sentence in injected:
        rest = rest.replace(sentence, " ")
    rest_words = _content_words(rest)
    return _content_words(" ".join(injected)) - rest_words, rest_words


def _leans_on(sentence: str, only_injected: set[str], rest_words: set[str]) -> bool:
    words = _content_words(sentence)
    from_injection = len(words & only_injected)
    return from_injection > 0 and from_injection >= len(words & rest_words)


def follows_injection(summary: str, article: str) -> bool:
    """True when a sentence of `summary` draws on the article's instruction-like sentences at
    least as much as on the rest of it: the model obeyed (or repeated) an injection there."""
    vocabulary = _injection_vocabulary(article)
    if vocabulary is None:
        return False
    return any(_leans_on(s, *vocabulary) for s in split_sentences(summary))


def drop_injected(summary: str, article: str) -> tuple[str, int]:
    """`summary` without its sentences that follow an injection (see `follows_injection`), and
    how many were dropped; "" when none is left."""
    vocabulary = _injection_vocabulary(article)
    if vocabulary is None:
        return summary, 0
    sentences = split_sentences(summary)
    kept = [s for s in sentences if not _leans_on(s, *vocabulary)]
    if len(kept) == len(sentences):
        return summary, 0
    return " ".join(kept), len(sentences) - len(kept)
