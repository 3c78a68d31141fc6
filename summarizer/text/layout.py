"""What kind of text an article is: publishable prose, or wire copy that needs normalizing first.

Wire copy (CNN/DailyMail's format, agency feeds) is lowercased, PTB-tokenized (`'s`, `n't`,
` , `, `state - run`, `-lrb-`, ``` `` ``` ... `''`), and often one sentence a line without final
periods. Summarizing it as it is gives lowercase summaries full of PTB artifacts, and a splitter
that looks for periods sees one 300-word sentence. `detect_layout` reads the signs from the
text alone (pure, microseconds per article); `summarizer.casing.wire.wire_to_plain` acts on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["INPUT_FORMATS", "Layout", "detect_layout"]

# What `Summarizer.summarize(input_format=...)` and `--input-format` accept.
INPUT_FORMATS = ("auto", "wire", "plain")

# PTB tokens standing alone between spaces: split clitics and punctuation, bracket and quote codes.
_PTB_TOKEN = re.compile(
    r"(?<!\S)(?:'s|n't|'re|'ll|'ve|'m|'d|,|\.|;|:|\?|!|%|-lrb-|-rrb-|-lsb-|-rsb-|``|'')(?!\S)", re.IGNORECASE
)
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\S+")
# Cased English prose has ~3-5% capital letters; lowercased text has none but the odd stray one.
_MAX_LOWERCASED_UPPER_SHARE = 0.003
_MIN_LETTERS = 40
# Cased prose almost never puts a comma or period alone between spaces; PTB text does it in
# nearly every sentence (~8% of its tokens).
_MIN_PTB_SHARE = 0.02
_MIN_PTB_TOKENS = 2
_SENTENCE_END = re.compile(r"[.!?]['\"’”)\]]*$|[.!?]\s*(?:''|')$")


@dataclass(frozen=True)
class Layout:
    """The signs of wire copy found in one text."""

    lowercased: bool
    tokenized: bool
    # One sentence a line, most lines without a final period (so line ends are sentence ends).
    sentence_lines: bool

    @property
    def is_wire(self) -> bool:
        return self.lowercased or self.tokenized


def detect_layout(text: str) -> Layout:
    """The layout of `text`: lowercased, PTB-tokenized, and/or one sentence a line."""
    letters = _LETTER.findall(text)
    upper = sum(c.isupper() for c in letters)
    lowercased = len(letters) >= _MIN_LETTERS and upper <= _MAX_LOWERCASED_UPPER_SHARE * len(letters)
    words = _WORD.findall(text)
    ptb = len(_PTB_TOKEN.findall(text))
    tokenized = ptb >= _MIN_PTB_TOKENS and ptb >= _MIN_PTB_SHARE * max(len(words), 1)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    unterminated = sum(not _SENTENCE_END.search(line) for line in lines)
    sentence_lines = len(lines) >= 2 and unterminated >= 0.5 * len(lines)
    return Layout(lowercased, tokenized, sentence_lines)
