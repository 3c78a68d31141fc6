"""Free generation: the model writes the summary (`headline`, `*_abstractive` styles).

Articles over the model's input budget are summarized map-reduce: split on sentence boundaries
(`chunking.chunk_text`), each chunk summarized in the config's `map_style`, the joined chunk
summaries summarized again, so nothing is cut. With the guard on, every written sentence that
names a person, place, organisation or number the article lacks, or that follows instructions
planted in the article, is dropped; when nothing is left the extractive summary is returned.
With `rewrite_unsure` set, a greedy text the model itself scores low is first written again with
beam search (`confidence.mean_logprobs`), and the record says so ("unsure").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from tqdm.auto import tqdm
from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from summarizer.batching import length_sorted_batches, pad_batch
from summarizer.config import GenerationSettings, StyleConfig
from summarizer.generation.chunking import chunk_text
from summarizer.generation.confidence import mean_logprobs
from summarizer.generation.copying import NameCopy, SourceTokenBias
from summarizer.generation.extractive import extract_for_style
from summarizer.generation.postprocess import clean_output, past_limit
from summarizer.generation.prompts import Prompter
from summarizer.generation.summary import Summary
from summarizer.guard.actions import GuardAction, review
from summarizer.guard.injection import without_instructions
from summarizer.text.sentences import split_sentences

__all__ = ["generate", "write_summaries"]

logger = logging.getLogger(__name__)

# Rounds of map-reduce before we give up; each round shrinks a text by roughly the chunk size
# over the summary length (>= 3x), so 8 rounds cover inputs far beyond any real article.
_MAX_REDUCE_ROUNDS = 8


def _generated_count(ids: list[int], tokenizer: Any) -> int:
    special = set(tokenizer.all_special_ids)
    count = 0
    for token in ids:
        if token == tokenizer.eos_token_id:
            break
        if token not in special:
            count += 1
    return count


class _StopPastLimit(StoppingCriteria):
    """Ends each row once it has begun a sentence or line past what its style keeps
    (`postprocess.past_limit`): a batch no longer decodes to `max_new_tokens` for text that is
    cut anyway, and the kept text is the same."""

    def __init__(self, tokenizer: Any, style: StyleConfig, prompt_length: int) -> None:
        self.tokenizer, self.style, self.prompt_length = tokenizer, style, prompt_length

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        written = self.tokenizer.batch_decode(input_ids[:, self.prompt_length:], skip_special_tokens=True)
        return torch.tensor([past_limit(text, self.style) for text in written], device=input_ids.device)


def _decoding_controls(tokenizer: Any, style: StyleConfig, settings: GenerationSettings, ids: torch.Tensor,
                       mask: torch.Tensor, sources: list[str], prompt_length: int) -> dict[str, Any]:
    """The logits processors and stopping criteria `model.generate` gets for one batch."""
    processors = LogitsProcessorList()
    if settings.copy_bias:
        processors.append(SourceTokenBias(ids, mask, len(tokenizer), settings.copy_bias, tokenizer.all_special_ids))
    if settings.copy_names:
        processors.append(NameCopy(sources, tokenizer, prompt_length))
    extra: dict[str, Any] = {"logits_processor": processors} if processors else {}
    if settings.num_beams == 1 and (style.single_line or style.max_sentences is not None):
        extra["stopping_criteria"] = StoppingCriteriaList([_StopPastLimit(tokenizer, style, prompt_length)])
    return extra


@torch.inference_mode()
def generate(
    model: Any,
    prompter: Prompter,
    texts: Sequence[str],
    style: StyleConfig,
    settings: GenerationSettings,
    *,
    batch_size: int,
    progress: bool = False,
    desc: str = "generate",
) -> list[tuple[str, int]]:
    """(clean text, generated token count) for each text, in input order."""
    tokenizer = prompter.tokenizer
    encoded = [prompter.prompt_ids(text, style) for text in texts]
    results: list[tuple[str, int] | None] = [None] * len(texts)
    left_pad = prompter.family == "causal"
    kwargs = settings.generate_kwargs()
    device = next(model.parameters()).device
    if settings.prompt_lookup_tokens:
        batch_size = 1  # transformers' assisted decoding takes one sequence at a time
    with tqdm(total=len(texts), desc=desc, unit="doc", disable=not progress, leave=False) as bar:
        for batch in length_sorted_batches([len(e) for e in encoded], batch_size):
            ids, mask = pad_batch([encoded[i] for i in batch], tokenizer.pad_token_id, left=left_pad)
            # Decoder-only rows hold the prompt before what they wrote; seq2seq rows do not.
            extra = _decoding_controls(tokenizer, style, settings, ids, mask, [texts[i] for i in batch],
                                       prompt_length=ids.shape[1] if left_pad else 0)
            out = model.generate(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
                **kwargs,
                **extra,
            )
            new = out[:, ids.shape[1] :] if left_pad else out
            for row, i in enumerate(batch):
                row_ids = new[row].tolist()
                raw = tokenizer.decode(row_ids, skip_special_tokens=True)
                n_out = _generated_count(row_ids, tokenizer)
                truncated = n_out >= settings.max_new_tokens
                results[i] = (clean_output(raw, style, settings.max_words, truncated=truncated), n_out)
            bar.update(len(batch))
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


@dataclass
class _Inputs:
    """The texts the final pass reads, and how each article got there."""

    texts: list[str]
    lengths: list[int]
    num_chunks: list[int]
    chunked: list[bool]


def _reduce_round(model, prompter: Prompter, inputs: _Inputs, too_long: list[int], *,
                  batch_size: int, progress: bool) -> None:
    """One map step: chunk each too-long text, summarize all chunks together, join per text."""
    config = prompter.config
    map_style = config.style(config.map_style)
    map_settings = map_style.generation
    budget = prompter.article_budget(map_style, map_settings)
    # A chunk summary must be much shorter than the chunk or the reduce never converges.
    if map_settings.max_new_tokens * 3 > budget:
        map_settings = map_settings.override(max_new_tokens=max(8, budget // 3))
        budget = prompter.article_budget(map_style, map_settings)
    jobs: list[tuple[int, str]] = []
    for i in too_long:
        pieces = chunk_text(inputs.texts[i], prompter.count_tokens, budget)
        if not inputs.chunked[i]:
            inputs.num_chunks[i] = len(pieces)
        inputs.chunked[i] = True
        jobs.extend((i, piece) for piece in pieces)
    logger.info("map-reduce: %d long article(s) -> %d chunks", len(too_long), len(jobs))
    outputs = generate(model, prompter, [piece for _, piece in jobs], map_style, map_settings,
                       batch_size=batch_size, progress=progress, desc="summarize chunks")
    joined: dict[int, list[str]] = {i: [] for i in too_long}
    for (i, piece), (text, _) in zip(jobs, outputs, strict=True):
        # A model that says nothing about a chunk still must not drop it: keep its lead
        # sentence, which is faithful by construction.
        joined[i].append(text or split_sentences(piece)[0])
    for i, parts in joined.items():
        new_text = " ".join(parts)
        new_len = prompter.count_tokens(new_text)
        if new_len >= inputs.lengths[i]:
            raise RuntimeError(f"map-reduce did not shrink article {i} ({inputs.lengths[i]} -> {new_len} tokens)")
        inputs.texts[i], inputs.lengths[i] = new_text, new_len


def _fit_inputs(model, prompter: Prompter, articles: Sequence[str], style: StyleConfig,
                budget: int, input_tokens: list[int], *, batch_size: int, progress: bool) -> _Inputs:
    """The model input of each article, map-reduced until it fits `budget` tokens."""
    texts = [prompter.model_input(a, style) for a in articles]
    lengths = [prompter.count_tokens(t) for t in texts] if style.source_sentences else list(input_tokens)
    inputs = _Inputs(texts, lengths, [1] * len(articles), [False] * len(articles))
    for round_ in range(_MAX_REDUCE_ROUNDS + 1):
        too_long = [i for i, n in enumerate(inputs.lengths) if n > budget]
        if not too_long:
            return inputs
        if round_ == _MAX_REDUCE_ROUNDS:
            raise RuntimeError(f"articles {too_long} did not shrink below {budget} tokens")
        _reduce_round(model, prompter, inputs, too_long, batch_size=batch_size, progress=progress)
    return inputs


def _guarded(text: str, article: str, style: StyleConfig,
             settings: GenerationSettings) -> tuple[str, tuple[GuardAction, ...]]:
    """(text, what the guard did) after the faithfulness and injection guards (`guard.actions.review`),
    with the extractive summary of the article without its planted instructions when nothing is left."""
    reviewed = review(text, article)
    if reviewed.text:
        return reviewed.text, reviewed.actions
    fallback = extract_for_style(without_instructions(article), style, settings.max_words)
    return fallback, (*reviewed.actions, GuardAction(fallback, "fallback"))


def _fell_back(actions: tuple[GuardAction, ...]) -> bool:
    return bool(actions) and actions[-1].reason == "fallback"


def _rewrite_rejected(model: Any, prompter: Prompter, inputs: _Inputs, articles: Sequence[str], style: StyleConfig,
                      settings: GenerationSettings, outputs: list[tuple[str, int]],
                      guarded: list[tuple[str, tuple[GuardAction, ...]]], *, batch_size: int, progress: bool) -> None:
    """Write again, with the article's names and numbers only (`copy_names`), each summary the
    guard rejected whole; a rewrite the guard passes replaces the fallback in `outputs`/`guarded`,
    and the record keeps the first drops, the rewrite, then the rewrite's own drops."""
    rejected = [i for i, (_, actions) in enumerate(guarded) if _fell_back(actions)]
    if not rejected:
        return
    again = generate(model, prompter, [inputs.texts[i] for i in rejected], style, settings.override(copy_names=True),
                     batch_size=batch_size, progress=progress, desc=f"rewrite rejected ({style.name})")
    for i, (written, n_out) in zip(rejected, again, strict=True):
        text, actions = _guarded(written, articles[i], style, settings)
        if not _fell_back(actions):
            first_drops = guarded[i][1][:-1]
            outputs[i] = (text, n_out)
            guarded[i] = (text, (*first_drops, GuardAction(written, "rewritten"), *actions))


