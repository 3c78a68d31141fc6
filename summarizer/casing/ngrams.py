"""How the case of neighbouring words goes together in cased news text: the sequence decoder's n-grams.

For each lowercase word pair (and triple) seen mid-sentence in the training text, how often it
was written in each capitalization pattern: `human rights` 950 times lower-lower and 50 times
`Human Rights`, never `Human rights`. The words themselves are fixed at restoring time, so these
pattern counts are the part of a cased n-gram language model that can tell case forms apart:
P(cased n-gram) / P(its lowercase n-gram). `coupling` turns them into how much more (or less)
likely a pattern is than the two words' own capitalization rates would make it, which the
decoder (`summarizer.casing.decoder`) adds per path.

Why own counts and not kenlm: querying a kenlm model needs its compiled extension and building
one needs `lmplz` (C++ and Boost), which the setup does not have; and a full cased LM spends most
of its size on n-grams whose case never varies. These tables keep only the pairs and triples
seen with a capital letter at least once (~0.5M), as gzip JSON (no pickle) like the truecaser.

Classes: 0 = the word starts lowercase, 1 = it starts with a capital (Title, UPPER, McDonald).
A pattern is the classes read as a binary number, first word highest: for a pair, 0 = lower
lower, 1 = lower Capital, 2 = Capital lower, 3 = both capitalized.
"""

from __future__ import annotations

import collections
import gzip
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

from summarizer.casing.forms import form_code, is_capitalized
from summarizer.casing.packed import pack, unpack, write_json_gz
from summarizer.casing.positions import MID, position_kinds

__all__ = ["DEFAULT_NGRAMS", "CaseNgrams", "case_classes"]

_FORMAT = "summarizer-case-ngrams"
_VERSION = 1
DEFAULT_NGRAMS = "case_ngrams_en.json.gz"  # shipped in summarizer/resources


def case_classes(tokens: Sequence[str]) -> list[int | None]:
    """Per token of one cased line: 1 capitalized, 0 lowercase, None where its case says nothing
    about the word (no letter, or a sentence start, quote opening and the other position kinds
    that capitalize by position)."""
    kinds = position_kinds([t.lower() for t in tokens])
    return [
        (1 if is_capitalized(form_code(t)) else 0) if k == MID and any(c.isalpha() for c in t) else None
        for t, k in zip(tokens, kinds, strict=True)
    ]


class CaseNgrams:
    """Capitalization-pattern counts of lowercase word pairs and triples (see the module docstring)."""

    def __init__(self, pairs: Mapping[str, list[int]] | None = None, triples: Mapping[str, list[int]] | None = None):
        self.pairs = pairs or {}  # "w1 w2" -> 4 counts, by pattern
        self.triples = triples or {}  # "w1 w2 w3" -> 8 counts, by pattern

    @classmethod
    def count(cls, lines: Iterable[str], min_count: int = 2) -> CaseNgrams:
        """Count cased, PTB-tokenized lines. Kept: n-grams seen `min_count` times or more with a
        capital letter somewhere (their all-lowercase count is added in a second pass)."""
        lines = list(lines)
        capitalized: dict[int, collections.Counter] = {2: collections.Counter(), 3: collections.Counter()}
        for line in lines:
            tokens = line.split()
            lower = [t.lower() for t in tokens]
            classes = case_classes(tokens)
            for n, counter in capitalized.items():
                for i in range(n - 1, len(tokens)):
                    window = classes[i - n + 1 : i + 1]
                    if None not in window and any(window):
                        counter[(" ".join(lower[i - n + 1 : i + 1]), _pattern(window))] += 1
        tables: dict[int, dict[str, list[int]]] = {2: {}, 3: {}}
        for n, counter in capitalized.items():
            grouped: dict[str, list[int]] = collections.defaultdict(lambda n=n: [0] * 2**n)
            for (key, pattern), c in counter.items():
                grouped[key][pattern] += c
            tables[n] = {k: v for k, v in grouped.items() if sum(v) >= min_count}
        for line in lines:  # the all-lowercase count of the kept n-grams
            tokens = line.split()
            classes = case_classes(tokens)
            for n, table in tables.items():
                for i in range(n - 1, len(tokens)):
                    if classes[i - n + 1 : i + 1] == [0] * n:
                        counts = table.get(" ".join(tokens[i - n + 1 : i + 1]).lower())
                        if counts is not None:
                            counts[0] += 1
        return cls(tables[2], tables[3])

    # ------------------------------------------------------------------ scores

    def pair_coupling(self, w1: str, w2: str, strength: float, prior: float) -> list[float] | None:
        """Per pair pattern: `strength` x log(P(pattern) / P(it if the words' cases were
        independent)), the counts smoothed towards independence by `prior` pseudo-counts; None for
        a pair never seen capitalized."""
        counts = self.pairs.get(f"{w1} {w2}")
        if counts is None:
            return None
        total = sum(counts)
        first = (counts[2] + counts[3] + 0.5) / (total + 1)
        second = (counts[1] + counts[3] + 0.5) / (total + 1)
        independent = [(1 - first) * (1 - second), (1 - first) * second, first * (1 - second), first * second]
        return [
            strength * math.log((counts[p] + prior * q) / (total + prior) / q) for p, q in enumerate(independent)
        ]

    def triple_coupling(self, words: Sequence[str], strength: float, prior: float) -> list[float] | None:
        """Per triple pattern: `strength` x log(P(third class | first two classes) / P(third class
        | second class)), smoothed by `prior`; None for a triple never seen capitalized."""
        counts = self.triples.get(" ".join(words))
        if counts is None:
            return None
        out = [0.0] * 8
        for middle in (0, 1):
            seen = [counts[first * 4 + middle * 2] + counts[first * 4 + middle * 2 + 1] for first in (0, 1)]
            capital = counts[middle * 2 + 1] + counts[4 + middle * 2 + 1]
            p_capital = (capital + 0.5) / (sum(seen) + 1)
            for first in (0, 1):
                for third in (0, 1):
                    p = p_capital if third else 1 - p_capital
                    c = counts[first * 4 + middle * 2 + third]
                    out[first * 4 + middle * 2 + third] = strength * math.log(
                        (c + prior * p) / (seen[first] + prior) / p
                    )
        return out

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        payload = {"format": _FORMAT, "version": _VERSION, "pairs": pack(self.pairs), "triples": pack(self.triples)}
        write_json_gz(path, payload)

    @classmethod
    def from_pretrained(cls) -> CaseNgrams:
        """The n-grams shipped in `summarizer/resources` (rebuild: `python -m training.build_truecaser`)."""
        path = resources.files("summarizer") / "resources" / DEFAULT_NGRAMS
        with resources.as_file(path) as real_path:
            return cls.load(real_path)

    @classmethod
    def load(cls, path: str | Path) -> CaseNgrams:
        with gzip.open(Path(path), "rt", encoding="utf-8") as f:
            payload = json.load(f)
        if payload.get("format") != _FORMAT or payload.get("version") != _VERSION:
            raise ValueError(
                f"{path} is not a {_FORMAT} v{_VERSION} file (format={payload.get('format')!r}, "
                f"version={payload.get('version')!r}); rebuild it with `python -m training.build_truecaser`"
            )
        return cls(unpack(payload["pairs"]), unpack(payload["triples"]))


def _pattern(classes: Sequence[int]) -> int:
    out = 0
    for c in classes:
        out = out * 2 + c
    return out
