"""Which compression a compressive style publishes: a linear score over what is known of each.

`compressive` offers compressions of the lead sentences (`compression.compressions`), each with
the model's mean token log-probability after the style's prompt. A headline should carry the
article's main news, name who it is about and stand alone; the model's score alone prefers
short, generic lines ("Answer is somewhere in middle"). So the choice adds what the parse and
the article say of each candidate (`FEATURES`), weighed by `StyleConfig.choice_weights`. The
shipped weights were fitted to the outlets' own headlines on AllSides *train* articles
(`python -m experiments.headline_choice`, docs/results_headlines.md); a feature a style does not
weigh counts 0.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from summarizer.generation.compression import Compression

__all__ = ["FEATURES", "article_counts", "choose", "choose_scored", "features"]

FEATURES = (
    "score",  # the model's mean token log-probability of the text after the prompt
    "sentence",  # index of the source sentence (0: the lead)
    "lead",  # 1 for the lead sentence (the news, most often)
    "length",  # share of the word limit used (capped at 1)
    "over",  # words past the limit (a stretched compression)
    "names",  # names kept (capped at 4)
    "unresolved",  # pronouns with nothing in the text to point at
    "first_person",  # "I", "we", "our": the writer's voice, not the news
    "opens",  # words before the subject ("On Sunday, ...", "In fact, ...")
    "copular",  # main verb "be": a description rather than an event
    "anaphoric",  # subject points back at earlier text ("the campaign")
    "quote",  # holds a quotation
    "attributed",  # says who said it ("X says ...", "according to")
    "centrality",  # mean log count in the article of the text's content words
    "name_centrality",  # log count in the article of the text's most repeated name
    "point",  # the source sentence as the article's main point (`summarizer.generation.point`)
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_STOP = frozenset(
    "the a an and or but of to in on at for with by from as is are was were be been being has have had "
    "that this these those it its he she they his her their them him we our i you not no will would can "
    "could may might should says said say than then there here who whom which what when where why how "
    "after before over into about also more most some any all one two new just only".split()
)
_QUOTES = "\"“”‘’"
_ATTRIBUTION = re.compile(r"\b(?:says?|said|according to|told)\b", re.IGNORECASE)


def article_counts(article: str) -> Counter:
    """Lowercased word counts of the whole article (what `centrality` reads)."""
    return Counter(w.lower() for w in _WORD.findall(article))


def features(candidate: Compression, score: float, max_words: int, counts: Mapping[str, int]) -> dict[str, float]:
    """`FEATURES` of one candidate, `counts` from `article_counts` of its article."""
    words = _WORD.findall(candidate.text)
    content = [w.lower() for w in words if w.lower() not in _STOP and len(w) > 2]
    names = [w.lower() for w in words[1:] if w[0].isupper()]
    return {
        "score": score,
        "sentence": float(candidate.sentence),
        "lead": float(candidate.sentence == 0),
        "length": min(candidate.words, max_words) / max_words,
        "over": float(max(0, candidate.words - max_words)),
        "names": float(min(candidate.names, 4)),
        "unresolved": float(candidate.unresolved),
        "first_person": float(candidate.first_person),
        "opens": float(candidate.opens),
        "copular": float(candidate.copular),
        "anaphoric": float(candidate.anaphoric),
        "quote": float(any(q in candidate.text for q in _QUOTES)),
        "attributed": float(bool(_ATTRIBUTION.search(candidate.text))),
        "centrality": _mean_log(content, counts),
        "name_centrality": max((math.log(max(counts.get(n, 1), 1)) for n in names), default=0.0),
        "point": candidate.point,
    }


def _mean_log(words: Sequence[str], counts: Mapping[str, int]) -> float:
    if not words:
        return 0.0
    return sum(math.log(max(counts.get(w, 1), 1)) for w in words) / len(words)


def _check(candidates: Sequence[Compression], weights: Mapping[str, float]) -> None:
    if not candidates:
        raise ValueError("no candidates to choose from")
    unknown = set(weights) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown choice features {sorted(unknown)}; known: {', '.join(FEATURES)}")


def _value(candidate: Compression, score: float, weights: Mapping[str, float], max_words: int,
           counts: Mapping[str, int]) -> float:
    found = features(candidate, score, max_words, counts)
    return sum(weight * found[name] for name, weight in weights.items())


def choose(candidates: Sequence[Compression], scores: Sequence[float], weights: Mapping[str, float],
           max_words: int, article: str) -> Compression:
    """The candidate whose weighted `features` sum highest (the first of equals)."""
    _check(candidates, weights)
    counts = article_counts(article)
    return max(zip(candidates, scores, strict=True), key=lambda pair: _value(*pair, weights, max_words, counts))[0]


# Candidates `choose_scored` scores before it knows what a winner must beat.
_FIRST = 2
# Rounding room in the bound (values are sums of a few products).
_EPS = 1e-9


def choose_scored(candidates: Sequence[Compression], score: Callable[[Sequence[int]], list[float]],
                  weights: Mapping[str, float], max_words: int, article: str) -> Compression:
    """What `choose` chooses, asking `score` (candidate positions -> the model's scores) only for
    the candidates that can win. A score is a mean log-probability, at most 0, so with a
    non-negative weight a candidate's value with its score is at most its value with score 0:
    after scoring the `_FIRST` best by that bound, only candidates whose bound reaches the best
    value found are scored (a headline's model reading costs a third of what it did: issue 34)."""
    _check(candidates, weights)
    counts = article_counts(article)
    bound = [_value(c, 0.0, weights, max_words, counts) for c in candidates]
    weight = weights.get("score", 0.0)
    if weight == 0:
        # The score counts nothing: each value is its bound, and the model is never asked.
        return candidates[max(range(len(candidates)), key=bound.__getitem__)]
    order = sorted(range(len(candidates)), key=lambda i: -bound[i])
    value: dict[int, float] = {}

    def ask(positions: list[int]) -> None:
        for i, s in zip(positions, score(positions) if positions else [], strict=True):
            value[i] = _value(candidates[i], s, weights, max_words, counts)

    ask(order if weight < 0 else order[:_FIRST])
    if weight > 0:
        best = max(value.values())
        ask([i for i in order[_FIRST:] if bound[i] >= best - _EPS])
    # The first of equals in the candidates' order, as `choose`.
    return candidates[max(sorted(value), key=value.__getitem__)]
