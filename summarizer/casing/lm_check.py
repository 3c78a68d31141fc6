"""Case restoration by a language model checking a statistical draft: `normalize(method="model")`.

Measured by `python -m bench.casing_lm` (statistical vs model on frank_refs; `--tune` grids the
combination weights).

1. A draft of the whole text (token-aligned, case only) says how sure it is of each word:
   `normalize(method="model")` drafts with the case tagger (`CaseTagger.draft`: its class
   margins; issue 35: dev F1 +0.007 over the decoder's draft and margins, docs/results_wirecopy.md),
   and without a draft the statistical decoder does (`CaseDecoder.margins`).
2. For every word (a whitespace token with a letter) the candidates are the draft form, lower,
   Title and UPPER (UPPER only for short words). Words the decoder is sure of (margin at least
   `settled_margin`) keep the draft and are not shown to the model as questions: about 97% of
   the words of news text (with `settled_margin` None, the words the counts settle instead).
3. The draft is cut into windows of whole sentences (up to `window_words` words), and each
   window with a word to check is read by the model once, teacher-forced: from the window's
   start, or (decoder-only models, `context_words`) from that many words before each checked
   word, checked words that close together sharing one read. Decoder-only models
   read a line break ("plain") or the casing instruction prompt the training pipeline
   fine-tunes on ("instruction", `casing_prompt_ids`), then the draft; every other
   candidate's tokens are packed into the same row at the positions of the word they replace,
   attending only to the draft before that word (tree attention: a 4-D mask and explicit
   position ids). Encoder-decoder models read the lowercased window (with the instruction, or
   alone) in the encoder and give each other candidate its own decoder row, which is exact but
   slower. Rows run in length-sorted batches under `torch.inference_mode()`.
4. A candidate's score is log P(its tokens | draft before the word) + `draft_bonus` for the
   draft form + `prior_weight` x log(its share of the truecaser's counts for the word)
   (+ `next_weight` x log P(next word's first token | candidate), on by default). The best
   candidate replaces the word; ties keep the draft.
5. A second pass reads the result as its draft and checks again the words just after each
   changed word and later mentions of it (`Sugar bear` -> `Sugar Bear`).

Only letter case changes: every candidate lowercases to the input word and has its length, so
`restored.lower() == text.lower()` and the whitespace is the input's. Spaces of any kind between
words reach the model as one space. Numbers are in docs/results_casing_model.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import torch

from summarizer.batching import pad_batch
from summarizer.casing.decoder import CaseDecoder
from summarizer.casing.forms import form_code
from summarizer.casing.truecaser import StatisticalTruecaser
from summarizer.casing.windows import CHECK_WINDOW_WORDS, CaseLM, merged_windows, stitch

__all__ = [
    "CASING_PROMPTS",
    "CaseLMSettings",
    "WordCandidates",
    "case_candidates",
    "choose_forms",
    "context_spans",
    "restore_case_with_lm",
    "score_candidates",
    "apply_forms",
]

CASING_PROMPTS = ("plain", "instruction")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class CaseLMSettings:
    """How the model's scores and the draft are combined (tuned on the FRANK valid split)."""

    # Added to the draft form's score: how much more likely (in nats) the model must find another form.
    draft_bonus: float = 1.5
    # Weight of log(share of the candidate's form in the truecaser's counts for the word).
    prior_weight: float = 0.1
    # Weight of the log-prob of the next word's first draft token after each candidate: the one
    # word of right context the model sees (1.0 with draft bonus 1.5: dev F1 +0.002 / +0.005 on
    # two slices of 80 and 160 articles against 0.0 with bonus 2.5; docs/results_wirecopy.md).
    next_weight: float = 1.0
    # Words the decoder is sure of are not checked: its best path beats the best path giving the
    # word another capitalization by at least this many nats. On 80 dev articles 2 checks 3% of
    # the words, 4 checks 10%, every word 77%, all at F1 0.949-0.950 (docs/results_wirecopy.md).
    settled_margin: float | None = 2.0
    # With settled_margin None: words the counts settle are not checked (the draft is the word's
    # most frequent form, with at least this share of at least `settled_count` sightings).
    # Both None: check every word.
    settled_share: float | None = 0.95
    settled_count: int = 5
    # UPPER is a candidate only for words with at most this many letters (None: always).
    max_upper_letters: int | None = 3
    # "plain": a line break, then the draft; "instruction": the casing prompt the training
    # pipeline fine-tunes on (`casing_prompt_ids`), then the draft.
    prompt: str = "plain"
    # Longest window in words; windows hold whole sentences unless one sentence is longer.
    window_words: int = CHECK_WINDOW_WORDS
    # Words of draft a decoder-only model reads before each checked word (None: from the
    # window's start). The model's cost is the draft it reads, and few words are checked: on 80
    # dev articles 32 words read 20% fewer tokens than whole windows at the same F1, and with
    # the next token scored 16 words score as 24 and 32 (0.9522 / 0.9523; 0.8731 / 0.8729 /
    # 0.8725 on the next 160) at 15-25% more words/s.
    context_words: int | None = 16
    # Passes: each later pass reads the output of the one before as its draft and checks again
    # the `recheck_words` words after each word it changed.
    passes: int = 2
    recheck_words: int = 2
    # Run the model under bfloat16 autocast (about 2-4x faster on CPUs with bf16 units).
    bf16: bool = False

    def __post_init__(self) -> None:
        if self.prompt not in CASING_PROMPTS:
            raise ValueError(f"prompt must be one of {CASING_PROMPTS}, got {self.prompt!r}")
        if self.passes < 1 or self.recheck_words < 1:
            raise ValueError(
                f"passes and recheck_words must be >= 1, got {self.passes}, {self.recheck_words}"
            )
        if self.context_words is not None and self.context_words < 0:
            raise ValueError(f"context_words must be >= 0 or None, got {self.context_words}")
        if self.window_words < 1:
            raise ValueError(f"window_words must be >= 1, got {self.window_words}")
        if self.max_upper_letters is not None and self.max_upper_letters < 1:
            raise ValueError(f"max_upper_letters must be >= 1 or None, got {self.max_upper_letters}")
        if self.settled_share is not None and not 0 < self.settled_share <= 1:
            raise ValueError(f"settled_share must be in (0, 1] or None, got {self.settled_share}")


