"""Case restoration that reads context: Viterbi over each word's case forms, the default `normalize`.

    >>> decoder = CaseDecoder.from_pretrained()
    >>> decoder.restore("the court of human rights ruled on monday .")
    'The Court of Human Rights ruled on Monday .'

The per-word table (`summarizer.casing.truecaser`) scores each word's forms from its own counts
and its lowercase neighbours. It decides left to right, one word at a time, and knows of its
neighbours' case only what their majority form says. This decoder chooses the forms of a run of
words jointly (after Lita et al. 2003, tRuEcasIng):

* states: each word's candidate forms (lower, Title, UPPER, mixed like McDonald), from the table;
  a sentence start, a quote opening and the other position kinds capitalize by position, as in
  the table, and their case says nothing to the n-grams;
* a path's score: the table's scores of its forms, plus, between neighbours, how their cases go
  together: the pair's own capitalization counts where the pair was seen capitalized
  (`summarizer.casing.ngrams`, `Human Rights`), else the table's generic views (a word after a
  capitalized word); plus the triple's counts given the best path into the pair;
* Viterbi per run of words (punctuation and numbers end a run);
* document memory (`restore_document`): a word written capitalized inside a multi-word name
  elsewhere in the same article leans capitalized here, and one written lowercase leans lower,
  each occurrence judged by the others (`Sterling` after `Donald Sterling`);
* `margins`: per word, how far the best path is ahead of the best path giving that word another
  case: the words a quality tier sends to a language model.

Only letter case changes: every output token lowercases to the input token.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.casing.forms import HAS_LETTER, apply_form, join_cased, split_keeping_space
from summarizer.casing.ngrams import CaseNgrams
from summarizer.casing.positions import MID, is_split_clitic, neighbours, position_kinds
from summarizer.casing.truecaser import FormScores, StatisticalTruecaser

__all__ = ["CaseDecoder", "DecoderConfig", "restore_case", "shipped_decoder", "shipped_table"]

_CACHE_SIZE = 500_000


@dataclass(frozen=True)
class DecoderConfig:
    """Weights of the decoder's views; tuned on the wire-copy dev split (docs/results_wirecopy.md)."""

    pair_strength: float = 0.5  # weight of a seen pair's coupling
    pair_prior: float = 2.0  # pseudo-counts pulling a pair's counts towards independence
    triple_strength: float = 1.0
    triple_prior: float = 2.0
    cap_weight: float = 0.5  # weight of the table's after/before-a-capital views where no pair is known
    # Document memory: a word's capitalized forms get strength x log((name_weight x c + prior) /
    # (l + prior)), c and l its other mentions written inside a multi-word name / lowercase.
    memory_strength: float = 1.0
    memory_prior: float = 1.0
    memory_name_weight: float = 6.0


