"""Faithfulness signals that need no model: entity and number precision against the source.

Entity precision (project definition): the share of the summary's capitalized mid-sentence names
that occur in the source. A name is a run of consecutive capitalized tokens inside a sentence
(from `split_sentences`), skipping the sentence's first word and words right after an opening
quote or a colon unless the next word continues the name (`Anuradha Koirala said`); a trailing
possessive is dropped and ends the name (`Kilmarnock's` -> `Kilmarnock`). It occurs in
the source when its words (see `text_stats.words`) appear there contiguously, case-insensitively,
so a lowercased or sentence-capitalized source works. The summary side needs real casing: for an
all-lowercase system, restore case first (the harness uses the `truecase` package) or skip it.

Number precision: the share of the summary's numbers whose value occurs among the source's
numbers. Digits (`40,000`, `2.5`), spelled cardinals (`two` ... `ninety-nine`, `hundred`,
`thousand`, `million`, `billion`, `trillion`) and `m`/`bn`/`k` suffixes are normalized to one value,
so `£2.5m`, `2.5 million` and `2,500,000` match. A bare `one` is skipped (it is mostly a pronoun).
Casing plays no part, so it works on lowercased output too.

The run-time guard also checks spans of time (`extract_durations`: "three decades" and "30 years"
are both "30 years"): a sentence whose span the source never gives is dropped even when the
number itself occurs elsewhere in the source ("thirty decades ago" against "three decades ago"
and "30-60%"). Ages ("a 27-year-old") are not spans.

Both count distinct items per summary; the value is None when the summary has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from summarizer.text.sentences import split_sentences
from summarizer.text.tokens import ngrams, words

__all__ = [
    "Checked",
    "Precision",
    "drop_unsupported",
    "duration_precision",
    "entity_precision",
    "extract_durations",
    "extract_entities",
    "extract_numbers",
    "number_precision",
    "unsupported_items",
]


@dataclass(frozen=True)
class Precision:
    """`matched` of `total` distinct summary items occur in the source; `unsupported` lists the rest."""

    matched: int
    total: int
    unsupported: tuple[str, ...] = ()

    @property
    def value(self) -> float | None:
        return self.matched / self.total if self.total else None


# ---------------------------------------------------------------------------------------------
# Numbers

_UNITS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * (i + 2)
    for i, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SUFFIXES = {"k": 10**3, "m": 10**6, "bn": 10**9}
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def _digit_value(token: str) -> float | str:
    """`40,000` -> 40000.0, `2.5` -> 2.5; times such as `10:30` stay strings."""
    if ":" in token:
        return token
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
        token = token.replace(",", "")
    elif "," in token:  # not a thousands separator: keep the text as is
        return token
    if token.count(".") > 1:
        return token
    return float(token)


def _format(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _number_spans(tokens: list[str]) -> Iterator[tuple[int, float | str]]:
    """(index of the token after the number, its value) for each number in `tokens`."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _DIGITS.fullmatch(token) or ":" in token and token[0].isdigit():
            value = _digit_value(token)
            i += 1
            if not isinstance(value, str):
                while i < len(tokens) and (tokens[i] in _SCALES or tokens[i] in _SUFFIXES):
                    value *= _SCALES.get(tokens[i]) or _SUFFIXES[tokens[i]]
                    i += 1
            yield i, value
            continue
        if token in _UNITS or token in _TENS:
            total, current, used = 0, 0, []
            while i < len(tokens) and (tokens[i] in _UNITS or tokens[i] in _TENS or tokens[i] in _SCALES):
                word = tokens[i]
                if word in _UNITS:
                    current += _UNITS[word]
                elif word in _TENS:
                    current += _TENS[word]
                elif word == "hundred":
                    current = max(current, 1) * 100
                else:
                    total += max(current, 1) * _SCALES[word]
                    current = 0
                used.append(word)
                i += 1
            if used != ["one"]:
                yield i, float(total + current)
            continue
        i += 1


def extract_numbers(text: str) -> list[str]:
    """Normalized numbers in order of appearance (duplicates kept)."""
    return [_format(value) for _, value in _number_spans(words(text))]


# A span of time, in a base unit: "thirty decades" is not "three decades", though the article may
# hold a 30 elsewhere ("30-60%"), which is all the number check asks for.
_DURATIONS = {
    **dict.fromkeys(("year", "years"), (1, "years")), **dict.fromkeys(("decade", "decades"), (10, "years")),
    **dict.fromkeys(("century", "centuries"), (100, "years")), **dict.fromkeys(("month", "months"), (1, "months")),
    **dict.fromkeys(("week", "weeks"), (7, "days")), **dict.fromkeys(("day", "days"), (1, "days")),
    **dict.fromkeys(("hour", "hours"), (60, "minutes")), **dict.fromkeys(("minute", "minutes"), (1, "minutes")),
}


def extract_durations(text: str) -> list[str]:
    """Spans of time in a base unit, in order: "three decades" and "30 years" are both "30 years"."""
    tokens = words(text)
    found = []
    for end, value in _number_spans(tokens):
        # "a 27-year-old" is an age, which the source gives as "27," as often as not.
        if (not isinstance(value, str) and end < len(tokens) and tokens[end] in _DURATIONS
                and tokens[end + 1:end + 2] != ["old"]):
            factor, unit = _DURATIONS[tokens[end]]
            found.append(f"{_format(value * factor)} {unit}")
    return found


