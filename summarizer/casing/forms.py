"""Case forms of a word: the codes the casing modules share, and applying them.

A form code is `l`, `t` or `u` (lower, Title, UPPER) or, for a mixed form, the form itself
(`McDonald`, `iPhone`). Applying a code changes letter case only, never a character.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "HAS_LETTER",
    "apply_form",
    "capitalize_first",
    "form_code",
    "is_capitalized",
    "join_cased",
    "split_keeping_space",
]

HAS_LETTER = re.compile(r"[^\W\d_]")
_SPLIT_KEEP_SPACE = re.compile(r"(\s+)")


def form_code(form: str) -> str:
    """`l`, `t` or `u` for lower/Title/UPPER forms, else the form itself (McDonald, iPhone)."""
    if form == form.lower():
        return "l"
    if form == form.upper():
        return "u"
    first = HAS_LETTER.search(form)
    if (
        first
        and form[first.start()].isupper()
        and form[first.start() + 1 :] == form[first.start() + 1 :].lower()
    ):
        return "t"
    return form


def apply_form(token: str, code: str) -> str:
    """`token` with the case of form `code`, changing nothing but letter case."""
    if code == "l":
        out = token.lower()
    elif code == "u":
        out = token.upper()
    elif code == "t":
        first = HAS_LETTER.search(token)
        if not first:
            return token
        i = first.start()
        out = token[:i].lower() + token[i].upper() + token[i + 1 :].lower()
    elif len(code) == len(token):
        out = "".join(c.upper() if p.isupper() else c.lower() for c, p in zip(token, code, strict=True))
    else:
        out = token.lower()
    # Some characters change length or identity when case-mapped (ß -> SS): keep the input then.
    return out if len(out) == len(token) and out.lower() == token.lower() else token


def capitalize_first(token: str) -> str:
    first = HAS_LETTER.search(token)
    if not first:
        return token
    i = first.start()
    if token[i].isupper():
        return token
    out = token[:i] + token[i].upper() + token[i + 1 :]
    return out if len(out) == len(token) and out.lower() == token.lower() else token


def is_capitalized(code: str) -> bool:
    return code in ("t", "u") or (code not in ("l",) and code[:1].isupper())


def split_keeping_space(line: str) -> tuple[list[str], list[int]]:
    """A line's pieces (tokens and the whitespace between them, kept exactly) and where its tokens are."""
    pieces = _SPLIT_KEEP_SPACE.split(line)
    return pieces, [k for k, p in enumerate(pieces) if p and not p.isspace()]


def join_cased(lines: Sequence[tuple[list[str], list[int]]], cased: Sequence[Sequence[str]]) -> str:
    """The text again from `split_keeping_space` lines, each line's tokens replaced by `cased`."""
    out = []
    for (pieces, slots), tokens in zip(lines, cased, strict=True):
        pieces = list(pieces)
        for k, token in zip(slots, tokens, strict=True):
            pieces[k] = token
        out.append("".join(pieces))
    return "\n".join(out)

