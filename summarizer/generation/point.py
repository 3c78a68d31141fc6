"""Which lead sentence carries an article's main point: a linear scorer learned from real headlines.

A compressive headline (`summarizer.generation.compressive`) is cut from one of the first
sentences. Position and word counts say which one the news is in for a straight news story, but
opinion pieces and features open with a scene, a question or a view to be rejected, and their
point comes later. `PointScorer` scores each offered sentence in its article from its words
(hashed unigrams and bigrams, lowercased), its position, its length and how much of the rest of
the article it shares; it was trained (`python -m training.train_point`) on AllSides *train*
articles to put the sentence closest to the outlet's own headline first (a listwise softmax over
each article's sentences). The choice (`summarizer.generation.choice`) weighs its score as the
feature `point`.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import torch

__all__ = ["DENSE", "PointScorer", "point_inputs", "shipped_point_scorer"]

SHIPPED = Path(__file__).resolve().parent.parent / "resources" / "point_scorer_en.pt"
# Hash buckets for the sentence's words and word pairs.
BUCKETS = 1 << 18
POSITIONS = 10
_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*|[?\"“”:]")
_STOP = frozenset(
    "the a an and or but of to in on at for with by from as is are was were be been being has have had "
    "that this these those it its he she they his her their them him we our i you not no will would can "
    "could may might should says said say than then there here who whom which what when where why how".split()
)
# Dense features beside the position one-hot (`_dense`).
DENSE = ("log_words", "short", "long", "centrality", "shared_later", "quote", "question", "first_person",
         "opens_but", "digits")


def _tokens(sentence: str) -> list[str]:
    return _WORD.findall(sentence.lower())


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % BUCKETS


def _lexical(tokens: Sequence[str]) -> list[int]:
    grams = [f"w:{t}" for t in tokens] + [f"b:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    grams.append(f"f:{tokens[0]}" if tokens else "f:")
    return sorted({_bucket(g) for g in grams})


def _dense(tokens: Sequence[str], counts: Counter, later: Counter) -> list[float]:
    content = [t for t in tokens if t not in _STOP and len(t) > 2 and t[0].isalpha()]
    n = len([t for t in tokens if t[0].isalnum()])
    centrality = sum(math.log(counts[t]) for t in content) / len(content) if content else 0.0
    shared = sum(1 for t in set(content) if later[t] > 0) / len(set(content)) if content else 0.0
    return [
        math.log1p(n) / 4, float(n < 8), float(n > 40), centrality, shared,
        float(any(t in "\"“”" for t in tokens)), float("?" in tokens),
        float(any(t in ("i", "we", "my", "our", "me", "us") for t in tokens)),
        float(bool(tokens) and tokens[0] in ("but", "and", "so", "yet")),
        float(any(t[0].isdigit() for t in tokens)),
    ]


def point_inputs(sentences: Sequence[str], article: str) -> list[tuple[list[int], list[float]]]:
    """Each sentence's (hashed word buckets, position one-hot + `DENSE`) in its `article`; the
    sentences are the article's first, in order."""
    counts = Counter(_tokens(article))
    toks = [_tokens(s) for s in sentences]
    out = []
    for k, tokens in enumerate(toks):
        later = Counter(t for other in toks[k + 1:] for t in other)
        position = [float(k == p) for p in range(POSITIONS)]
        out.append((_lexical(tokens), position + _dense(tokens, counts, later)))
    return out


class PointScorer(torch.nn.Module):
    """A linear score of a sentence as its article's main point (higher: more the point)."""

    def __init__(self) -> None:
        super().__init__()
        self.words = torch.nn.EmbeddingBag(BUCKETS, 1, mode="sum")
        torch.nn.init.zeros_(self.words.weight)
        self.dense = torch.nn.Linear(POSITIONS + len(DENSE), 1)

    def forward(self, buckets: torch.Tensor, offsets: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        return (self.words(buckets, offsets) + self.dense(dense)).squeeze(-1)

    def batch(self, inputs: Sequence[tuple[list[int], list[float]]]) -> tuple[torch.Tensor, ...]:
        """`point_inputs` as `forward`'s tensors."""
        flat = [b for buckets, _ in inputs for b in buckets]
        offsets = [0]
        for buckets, _ in inputs[:-1]:
            offsets.append(offsets[-1] + len(buckets))
        return (torch.tensor(flat, dtype=torch.long), torch.tensor(offsets, dtype=torch.long),
                torch.tensor([d for _, d in inputs], dtype=torch.float32))

    @torch.no_grad()
    def scores(self, sentences: Sequence[str], article: str) -> list[float]:
        """The point score of each of `sentences` (the article's first, in order)."""
        if not sentences:
            return []
        return self(*self.batch(point_inputs(sentences, article))).tolist()

    def save(self, path: str | Path) -> None:
        # Only the buckets a word was seen in carry weight: stored sparse in fp16 (a few MB).
        weight = self.words.weight.detach().squeeze(-1)
        used = torch.nonzero(weight).squeeze(-1)
        torch.save({"used": used.int(), "values": weight[used].half(), "dense": self.dense.state_dict()}, path)

    @classmethod
    def load(cls, path: str | Path) -> PointScorer:
        state = torch.load(path, map_location="cpu", weights_only=True)
        scorer = cls()
        with torch.no_grad():
            scorer.words.weight[state["used"].long(), 0] = state["values"].float()
        scorer.dense.load_state_dict(state["dense"])
        return scorer.eval()


@lru_cache(maxsize=1)
def shipped_point_scorer() -> PointScorer:
    """The scorer shipped in the package (`resources/point_scorer_en.pt`), loaded once."""
    return PointScorer.load(SHIPPED)