def duration_precision(summary: str, source: str) -> Precision:
    """The share of the summary's spans of time ("30 years") that the source gives too."""
    spans = list(dict.fromkeys(extract_durations(summary)))
    known = set(extract_durations(source))
    unsupported = tuple(d for d in spans if d not in known)
    return Precision(matched=len(spans) - len(unsupported), total=len(spans), unsupported=unsupported)


def number_precision(summary: str, source: str) -> Precision:
    summary_numbers = list(dict.fromkeys(extract_numbers(summary)))
    source_numbers = set(extract_numbers(source))
    unsupported = tuple(n for n in summary_numbers if n not in source_numbers)
    return Precision(
        matched=len(summary_numbers) - len(unsupported), total=len(summary_numbers), unsupported=unsupported
    )


# ---------------------------------------------------------------------------------------------
# Entities

_OPENERS = "\"'“‘`«(["
_STRIP = "\"'“”‘’`«»()[]{}.,;:!?*"
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
# PTB bracket tokens, unknown-word markers and the pronoun I are capitalized but are not names.
_NOT_NAMES = frozenset({"I", "UNK", "-LRB-", "-RRB-", "-LSB-", "-RSB-", "-LCB-", "-RCB-"})
# Capitalized sentence-initial function words never start a name ("The BBC" -> "bbc").
_NOT_NAME_STARTS = frozenset(
    "the a an and but or so as at by for from in into of on to with after before when while if "
    "this that these those his her its their our my your he she it they we you there here".split()
)


def _is_capitalized(core: str) -> bool:
    return bool(core) and core[0].isupper() and any(ch.isalpha() for ch in core) and core not in _NOT_NAMES


def extract_entities(text: str, split: Callable[[str], list[str]] = split_sentences) -> list[str]:
    """Capitalized mid-sentence names, each as space-joined lowercase words, in order.

    A capitalized first word of a sentence (or after a quote or colon) is not a name by itself,
    but joins the name that directly follows it: "Anuradha Koirala said" -> "anuradha koirala".
    """
    entities: list[str] = []
    for sentence in split(text):
        span: list[str] = []
        pending: str | None = None
        seen_word = False
        after_opener = False
        for token in sentence.split():
            core = token.strip(_STRIP)
            starts_quoted = token[0] in _OPENERS and token[0] not in "(["
            capitalized = _is_capitalized(core)
            mid_sentence = seen_word and not after_opener and not starts_quoted
            possessive = bool(_POSSESSIVE.search(core))
            glued_end = token != token.rstrip(".,;:!?)]”’\"'")
            if capitalized and mid_sentence:
                if not span and pending:
                    span.append(pending)
                span.append(_POSSESSIVE.sub("", core))
            can_start = capitalized and not mid_sentence and core.lower() not in _NOT_NAME_STARTS
            pending = core if can_start and not glued_end and not possessive else None
            # The name ends at a non-name token, a possessive, or punctuation glued to its end.
            if (not (capitalized and mid_sentence) or glued_end or possessive) and span:
                entities.append(" ".join(words(" ".join(span))))
                span = []
            if any(ch.isalnum() for ch in token):
                seen_word = True
            after_opener = token in {"``", "`", '"', "“", "‘", "'", ":", "--"} or token.endswith(":")
        if span:
            entities.append(" ".join(words(" ".join(span))))
    return [entity for entity in entities if entity]


def entity_precision(
    summary: str, source: str, split: Callable[[str], list[str]] = split_sentences
) -> Precision:
    entities = list(dict.fromkeys(extract_entities(summary, split)))
    if not entities:
        return Precision(matched=0, total=0)
    source_words = words(source)
    lengths = {len(entity.split()) for entity in entities}
    source_ngrams = {n: {" ".join(gram) for gram in ngrams(source_words, n)} for n in lengths}
    unsupported = tuple(e for e in entities if e not in source_ngrams[len(e.split())])
    return Precision(matched=len(entities) - len(unsupported), total=len(entities), unsupported=unsupported)


# ---------------------------------------------------------------------------------------------
# Run-time guard


@dataclass(frozen=True)
class Checked:
    """A summary with its unsupported sentences removed."""

    text: str
    # Sentences removed because they name people/places/organisations or numbers the source lacks.
    dropped: tuple[str, ...]
    # The names and numbers that caused the removals.
    unsupported: tuple[str, ...]


def unsupported_items(sentence: str, source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, numbers) of `sentence` that `source` lacks: why the guard drops it. A number the
    source has elsewhere still counts against the sentence when it spans another time
    ("thirty decades ago" from "three decades ago")."""
    numbers = number_precision(sentence, source).unsupported + duration_precision(sentence, source).unsupported
    return entity_precision(sentence, source).unsupported, numbers


def drop_unsupported(summary: str, source: str) -> Checked:
    """Remove every sentence of `summary` that has a name or number not found in `source`.

    Uses the same signals as the evaluation harness (validated against FRANK human labels), one
    sentence at a time, so one invented name costs its sentence, not the whole summary.
    """
    kept: list[str] = []
    dropped: list[str] = []
    unsupported: list[str] = []
    for sentence in split_sentences(summary):
        names, numbers = unsupported_items(sentence, source)
        bad = names + numbers
        if bad:
            dropped.append(sentence)
            unsupported.extend(bad)
        else:
            kept.append(sentence)
    return Checked(" ".join(kept), tuple(dropped), tuple(dict.fromkeys(unsupported)))
