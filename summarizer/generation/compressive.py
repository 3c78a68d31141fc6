"""Compressive styles: the model chooses a compression of the sentence that carries the news.

For each article the first content sentences of the style's model input that can carry a
headline (`compression.headline_source`: a statement whose subject names someone or something)
are parsed, each is compressed every way `compression.compressions` allows within the style's
word limit, and the model scores every compression as the text it would write for that prompt
(`confidence.ContinuationScorer`: the mean token log-probability after the style's prompt,
the prompt read once per article from its shared start, only the candidates that can still win
scored: `choice.choose_scored`). `choice` weighs that score with what the parse and the
article say of each candidate (`StyleConfig.choice_weights`: the sentence's position, the share
of the limit used, names kept, pronouns left pointing at nothing, ...). The words are the
article's, in the article's order, so a headline can leave things out but cannot say what the
sentence does not (the judging protocol's "wrong actor", "dropped modal", "invented fact" cannot
occur; docs/results_headlines.md).

When no sentence has a compression within the limit, a few more words are allowed
(`_STRETCH`); when none can carry a headline at all, the style falls back to the extractive
text, recorded in `Summary.guard`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from tqdm.auto import tqdm

from summarizer.config import GenerationSettings, StyleConfig
from summarizer.generation.choice import choose_scored
from summarizer.generation.compression import Compression, compressions, headline_source
from summarizer.generation.confidence import ContinuationScorer
from summarizer.generation.extractive import extract_for_style
from summarizer.generation.point import shipped_point_scorer
from summarizer.generation.prompts import Prompter
from summarizer.generation.selection import selection_inputs
from summarizer.generation.summary import Summary
from summarizer.guard.actions import GuardAction
from summarizer.guard.injection import without_instructions
from summarizer.text.debris import is_debris
from summarizer.text.parsing import parse

__all__ = ["compress_summaries", "compression_candidates", "scored_candidates"]

# Words past the limit a sentence's compressions may take when it has none within it: a
# complete clause a little long beats a fragment.
_STRETCH = 5
# Compressions the model scores per sentence (the longest within the limit).
_PER_SENTENCE = 12
# The shortest compressions of a first statement offered beyond the limit.
_LEAD_CLAUSES = 3


def compression_candidates(sentences: Sequence[str], *, max_words: int, headline: bool,
                           article: str | None = None) -> list[Compression]:
    """Every compression the style may choose from `sentences` (in article order): for each
    sentence that can carry a headline (`headline_source`), those within `max_words`, or, where
    it has none, within `max_words + _STRETCH`, or else `max_words + 2 * _STRETCH` (a lead that says the
    news in 20 words beats a side detail in 12; the choice weighs each word over); and the first
    such sentence's shortest complete clauses however long, if it offers none. A sentence whose subject points back
    ("the country") offers its compressions marked `anaphoric`: they say less than a named
    subject, and the choice weighs that. With `article` (the text `sentences` open), each carries
    its sentence's `point` score (`summarizer.generation.point`)."""
    parsed = [sent for doc in parse(list(sentences)) for sent in doc.sents]
    sources = [(k, sent) for k, sent in enumerate(parsed) if headline_source(sent, strict=False)]
    anaphoric = {k for k, sent in sources if not headline_source(sent, strict=True)}
    found = _within_limit(sources, max_words, headline)
    first = _shortest_clause(sources, headline)
    if not any(c.sentence == f.sentence for c in found for f in first[:1]):
        # The first statement, however long, is always offered: the news is most often there,
        # and a complete clause over the limit beats a side detail within it (the choice
        # weighs each word over).
        found = first[:_LEAD_CLAUSES] + found
    points = shipped_point_scorer().scores([s.text for s in parsed], article) if article and found else []
    return [dataclasses.replace(c, anaphoric=c.sentence in anaphoric,
                                point=points[c.sentence] if points else 0.0) for c in found]


