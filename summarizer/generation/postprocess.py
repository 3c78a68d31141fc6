"""Clean generated text into the shape a style promises (pure functions)."""

from __future__ import annotations

import re

from summarizer.config import StyleConfig
from summarizer.text.layout import strip_dateline
from summarizer.text.sentences import split_sentences

__all__ = ["clean_output", "drop_unfinished", "end_headline", "past_limit", "shorten_at_clause", "trim_words"]

# Chat models like to announce what they are about to do ("Here is a summary of the article:").
_PREAMBLE = re.compile(
    r"^\s*(?:(?:here(?:'s| is| are)\b[^:\n]{0,80}:)|(?:(?:summary|headline|highlights?)\s*:))\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)


# Words that open a new clause or phrase: a cut just before one leaves a complete phrase
# ("ISIS fighters flee Tikrit | as Iraqi soldiers advance", "... in the United States | on Monday").
_CLAUSE_OPENERS = frozenset(
    "and but or nor as while when whereas after before because although though since until unless "
    "which who whom whose where that if so yet with without amid despite".split()
)
# Prepositions open a phrase: a weaker boundary, used only where no clause boundary is in reach
# ("in Tikrit, | a city of" cuts at the comma, not before "of").
_PHRASE_OPENERS = frozenset(
    "to on in at of for from by than into onto over under about against between during through "
    "across along around behind beyond near toward towards upon via within".split()
)
# A phrase does not end on these (a cut "... to be a | better finisher" would).
_NO_PHRASE_END = (
    frozenset("a an the his her its their our my your this that these those".split())
    | _CLAUSE_OPENERS
    | _PHRASE_OPENERS
)
# Nor does a headline end on an auxiliary, a pronoun or a quantifier: "... is being", "... support
# for those most" leave the reader waiting for the rest.
_NO_HEADLINE_END = _NO_PHRASE_END | frozenset(
    "is are was were be been being has have had will would can could may might shall should must do "
    "does did not no most than how what why very it he she they we i".split()
)
_PASSIVE_AUX = frozenset("is are was were be been being".split())
# A subject ends before its finite verb: the noun phrase before it stands as a headline.
_FINITE_VERBS = frozenset("is are was were has have had will would could can may might must should".split())
_OPENING_QUOTES = "\"'“‘"
_CLOSING_QUOTES = "\"'”’"
_CLAUSE_PUNCT = re.compile(r"[,;:]$")
_DASHES = frozenset({"-", "--", "–", "—"})


def _bare(word: str) -> str:
    """A word as the end-of-phrase lists hold it: lowercased, without closing quotes or punctuation."""
    return word.lower().strip("\"'”’),;:")


def _cut_points(words: list[str], max_words: int, min_words: int | None = None,
                no_end: frozenset[str] = _NO_PHRASE_END) -> tuple[list[int], list[int]]:
    """Word counts, longest first, from `max_words` down to `min_words` (default: half of
    `max_words`), after which `words` may be cut: (at a clause boundary: after , ; : or before
    a dash or clause opener; at a phrase boundary: before a preposition). A cut never ends on a
    word of `no_end` (an article or an opener)."""
    clause, phrase = [], []
    lowest = max(1, max_words // 2) if min_words is None else min_words
    for end in range(max_words, lowest - 1, -1):
        following = words[end].lower().strip("\"'“‘(")
        if _bare(words[end - 1]) in no_end:
            continue
        if _CLAUSE_PUNCT.search(words[end - 1]) or following in _CLAUSE_OPENERS or following in _DASHES:
            clause.append(end)
        elif following in _PHRASE_OPENERS:
            phrase.append(end)
    return clause, phrase


def shorten_at_clause(sentence: str, max_words: int) -> str:
    """The longest start of `sentence` of at most `max_words` words that ends a clause, else a
    phrase (`_cut_points`), with a final period; its words are the sentence's own. Without such
    a point in the second half of the limit, the first `max_words` words."""
    words = sentence.split()
    if len(words) <= max_words:
        return sentence
    clause, phrase = _cut_points(words, max_words)
    if not clause and not phrase:
        return " ".join(words[:max_words])
    head = " ".join(words[: (clause or phrase)[0]]).rstrip(",;: ")
    return head if head.endswith((".", "!", "?")) else head + "."


def _open_quote(words: list[str]) -> bool:
    """A quotation opened (a word starting with a quote) and not closed by the end of `words`."""
    opened = closed = 0
    for word in (w.rstrip(",;:.!?") or w for w in words):
        starts, ends = word[0] in _OPENING_QUOTES, len(word) > 1 and word[-1] in _CLOSING_QUOTES
        opened += starts and not ends
        closed += ends and not starts
    return opened > closed


def _strands_passive(words: list[str], end: int) -> bool:
    """A cut before "by" right after a passive verb ("... is being led | by the elite service"):
    the reader is left without the doer."""
    return _bare(words[end]) == "by" and any(_bare(w) in _PASSIVE_AUX for w in words[max(0, end - 3):end - 1])


def _headline_ends(words: list[str], high: int, low: int) -> list[list[int]]:
    """Where a headline may end, from `high` words down to `low`, best kind first: clause
    boundaries, phrase boundaries (not one that strands a passive verb), the end of the subject
    before its finite verb ("The final push to retake Hit | is being led by ..."), then any word
    a phrase may end on."""
    if high < low:
        return []
    clause, phrase = _cut_points(words, high, min_words=low, no_end=_NO_HEADLINE_END)
    phrase = [e for e in phrase if not _strands_passive(words, e)]
    subject = [e for e in range(high, max(low, 3) - 1, -1)
               if _bare(words[e]) in _FINITE_VERBS and _bare(words[e - 1]) not in _NO_HEADLINE_END]
    ends = [e for e in range(high, low - 1, -1) if _bare(words[e - 1]) not in _NO_HEADLINE_END]
    return [clause, phrase, subject, ends]


def end_headline(text: str, max_words: int | None, *, truncated: bool = False) -> str:
    """A one-line text (a headline) of at most `max_words` words that ends on a complete phrase.

    A text the model finished (EOS) within the limit is kept. Otherwise, of the text's own
    words: the longest start that ends at a clause boundary, else a phrase boundary (in the
    second half of the limit first, then anywhere from three words), else at any word that may
    end a phrase: never an article, auxiliary, pronoun or opener, nor inside a quotation;
    failing all that, the words that fit.
    truncated: the token limit stopped the model, so the last word may be cut mid-way and is
    never kept.
    """
    words = text.split()
    usable = len(words) - 1 if truncated else len(words)
    limit = usable if max_words is None else min(max_words, usable)
    if not truncated and len(words) <= limit:
        return text
    if limit < 1:
        return text if not truncated else ""
    half = max(1, limit // 2)
    for group in [*_headline_ends(words, limit, half), *_headline_ends(words, half - 1, 2)]:
        for end in group:
            if not _open_quote(words[:end]):
                return " ".join(words[:end]).rstrip(",;: ")
    return " ".join(words[:limit])


def trim_words(text: str, max_words: int) -> str:
    """At most `max_words` words: whole sentences where they fit, else the first sentence cut
    at a clause boundary (`shorten_at_clause`)."""
    if len(text.split()) <= max_words:
        return text
    kept: list[str] = []
    count = 0
    sentences = split_sentences(text)
    for sentence in sentences:
        n = len(sentence.split())
        if count + n > max_words:
            break
        kept.append(sentence)
        count += n
    if kept:
        return " ".join(kept)
    return shorten_at_clause(sentences[0] if sentences else text, max_words)


def drop_unfinished(text: str) -> str:
    """Drop a last sentence that the token limit cut off, if an earlier sentence is complete."""
    sentences = split_sentences(text)
    if len(sentences) > 1 and not re.search(r"[.!?]['\"’”)]*$", sentences[-1]):
        return " ".join(sentences[:-1])
    return text


_QUOTES = "\"'“”‘’"


def _unwrap(text: str) -> str:
    """A headline without quotes wrapped around all of it, or left dangling at one end; a quote
    that closes a quoted phrase inside it ("... been 'too lean'") stays."""
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        return text[1:-1].strip()
    if text[:1] in _QUOTES and sum(c in _QUOTES for c in text) == 1:
        return text[1:].strip()
    if text[-1:] in _QUOTES and sum(c in _QUOTES for c in text) == 1:
        return text[:-1].strip()
    return text


def past_limit(text: str, style: StyleConfig) -> bool:
    """Whether generation may stop: `text` has begun a line (single-line styles) or a sentence
    (`max_sentences`) that `clean_output` would cut off anyway."""
    text = _BULLET.sub("", _PREAMBLE.sub("", text.lstrip(), count=1))
    if style.single_line:
        return "\n" in text.strip()
    return style.max_sentences is not None and len(split_sentences(text)) > style.max_sentences


def _one_line(text: str, max_words: int | None, truncated: bool) -> str:
    """A headline: the first line, unwrapped from quotes, ended where a phrase ends
    (`end_headline`) and without a final period or a dangling comma or dash."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Only the last line can have been cut by the token limit.
    truncated = truncated and len(lines) == 1
    text = _unwrap((lines[0] if lines else "").strip("*#").strip())
    text = " ".join(re.sub(r"\.$", "", text).split())
    text = end_headline(text, max_words, truncated=truncated)
    return re.sub(r"[\s,;:.\-–—]+$", "", text)


def clean_output(text: str, style: StyleConfig, max_words: int | None = None, *, truncated: bool = False) -> str:
    """Strip chat preambles, list bullets and quotes; enforce sentence, line and word limits.

    truncated: generation stopped at max_new_tokens, so the last sentence may be unfinished.
    """
    text = _PREAMBLE.sub("", text.strip(), count=1)
    text = strip_dateline(_BULLET.sub("", text))  # a model may copy the source's "(CNN)"
    if style.single_line:
        return _one_line(text, max_words, truncated)
    text = " ".join(text.split())
    if truncated:
        text = drop_unfinished(text)
    if style.max_sentences is not None:
        text = " ".join(split_sentences(text)[: style.max_sentences])
    if max_words is not None:
        text = trim_words(text, max_words)
    return text
