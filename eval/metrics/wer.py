"""Word error rate of normalized text against the published text (end-to-end casing + spacing).

Words are whitespace tokens, compared exactly (case, punctuation and attached spacing count:
`state-run` against `state - run` is one substitution and two insertions). Errors are the
substitutions, insertions and deletions of `difflib.SequenceMatcher`'s alignment (a replaced
block of n words against m costs max(n, m)), which on whole articles matches the Levenshtein
distance up to rare ties. Counts are additive; the rate is errors / reference words.

`published_form` maps the characters that PTB tokenization replaces irreversibly (curly quotes,
em/en dashes, the ellipsis character, no-break spaces) to what the detokenizer writes, so that
those mappings, which no casing or spacing decision can undo, are not counted as errors.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import astuple, dataclass

__all__ = ["WordErrors", "published_form", "word_errors"]

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "`": "'"})
_DASHES = re.compile(r"\s*(?:—|–|―|--+)\s*")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060\ufeff]")


@dataclass(frozen=True)
class WordErrors:
    errors: int = 0
    reference_words: int = 0

    def __add__(self, other: WordErrors) -> WordErrors:
        if not isinstance(other, WordErrors):
            return NotImplemented
        return WordErrors(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __radd__(self, other: object) -> WordErrors:
        if other == 0:
            return self
        return NotImplemented

    @property
    def rate(self) -> float | None:
        return self.errors / self.reference_words if self.reference_words else None


def published_form(text: str) -> str:
    """`text` with the characters PTB tokenization cannot give back mapped as the detokenizer
    writes them (quotes straight, dashes ` -- `, `…` -> `...`), whitespace collapsed."""
    text = _INVISIBLE.sub("", text).translate(_QUOTES).replace("…", "...")
    return _SPACES.sub(" ", _DASHES.sub(" -- ", text)).strip()


def word_errors(hypothesis: str, reference: str) -> WordErrors:
    """Substitutions + insertions + deletions turning `reference` into `hypothesis` (words)."""
    hyp, ref = hypothesis.split(), reference.split()
    errors = 0
    matcher = difflib.SequenceMatcher(None, ref, hyp, autojunk=False)
    for op, r0, r1, h0, h1 in matcher.get_opcodes():
        if op != "equal":
            errors += max(r1 - r0, h1 - h0)
    return WordErrors(errors=errors, reference_words=len(ref))
