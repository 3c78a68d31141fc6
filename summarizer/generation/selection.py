"""Sentence selection: the model writes a summary made only of whole source sentences.

A `select_sentences` style does not let the model write freely. Decoding walks a token trie of
the article's candidate sentences: at each step only tokens that continue some not-yet-used
candidate are allowed, a finished sentence is followed by the separator (another sentence) or
end-of-sequence, and once the prefix identifies one candidate the rest of it is fed in one
forward pass. Every name and number in the output is therefore copied from the article, by
construction; what the (fine-tuned) model decides is *which* sentences, in which order, and when
to stop.

Training targets for such styles are the oracle sentences (`oracle_sentences`): the candidates
that best cover the reference summary, so training and decoding see the same kind of output.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from tqdm.auto import tqdm

from summarizer.config import GenerationSettings, StyleConfig
from summarizer.generation.extractive import extract_for_style, is_boilerplate
from summarizer.generation.postprocess import trim_words
from summarizer.generation.prefix import start_cache
from summarizer.generation.prompts import Prompter
from summarizer.generation.summary import Summary
from summarizer.guard.actions import GuardAction, review_injected
from summarizer.guard.injection import without_instructions
from summarizer.text.sentences import split_sentences

__all__ = [
    "SEPARATOR",
    "Selection",
    "candidate_sentences",
    "oracle_sentences",
    "select_sentences",
    "select_summaries",
    "selection_inputs",
]

# Sentences of a selection are written one per line; the final text joins them with spaces.
SEPARATOR = "\n"
_WORD = re.compile(r"[a-z0-9]+")


def candidate_sentences(text: str) -> list[str]:
    """The sentences of `text` the model may copy: content sentences (no page furniture), each
    once. `text` is the model input (`Summarizer.model_input`)."""
    seen: set[str] = set()
    out = []
    sentences = split_sentences(text)
    content = [s for s in sentences if not is_boilerplate(s)] or sentences
    for sentence in content:
        if sentence not in seen:
            seen.add(sentence)
            out.append(sentence)
    return out


# ------------------------------------------------------------------------------ oracle
def _grams(text: str) -> tuple[Counter, Counter]:
    words = _WORD.findall(text.lower())
    return Counter(words), Counter(zip(words, words[1:], strict=False))


def _f1(overlap: int, produced: int, wanted: int) -> float:
    if overlap == 0 or produced == 0 or wanted == 0:
        return 0.0
    p, r = overlap / produced, overlap / wanted
    return 2 * p * r / (p + r)


def _score(chosen: Counter, chosen2: Counter, ref: Counter, ref2: Counter) -> float:
    o1 = sum((chosen & ref).values())
    o2 = sum((chosen2 & ref2).values())
    return _f1(o1, sum(chosen.values()), sum(ref.values())) + _f1(o2, sum(chosen2.values()), sum(ref2.values()))


def oracle_sentences(candidates: Sequence[str], reference: str, max_sentences: int = 3) -> list[int]:
    """Indices (in source order) of the candidates that greedily maximize ROUGE-1 + ROUGE-2 F1
    (unstemmed, lowercased words) against `reference`; adding stops when it no longer helps.
    The usual extractive oracle of CNN/DM work (Nallapati et al. 2017, Liu & Lapata 2019)."""
    if max_sentences < 1:
        raise ValueError(f"max_sentences must be >= 1, got {max_sentences}")
    ref, ref2 = _grams(reference)
    grams = [_grams(c) for c in candidates]
    chosen: list[int] = []
    total, total2 = Counter(), Counter()
    best = 0.0
    while len(chosen) < max_sentences:
        pick, pick_score = None, best
        for i, (g, g2) in enumerate(grams):
            if i in chosen:
                continue
            score = _score(total + g, total2 + g2, ref, ref2)
            if score > pick_score + 1e-9:
                pick, pick_score = i, score
        if pick is None:
            break
        chosen.append(pick)
        total, total2 = total + grams[pick][0], total2 + grams[pick][1]
        best = pick_score
    return sorted(chosen)


# ------------------------------------------------------------------------------ decoding
@dataclass(frozen=True)
class Selection:
    """What `select_sentences` chose: candidate indices in the order written, and the tokens
    the model consumed while writing them (separators included)."""

    indices: tuple[int, ...]
    output_tokens: int


class _Stepper:
    """Feeds tokens to a decoder with a KV cache and gives the next-token logits.

    Tokens fed wait until the logits are read, so tokens fed back to back go through the model
    in one pass, and those after the last decision (the rest of a selection's final sentence)
    never do. Decoder-only: the prompt is the prefix, read from `prefix_ids`'s stored cache
    (`summarizer.generation.prefix`). Encoder-decoder: the prompt is encoded once and the
    decoder starts from its start token."""

    def __init__(
        self, model, prompt_ids: Sequence[int], device: torch.device, decoder_prefix: Sequence[int] = (),
        prefix_ids: Sequence[int] = (),
    ) -> None:
        self.model = model
        self.device = device
        self.seq2seq = bool(getattr(model.config, "is_encoder_decoder", False))
        self.cache = None
        self._logits: torch.Tensor | None = None
        if self.seq2seq:
            ids = torch.tensor([list(prompt_ids)], dtype=torch.long, device=device)
            self.encoder_outputs = model.get_encoder()(input_ids=ids, attention_mask=torch.ones_like(ids))
            self.attention_mask = torch.ones_like(ids)
            self.pending = list(decoder_prefix) or [model.config.decoder_start_token_id]
        else:
            self.cache, cached = start_cache(model, prompt_ids, prefix_ids) if prefix_ids else (None, 0)
            self.pending = list(prompt_ids[cached:])

    def feed(self, tokens: Sequence[int]) -> None:
        self.pending.extend(tokens)

    @property
    def logits(self) -> torch.Tensor:
        """Next-token logits after every token fed so far."""
        if self.pending:
            self._run(self.pending)
            self.pending = []
        return self._logits

    def _run(self, tokens: Sequence[int]) -> None:
        ids = torch.tensor([list(tokens)], dtype=torch.long, device=self.device)
        if self.seq2seq:
            out = self.model(
                encoder_outputs=self.encoder_outputs,
                attention_mask=self.attention_mask,
                decoder_input_ids=ids,
                past_key_values=self.cache,
                use_cache=True,
            )
        else:
            out = self.model(input_ids=ids, past_key_values=self.cache, use_cache=True, logits_to_keep=1)
        self.cache = out.past_key_values
        self._logits = out.logits[0, -1].float()


@torch.inference_mode()
def select_sentences(
    model,
    prompt_ids: Sequence[int],
    candidates: Sequence[Sequence[int]],
    *,
    separator_id: int,
    eos_id: int,
    max_sentences: int,
    min_sentences: int = 1,
    prior: Sequence[float] | None = None,
    lengths: Sequence[int] | None = None,
    word_budget: int | None = None,
    decoder_prefix: Sequence[int] = (),
    prefix_ids: Sequence[int] = (),
    device: torch.device | None = None,
) -> Selection:
    """Greedy decoding constrained to whole candidate sentences (token id sequences).

    At a sentence boundary the model chooses between `separator_id` (write another sentence)
    and `eos_id` (stop), except before `min_sentences` or after `max_sentences`. Within a
    sentence only tokens continuing an unused candidate are allowed; a token every live
    candidate shares, and the rest of the last live candidate, are fed without a choice.

    Encoder-decoder models encode the prompt and start the decoder from `decoder_prefix`;
    decoder-only models read the prompt from `prefix_ids`'s stored cache (`Prompter.prefix_ids`).
    `prior` (one value per candidate, added to the logit of a token by the best candidate that
    token leads to) lets a caller add what the model knows less well, e.g. news's lead bias.
    `word_budget` with `lengths` (words per candidate): a sentence after the first that takes
    the selection past the budget is dropped and the selection ends, even short of
    `min_sentences`."""
    if max_sentences < 1:
        raise ValueError(f"max_sentences must be >= 1, got {max_sentences}")
    if prior is not None and len(prior) != len(candidates):
        raise ValueError(f"prior has {len(prior)} values for {len(candidates)} candidates")
    if word_budget is not None and (lengths is None or len(lengths) != len(candidates)):
        raise ValueError("word_budget needs lengths, one per candidate")
    bonus = [0.0] * len(candidates) if prior is None else [float(p) for p in prior]
    usable = [i for i, c in enumerate(candidates) if len(c) > 0]
    if not usable:
        return Selection((), 0)
    device = device or next(model.parameters()).device
    step = _Stepper(model, prompt_ids, device, decoder_prefix, prefix_ids)
    chosen: list[int] = []
    fed = 0
    while len(chosen) < max_sentences:
        alive = [i for i in usable if i not in chosen]
        if not alive:
            break
        if len(chosen) >= max(1, min_sentences):
            logits = step.logits
            if logits[eos_id] >= logits[separator_id]:
                break
        if chosen:
            step.feed([separator_id])
            fed += 1
        index, used = _walk_one_sentence(step, candidates, alive, bonus, prior is not None, (eos_id, separator_id))
        chosen.append(index)
        fed += used
        if word_budget is not None and len(chosen) > 1 and sum(lengths[i] for i in chosen) > word_budget:
            # Stopping beats skipping to a shorter later sentence (FRANK valid R-1 41.38 vs
            # 41.12 at 100 words; docs/results_quality.md).
            chosen.pop()
            break
    return Selection(tuple(chosen), fed)


def _walk_one_sentence(
    step: _Stepper,
    candidates: Sequence[Sequence[int]],
    alive: list[int],
    bonus: list[float],
    use_prior: bool,
    stop_ids: tuple[int, int],
) -> tuple[int, int]:
    """Decode one whole candidate sentence from `alive` through the trie; returns (its index,
    tokens fed). A candidate that ends competes through the best of `stop_ids` (eos,
    separator)."""
    depth = fed = 0
    while True:
        # Candidates that end here compete with those that go on, through the boundary
        # tokens; a duplicate-free trie rarely has one sentence as another's prefix.
        ended = [i for i in alive if len(candidates[i]) == depth]
        going = [i for i in alive if len(candidates[i]) > depth]
        if not going:
            return ended[0], fed
        if len(going) == 1 and not ended:
            rest = list(candidates[going[0]][depth:])
            step.feed(rest)
            return going[0], fed + len(rest)
        if ended:
            logits = step.logits
            stop_score = torch.maximum(logits[stop_ids[0]], logits[stop_ids[1]]) + max(bonus[i] for i in ended)
            best_going = max(logits[candidates[i][depth]] + bonus[i] for i in going)
            if stop_score >= best_going:
                return ended[0], fed
        # The longest run every live candidate shares is fed at once.
        run = []
        while all(len(candidates[i]) > depth + len(run) for i in going) and (
            len({candidates[i][depth + len(run)] for i in going}) == 1
        ):
            run.append(candidates[going[0]][depth + len(run)])
        if run:
            step.feed(run)
            fed += len(run)
            depth += len(run)
            alive = going
            continue
        logits = step.logits
        options = sorted({candidates[i][depth] for i in going})
        scores = logits[torch.tensor(options, device=logits.device)].clone()
        if use_prior:
            lead = {t: max(bonus[i] for i in going if candidates[i][depth] == t) for t in options}
            scores += torch.tensor([lead[t] for t in options], device=scores.device)
        token = options[int(torch.argmax(scores))]
        alive = [i for i in going if candidates[i][depth] == token]
        step.feed([token])
        fed += 1
        depth += 1


# ------------------------------------------------------------------------------ summaries
def selection_inputs(prompter: Prompter, article: str, style: StyleConfig) -> tuple[list[int], list[str], list[list[int]]]:
    """(prompt ids, candidate sentences, their token ids) for a selection style: the model
    input cut after the last whole sentence that fits the input budget, and the sentences it
    shows, each tokenized once."""
    text = prompter.model_input(article, style)
    budget = prompter.article_budget(style, style.generation)
    kept: list[str] = []
    ids: list[list[int]] = []
    used = 0
    for sentence in candidate_sentences(text):
        tokens = prompter.tokenizer(sentence, add_special_tokens=False)["input_ids"]
        if used + len(tokens) + 1 > budget:
            break
        kept.append(sentence)
        ids.append(tokens)
        used += len(tokens) + 1
    return prompter.prompt_ids(" ".join(kept), style), kept, ids


def _decoder_prefix(model: Any, prompter: Prompter) -> list[int]:
    # Encoder-decoder targets start with the decoder start token (and bos where the
    # tokenizer puts one in front of a target, as BART's does).
    if prompter.family != "seq2seq":
        return []
    tokenizer = prompter.tokenizer
    prefix = [model.config.decoder_start_token_id]
    probe = tokenizer(text_target="a")["input_ids"]
    if tokenizer.bos_token_id is not None and probe and probe[0] == tokenizer.bos_token_id:
        prefix.append(tokenizer.bos_token_id)
    return prefix


def _within_limit(sentences: list[str], max_words: int | None) -> list[int]:
    """Positions of the candidates a summary of at most `max_words` words can hold whole (all of
    them when none fits: the chosen one is then shortened at a clause boundary)."""
    fits = [k for k, s in enumerate(sentences) if max_words is None or len(s.split()) <= max_words]
    return fits or list(range(len(sentences)))


def _select_one(
    model: Any, prompter: Prompter, source: str, style: StyleConfig, ids: tuple[int, list[int], list[int]],
    max_words: int | None,
) -> tuple[str, int]:
    """(the selected sentences joined, tokens consumed) for one article; `ids` holds the
    separator, the decoder prefix and the prompt's shared start. A sentence longer than
    `max_words` is not offered while a shorter one is, so the limit rarely cuts a sentence."""
    separator_id, prefix, shared = ids
    prompt, sentences, candidates = selection_inputs(prompter, source, style) if source.strip() else ([], [], [])
    if not candidates:
        return "", 0
    # The lead prior stays tied to each sentence's place in the article.
    positions = _within_limit(sentences, max_words)
    sentences = [sentences[k] for k in positions]
    candidates = [candidates[k] for k in positions]
    max_sentences = style.max_sentences or 3
    chosen = select_sentences(
        model,
        prompt,
        candidates,
        separator_id=separator_id,
        eos_id=prompter.tokenizer.eos_token_id,
        max_sentences=max_sentences,
        min_sentences=min(style.min_sentences, max_sentences),
        prior=[-style.lead_weight * k for k in positions] if style.lead_weight else None,
        lengths=[len(s.split()) for s in sentences],
        word_budget=style.word_budget,
        decoder_prefix=prefix,
        prefix_ids=shared,
    )
    return " ".join(sentences[i] for i in chosen.indices), chosen.output_tokens


def select_summaries(
    model: Any,
    prompter: Prompter,
    articles: Sequence[str],
    style: StyleConfig,
    settings: GenerationSettings,
    *,
    faithful: bool,
    progress: bool,
) -> list[Summary]:
    """Each article's summary as whole sentences the model chose from it; one article at a
    time with a KV cache, since after the prompt a selection costs only a few forward passes."""
    separator = prompter.tokenizer(SEPARATOR, add_special_tokens=False)["input_ids"]
    if len(separator) != 1:
        raise ValueError(f"selection needs a one-token sentence separator; {SEPARATOR!r} is {separator}")
    ids = (separator[0], _decoder_prefix(model, prompter), prompter.prefix_ids(style))
    summaries = []
    for article in tqdm(articles, desc=f"summarize ({style.name})", unit="doc", disable=not progress, leave=False):
        # Planted instructions are neither shown nor selectable when the guard is on.
        source = without_instructions(article) if faithful else article
        text, output_tokens = _select_one(model, prompter, source, style, ids, settings.max_words)
        actions: tuple[GuardAction, ...] = ()
        if faithful:
            reviewed = review_injected(text, article)
            text, actions = reviewed.text, reviewed.actions
        if not text:
            text = extract_for_style(source, style, settings.max_words)
            actions += (GuardAction(text, "fallback"),)
        elif settings.max_words is not None:
            text = trim_words(text, settings.max_words)
        summaries.append(Summary(
            text=text, style=style.name, input_tokens=prompter.count_tokens(article),
            output_tokens=output_tokens, guard=actions,
        ))
    return summaries
