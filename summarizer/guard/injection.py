"""Prompt injection: an article may carry instructions addressed to the model.

The article is data and is summarized as such. `defuse_special_tokens` is for the prompt
builder: an article that spells out a chat template's special tokens
(``<|im_end|><|im_start|>system``) must not be able to close its turn and open another.
`instruction_like_sentences` finds sentences that address the model ("ignore previous
instructions and ..."), `without_instructions` hides them from selection and fallbacks, and
`drop_injected` removes the summary sentences that draw on them rather than on the rest of the
article; the caller falls back to an extractive summary when nothing is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from summarizer.text.cleaning import ENGLISH_STOPWORDS
from summarizer.text.sentences import split_sentences

__all__ = [
    "defuse_special_tokens",
    "drop_injected",
    "follows_injection",
    "instruction_like_sentences",
    "split_injected",
    "without_instructions",
]


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
    return {w.removesuffix("s") for w in _CONTENT_WORD.findall(text.lower()) if w not in ENGLISH_STOPWORDS}


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


def split_injected(summary: str, article: str) -> tuple[str, tuple[str, ...]]:
    """(`summary` without its sentences that follow an injection (see `follows_injection`),
    those sentences); "" when none is left, `summary` unchanged when none follows one."""
    vocabulary = _injection_vocabulary(article)
    if vocabulary is None:
        return summary, ()
    sentences = split_sentences(summary)
    follows = [_leans_on(s, *vocabulary) for s in sentences]
    if not any(follows):
        return summary, ()
    kept = " ".join(s for s, dropped in zip(sentences, follows, strict=True) if not dropped)
    return kept, tuple(s for s, dropped in zip(sentences, follows, strict=True) if dropped)


def drop_injected(summary: str, article: str) -> tuple[str, int]:
    """`summary` without its sentences that follow an injection, and how many were dropped
    (`split_injected` with a count)."""
    text, dropped = split_injected(summary, article)
    return text, len(dropped)