@dataclass(frozen=True)
class WordCandidates:
    """One word of one text: where it is, its candidate forms (the draft first) and their scores."""

    start: int
    end: int
    forms: tuple[str, ...]
    # log P(form's tokens | draft before the word) per form; 0.0 where the word was not checked.
    lm: tuple[float, ...]
    # log P(next word's first draft token | draft before the word, form) per form.
    lm_next: tuple[float, ...]
    # log(share of each form in the truecaser's counts for the word); 0.0 for unknown words.
    prior: tuple[float, ...]
    count: int  # how often the truecaser saw the word (any form)
    checked: bool = False  # whether the model scored the forms (else the draft stays)
    # How sure the decoder's draft is of the word's capitalization (`CaseDecoder.margins`).
    margin: float | None = None


# ------------------------------------------------------------------------------ candidates


def _title(word: str) -> str:
    first = _HAS_LETTER.search(word)
    if not first:
        return word
    i = first.start()
    return word[:i].lower() + word[i].upper() + word[i + 1 :].lower()


def case_candidates(
    word: str, draft: str, max_upper_letters: int | None = None, capitalized: bool = False
) -> tuple[str, ...]:
    """The draft form, then lower, Title and UPPER (deduplicated), keeping only forms that
    lowercase to `word` and have its length (`ß`.upper() is `SS`: that form is dropped).

    capitalized: the word opens a sentence, so only forms with a capital first letter compete
    (the draft stays first whatever it is)."""
    forms = [draft, word.lower(), _title(word)]
    if max_upper_letters is None or _letters(word) <= max_upper_letters:
        forms.append(word.upper())
    key = word.lower()
    out: list[str] = []
    for form in forms:
        if form not in out and len(form) == len(word) and form.lower() == key:
            if out and capitalized and not _first_letter_upper(form):
                continue
            out.append(form)
    assert out and out[0] == draft, (word, draft)
    return tuple(out)


