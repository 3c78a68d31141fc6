"""Rule-based sentence splitting for news text.

Used for chunking long articles, extractive baselines and ROUGE-Lsum. It has to work offline
(NLTK's punkt data is a download away, which we cannot rely on), on raw web text, on
PTB-tokenized CNN/DM text (`said . the`), and on XSum text whose sentences are glued together
(`community.Dr Venter`).
"""

from __future__ import annotations

import re

__all__ = ["split_sentences", "unglue"]

# Abbreviations after which a period does not end a sentence. Lowercased, without the dot.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres supt insp
    det cpl pte maj brig no nos vol vols fig figs jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun inc ltd co corp plc llc bros dept univ assn
    vs etc al approx est min max ave blvd rd ln hwy
    u.s u.k u.n e.g i.e a.m p.m d.c
    """.split()
)

# Closing quotes/brackets that belong to the sentence before the split point.
_CLOSERS = "\"'”’»)]"

# A candidate boundary: terminal punctuation (optionally repeated), optional closers, then
# whitespace. PTB text puts a space before the period, which this also accepts.
_BOUNDARY = re.compile(r"([.!?]+|…)(\s''|[" + re.escape(_CLOSERS) + r"]*)(\s+)")

# XSum glue: "community.Dr Venter" - a lowercase letter or digit, a period, then an uppercase
# letter that starts a word. Guard against initials and domains by requiring two lowercase
# letters before the period.
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")


def unglue(text: str) -> str:
    """A space where XSum glued two sentences together ("community.Dr Venter")."""
    return _GLUED.sub(" ", text)


def _ends_with_abbreviation(text: str) -> bool:
    match = re.search(r"(\S+)\s*\.$", text)
    if not match:
        return False
    word = match.group(1).lower().lstrip("(\"'“‘")
    if word in _ABBREVIATIONS:
        return True
    # Single letters ("J. K. Rowling") and dotted initialisms ("U.S.") are not ends of sentences
    # when followed by a capitalised word; we cannot tell reliably, so keep them together.
    return len(word) == 1 and word.isalpha() or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]?", word))


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences, keeping every non-space character exactly once and in order.

    Newlines (paragraph breaks) always end a sentence. Returns [] for blank input.
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\s*\n\s*", text):
        paragraph = unglue(paragraph.strip())
        if not paragraph:
            continue
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            end = match.end(2)
            candidate = paragraph[start:end].strip()
            if not candidate:
                continue
            if match.group(1) == "." and _ends_with_abbreviation(paragraph[start : match.end(1)]):
                continue
            # No check of the next word's case: lowercased PTB text (CNN/DM) has no capitals,
            # and a rare extra split after an unknown abbreviation costs chunking nothing.
            sentences.append(candidate)
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