def _rewrite_unsure(model: Any, prompter: Prompter, inputs: _Inputs, style: StyleConfig, settings: GenerationSettings,
                    outputs: list[tuple[str, int]], *, batch_size: int,
                    progress: bool) -> list[tuple[GuardAction, ...]]:
    """Write again with `rewrite_beams` beams each text the model wrote at a mean token
    log-probability under `rewrite_unsure` (`confidence.mean_logprobs`), in place in `outputs`;
    per article, the record of the first text ("unsure") where it was replaced."""
    scores = mean_logprobs(model, prompter, inputs.texts, [text for text, _ in outputs], style, batch_size=batch_size)
    unsure = [i for i, value in enumerate(scores) if value < settings.rewrite_unsure]
    records: list[tuple[GuardAction, ...]] = [()] * len(outputs)
    if not unsure:
        return records
    again = generate(model, prompter, [inputs.texts[i] for i in unsure], style,
                     settings.override(num_beams=settings.rewrite_beams, prompt_lookup_tokens=0),
                     batch_size=batch_size, progress=progress, desc=f"rewrite unsure ({style.name})")
    for i, written in zip(unsure, again, strict=True):
        records[i] = (GuardAction(outputs[i][0], "unsure"),)
        outputs[i] = written
    return records


def write_summaries(
    model: Any,
    prompter: Prompter,
    articles: Sequence[str],
    style: StyleConfig,
    settings: GenerationSettings,
    *,
    faithful: bool,
    batch_size: int,
    progress: bool,
) -> list[Summary]:
    """Each article's summary written by the model (map-reduce for long articles), guarded."""
    budget = prompter.article_budget(style, settings)
    input_tokens = [prompter.count_tokens(a) for a in articles]
    inputs = _fit_inputs(model, prompter, articles, style, budget, input_tokens,
                         batch_size=batch_size, progress=progress)
    outputs = generate(model, prompter, inputs.texts, style, settings, batch_size=batch_size,
                       progress=progress, desc=f"summarize ({style.name})")
    first: list[tuple[GuardAction, ...]] = [()] * len(outputs)
    if settings.rewrite_unsure is not None and settings.num_beams == 1:
        first = _rewrite_unsure(model, prompter, inputs, style, settings, outputs,
                                batch_size=batch_size, progress=progress)
    guarded = [_guarded(text, articles[i], style, settings) if faithful else (text, ())
               for i, (text, _) in enumerate(outputs)]
    guarded = [(text, (*first[i], *actions)) for i, (text, actions) in enumerate(guarded)]
    if settings.rewrite_rejected and not settings.copy_names:
        _rewrite_rejected(model, prompter, inputs, articles, style, settings, outputs, guarded,
                          batch_size=batch_size, progress=progress)
    return [
        Summary(
            text=text, style=style.name, input_tokens=input_tokens[i], output_tokens=outputs[i][1],
            chunked=inputs.chunked[i], num_chunks=inputs.num_chunks[i],
            guard=actions,
        )
        for i, (text, actions) in enumerate(guarded)
    ]
