"""Glued sentences found by the language model, where one is loaded (issue 35).

The BiGRU of `casing.boundaries` finds the starts a word's neighbours give away; a run-on such as
``... north of Tikrit University militiamen laid down heavy machine gunfire ...`` needs to know
that "militiamen laid down" begins a clause. The model is asked, at every word boundary of a long
run without `.`, `!` or `?`: is ``University . Militiamen laid down heavy`` likelier than
``University militiamen laid down heavy``? Its answer (log P(with the period) - log P(without),
over the next `NEXT_WORDS` words) and the BiGRU's logit are added; a start is split where the sum
passes the threshold chosen on glued dev copy (`training/train_boundaries.py lm`).

Each long run the BiGRU does not rule out is read alone, in one cached pass; the boundaries where
a period is plausible then get their ``. Next words`` continuations packed after it in a second
pass, each attending only to the run up to its boundary (a 4-D mask with position ids).
Causal models only; text is read in the tagger's cased draft, PTB-spaced.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from summarizer.casing.boundaries import SentenceBoundaries

NEXT_WORDS = 4
MIN_RUN = 40  # a run of tokens without . ! ? shorter than this is taken for one sentence
# A boundary where the model gives a period log-probability under this is not asked further
# (the seed's and dev's glued starts lie above -2; this keeps about a fifth of the candidates).
PERIOD_FLOOR = -5.0
MAX_LINE_TOKENS = 2048
# A run where the BiGRU gives no token 0.05 is not read by the model: on glued dev copy that
# skips 31% of the long runs and loses 9% of the glued starts in them.
RUN_GATE = 0.05
_ENDS = frozenset({".", "!", "?"})


@dataclass(frozen=True)
class LMBoundarySettings:
    # Chosen on glued dev copy, articles 100-399 (`python -m training.train_boundaries lm`).
    threshold: float = 1.0
    gru_weight: float = 0.5  # times the BiGRU's logit, added to the model's log-ratio


def long_runs(words: Sequence[str], min_words: int) -> list[tuple[int, int, list[int]]]:
    """(start, end, candidate positions) of each run of `MIN_RUN`+ tokens without . ! ?: the word
    boundaries inside it between two words, `min_words` from its edges."""
    out, start = [], 0
    for end in [i + 1 for i, w in enumerate(words) if w in _ENDS] + [len(words)]:
        if end - start >= MIN_RUN:
            positions = [i for i in range(start + min_words, end - min_words + 1)
                         if _is_word(words[i - 1]) and _is_word(words[i])]
            if positions:
                out.append((start, end, positions))
        start = end
    return out


def candidate_positions(words: Sequence[str], min_words: int) -> list[int]:
    """Every candidate position of `long_runs`, in order."""
    return [i for _start, _end, positions in long_runs(words, min_words) for i in positions]


def _is_word(token: str) -> bool:
    return any(c.isalnum() for c in token)


def _capitalized(word: str) -> str:
    return word[:1].upper() + word[1:]


def lm_scores(model: Any, tokenizer: Any, words: Sequence[str], positions: Sequence[int]) -> list[float]:
    """log P(". Next words" | line up to i) - log P("next words" | line up to i) per position i,
    for one line's cased tokens; -inf where a period there is too unlikely to ask further."""
    text = " ".join(words)
    char_starts, at = [], 0
    for w in words:
        char_starts.append(at)
        at += len(w) + 1
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    if len(ids) > MAX_LINE_TOKENS:  # past what one pass should hold: the BiGRU decides alone
        return [-math.inf] * len(positions)
    first = {start: k for k, (start, _end) in enumerate(offsets)}
    # A word's first token starts at the space before it (byte-level BPE) or at the word itself.
    word_token = [first.get(c - 1, first.get(c)) if c else first.get(0) for c in char_starts]
    period = tokenizer(" .", add_special_tokens=False)["input_ids"]
    device = next(model.parameters()).device
    head = model.get_output_embeddings()
    with torch.inference_mode():
        out = model.base_model(input_ids=torch.tensor([ids], device=device), use_cache=True)
        line_lp = head(out.last_hidden_state[0, :-1]).float().log_softmax(-1)  # row k predicts ids[k + 1]
        picked = line_lp.gather(-1, torch.tensor(ids[1:], device=device)[:, None])[:, 0]
        rows = []
        for i in positions:
            end_word = min(i + NEXT_WORDS, len(words))
            a, b = word_token[i], (word_token[end_word] if end_word < len(words) else len(ids))
            if a is None or b is None or a < 1 or line_lp[a - 1, period[0]] < PERIOD_FLOOR:
                continue
            cont = period + tokenizer(" " + " ".join([_capitalized(words[i]), *words[i + 1: end_word]]),
                                      add_special_tokens=False)["input_ids"]
            rows.append((i, a, b, cont))
        scores = _continuations(model, out.past_key_values, len(ids), rows, line_lp) if rows else []
    by_position = {i: float(s - picked[a - 1: b - 1].sum()) for (i, a, b, _c), s in zip(rows, scores, strict=True)}
    return [by_position.get(i, -math.inf) for i in positions]


