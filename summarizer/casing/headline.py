"""Headline casing: AP-style title case and sentence case.

    >>> headline_case("obama's iphone plan for the u.s. is sent to mcdonald's", "title")
    "Obama's iPhone Plan for the U.S. Is Sent to McDonald's"
    >>> headline_case("Bill Changing Credit Card Rules Is Sent to Obama", "sentence")
    'Bill changing credit card rules is sent to Obama'

Title style (AP): every word is capitalized except articles, and conjunctions and prepositions
of three letters or fewer (`a an the and but or nor for as at by in of on to per via vs`),
which stay lowercase unless they are the first or last word or follow a colon. `up`, `out` and
`off` are capitalized: in headlines they are nearly always adverbs (`Toughens Up`). Each part
of a hyphenated compound is treated as a word (`State-Run`, `39-Year-Old`, `Mother-of-Two`).
Words that already carry a capital beyond their first letter (`iPhone`, `McDonald's`,
`NASA`, `U.S.`) are kept as they are; only the first letter of other words is raised.

Sentence style: the first word is capitalized; other words keep their capitals only when the
statistical truecaser says they are normally capitalized in that context (proper nouns), or
when they are acronyms or mixed case, or when the model does not know them and the headline
is not in title case (there an unknown capitalized word is most likely a name; in a title-cased
headline the model's guess for unknown words decides). Text that is all lowercase or all uppercase carries no case
information, so it is first cased by the truecaser. `names` (for a summary:
`source_names(article)`, what the article capitalizes mid-sentence) keep their capitals.

Only letter case changes: `headline_case(x, style).lower() == x.lower()`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from summarizer.casing.decoder import shipped_table
from summarizer.casing.truecaser import StatisticalTruecaser
from summarizer.text.sentences import split_sentences

__all__ = ["headline_case", "source_names"]

_SMALL_WORDS = frozenset("a an the and but or nor for as at by in of on to per via vs vs. v v. en".split())
_CHUNKS = re.compile(r"(\s+)")
_LEADING = re.compile(r"^[^\w]*")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$", re.IGNORECASE)


def _split_core(chunk: str) -> tuple[str, str, str]:
    """(leading punctuation, word, trailing punctuation) of one whitespace-separated chunk."""
    lead = _LEADING.match(chunk).group()
    rest = chunk[len(lead) :]
    end = len(rest)
    while end > 0 and not (
        rest[end - 1].isalnum() or (rest[end - 1] == "." and re.search(r"\w\.\w\.?$", rest[:end]))
    ):
        end -= 1
    return lead, rest[:end], rest[end:]


def _copy_case(word: str, pattern: str) -> str:
    """`word` with the letter case of `pattern`, position by position (the rest lowercase)."""
    out = "".join(c.upper() if i < len(pattern) and pattern[i].isupper() else c for i, c in enumerate(word))
    return out if len(out) == len(word) and out.lower() == word.lower() else word


def _has_inner_capital(word: str) -> bool:
    """A capital anywhere but the first letter of a (hyphen) part: iPhone, McDonald, NASA, U.S."""
    for part in word.split("-"):
        letters = [c for c in part if c.isalpha()]
        if any(c.isupper() for c in letters[1:]):
            return True
    return False


def _looks_title_cased(words: list[tuple[int, str, str, str]]) -> bool:
    """Most words after the first capitalized: capitals then say little about proper nouns."""
    content = [w for _, _, w, _ in words[1:] if w.lower() not in _SMALL_WORDS]
    capitalized = sum(1 for w in content if w[:1].isupper())
    return len(content) >= 2 and capitalized >= 0.75 * len(content)


def _capitalize(word: str) -> str:
    for i, c in enumerate(word):
        if c.isalpha():
            out = word[:i] + c.upper() + word[i + 1 :]
            return out if len(out) == len(word) and out.lower() == word.lower() else word
    return word


def _title_part(part: str, force: bool) -> str:
    if not part or not (part[0].isalpha() or part[:1] in "'’"):
        return part  # 3-D, 401(k), 76ers
    if _has_inner_capital(part):
        return part
    if not force and part.lower() in _SMALL_WORDS:
        return part.lower()
    return _capitalize(part)


def _words(text: str) -> list[tuple[int, str, str, str]]:
    """(chunk index, lead, word, trail) for each chunk of `text` split on whitespace."""
    chunks = _CHUNKS.split(text)
    out = []
    for k, chunk in enumerate(chunks):
        if chunk and not chunk.isspace():
            lead, word, trail = _split_core(chunk)
            out.append((k, lead, word, trail))
    return out


def _title(text: str) -> str:
    chunks = _CHUNKS.split(text)
    words = [w for w in _words(text) if any(c.isalnum() for c in w[2])]
    after_colon = True  # the first word is treated like a word after a colon
    for n, (k, lead, word, trail) in enumerate(words):
        last = n == len(words) - 1  # AP: the last word, even when a number ends the line
        parts = word.split("-")
        cased = [
            _title_part(part, force=(j == 0 and after_colon) or (j == len(parts) - 1 and last))
            for j, part in enumerate(parts)
        ]
        chunks[k] = lead + "-".join(cased) + trail
        after_colon = trail.rstrip("'\"’”)").endswith((":", "—", "–"))
    return "".join(chunks)


def source_names(article: str) -> frozenset[str]:
    """Words the article capitalizes where no sentence starts: its names, as the writer cased
    them (`Hit`, the Iraqi town, which the counts alone would take for the verb)."""
    names = set()
    for sentence in split_sentences(article):
        for _, _, word, _ in _words(sentence)[1:]:
            if word[:1].isupper():
                names.add(_POSSESSIVE.sub("", word))
    return frozenset(names)


def _sentence(text: str, truecaser: StatisticalTruecaser, names: Collection[str] = ()) -> str:
    chunks = _CHUNKS.split(text)
    words = [w for w in _words(text) if any(c.isalpha() for c in w[2])]
    if not words:
        return text
    keys = [_POSSESSIVE.sub("", word).lower() or word.lower() for _, _, word, _ in words]
    predicted = truecaser.restore_tokens(keys)
    title_cased = _looks_title_cased(words)
    for n, ((k, lead, word, trail), key, pred) in enumerate(zip(words, keys, predicted, strict=True)):
        known = (
            title_cased or key in truecaser.forms or all(p in truecaser.forms for p in key.split("-") if p)
        )
        if n == 0:
            out = word if _has_inner_capital(word) else _capitalize(word)
            if not _has_inner_capital(word) and not any(c.isupper() for c in pred[1:]):
                out = _capitalize(word[:1] + word[1:].lower()) if word[:1].isalpha() else out
        elif _has_inner_capital(word) or _POSSESSIVE.sub("", word) in names:
            out = word  # acronyms and mixed case (iPhone, NASA, McDonald's); the source's names
        elif not any(c.isupper() for c in word):
            out = word  # the writer left it lowercase
        elif not known:
            out = word  # an unknown capitalized word in a sentence-cased line: most likely a name
        else:
            # Known word: keep the capital only where the model capitalizes it here.
            parts = word.split("-")
            pred_parts = pred.split("-")
            if len(parts) == len(pred_parts):
                out = "-".join(
                    p if any(c.isupper() for c in q) else p.lower()
                    for p, q in zip(parts, pred_parts, strict=True)
                )
            else:
                out = word if any(c.isupper() for c in pred) else word.lower()
        chunks[k] = lead + out + trail
    return "".join(chunks)


def headline_case(
    text: str,
    style: Literal["sentence", "title"] = "sentence",
    *,
    truecaser: StatisticalTruecaser | None = None,
    names: Collection[str] = (),
) -> str:
    """Case a headline in `style` ("sentence" or "title"); only letter case changes.

    `truecaser` decides which words are proper nouns (default: the shipped model); `names`
    (e.g. `source_names(article)`) are kept capitalized whatever it says.
    """
    if not isinstance(text, str):
        raise TypeError(f"headline_case expects a str, got {type(text).__name__}")
    if style not in ("sentence", "title"):
        raise ValueError(f"style must be 'sentence' or 'title', got {style!r}")
    if not text.strip():
        return text
    model = truecaser or shipped_table()
    letters = [c for c in text if c.isalpha()]
    if letters and (all(c.islower() for c in letters) or all(c.isupper() for c in letters)):
        text = _case_from_model(text, model)
    out = _title(text) if style == "title" else _sentence(text, model, names)
    # Guard the contract: only letter case may differ.
    return out if out.lower() == text.lower() else text


def _case_from_model(text: str, model: StatisticalTruecaser) -> str:
    """Case uncased text word by word with the truecaser (names get their capitals back)."""
    chunks = _CHUNKS.split(text)
    words = [w for w in _words(text) if any(c.isalpha() for c in w[2])]
    keys = [_POSSESSIVE.sub("", word).lower() or word.lower() for _, _, word, _ in words]
    predicted = model.restore_tokens(keys)
    for (k, lead, word, trail), pred in zip(words, predicted, strict=True):
        lowered = word.lower()
        chunks[k] = lead + _copy_case(lowered, pred) + trail
    return "".join(chunks)