class CaseDecoder:
    """Joint case decoding over runs of words; see the module docstring."""

    def __init__(self, table: StatisticalTruecaser, ngrams: CaseNgrams, config: DecoderConfig | None = None):
        self.table = table
        self.ngrams = ngrams
        self._candidates: dict[tuple[str, str, str], FormScores] = {}
        self._transitions: dict[tuple, list[list[float]]] = {}
        self._triples: dict[tuple[str, str, str], list[float] | None] = {}
        self.config = config or DecoderConfig()

    @property
    def config(self) -> DecoderConfig:
        return self._config

    @config.setter
    def config(self, config: DecoderConfig) -> None:
        self._config = config
        for cache in (self._candidates, self._transitions, self._triples):
            cache.clear()  # they hold scores weighted by the config

    @classmethod
    def from_pretrained(cls, config: DecoderConfig | None = None) -> CaseDecoder:
        """The table and n-grams shipped in `summarizer/resources` (rebuild: training/build_truecaser.py)."""
        return cls(shipped_table(), CaseNgrams.from_pretrained(), config)

    # ------------------------------------------------------------------ public

    def restore(self, text: str) -> str:
        """Restore case in lowercased PTB-tokenized text, with document memory across its lines;
        all whitespace is kept as it is."""
        if not isinstance(text, str):
            raise TypeError(f"restore expects a str, got {type(text).__name__}")
        lines = [split_keeping_space(line) for line in text.split("\n")]
        return join_cased(lines, self.restore_document([[pieces[k] for k in slots] for pieces, slots in lines]))

    def restore_document(self, lines: Sequence[Sequence[str]]) -> list[list[str]]:
        """Case the token lines of one document: a first pass, then a second with memory."""
        first = [self.restore_tokens(tokens) for tokens in lines]
        if not self.config.memory_strength:
            return first
        memory = _Memory.read(lines, first, self.config)
        out = []
        for n, (tokens, cased) in enumerate(zip(lines, first, strict=True)):
            biases = memory.biases(n, tokens)
            out.append(self.restore_tokens(tokens, biases, cased) if any(biases) else cased)
        return out

    def restore_tokens(
        self, tokens: Sequence[str], biases: Sequence[float] | None = None, unbiased: Sequence[str] | None = None
    ) -> list[str]:
        """Case one line of tokens. `biases[i]`: log-odds added to token i's capitalized forms;
        `unbiased`: this line as cased without them, kept in runs no bias touches."""
        lower = [t.lower() for t in tokens]
        kinds = position_kinds(lower)
        out = list(tokens)
        for run in self._runs(lower, out):
            if unbiased is not None and not any(biases[i] for i in run):
                for i in run:
                    out[i] = unbiased[i]
                continue
            states = self._states(run, lower, biases)
            for i, code in zip(run, self._viterbi(run, lower, kinds, states), strict=True):
                out[i] = self.table.cased_token(tokens[i], code, kinds[i])
        self.table.finish_line(tokens, lower, kinds, out)
        return out

    def margins(self, tokens: Sequence[str]) -> list[float | None]:
        """Per token of one line: how much better the best path is than the best path that
        gives this word another capitalization (None for tokens with no choice)."""
        lower = [t.lower() for t in tokens]
        kinds = position_kinds(lower)
        out: list[float | None] = [None] * len(tokens)
        for run in self._runs(lower, list(tokens)):
            states = self._states(run, lower, None)
            for i, m in zip(run, self._max_marginal_gaps(run, lower, kinds, states), strict=True):
                out[i] = m
        return out

    # ------------------------------------------------------------------ decoding

    def _runs(self, lower: Sequence[str], out: list[str]) -> list[list[int]]:
        """Runs of consecutive words; a split clitic (`’ s`) is set lowercase here and ends a run."""
        runs: list[list[int]] = [[]]
        for i, word in enumerate(lower):
            if HAS_LETTER.search(word) and not is_split_clitic(lower, i):
                runs[-1].append(i)
                continue
            if HAS_LETTER.search(word):
                out[i] = apply_form(out[i], "l")
            if runs[-1]:
                runs.append([])
        return [r for r in runs if r]

    def _states(self, run: Sequence[int], lower: Sequence[str], biases: Sequence[float] | None) -> list[FormScores]:
        states = []
        for i in run:
            found = self._candidates_of(lower, i)
            if biases is not None and biases[i]:
                bonus = biases[i]
                scores = [s + bonus * c for c, s in zip(found.classes, found.scores, strict=True)]
                found = FormScores(found.codes, scores, found.after_cap, found.before_cap)
            states.append(found)
        return states

    def _candidates_of(self, lower: Sequence[str], i: int) -> FormScores:
        prev, nxt = neighbours(lower, i)
        key = (lower[i], prev, nxt)
        found = self._candidates.get(key)
        if found is None:
            if len(self._candidates) >= _CACHE_SIZE:
                self._candidates.clear()
            found = self._candidates[key] = self.table.candidates(lower[i], prev, nxt)
        return found

    def _transition(self, lower, kinds, i: int, left: FormScores, right: FormScores) -> list[list[float]]:
        """[j][k]: added between form j of the word before i and form k of word i (cached: it
        depends on the four words around the pair and whether both stand mid-sentence)."""
        both_mid = kinds[i] == MID and kinds[i - 1] == MID
        key = (lower[i - 2] if i > 1 else "", lower[i - 1], lower[i], lower[i + 1] if i + 1 < len(lower) else "", both_mid)
        rows = self._transitions.get(key)
        if rows is None:
            if len(self._transitions) >= _CACHE_SIZE:
                self._transitions.clear()
            rows = self._transitions[key] = self._new_transition(lower[i - 1], lower[i], both_mid, left, right)
        return rows

    def _new_transition(self, w1: str, w2: str, both_mid: bool, left: FormScores, right: FormScores) -> list[list[float]]:
        config = self.config
        coupling = self.ngrams.pair_coupling(w1, w2, config.pair_strength, config.pair_prior) if both_mid else None
        if coupling is not None:
            return [[coupling[a * 2 + c] for c in right.classes] for a in left.classes]
        rows = []
        for j, a in enumerate(left.classes):
            row = [0.0] * len(right.codes)
            if right.after_cap is not None:
                row = [r + config.cap_weight * v for r, v in zip(row, right.after_cap[a], strict=True)]
            if left.before_cap is not None:
                row = [r + config.cap_weight * left.before_cap[c][j] for r, c in zip(row, right.classes, strict=True)]
            rows.append(row)
        return rows

    def _triple(self, lower, kinds, run, s: int) -> list[float] | None:
        i = run[s]
        if s < 2 or run[s - 2] != i - 2 or not (kinds[i] == kinds[i - 1] == kinds[i - 2] == MID):
            return None
        key = (lower[i - 2], lower[i - 1], lower[i])
        if key not in self._triples:
            if len(self._triples) >= _CACHE_SIZE:
                self._triples.clear()
            self._triples[key] = self.ngrams.triple_coupling(key, self.config.triple_strength, self.config.triple_prior)
        return self._triples[key]

    def _edge_scores(self, states: Sequence[FormScores]) -> tuple[list[float], list[float]]:
        """What the (lowercase, uncased) ends of a run add to its first and last word."""
        first, last = states[0], states[-1]
        w = self.config.cap_weight
        start = [s + (w * first.after_cap[0][k] if first.after_cap else 0.0) for k, s in enumerate(first.scores)]
        end = [w * last.before_cap[0][k] if last.before_cap else 0.0 for k in range(len(last.codes))]
        return start, end

    def _viterbi(self, run, lower, kinds, states: Sequence[FormScores]) -> list[str]:
        if all(len(state.codes) == 1 for state in states):
            return [state.codes[0] for state in states]
        best, end = self._edge_scores(states)
        backs: list[list[int]] = []
        for s in range(1, len(run)):
            left, right = states[s - 1], states[s]
            trans = self._transition(lower, kinds, run[s], left, right)
            triple = self._triple(lower, kinds, run, s)
            if triple is not None:  # the class two back, on the best path into each form j
                back2 = [states[s - 2].classes[k] * 4 for k in backs[-1]]
                totals = [[best[j] + row[k] + triple[back2[j] + left.classes[j] * 2 + c] for j, row in enumerate(trans)]
                          for k, c in enumerate(right.classes)]
            else:
                totals = [[best[j] + row[k] for j, row in enumerate(trans)] for k in range(len(right.codes))]
            back = [max(range(len(t)), key=t.__getitem__) for t in totals]
            best = [t[j] + score for t, j, score in zip(totals, back, right.scores, strict=True)]
            backs.append(back)
        k = max(range(len(best)), key=lambda k: best[k] + end[k])
        path = [k]
        for back in reversed(backs):
            k = back[k]
            path.append(k)
        path.reverse()
        return [state.codes[k] for state, k in zip(states, path, strict=True)]

    def _max_marginal_gaps(self, run, lower, kinds, states) -> list[float | None]:
        """Forward and backward max-products over the pair transitions (triples left out)."""
        n = len(run)
        start, end = self._edge_scores(states)
        trans = [None] + [self._transition(lower, kinds, run[s], states[s - 1], states[s]) for s in range(1, n)]
        alpha = [start]
        for s in range(1, n):
            alpha.append([
                max(alpha[-1][j] + trans[s][j][k] for j in range(len(states[s - 1].codes))) + states[s].scores[k]
                for k in range(len(states[s].codes))
            ])
        beta = [end]
        for s in range(n - 1, 0, -1):
            beta.insert(0, [
                max(trans[s][j][k] + states[s].scores[k] + beta[0][k] for k in range(len(states[s].codes)))
                for j in range(len(states[s - 1].codes))
            ])
        gaps: list[float | None] = []
        for s in range(n):
            totals = [a + b for a, b in zip(alpha[s], beta[s], strict=True)]
            classes = states[s].classes
            best = max(range(len(totals)), key=totals.__getitem__)
            other = [t for t, c in zip(totals, classes, strict=True) if c != classes[best]]
            gaps.append(totals[best] - max(other) if other else None)
        return gaps