def _first_letter_upper(form: str) -> bool:
    first = _HAS_LETTER.search(form)
    return first is not None and form[first.start()].isupper()


def _capitalized_positions(truecaser: StatisticalTruecaser, text: str) -> list[bool]:
    """Per word of `text` (`_WORD` match): whether it stands where the truecaser always
    capitalizes (a sentence start, ...). A 135M model reading `\n` + draft otherwise prefers
    `manuscript of ...` to `Manuscript of ...` at the start of a text."""
    out: list[bool] = []
    for line in text.split("\n"):  # lines are separate runs of sentences, as in `restore`
        out.extend(truecaser.capitalized_positions(_WORD.findall(line)))
    return out


def _letters(word: str) -> int:
    return sum(c.isalpha() for c in word)


def _margins(decoder: CaseDecoder, text: str) -> list[float | None]:
    """Per word of `text` (`_WORD` match): the decoder's margin (`CaseDecoder.margins`)."""
    out: list[float | None] = []
    for line in text.split("\n"):
        out.extend(decoder.margins(_WORD.findall(line)))
    return out


def _form_prior(truecaser: StatisticalTruecaser, word: str, forms: Sequence[str]) -> tuple[int, tuple[float, ...]]:
    """How often the truecaser saw `word`, and log((count + 0.1) / (total + 0.1 n)) of each form."""
    codes = truecaser.forms.get(word.lower())
    if codes is None:
        return 0, (0.0,) * len(forms)
    counts = dict(zip(codes, truecaser.counts[word.lower()], strict=True))
    total = sum(counts.values())
    norm = total + 0.1 * len(counts)
    return total, tuple(math.log((counts.get(form_code(f), 0) + 0.1) / norm) for f in forms)


def _settled(word: WordCandidates, settings: CaseLMSettings) -> bool:
    """True when the counts leave no doubt: the draft is the word's usual form, seen often."""
    if len(word.forms) < 2:
        return True
    if settings.settled_margin is not None:
        return word.margin is None or word.margin >= settings.settled_margin
    if settings.settled_share is None:
        return False
    return (
        word.count >= settings.settled_count
        and word.prior[0] == max(word.prior)
        and math.exp(word.prior[0]) >= settings.settled_share
    )


# ------------------------------------------------------------------------------ scoring


@dataclass
class _Row:
    """One model input. Decoder-only rows pack a window's draft and every candidate's tokens:
    a candidate's tokens sit at the positions of the word they replace and attend only to the
    draft before that word (tree attention). Encoder-decoder rows hold one sequence each."""

    ids: list[int]
    parents: list[int]  # the token each token follows, -1 for none: it decides attention
    positions: list[int]
    encoder_ids: list[int]
    # (index of the position whose output predicts `token`, token, candidate slot, 0 own / 1 next)
    terms: list[tuple[int, int, int, int]]


