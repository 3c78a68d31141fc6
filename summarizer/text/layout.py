"""What kind of text an article is: publishable prose, or wire copy that needs normalizing first;
whether its first line is a title, kept apart from the body (`split_title`); and the dateline or
byline an agency or a site puts before the first sentence (`strip_dateline`).

Wire copy (CNN/DailyMail's format, agency feeds) is lowercased, PTB-tokenized (`'s`, `n't`,
` , `, `state - run`, `-lrb-`, ``` `` ``` ... `''`), and often one sentence a line without final
periods. Summarizing it as it is gives lowercase summaries full of PTB artifacts, and a splitter
that looks for periods sees one 300-word sentence. `detect_layout` reads the signs from the
text alone (pure, microseconds per article); `summarizer.casing.wire.wire_to_plain` acts on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["INPUT_FORMATS", "Layout", "detect_layout", "ends_sentence", "split_title", "strip_dateline"]

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


def ends_sentence(line: str) -> bool:
    """The line ends with terminal punctuation (perhaps inside closing quotes or brackets)."""
    return bool(_SENTENCE_END.search(line.rstrip()))


# A title line: a few words on the first line, no final punctuation, then the body.
_MAX_TITLE_WORDS = 25
# A question mark may end a title ("Will Tory tax cuts lift spirits?"); other punctuation not.
_TITLE_END = re.compile(r"[.!,;:…]['\"’”)\]]*$")
# First lines that are page furniture, not titles (XSum's BBC pages, shared/data/summarization).
_FURNITURE = re.compile(
    r"^(?:media playback is (?:not supported|unsupported)|image copyright|image caption)|\blast updated at\b",
    re.IGNORECASE,
)
# A question is a title only when short: a long one is the article's opening sentence.
_MAX_QUESTION_TITLE_WORDS = 12
# Wire copy ends almost none of its lines; a body with lists in it (award winners, results)
# still ends a good share of them.
_MIN_BODY_ENDED = 0.25


def split_title(text: str) -> tuple[str | None, str]:
    """(title, body): the first line when it is a title, else (None, text).

    A title is a first line of 2-25 words without final punctuation (a question mark aside) and
    not page furniture, followed by a body of which at least a quarter of the lines end sentences;
    over wire copy (lowercased, or one unterminated sentence a line) only a short line (at most 12
    words and half the body's median line) is a title, so its lead sentence is not taken for one. Glued to the next sentence, a title would read as a run-on
    ("... IS-held Hit The final push ..."); selection styles would also offer it as a sentence."""
    lines = text.strip().split("\n")
    first = lines[0].strip()
    body_lines = [line.strip() for line in lines[1:] if line.strip()]
    words = len(first.split())
    if not body_lines or not 2 <= words <= _MAX_TITLE_WORDS or _TITLE_END.search(first):
        return None, text
    question = re.search(r"\?['\"’”)\]]*$", first)
    if _FURNITURE.search(first) or (question and words > _MAX_QUESTION_TITLE_WORDS):
        return None, text
    # One sentence broken over two lines (in cased text: lowercased wire copy starts every line so).
    if (body_lines[0][0].islower() and not first.islower()) or body_lines[0][0] in ",;:)]":
        return None, text
    ended = sum(ends_sentence(line) for line in body_lines)
    prose = ended >= max(1, _MIN_BODY_ENDED * len(body_lines)) and not first.islower()
    if not (prose or _short_wire_title(words, body_lines)):
        return None, text
    return first, "\n".join(lines[1:]).strip()


# Wire copy ends no line, so its title is told from its lead by length alone: a headline is
# short, a news lead long (BBC titles ~6 words, their first sentences ~25).
_MAX_WIRE_TITLE_WORDS = 12


def _short_wire_title(words: int, body_lines: list[str]) -> bool:
    lengths = sorted(len(line.split()) for line in body_lines)
    median = lengths[len(lengths) // 2]
    return len(body_lines) >= 2 and words <= _MAX_WIRE_TITLE_WORDS and 2 * words <= median


# What agencies and sites put before an article's first sentence. Reference summaries never
# carry it, and a summary that starts "(CNN)Two passengers ..." reads as a copy-paste error.
_DATELINE = re.compile(
    r"""^\s*(?:
        # "(CNN)", "London (CNN)", "West of Baghdad, Iraq (CNN)", "ROME (Reuters) -", "(CNN) --"
        (?:[A-Z][\w'.-]*,?(?:\s+(?:[A-Z][\w'.-]*|of|de|del|la|al|el|the),?){0,5}\s*)?
        \((?:CNN|Reuters|AP|AFP|UPI|EW\.com|CNN\s+Student\s+News)\)
        \s*(?:--|-|–|—)?
      | # "LONDON -", "WASHINGTON, D.C. --": an all-capitals place, then a dash
        [A-Z][A-Z.'-]+(?:,?\s+[A-Z][A-Z.'-]+){0,3}\s+(?:--|–|—|-)(?=\s+["'“‘]?[A-Z])
      | # Daily Mail: "By . Daily Mail Reporter . PUBLISHED: . 08:39 EST, 5 March 2013 . | . UPDATED: . <same> . "
        By\s\.\s.{0,120}?(?:UPDATED:\s\.\s[^.]{0,60}\.|PUBLISHED:\s\.\s[^.]{0,60}\.(?!\s\|))
      | # "Last updated at 13:58 BST", "29 September 2016 Last updated at 13:58 BST"
        (?:\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s+)?Last\s+updated\s+at\s+\d{1,2}:\d{2}(?:\s+[A-Z]{2,4})?
    )\s*""",
    re.VERBOSE,
)


def strip_dateline(text: str) -> str:
    """`text` without the dateline or byline before its first sentence (none: unchanged)."""
    match = _DATELINE.match(text)
    if match is None or match.end() >= len(text):
        return text
    return text[match.end() :]
