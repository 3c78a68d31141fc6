"""Summarization baselines computed on the fly: Lead-k and TextRank (numpy, no model).

Both work on the sentences of `summarizer.text.sentences.split_sentences` and return the chosen
sentences, in document order, joined with one space (original tokenization kept).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np

from eval.metrics.text_stats import words
from summarizer.text.sentences import split_sentences

__all__ = ["lead", "pagerank", "textrank"]

# Function words left out of TextRank's sentence vectors.
_STOPWORDS = frozenset(
    """
    a an the and or but if then of to in on at by for with from as is are was were be been being
    it its this that these those he she they we you i his her their our your him them us me my
    has have had do does did not no so than too very can could will would shall should may might
    must s t said says also about into over after before up down out more most some any all
    who whom which what when where why how there here just only own same such both each few other
    """.split()
)


def lead(article: str, k: int, split: Callable[[str], list[str]] = split_sentences) -> str:
    """The first `k` sentences of `article`."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return " ".join(split(article)[:k])


def pagerank(
    similarity: np.ndarray, damping: float = 0.85, tol: float = 1e-10, max_iter: int = 200
) -> np.ndarray:
    """PageRank scores of a weighted undirected graph given as a square similarity matrix."""
    n = similarity.shape[0]
    if n == 0:
        return np.zeros(0)
    weights = similarity.astype(float).copy()
    np.fill_diagonal(weights, 0.0)
    out_weight = weights.sum(axis=1, keepdims=True)
    # Sentences similar to nothing spread their score uniformly (dangling nodes).
    transition = np.where(out_weight > 0, weights / np.where(out_weight > 0, out_weight, 1.0), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        updated = (1.0 - damping) / n + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < tol:
            return updated
        scores = updated
    return scores


def _tfidf_cosine(sentences: list[list[str]]) -> np.ndarray:
    vocabulary = sorted({w for sentence in sentences for w in sentence})
    index = {w: i for i, w in enumerate(vocabulary)}
    n = len(sentences)
    document_frequency = Counter(w for sentence in sentences for w in set(sentence))
    matrix = np.zeros((n, len(vocabulary)))
    for row, sentence in enumerate(sentences):
        for w, count in Counter(sentence).items():
            matrix[row, index[w]] = count * (math.log(n / document_frequency[w]) + 1.0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms > 0, norms, 1.0)
    return matrix @ matrix.T


def textrank(article: str, k: int, split: Callable[[str], list[str]] = split_sentences) -> str:
    """TextRank (Mihalcea & Tarau 2004) over TF-IDF cosine similarity of content words; the `k`
    best-ranked sentences in document order. Ties go to the earlier sentence."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    sentences = split(article)
    if len(sentences) <= k:
        return " ".join(sentences)
    tokens = [[w for w in words(s) if w not in _STOPWORDS] for s in sentences]
    scores = pagerank(_tfidf_cosine(tokens))
    best = sorted(np.argsort(-scores, kind="stable")[:k].tolist())
    return " ".join(sentences[i] for i in best)