class _Scorer:
    """Memoized token ids of words, rows for windows, and the model pass over rows."""

    def __init__(self, lm: CaseLM):
        self.lm = lm
        self.model, self.tokenizer, self.family = lm.model, lm.tokenizer, lm.family
        self._ids: dict[str, tuple[int, ...]] = {}

    def ids(self, text: str) -> tuple[int, ...]:
        ids = self._ids.get(text)
        if ids is None:
            if len(self._ids) > 200_000:
                self._ids.clear()
            ids = self._ids[text] = tuple(self.tokenizer(text, add_special_tokens=False)["input_ids"])
        return ids

    def prefix(self, prompt: str, lowered: str) -> tuple[list[int], list[int]]:
        """(decoder-side prefix, encoder input) of one window."""
        if self.family == "seq2seq":
            start = self.model.config.decoder_start_token_id
            if prompt == "instruction":
                return [start], self.lm.prompt_ids(lowered, use_chat=False)
            return [start], list(self.tokenizer(lowered)["input_ids"])
        if prompt == "instruction":
            return self.lm.prompt_ids(lowered), []
        # Plain text after a line break: chat models' bos (`<|im_start|>`) expects a role name.
        newline = list(self.ids("\n"))
        if newline:
            return newline, []
        bos = self.tokenizer.bos_token_id
        return [bos if bos is not None else self.tokenizer.eos_token_id], []

    def rows(
        self,
        prefix: list[int],
        encoder: list[int],
        words: Sequence[WordCandidates],
        checked: Sequence[bool],
        slots: Sequence[int],
        with_next: bool,
    ) -> list[_Row]:
        """Rows scoring every form of the checked words of one window: each form's own tokens
        and (`with_next`) the token after it, the next word's draft start, given the draft
        before the word. The draft after the last checked word is left out."""
        pieces = [self.ids(("" if j == 0 else " ") + w.forms[0]) for j, w in enumerate(words)]
        last = max(j for j, c in enumerate(checked) if c)
        tail = pieces[last + 1][:1] if with_next and last + 1 < len(words) else ()
        main = _Row(list(prefix), list(range(-1, len(prefix) - 1)), list(range(len(prefix))), encoder, [])
        starts = []
        for piece in [*pieces[: last + 1], tail]:
            starts.append(len(main.ids))
            for token in piece:
                main.parents.append(len(main.ids) - 1)
                main.positions.append(len(main.ids))
                main.ids.append(token)
        rows = [main]
        for j, word in enumerate(words[: last + 1]):
            if not checked[j]:
                continue
            start = starts[j]
            after = pieces[j + 1][0] if with_next and j + 1 < len(words) and pieces[j + 1] else None
            for f, form in enumerate(word.forms):
                slot = slots[j] + f
                tokens = pieces[j] if f == 0 else self.ids(("" if j == 0 else " ") + form)
                if f == 0:  # the draft's tokens are in the main sequence already
                    main.terms.extend((start - 1 + i, t, slot, 0) for i, t in enumerate(tokens))
                    if after is not None:
                        main.terms.append((start + len(tokens) - 1, after, slot, 1))
                    continue
                if self.family == "seq2seq":
                    row = _Row(main.ids[:start], main.parents[:start], main.positions[:start], encoder, [])
                    rows.append(row)
                else:
                    row = main
                row.terms.append((start - 1, tokens[0], slot, 0))
                # A candidate's last token is fed only to predict the token after it.
                feed = tokens if after is not None else tokens[:-1]
                for i, token in enumerate(feed):
                    index = len(row.ids)
                    row.parents.append(start - 1 if i == 0 else index - 1)
                    row.positions.append(start + i)
                    row.ids.append(token)
                    row.terms.append(
                        (
                            index,
                            tokens[i + 1] if i + 1 < len(tokens) else after,
                            slot,
                            int(i + 1 >= len(tokens)),
                        )
                    )
        return rows

    @torch.inference_mode()
    def run(
        self, rows: Sequence[_Row], slots: int, batch_size: int, bf16: bool, progress_bar=None
    ) -> tuple[list[float], list[float]]:
        """Summed log-probs per candidate slot: of its own tokens, and of the token after it."""
        own = torch.zeros(slots, dtype=torch.float64)
        nxt = torch.zeros(slots, dtype=torch.float64)
        order = sorted(range(len(rows)), key=lambda k: (len(rows[k].ids), len(rows[k].encoder_ids)))
        device = next(self.model.parameters()).device
        # One autocast region for all batches, so the bf16 copies of the weights are made once.
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            for first in range(0, len(order), batch_size):
                batch = [rows[k] for k in order[first : first + batch_size]]
                slot_ids = torch.tensor([s for row in batch for _, _, s, _ in row.terms], dtype=torch.long)
                is_next = torch.tensor([n for row in batch for *_, n in row.terms], dtype=torch.bool)
                values = self._batch_logprobs(batch, device).double().cpu()
                own.index_add_(0, slot_ids[~is_next], values[~is_next])
                nxt.index_add_(0, slot_ids[is_next], values[is_next])
                if progress_bar is not None:
                    progress_bar.update(len(batch))
        return own.tolist(), nxt.tolist()

    def _batch_logprobs(self, batch: Sequence[_Row], device: torch.device) -> torch.Tensor:
        """log P(token | its position's context) for every term of every row, in order."""
        queries: dict[tuple[int, int], int] = {}
        for r, row in enumerate(batch):
            for q, *_ in row.terms:
                queries.setdefault((r, q), len(queries))
        if not queries:
            return torch.zeros(0)
        q_rows = torch.tensor([r for r, _ in queries], device=device)
        q_cols = torch.tensor([q for _, q in queries], device=device)
        pad = self.tokenizer.pad_token_id
        if self.family == "seq2seq":
            ids, mask = pad_batch([row.ids for row in batch], pad, left=False)
            enc, enc_mask = pad_batch([row.encoder_ids for row in batch], pad, left=False)
            logits = self.model(
                input_ids=enc.to(device),
                attention_mask=enc_mask.to(device),
                decoder_input_ids=ids.to(device),
                decoder_attention_mask=mask.to(device),
            ).logits[q_rows, q_cols]
        else:
            # Only the positions that predict a candidate token go through the output layer.
            ids, positions, mask = _tree_batch(batch, pad)
            hidden = self.model.base_model(
                input_ids=ids.to(device), attention_mask=mask.to(device), position_ids=positions.to(device)
            ).last_hidden_state
            logits = self.model.get_output_embeddings()(hidden[q_rows, q_cols])
        logprobs = logits.float().log_softmax(-1)
        index = torch.tensor(
            [queries[(r, q)] for r, row in enumerate(batch) for q, *_ in row.terms], device=device
        )
        tokens = torch.tensor([t for row in batch for _, t, _, _ in row.terms], device=device)
        return logprobs[index, tokens]


