"""Counting a `StatisticalTruecaser`'s tables from cased, PTB-tokenized lines (the training half
of the statistical truecaser; `summarizer.casing.truecaser` reads the tables and scores).

    >>> model = prune_contexts(count_truecaser(lines), min_count=3, max_share=None)
    >>> model.save("truecaser_en.json.gz")

`training.build_truecaser` builds the shipped tables with it. Two passes over the lines: the
forms of each word away from sentence openings (and how often each kind of opening capitalizes
a normally lowercase word), then, knowing the forms, the neighbour, capitalized-neighbour and
unknown-word feature counts.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable

from summarizer.casing.forms import HAS_LETTER, form_code, is_capitalized
from summarizer.casing.positions import MID, neighbours, position_kinds
from summarizer.casing.truecaser import StatisticalTruecaser, TruecaserConfig, oov_features

__all__ = ["count_truecaser", "prune_contexts"]

_NUMBER_UNIT = re.compile(r"^\d[\d,.]*([^\W\d_]+)$")  # 9pm, 6km, 1.2bn: the unit's case after a number


def count_truecaser(lines: Iterable[str], config: TruecaserConfig | None = None) -> StatisticalTruecaser:
    """A truecaser counted from cased, tokenized lines (one paragraph or sentence per item)."""
    model = StatisticalTruecaser(config)
    tokens = [line.split() for line in lines]
    _count_forms(model, tokens)
    _count_contexts(model, tokens)
    model.clear_cache()
    return model


def _count_forms(model: StatisticalTruecaser, lines: list[list[str]]) -> None:
    """First pass: each word's forms away from sentence-opening positions, and how often
    normally-lowercase words are capitalized at each kind of opening position."""
    forms: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    rates: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    positioned: list[tuple[str, str, str]] = []  # (kind, word, code) away from MID
    for tokens in lines:
        kinds = position_kinds([t.lower() for t in tokens])
        for token, kind in zip(tokens, kinds, strict=True):
            if HAS_LETTER.search(token):
                if kind == MID:
                    forms[token.lower()][form_code(token)] += 1
                else:
                    positioned.append((kind, token.lower(), form_code(token)))
    model.forms, model.counts = {}, {}
    for word, counter in forms.items():
        ranked = counter.most_common()
        model.forms[word] = [code for code, _ in ranked]
        model.counts[word] = [n for _, n in ranked]
    for kind, word, code in positioned:
        if model.forms.get(word, ("?",))[0] == "l":  # only normally-lowercase words say anything
            rates[kind][0] += code != "l"
            rates[kind][1] += 1
    model.position_rates = dict(rates)

def _count_contexts(model: StatisticalTruecaser, lines: list[list[str]]) -> None:
    """Second pass (needs the forms): neighbour, capitalized-neighbour and unseen-word
    feature counts for words with more than one form."""
    prev_ctx: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    next_ctx: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    cap_ctx: dict[str, list[collections.Counter]] = collections.defaultdict(
        lambda: [collections.Counter(), collections.Counter()]
    )
    oov: dict[str, dict[str, list[int]]] = collections.defaultdict(
        lambda: collections.defaultdict(lambda: [0, 0, 0])
    )
    prior = [0, 0, 0]
    for tokens in lines:
        lower = [t.lower() for t in tokens]
        kinds = position_kinds(lower)
        intrinsic = [
            (is_capitalized(form_code(t)) if k == MID else model.majority_capitalized(w))
            if HAS_LETTER.search(t)
            else False
            for t, w, k in zip(tokens, lower, kinds, strict=True)
        ]
        for i, token in enumerate(tokens):
            unit = _NUMBER_UNIT.match(token)
            if (
                unit
                and unit.group(1).lower() in model.forms
                and len(model.forms[unit.group(1).lower()]) > 1
            ):
                # `9pm` also says how `pm` is cased after a number (`9 pm` in other tokenizations).
                prev_ctx[f"<num> {unit.group(1).lower()}"][form_code(unit.group(1))] += 1
            if kinds[i] != MID or not HAS_LETTER.search(token):
                continue
            word, code = lower[i], form_code(token)
            prev, nxt = neighbours(lower, i)
            prev_cap = i > 0 and intrinsic[i - 1]
            next_cap = model.majority_capitalized(lower[i + 1]) if i + 1 < len(lower) else False
            if len(model.forms[word]) > 1:
                prev_ctx[f"{prev} {word}"][code] += 1
                next_ctx[f"{word} {nxt}"][code] += 1
                if prev_cap:
                    cap_ctx[word][0][code] += 1
                if next_cap:
                    cap_ctx[word][1][code] += 1
            if sum(model.counts[word]) <= model.config.rare_count:
                label = 0 if code == "l" else 2 if code == "u" else 1
                prior[label] += 1
                for kind, value in oov_features(word, prev, nxt, prev_cap, next_cap).items():
                    oov[kind][value][label] += 1

    def table(ctx: dict[str, collections.Counter], word_of) -> dict[str, list[int]]:
        return {
            key: [counter.get(code, 0) for code in model.forms[word_of(key)]]
            for key, counter in ctx.items()
            if sum(counter.values()) >= model.config.min_context_count
        }

    model.prev_context = table(prev_ctx, lambda key: key.split(" ", 1)[1])
    model.next_context = table(next_ctx, lambda key: key.rsplit(" ", 1)[0])
    model.cap_context = {
        word: [[c.get(code, 0) for code in model.forms[word]] for c in pair]
        for word, pair in cap_ctx.items()
    }
    model.oov_prior = [p + 1 for p in prior]
    model.oov = {
        kind: {v: c for v, c in values.items() if sum(c) >= 2} for kind, values in sorted(oov.items())
    }

def prune_contexts(
    model: StatisticalTruecaser, min_count: int = 3, max_share: float | None = 0.98
) -> StatisticalTruecaser:
    """Drop neighbour contexts that are rare (seen fewer than `min_count` times) or, unless
    `max_share` is None, that only repeat the word's own majority form (it holds `max_share`
    or more of the context). The decoder needs the latter (docs/results_wirecopy.md)."""

    def informative(counts: list[int]) -> bool:
        if max_share is None:
            return True
        top = max(range(len(counts)), key=counts.__getitem__)
        return top != 0 or counts[0] < max_share * sum(counts)

    for name in ("prev_context", "next_context"):
        table = getattr(model, name)
        setattr(model, name, {k: c for k, c in table.items() if sum(c) >= min_count and informative(c)})
    model.clear_cache()
    return model