class _Memory:
    """What one document's first pass says of each word's case, occurrence by occurrence."""

    def __init__(self, votes: list[dict[int, int]], totals: dict[str, list[int]], config: DecoderConfig):
        self.votes = votes  # per line: token index -> 1 (capitalized inside a name) or 0 (lowercase)
        self.totals = totals  # word -> [capitalized, lowercase] over the document
        self.config = config

    @classmethod
    def read(cls, lines, first, config: DecoderConfig | None = None) -> _Memory:
        votes, totals = [], {}
        for tokens, cased in zip(lines, first, strict=True):
            kinds = position_kinds([t.lower() for t in tokens])
            caps = [bool(HAS_LETTER.search(c)) and c[:1].isupper() for c in cased]
            line_votes = {}
            for i, (token, kind) in enumerate(zip(tokens, kinds, strict=True)):
                if kind != MID or len(token) < 2 or not HAS_LETTER.search(token):
                    continue
                in_name = (i > 0 and caps[i - 1] and kinds[i - 1] == MID) or (i + 1 < len(caps) and caps[i + 1])
                if caps[i] and not in_name:
                    continue  # a lone capital mid-sentence may be the table's guess: no vote
                word = token.lower()
                line_votes[i] = int(caps[i])
                totals.setdefault(word, [0, 0])[0 if caps[i] else 1] += 1
            votes.append(line_votes)
        return cls(votes, totals, config or DecoderConfig())

    def biases(self, n: int, tokens: Sequence[str]) -> list[float]:
        own = self.votes[n]
        out = [0.0] * len(tokens)
        strength, prior, weight = self.config.memory_strength, self.config.memory_prior, self.config.memory_name_weight
        for i, token in enumerate(tokens):
            counts = self.totals.get(token.lower())
            if counts is None:
                continue
            capital, lowercase = counts
            if i in own:
                capital -= own[i]
                lowercase -= 1 - own[i]
            if capital + lowercase:
                out[i] = strength * math.log((weight * capital + prior) / (lowercase + prior))
        return out


@functools.lru_cache(maxsize=1)
def shipped_table() -> StatisticalTruecaser:
    """The shipped per-word table, read once per process."""
    return StatisticalTruecaser.from_pretrained()


@functools.lru_cache(maxsize=1)
def shipped_decoder() -> CaseDecoder:
    """The shipped decoder (table + n-grams), read once per process (~1.5 s)."""
    return CaseDecoder.from_pretrained()


def restore_case(text: str) -> str:
    """Restore case in lowercased PTB-tokenized text with the shipped decoder (loaded once)."""
    return shipped_decoder().restore(text)
