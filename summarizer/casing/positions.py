"""Where a token sits in its line: the position kinds that decide sentence-start capitals, and a
token's neighbours as the count tables key them.

Kinds: START (first word of a line, after . ! ?, or after a dateline such as `( cnn ) --`), MID
(running text), and the kinds whose capital rates the counts learn: after a colon, first word
inside a quote, after a quote, after a dash, an ellipsis, a bracket; CLOSED_QUOTE (right after a
quote that closes straight after a word) capitalizes only typical sentence openers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.casing.forms import HAS_LETTER

__all__ = ["CLOSED_QUOTE", "MID", "SENTENCE_OPENERS", "START", "is_split_clitic", "neighbours", "position_kinds"]

# Position kinds. START: first word of a line or after . ! ?; the others are learned.
START, MID, COLON, QUOTE, AFTER_QUOTE, DASH, ELLIPSIS, BRACKET = "S", "M", "C", "Q", "A", "D", "E", "B"
# Right after a quote that closes straight after a word (`a ` gold digger ' who`). In articles
# the sentence goes on; in highlights a period is often missing there (`beside himself ' His
# lawyer`), so only words that typically open a sentence are capitalized.
CLOSED_QUOTE = "K"
SENTENCE_OPENERS = frozenset(
    "the he she it they his her but we this these those their there its our my you your".split()
)
_SENTENCE_END = frozenset({".", "!", "?", "?!", "!!", "!!!", "??"})
_ELLIPSES = frozenset({"...", "..", "…"})
_OPEN_QUOTES = frozenset({"``", "`", '"', "“", "‘"})
_OPEN_BRACKETS = frozenset({"-lrb-", "-lsb-", "-lcb-", "(", "[", "{"})
_DASHES = frozenset({"--", "-", "—", "–"})
_CLOSE_BRACKETS = frozenset({"-rrb-", "-rsb-", "-rcb-", ")", "]", "}"})
_APOSTROPHES = frozenset({"'", "’"})
# What a split clitic follows: an apostrophe, or a backtick typed for one (`apple ` s battery`).
_CLITIC_MARKS = _APOSTROPHES | {"`"}
_CLITIC_PARTS = frozenset({"s", "t", "re", "ll", "ve", "d", "m"})


def position_kinds(lower_tokens: Sequence[str]) -> list[str]:
    """The position kind of each token of one line (see the module docstring)."""
    kinds: list[str] = []
    pending = START  # the kind the next word gets
    single_open = False
    prev_word_like = False
    for i, token in enumerate(lower_tokens):
        if token in _SENTENCE_END:
            kinds.append(MID)
            pending, prev_word_like = START, False
            continue
        if token in _ELLIPSES:
            kinds.append(MID)
            pending, prev_word_like = (START if pending == START else ELLIPSIS), False
            continue
        if token == ":":
            kinds.append(MID)
            pending, prev_word_like = COLON, False
            continue
        if token in _DASHES:
            kinds.append(MID)
            if pending == MID:
                pending = DASH
            prev_word_like = False
            continue
        if token in _OPEN_BRACKETS:
            kinds.append(MID)
            if pending == MID:
                pending = BRACKET
            prev_word_like = False
            continue
        if token in ("'", "''", "’"):
            nxt = lower_tokens[i + 1] if i + 1 < len(lower_tokens) else ""
            opening = (
                token == "'"
                and not single_open
                and not prev_word_like
                and HAS_LETTER.search(nxt) is not None
            )
            kinds.append(MID)
            if opening:
                single_open = True
                if pending == MID:
                    pending = QUOTE
            else:
                if token == "'":
                    single_open = False
                if pending in (START, AFTER_QUOTE):
                    pending = AFTER_QUOTE if i > 0 else START
                elif pending == MID and prev_word_like:
                    pending = CLOSED_QUOTE
            prev_word_like = False
            continue
        if token in _OPEN_QUOTES:
            kinds.append(MID)
            nxt = lower_tokens[i + 1] if i + 1 < len(lower_tokens) else ""
            if token == "`" and prev_word_like and nxt in _CLITIC_PARTS:
                prev_word_like = False  # `apple ` s battery`: a backtick typed for an apostrophe
                continue
            if token == "`":
                single_open = True
            if pending == MID:
                pending = QUOTE
            prev_word_like = False
            continue
        if HAS_LETTER.search(token) or any(c.isdigit() for c in token):
            if is_split_clitic(lower_tokens, i):
                kinds.append(MID)  # `club ’ s`: a split clitic, not a word after a quote
                pending, prev_word_like = MID, True
                continue
            kinds.append(pending)
            pending, prev_word_like = MID, True
        else:
            kinds.append(MID)
            if pending == CLOSED_QUOTE:  # `did '' , he told`: a comma after the quote goes on
                pending = MID
            prev_word_like = False
    _dateline_starts(lower_tokens, kinds)
    return kinds


def _dateline_starts(lower_tokens: Sequence[str], kinds: list[str]) -> None:
    """`( cnn ) the ...`, `london , england -lrb- cnn -rrb- -- the ...`: the word after a one-word
    bracket near the start of a line (and an optional dash) starts the article's first sentence."""
    for j in range(min(len(lower_tokens) - 3, 8)):
        if lower_tokens[j] in _OPEN_BRACKETS and lower_tokens[j + 2] in _CLOSE_BRACKETS:
            k = j + 3
            if k < len(lower_tokens) and lower_tokens[k] in _DASHES:
                k += 1
            if k < len(lower_tokens) and HAS_LETTER.search(lower_tokens[k]) and (j == 0 or k > j + 3):
                kinds[k] = START
            return


_NUMBER = re.compile(r"^[+-]?\d[\d,.:/]*$")


def context_word(token: str) -> str:
    return "<num>" if _NUMBER.match(token) else token


def neighbours(lower: Sequence[str], i: int) -> tuple[str, str]:
    """The previous and next token as context keys (`<s>`/`</s>` at the ends)."""
    prev = context_word(lower[i - 1]) if i > 0 else "<s>"
    nxt = context_word(lower[i + 1]) if i + 1 < len(lower) else "</s>"
    return prev, nxt



def is_split_clitic(lower: Sequence[str], i: int) -> bool:
    """`club ’ s`: token i is the clitic of a split `’s`, lowercase whatever else holds."""
    return lower[i] in _CLITIC_PARTS and i > 1 and lower[i - 1] in _CLITIC_MARKS and bool(
        HAS_LETTER.search(lower[i - 2])
    )
