"""Compressive styles: the model chooses a compression of the sentence that carries the news.

For each article the first content sentences of the style's model input that can carry a
headline (`compression.headline_source`: a statement whose subject names someone or something)
are parsed, each is compressed every way `compression.compressions` allows within the style's
word limit, and the model scores every compression as the text it would write for that prompt
(`confidence.continuation_logprobs`: the mean token log-probability after the style's prompt,
the prompt run once per article). The best score, less the style's lead prior per sentence
(`StyleConfig.lead_weight`) and plus its length weight per share of the limit used
(`StyleConfig.length_weight`), wins. The words are the article's, in the article's order, so a
headline can leave things out but cannot say what the sentence does not (the judging protocol's
"wrong actor", "dropped modal", "invented fact" cannot occur; docs/results_headlines.md).

When no sentence has a compression within the limit, a few more words are allowed
(`_STRETCH`); when none can carry a headline at all, the style falls back to the extractive
text, recorded in `Summary.guard`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tqdm.auto import tqdm

from summarizer.config import GenerationSettings, StyleConfig
from summarizer.generation.compression import Compression, compressions, headline_source
from summarizer.generation.confidence import continuation_logprobs
from summarizer.generation.extractive import extract_for_style
from summarizer.generation.prompts import Prompter
from summarizer.generation.selection import selection_inputs
from summarizer.generation.summary import Summary
from summarizer.guard.actions import GuardAction
from summarizer.guard.injection import without_instructions
from summarizer.text.debris import is_debris
from summarizer.text.parsing import parse

__all__ = ["choose_compression", "compress_summaries", "compression_candidates"]

# Words past the limit a compression may take when no sentence has one within it: a complete
# clause a little long beats a fragment or a side detail.
_STRETCH = 5
# What each word past the limit costs in the choice (a mean log-probability is ~ -1).
_OVER_WEIGHT = 0.2
# Compressions the model scores per sentence (the longest within the limit).
_PER_SENTENCE = 12


def compression_candidates(sentences: Sequence[str], *, max_words: int, headline: bool) -> list[Compression]:
    """Every compression the style may choose from `sentences` (in article order): for each
    sentence, those within `max_words`, or, where it has none, within `max_words + _STRETCH`;
    where no sentence has any, a complete clause of up to twice the limit from the first that
    has one. Sentences whose subject points back ("the country") only when no other will do:
    they say less than a named subject, but more than a cut lead."""
    parsed = [sent for doc in parse(list(sentences)) for sent in doc.sents]
    for strict in (True, False):
        sources = [(k, sent) for k, sent in enumerate(parsed) if headline_source(sent, strict=strict)]
        found = _within_limit(sources, max_words, headline)
        if found:
            return found
    return []


def _within_limit(sources: Sequence[tuple[int, Any]], max_words: int, headline: bool) -> list[Compression]:
    found: list[Compression] = []
    for k, sent in sources:
        for limit in (max_words, max_words + _STRETCH):
            fits = compressions(sent, k, max_words=limit, headline=headline, limit=_PER_SENTENCE)
            if fits:
                found.extend(fits)
                break
    if not found:
        for k, sent in sources:
            found = compressions(sent, k, max_words=2 * max_words, headline=headline, limit=_PER_SENTENCE)
            if found:
                break
    return found


def choose_compression(candidates: Sequence[Compression], scores: Sequence[float], style: StyleConfig,
                       max_words: int) -> Compression:
    """The candidate with the best model score after the lead prior and the length weight."""
    def value(pair: tuple[Compression, float]) -> float:
        candidate, score = pair
        over = max(0, candidate.words - max_words)
        return (score - style.lead_weight * candidate.sentence
                + style.length_weight * min(candidate.words, max_words) / max_words - _OVER_WEIGHT * over)

    return max(zip(candidates, scores, strict=True), key=value)[0]


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
    for article in tqdm(articles, desc=f"summarize ({style.name})", unit="doc", disable=not progress, leave=False):
        # Planted instructions are neither shown nor chosen when the guard is on.
        source = without_instructions(article) if faithful else article
        # The lead sentences that fit the model's input budget, as selection shows them.
        prompt, shown, _ = selection_inputs(prompter, source, style) if source.strip() else ([], [], [])
        sentences = [s for s in shown if not is_debris(s)][: style.source_sentences or 5]
        candidates = compression_candidates(sentences, max_words=max_words, headline=style.single_line)
        actions: tuple[GuardAction, ...] = ()
        if candidates:
            scores = continuation_logprobs(model, prompter, prompt, [c.text for c in candidates])
            text = _finish(choose_compression(candidates, scores, style, max_words).text, style)
        else:
            text = extract_for_style(source, style, max_words)
            actions = (GuardAction(text, "fallback"),)
        summaries.append(Summary(
            text=text, style=style.name, input_tokens=prompter.count_tokens(article),
            output_tokens=prompter.count_tokens(text), guard=actions,
        ))
    return summaries