def _continuations(model: Any, cache: Any, n: int, rows: list, line_lp: torch.Tensor) -> list[torch.Tensor]:
    """log P(cont | line[:a]) per row, its tokens after the line's cache in one pass, each
    attending to the line before its boundary and to its own earlier tokens."""
    device, dtype = line_lp.device, next(model.parameters()).dtype
    tokens, positions, owner = [], [], []
    for j, (_i, a, _b, cont) in enumerate(rows):
        tokens += cont[:-1]  # a continuation's last token is predicted, never read
        positions += [a + t for t in range(len(cont) - 1)]
        owner += [j] * (len(cont) - 1)
    m = len(tokens)
    allowed = torch.zeros(m, n + m, dtype=torch.bool)
    first_of = {}
    for k, j in enumerate(owner):
        first_of.setdefault(j, k)
        allowed[k, : rows[j][1]] = True
        allowed[k, n + first_of[j]: n + k + 1] = True
    mask = torch.zeros(1, 1, m, n + m, dtype=dtype).masked_fill_(~allowed, torch.finfo(dtype).min)
    hidden = model.base_model(input_ids=torch.tensor([tokens], device=device), attention_mask=mask.to(device),
                              position_ids=torch.tensor([positions], device=device), past_key_values=cache,
                              use_cache=True).last_hidden_state[0]
    lp = model.get_output_embeddings()(hidden).float().log_softmax(-1)
    targets = torch.tensor([t for _i, _a, _b, cont in rows for t in cont[1:]], device=device)
    follow = lp.gather(-1, targets[:, None])[:, 0].split([len(r[3]) - 1 for r in rows])
    # the period itself is predicted by the line's state before the boundary
    return [line_lp[a - 1, cont[0]] + f.sum() for (_i, a, _b, cont), f in zip(rows, follow, strict=True)]


def votes(model: Any, tokenizer: Any, words: Sequence[str], line_probs: Sequence[float],
          min_words: int) -> list[tuple[int, float, float]]:
    """(position, the model's log-ratio, the BiGRU's logit) at each candidate of one line's long
    runs that the BiGRU does not rule out (`RUN_GATE`)."""
    out = []
    for start, end, positions in long_runs(words, min_words):
        if max(line_probs[start:end]) < RUN_GATE:
            continue
        # The run is read alone: it starts a sentence, and the line before it costs a pass.
        shifted = [i - start for i in positions]
        for i, s in zip(positions, lm_scores(model, tokenizer, words[start:end], shifted), strict=True):
            p = min(max(line_probs[i], 1e-6), 1 - 1e-6)
            out.append((i, s, math.log(p / (1 - p))))
    return out


def lm_split_starts(
    boundaries: SentenceBoundaries, model: Any, tokenizer: Any, draft_lines: Sequence[Sequence[str]],
    settings: LMBoundarySettings = LMBoundarySettings(),
) -> list[list[int]]:
    """Per line of the cased draft, the token indices where a glued sentence starts: the BiGRU's
    own sure starts, and those where model and BiGRU together pass `settings.threshold`."""
    probs = boundaries.probabilities(draft_lines)
    out, n = [], 0
    for words in draft_lines:
        line_probs, n = probs[n: n + len(words)], n + len(words)
        # the BiGRU's own sure starts, read in the whole document as `boundaries.starts` reads them
        scored = {i: math.inf for i, p in enumerate(line_probs) if p > 0 and p >= boundaries.threshold}
        for i, s, logit in votes(model, tokenizer, words, line_probs, boundaries.min_words):
            total = s + settings.gru_weight * logit
            if total >= settings.threshold:
                scored[i] = max(scored.get(i, -math.inf), total)
        out.append(_spaced(scored, len(words), boundaries.min_words))
    return out


def _spaced(scored: dict[int, float], length: int, min_words: int) -> list[int]:
    """The best-scored starts that stay `min_words` apart and from the line's ends."""
    kept: list[int] = []
    for i in sorted(scored, key=lambda i: -scored[i]):
        if min_words <= i <= length - min_words and all(abs(i - k) >= min_words for k in kept):
            kept.append(i)
    return sorted(kept)


def split_with_lm(
    boundaries: SentenceBoundaries, model: Any, tokenizer: Any, text: str, draft: str,
    settings: LMBoundarySettings = LMBoundarySettings(),
) -> str:
    """`text` (lowercased wire copy) with its glued sentences on lines of their own, found in
    `draft` (the same text cased, whitespace kept) by the model and the BiGRU together."""
    draft_lines = [line.split() for line in draft.split("\n")]
    if [len(w) for w in draft_lines] != [len(line.split()) for line in text.split("\n")]:
        raise ValueError("the draft must keep the text's lines and tokens")
    return boundaries.split(text, lm_split_starts(boundaries, model, tokenizer, draft_lines, settings))