def _tree_batch(batch: Sequence[_Row], pad: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Input ids, position ids and a boolean (batch, 1, T, T) mask: each token attends to itself
    and its chain of parents; padding attends only to itself."""
    width = max(len(row.ids) for row in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    positions = torch.zeros_like(ids)
    mask = torch.eye(width, dtype=torch.bool).repeat(len(batch), 1, 1)
    for r, row in enumerate(batch):
        n = len(row.ids)
        ids[r, :n] = torch.tensor(row.ids)
        positions[r, :n] = torch.tensor(row.positions)
        # The main sequence (parents i - 1) is a causal block; branches copy their parent's row.
        linear = next((i for i, p in enumerate(row.parents) if p != i - 1), n)
        mask[r, :linear, :linear] = torch.ones(linear, linear, dtype=torch.bool).tril()
        for i in range(linear, n):
            mask[r, i] = mask[r, row.parents[i]]
            mask[r, i, i] = True
    return ids, positions, mask.unsqueeze(1)


def score_candidates(
    lm: CaseLM,
    decoder: CaseDecoder,
    texts: Sequence[str],
    settings: CaseLMSettings,
    *,
    batch_size: int,
    progress_bar=None,
    drafts: Sequence[str] | None = None,
    only: Sequence[set[int]] | None = None,
    margins: Sequence[Sequence[float | None]] | None = None,
) -> list[list[WordCandidates]]:
    """Every word of every text with its candidate forms, model log-probs and count priors.

    drafts: the texts as cased so far (default: the decoder's restoration of each text).
    only: per text, the indices (among its whitespace tokens) of the words that may be
        checked (default: all that the counts do not settle).
    margins: per text, how sure the draft is of each whitespace token (default: the decoder's
        margins); words at `settings.settled_margin` or more are not checked.
    """
    if drafts is not None and len(drafts) != len(texts):
        raise ValueError(f"got {len(drafts)} drafts for {len(texts)} texts")
    if margins is not None and len(margins) != len(texts):
        raise ValueError(f"got {len(margins)} margin lists for {len(texts)} texts")
    scorer = _Scorer(lm)
    family, context_length = lm.family, lm.context_length
    # Every token writes at least one byte; the instruction prompt holds the window again, and
    # candidates' tokens (packed after the draft) take up to three times the window's bytes.
    prefix, encoder = scorer.prefix(settings.prompt, "")
    room = context_length - len(prefix) - len(encoder) - 2
    max_bytes = max(
        1, room // (2 if settings.prompt == "instruction" else 1) // (1 if family == "seq2seq" else 4)
    )
    words_of: list[list[WordCandidates]] = []
    rows: list[_Row] = []
    slot_of: list[tuple[int, int]] = []  # slot -> (text, word); forms follow the first slot
    for t, text in enumerate(texts):
        draft = decoder.restore(text) if drafts is None else drafts[t]
        if len(draft) != len(text) or draft.lower() != text.lower():
            raise ValueError(f"draft {t} differs from its text in more than letter case")
        words: list[WordCandidates] = []
        opens = _capitalized_positions(decoder.table, text)
        if settings.settled_margin is None:
            sure = None
        elif margins is not None:
            sure = margins[t]
        else:
            sure = _margins(decoder, text)
        for n, match in enumerate(_WORD.finditer(text)):
            s, e = match.span()
            word = text[s:e]
            forms = (
                case_candidates(word, draft[s:e], settings.max_upper_letters, opens[n])
                if _HAS_LETTER.search(word)
                else (draft[s:e],)
            )
            count, prior = _form_prior(decoder.table, word, forms)
            zeros = (0.0,) * len(forms)
            margin = sure[n] if sure is not None else None
            words.append(WordCandidates(s, e, forms, zeros, zeros, prior, count, margin=margin))
        words_of.append(words)
        first_word = {w.start: k for k, w in enumerate(words)}
        for ws, we in merged_windows(text, settings.window_words, max_bytes):
            k0 = first_word[ws]
            members = words[k0 : k0 + len(text[ws:we].split())]
            checked = [
                not _settled(w, settings) and (only is None or k0 + k in only[t])
                for k, w in enumerate(members)
            ]
            if not any(checked):
                continue
            mark, slots = len(slot_of), []
            for k, w in enumerate(members):
                slots.append(len(slot_of))
                if checked[k]:
                    slot_of.extend([(t, k0 + k)] * len(w.forms))
            prefix, encoder = scorer.prefix(settings.prompt, text[ws:we].lower())
            reach = settings.context_words if family != "seq2seq" and settings.prompt == "plain" else None
            window_rows = [
                row
                for a, b in context_spans(checked, reach)
                for row in scorer.rows(
                    prefix, encoder, members[a : b + 1], checked[a : b + 1], slots[a : b + 1], settings.next_weight != 0
                )
            ]
            if max(len(r.ids) for r in window_rows) > context_length or len(encoder) > context_length:
                del slot_of[mark:]  # a single token longer than the context: the draft stays
                continue
            rows.extend(window_rows)
    if progress_bar is not None:  # a later pass adds its rows to the same bar
        progress_bar.total = progress_bar.n + len(rows)
        progress_bar.refresh()
    own, nxt = scorer.run(rows, len(slot_of), batch_size, settings.bf16, progress_bar)
    slot = 0
    while slot < len(slot_of):
        t, k = slot_of[slot]
        n = len(words_of[t][k].forms)
        words_of[t][k] = replace(
            words_of[t][k], lm=tuple(own[slot : slot + n]), lm_next=tuple(nxt[slot : slot + n]), checked=True
        )
        slot += n
    return words_of


def context_spans(checked: Sequence[bool], reach: int | None) -> list[tuple[int, int]]:
    """(start, end) spans of a window's words that the model reads: each checked word with up to
    `reach` words before it (None: the whole window up to the last checked word), checked words
    closer than that sharing one span."""
    marks = [k for k, c in enumerate(checked) if c]
    if not marks:
        return []
    if reach is None:
        return [(0, marks[-1] + 1)]
    spans: list[tuple[int, int]] = []
    for k in marks:
        start = max(0, k - reach)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], k + 1)
        else:
            spans.append((start, k + 1))
    return spans


def choose_forms(words: Sequence[WordCandidates], settings: CaseLMSettings) -> list[str]:
    """The best form of each word: model log-probs + draft bonus + weighted count prior."""
    chosen = []
    for w in words:
        best = 0
        if w.checked and not _settled(w, settings):
            best_score = -math.inf
            for k, form in enumerate(w.forms):
                if (
                    k > 0
                    and settings.max_upper_letters is not None
                    and form.isupper()
                    and _letters(form) > settings.max_upper_letters
                ):
                    continue
                score = (
                    w.lm[k]
                    + settings.next_weight * w.lm_next[k]
                    + settings.prior_weight * w.prior[k]
                    + (settings.draft_bonus if k == 0 else 0.0)
                )
                if score > best_score:
                    best, best_score = k, score
        chosen.append(w.forms[best])
    return chosen


def apply_forms(text: str, words: Sequence[WordCandidates], forms: Sequence[str]) -> str:
    for w, form in zip(words, forms, strict=True):
        assert len(form) == w.end - w.start and form.lower() == text[w.start : w.end].lower(), (
            form,
            text[w.start : w.end],
        )
    return stitch(text, [(w.start, w.end) for w in words], forms)


def restore_case_with_lm(
    lm: CaseLM,
    decoder: CaseDecoder,
    texts: Sequence[str],
    settings: CaseLMSettings | None = None,
    *,
    batch_size: int,
    progress_bar=None,
    drafts: Sequence[str] | None = None,
    margins: Sequence[Sequence[float | None]] | None = None,
) -> list[str]:
    """Each text with its case restored: a draft checked word by word by `lm` where it is unsure
    (`drafts` and their `margins`, as from `CaseTagger.draft`; default: the decoder's)."""
    settings = settings or CaseLMSettings()
    texts = list(texts)
    out = [""] * len(texts)
    todo, only = list(range(len(texts))), None
    for _ in range(settings.passes):
        scored = score_candidates(
            lm,
            decoder,
            [texts[i] for i in todo],
            settings,
            batch_size=batch_size,
            progress_bar=progress_bar,
            drafts=drafts,
            only=only,
            margins=[margins[i] for i in todo] if margins is not None else None,
        )
        # Another pass checks again the words just after a changed word: their context changed...
        next_todo, next_only = [], []
        for i, words in zip(todo, scored, strict=True):
            forms = choose_forms(words, settings)
            out[i] = apply_forms(texts[i], words, forms)
            changed = [k for k, (w, f) in enumerate(zip(words, forms, strict=True)) if f != w.forms[0]]
            if changed:
                # ... and later mentions of a changed word, which may copy its new case.
                keys = {texts[i][words[k].start : words[k].end].lower() for k in changed}
                later = {
                    k
                    for k in range(changed[0] + 1, len(words))
                    if texts[i][words[k].start : words[k].end].lower() in keys
                }
                next_todo.append(i)
                next_only.append(
                    later | {k + d for k in changed for d in range(1, settings.recheck_words + 1)}
                )
        todo, drafts, only = next_todo, [out[i] for i in next_todo], next_only
        if not todo:
            break
    return out


# ------------------------------------------------------------------------------ measuring