def _shortest_clause(sources: Sequence[tuple[int, Any]], headline: bool) -> list[Compression]:
    """The shortest compressions of the first source that has any, however long: a complete
    clause over the limit beats the extractive fallback's cut ("candidate is taking up Mexican
    president Enrique Peña Nieto")."""
    for k, sent in sources:
        fits = compressions(sent, k, max_words=len(sent), headline=headline, limit=10_000)
        if fits:
            return sorted(fits, key=lambda c: c.words)[:_PER_SENTENCE]
    return []


def _within_limit(sources: Sequence[tuple[int, Any]], max_words: int, headline: bool) -> list[Compression]:
    found: list[Compression] = []
    for k, sent in sources:
        for limit in (max_words, max_words + _STRETCH, max_words + 2 * _STRETCH):
            fits = compressions(sent, k, max_words=limit, headline=headline, limit=_PER_SENTENCE)
            if fits:
                found.extend(fits)
                break
    return found


def _finish(text: str, style: StyleConfig) -> str:
    """A headline as chosen (headline case comes after, `StyleConfig.case`); a sentence with a
    capital and a final stop."""
    if style.single_line:
        return text
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?\"”’'" else text + "."


def compress_summaries(
    model: Any,
    prompter: Prompter,
    articles: Sequence[str],
    style: StyleConfig,
    settings: GenerationSettings,
    *,
    faithful: bool,
    progress: bool,
) -> list[Summary]:
    """Each article's compressive summary in `style`, one article at a time (one prompt each)."""
    max_words = settings.max_words
    if max_words is None:
        raise ValueError(f"style {style.name!r} compresses a sentence to a word limit: max_words must be set")
    summaries = []
    shared = prompter.prefix_ids(style)
    for article in tqdm(articles, desc=f"summarize ({style.name})", unit="doc", disable=not progress, leave=False):
        # Planted instructions are neither shown nor chosen when the guard is on.
        source = without_instructions(article) if faithful else article
        candidates, prompt = _offered(prompter, source, style, max_words)
        actions: tuple[GuardAction, ...] = ()
        if candidates:
            text = _finish(_chosen(model, prompter, (prompt, shared), candidates, style, max_words, source).text, style)
        else:
            text = extract_for_style(source, style, max_words)
            actions = (GuardAction(text, "fallback"),)
        summaries.append(Summary(
            text=text, style=style.name, input_tokens=prompter.count_tokens(article),
            output_tokens=prompter.count_tokens(text), guard=actions,
        ))
    return summaries


def _chosen(model: Any, prompter: Prompter, prompt: tuple[list[int], list[int]], candidates: list[Compression],
            style: StyleConfig, max_words: int, source: str) -> Compression:
    """The candidate `choice.choose_scored` chooses, the model scoring (after the prompt and its
    shared start, `prompt`) only those that can win."""
    scorer = ContinuationScorer(model, prompter, *prompt)
    return choose_scored(candidates, lambda ks: scorer([candidates[k].text for k in ks]), style.choice_weights,
                         max_words, source)


def scored_candidates(model: Any, prompter: Prompter, source: str, style: StyleConfig,
                      max_words: int) -> tuple[list[Compression], list[float]]:
    """The compressions `style` may choose from `source` and the model's score of each (all
    of them: `compress_summaries` scores only those that can win)."""
    candidates, prompt = _offered(prompter, source, style, max_words)
    if not candidates:
        return [], []
    scorer = ContinuationScorer(model, prompter, prompt, prompter.prefix_ids(style))
    return candidates, scorer([c.text for c in candidates])


def _offered(prompter: Prompter, source: str, style: StyleConfig, max_words: int) -> tuple[list[Compression], list[int]]:
    """The compressions `style` may choose from `source`, and the prompt they continue."""
    if not source.strip():
        return [], []
    # The lead sentences that fit the model's input budget, as selection shows them.
    prompt, shown, _ = selection_inputs(prompter, source, style)
    sentences = [s for s in shown if not is_debris(s)][: style.source_sentences or 5]
    # The main-point score costs a pass over the article: only for a style that weighs it.
    article = source if style.choice_weights.get("point") else None
    return compression_candidates(sentences, max_words=max_words, headline=style.single_line, article=article), prompt
