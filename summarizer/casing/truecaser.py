"""A fast statistical case restorer for lowercased, PTB-tokenized news text.

    >>> tc = StatisticalTruecaser.from_pretrained()      # the model shipped in summarizer/resources
    >>> tc.restore("kheyon rasheed told the state-run iraqiyya television in new york .")
    'Kheyon Rasheed told the state-run Iraqiyya television in New York .'

The model is counts of cased text tokenized the same way as its input (counted by
`training.count_truecaser`; this module reads and scores them):

* for each lowercased word, how often each cased form (`the`, `US`, `McDonald`, `iPhone`) occurs
  away from the start of a sentence;
* for words seen with more than one form, the same counts given the previous word and given
  the next word (lowercased, so they are known at restoring time);
* for unknown words, how often rare words were capitalized, given their last three letters,
  the words around them, and whether the word before was capitalized (names come in runs);
* for each kind of position (sentence start, after a colon, first word inside a quote, after a
  dash, ...), how often a normally lowercase word was capitalized there.

A word's form is chosen by adding the log-probabilities of these views (naive Bayes), left to
right, so that the previous word's chosen case is known. Hyphenated words unseen as a whole are
cased part by part. Only letter case changes: every output token lowercases to the input
token, and the whitespace is kept exactly (`restore(x).lower() == x.lower()`).

The model file is gzip JSON (no pickle), written by `save` and read by `load`. Case forms are in
`summarizer.casing.forms`, position kinds in `summarizer.casing.positions`.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from summarizer.casing.forms import (
    HAS_LETTER,
    apply_form,
    capitalize_first,
    form_code,
    is_capitalized,
    join_cased,
    split_keeping_space,
)
from summarizer.casing.packed import pack, unpack, write_json_gz
from summarizer.casing.positions import (
    CLOSED_QUOTE,
    MID,
    SENTENCE_OPENERS,
    START,
    is_split_clitic,
    neighbours,
    position_kinds,
)

__all__ = ["FormScores", "StatisticalTruecaser", "TruecaserConfig"]

_FORMAT = "summarizer-statistical-truecaser"
_VERSION = 2  # 2: the neighbour contexts packed (summarizer.casing.packed); 1 still reads
DEFAULT_MODEL = "truecaser_en.json.gz"



_NAME_PREFIX = re.compile(r"^(?:mc|o')(?=[a-z]{2})")
# Daily Mail highlight boilerplate, written in capitals there but not in article text.
_CAPS_PHRASES = {("click", "here")}
_CACHE_SIZE = 500_000  # memoized decisions for ambiguous words in context
_UNCASED_FORMS = ("l", "t", "u")  # lower, Title, UPPER: the classes of the unknown-word model


@dataclass
class TruecaserConfig:
    """Smoothing and weights of the views; tuned on the FRANK valid-split references."""

    context_prior: float = 2.0  # pseudo-count of the word's own distribution in a context's
    weights: dict[str, float] = field(
        default_factory=lambda: {"prev": 1.0, "next": 1.0, "prevcap": 1.0, "nextcap": 1.0}
    )
    min_context_count: int = 2  # contexts seen fewer times are dropped from the saved model
    rare_count: int = 2  # words seen at most this often train the unknown-word model
    oov_weights: dict[str, float] = field(
        default_factory=lambda: {
            "suffix": 1.0,
            "prev": 1.0,
            "next": 1.0,
            "prevcap": 1.0,
            "nextcap": 1.0,
            "shape": 1.0,
        }
    )
    # Added to the log-score of capitalized forms of unknown words: words unseen in training
    # are names more often in summaries than rare words are in articles.
    oov_capital_bias: float = 0.5
    capitalize_threshold: float = 0.5  # capitalize at a position kind above this learned rate

    def __post_init__(self) -> None:
        if self.context_prior <= 0:
            raise ValueError(f"context_prior must be > 0, got {self.context_prior}")
        if self.min_context_count < 1 or self.rare_count < 1:
            raise ValueError("min_context_count and rare_count must be >= 1")


@dataclass(frozen=True)
class FormScores:
    """A word's candidate forms and their log-scores from the counts.

    `scores` reads the word and its lowercase neighbours; `after_cap[c]` / `before_cap[c]` are
    added when the word before / after it is capitalized (c=1) or not (c=0): None for words the
    counts never saw beside a capitalized word. A sequence decoder adds them per path."""

    codes: list[str]
    scores: list[float]
    after_cap: tuple[list[float], list[float]] | None = None
    before_cap: tuple[list[float], list[float]] | None = None
    classes: tuple[int, ...] = field(init=False)  # 1 where a form starts with a capital

    def __post_init__(self) -> None:
        object.__setattr__(self, "classes", tuple(int(is_capitalized(c)) for c in self.codes))




def oov_features(word: str, prev: str, nxt: str, prev_cap: bool, next_cap: bool) -> dict[str, str]:
    """The features of the unknown-word model for `word` between `prev` and `nxt`."""
    letters = re.sub(r"[^a-z]", "", word)
    shape = []
    if any(c.isdigit() for c in word):
        shape.append("d")
    if letters and not re.search(r"[aeiouy]", letters):
        shape.append("nv")
    shape.append(str(min(len(word), 6)))
    return {
        "suffix": word[-3:] if len(word) > 3 else "^" + word,
        "prev": prev,
        "next": nxt,
        "prevcap": "1" if prev_cap else "0",
        "nextcap": "1" if next_cap else "0",
        "shape": "".join(shape),
    }


class StatisticalTruecaser:
    """Restores letter case of lowercased PTB-tokenized text from cased-word statistics.

    Count with `training.count_truecaser`, or `load(path)` / `from_pretrained()`; use `restore(text)`.
    """

    def __init__(self, config: TruecaserConfig | None = None) -> None:
        self._cache: dict[tuple, str] = {}
        self.config = config or TruecaserConfig()
        self.forms: dict[str, list[str]] = {}  # word -> its form codes, most frequent first
        self.counts: dict[str, list[int]] = {}  # word -> counts parallel to forms
        self.prev_context: Mapping[str, list[int]] = {}  # "prev word" -> counts parallel to forms[word]
        self.next_context: Mapping[str, list[int]] = {}  # "word next" -> counts
        self.cap_context: dict[
            str, list[list[int]]
        ] = {}  # word -> [counts after a capitalized word, before one]
        self.oov: dict[str, dict[str, list[int]]] = {}  # feature kind -> value -> [l, t, u] counts
        self.oov_prior: list[int] = [1, 1, 1]
        self.position_rates: dict[str, list[int]] = {}  # kind -> [capitalized, total]

    @property
    def config(self) -> TruecaserConfig:
        return self._config

    @config.setter
    def config(self, config: TruecaserConfig) -> None:
        self._config = config
        self._cache.clear()  # memoized decisions depend on the weights

    def clear_cache(self) -> None:
        """Forget memoized decisions (after the tables change)."""
        self._cache.clear()

    def majority_capitalized(self, word: str) -> bool:
        codes = self.forms.get(word)
        return codes is not None and is_capitalized(codes[0])

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        """Write the model as gzip JSON."""
        payload = {
            "format": _FORMAT,
            "version": _VERSION,
            "config": asdict(self.config),
            "forms": self.forms,
            "counts": self.counts,
            "prev_context": pack(self.prev_context),
            "next_context": pack(self.next_context),
            "cap_context": self.cap_context,
            "oov": self.oov,
            "oov_prior": self.oov_prior,
            "position_rates": self.position_rates,
        }
        write_json_gz(path, payload)

    @classmethod
    def load(cls, path: str | Path, config: TruecaserConfig | None = None) -> StatisticalTruecaser:
        """Read a model written by `save`; `config` overrides the saved weights."""
        with gzip.open(Path(path), "rt", encoding="utf-8") as f:
            payload = json.load(f)
        if payload.get("format") != _FORMAT or payload.get("version") not in (1, _VERSION):
            raise ValueError(
                f"{path} is not a {_FORMAT} v{_VERSION} file (format={payload.get('format')!r}, "
                f"version={payload.get('version')!r}); rebuild it with training/build_truecaser.py"
            )
        model = cls(config or TruecaserConfig(**payload["config"]))
        model.forms = payload["forms"]
        model.counts = payload["counts"]
        read = unpack if payload["version"] >= 2 else dict
        model.prev_context = read(payload["prev_context"])
        model.next_context = read(payload["next_context"])
        model.cap_context = payload["cap_context"]
        model.oov = payload["oov"]
        model.oov_prior = payload["oov_prior"]
        model.position_rates = payload["position_rates"]
        return model

    @classmethod
    def from_pretrained(cls, config: TruecaserConfig | None = None) -> StatisticalTruecaser:
        """The model shipped in `summarizer/resources` (rebuild: training/build_truecaser.py)."""
        path = resources.files("summarizer") / "resources" / DEFAULT_MODEL
        with resources.as_file(path) as real_path:
            return cls.load(real_path, config)

    # ------------------------------------------------------------------ restoring

    def _capitalizes(self, kind: str, word: str) -> bool:
        if kind == START:
            return True
        if kind == MID:
            return False
        if kind == CLOSED_QUOTE:
            return word in SENTENCE_OPENERS
        capitalized, total = self.position_rates.get(kind, (0, 0))
        return total > 0 and capitalized / total > self.config.capitalize_threshold

    def form_scores(self, word: str, prev: str, nxt: str) -> FormScores:
        """The naive-Bayes log-scores of a known word's forms given its lowercase neighbours, and
        what the case of the word before and after would add (`FormScores`)."""
        codes = self.forms[word]
        counts = self.counts[word]
        total = sum(counts)
        base = [(n + 0.1) / (total + 0.1 * len(counts)) for n in counts]
        scores = [math.log(p) for p in base]
        beta = self.config.context_prior
        weights = self.config.weights

        def view(ctx: list[int], weight: float) -> list[float]:
            ctx_total = sum(ctx)
            return [weight * math.log((ctx[k] + beta * p) / (ctx_total + beta) / p) for k, p in enumerate(base)]

        for name, ctx in (
            ("prev", self.prev_context.get(f"{prev} {word}")),
            ("next", self.next_context.get(f"{word} {nxt}")),
        ):
            if ctx is not None:
                scores = [a + b for a, b in zip(scores, view(ctx, weights[name]), strict=True)]
        cap = self.cap_context.get(word)
        if cap is None:
            return FormScores(codes, scores)
        after = [[n - c for n, c in zip(counts, cap[0], strict=True)], cap[0]]
        before = [[n - c for n, c in zip(counts, cap[1], strict=True)], cap[1]]
        return FormScores(
            codes,
            scores,
            tuple(view(ctx, weights["prevcap"]) for ctx in after),
            tuple(view(ctx, weights["nextcap"]) for ctx in before),
        )

    def _known(self, word: str, prev: str, nxt: str, prev_cap: bool, next_cap: bool | None) -> str:
        codes = self.forms[word]
        if len(codes) == 1:
            return codes[0]
        found = self.form_scores(word, prev, nxt)
        scores = list(found.scores)
        if found.after_cap is not None:
            scores = [a + b for a, b in zip(scores, found.after_cap[prev_cap], strict=True)]
            if next_cap is not None:
                scores = [a + b for a, b in zip(scores, found.before_cap[next_cap], strict=True)]
        return codes[max(range(len(codes)), key=scores.__getitem__)]

    def _unknown(self, word: str, prev: str, nxt: str, prev_cap: bool, next_cap: bool | None) -> str:
        scores = self._unknown_scores(word, prev, nxt, prev_cap, next_cap)
        code = _UNCASED_FORMS[max(range(3), key=scores.__getitem__)]
        if code == "t" and _NAME_PREFIX.match(word):
            # In the training text 167 of 168 `mc...` words are McX, and every `o'...` is O'X.
            cut = _NAME_PREFIX.match(word).end()
            return word[0].upper() + word[1:cut] + word[cut].upper() + word[cut + 1 :]
        return code

    def _unknown_scores(
        self, word: str, prev: str, nxt: str, prev_cap: bool, next_cap: bool | None
    ) -> list[float]:
        """Log-scores of lower / Title / UPPER for a word the counts do not know."""
        prior_total = sum(self.oov_prior)
        prior = [p / prior_total for p in self.oov_prior]
        scores = [math.log(p) for p in prior]
        weights = self.config.oov_weights
        features = oov_features(word, prev, nxt, prev_cap, bool(next_cap))
        if next_cap is None:
            del features["nextcap"]
        for kind, value in features.items():
            counts = self.oov.get(kind, {}).get(value)
            if counts is None:
                continue
            total = sum(counts)
            w = weights[kind]
            for k in range(3):
                scores[k] += w * math.log((counts[k] + 2 * prior[k]) / (total + 2) / prior[k])
        scores[1] += self.config.oov_capital_bias
        scores[2] += self.config.oov_capital_bias
        return scores

    def _word_code(self, word: str, prev: str, nxt: str, prev_cap: bool, next_cap: bool | None) -> str:
        codes = self.forms.get(word)
        if codes is not None:
            if len(codes) == 1:
                return codes[0]
            key = (word, prev, nxt, prev_cap, next_cap)
            code = self._cache.get(key)
            if code is None:
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.clear()
                code = self._cache[key] = self._known(word, prev, nxt, prev_cap, next_cap)
            return code
        if "-" in word.strip("-"):
            parts = word.split("-")
            codes = [
                self._word_code(p, prev, nxt, prev_cap, next_cap) if HAS_LETTER.search(p) else "l"
                for p in parts
            ]
            if any(is_capitalized(c) for c in codes):
                # Carrion-Moore: an unknown part of a compound with a capitalized part is a name too.
                codes = [
                    "t" if c == "l" and p not in self.forms and HAS_LETTER.search(p) else c
                    for p, c in zip(parts, codes, strict=True)
                ]
            return "-".join(c if len(c) > 1 else apply_form(p, c) for p, c in zip(parts, codes, strict=True))
        return self._unknown(word, prev, nxt, prev_cap, next_cap)

    def candidates(self, word: str, prev: str, nxt: str) -> FormScores:
        """The forms a sequence decoder chooses among for `word` between lowercase neighbours
        `prev` and `nxt`, with their scores (`FormScores`)."""
        codes = self.forms.get(word)
        if codes is not None:
            return self.form_scores(word, prev, nxt) if len(codes) > 1 else FormScores(codes, [0.0])
        if "-" in word.strip("-"):
            # An unseen compound is cased part by part, and only the case before it changes that.
            after_lower = self._word_code(word, prev, nxt, False, None)
            after_capital = self._word_code(word, prev, nxt, True, None)
            if after_lower == after_capital:
                return FormScores([after_lower], [0.0])
            return FormScores([after_lower, after_capital], [0.0, 0.0], ([0.0, -50.0], [-50.0, 0.0]))
        plain = self._unknown_scores(word, prev, nxt, False, False)
        after = self._unknown_scores(word, prev, nxt, True, False)
        before = self._unknown_scores(word, prev, nxt, False, True)
        codes = list(_UNCASED_FORMS)
        if _NAME_PREFIX.match(word):
            codes[1] = self._unknown(word, prev, nxt, True, None)  # McDonald, O'Neill
        zero = [0.0] * 3
        return FormScores(
            codes,
            plain,
            (zero, [a - b for a, b in zip(after, plain, strict=True)]),
            (zero, [a - b for a, b in zip(before, plain, strict=True)]),
        )

    def cased_token(self, token: str, code: str, kind: str) -> str:
        """`token` in form `code` (a code or, for unseen compounds, the cased compound), capitalized
        where its position kind asks for it."""
        if len(code) == len(token) and code.lower() == token.lower() and "-" in code:
            cased = code
        else:
            cased = apply_form(token, code)
        return capitalize_first(cased) if self._capitalizes(kind, token.lower()) else cased

    def finish_line(self, tokens: Sequence[str], lower: Sequence[str], kinds: Sequence[str], out: list[str]) -> None:
        """What every decoder does last to a cased line (in place): split compounds the counts know
        whole, `CLICK HERE`."""
        self._case_split_compounds(tokens, lower, kinds, out)
        for i in range(len(tokens) - 1):
            if kinds[i] == START and (lower[i], lower[i + 1]) in _CAPS_PHRASES:
                out[i], out[i + 1] = apply_form(tokens[i], "u"), apply_form(tokens[i + 1], "u")

    def restore_tokens(self, tokens: Sequence[str]) -> list[str]:
        """Case each token of one line, word by word left to right; the output tokens lowercase
        to the input tokens."""
        lower = [t.lower() for t in tokens]
        kinds = position_kinds(lower)
        out: list[str] = []
        prev_cap = False
        for i, token in enumerate(tokens):
            if not HAS_LETTER.search(token):
                out.append(token)
                prev_cap = False
                continue
            word = lower[i]
            prev, nxt = neighbours(lower, i)
            next_cap = None
            if i + 1 < len(lower) and lower[i + 1] in self.forms:
                next_cap = self.majority_capitalized(lower[i + 1])
            elif i + 1 >= len(lower) or not HAS_LETTER.search(lower[i + 1]):
                next_cap = False
            if is_split_clitic(lower, i):
                out.append(apply_form(token, "l"))
                prev_cap = False
                continue
            code = self._word_code(word, prev, nxt, prev_cap, next_cap)
            cased = apply_form(token, code)
            if self._capitalizes(kinds[i], word):
                cased = capitalize_first(cased)
            out.append(cased)
            prev_cap = is_capitalized(code)
        self.finish_line(tokens, lower, kinds, out)
        return out

    def _case_split_compounds(
        self, tokens: Sequence[str], lower: Sequence[str], kinds: Sequence[str], out: list[str]
    ) -> None:
        """`us - led` -> `US-led`: where the detokenizer will join a split compound that the
        counts know whole, case its parts as the compound (in place)."""
        from summarizer.casing.detokenize import joined_hyphens

        if "-" not in lower:
            return
        for j in sorted(joined_hyphens(list(lower))):
            compound = f"{lower[j - 1]}-{lower[j + 1]}"
            if compound not in self.forms:
                continue
            prev, _ = neighbours(lower, j - 1)
            _, nxt = neighbours(lower, j + 1)
            code = self._word_code(
                compound, prev, nxt, j > 1 and is_capitalized(form_code(out[j - 2])), None
            )
            left, right = apply_form(f"{tokens[j - 1]}-{tokens[j + 1]}", code).split("-", 1)
            if self._capitalizes(kinds[j - 1], lower[j - 1]):
                left = capitalize_first(left)
            out[j - 1], out[j + 1] = left, right

    def capitalized_positions(self, tokens: Sequence[str]) -> list[bool]:
        """Per token of one line: whether `restore_tokens` capitalizes it whatever the word's
        counts say (a sentence start, the opener after a closing quote, ...)."""
        lower = [t.lower() for t in tokens]
        return [self._capitalizes(k, w) for k, w in zip(position_kinds(lower), lower, strict=True)]

    def restore(self, tokens_or_text: str | Sequence[str]) -> str:
        """Restore case in space-separated PTB tokens (or a list of tokens, joined by spaces).

        Each line is its own run of sentences; all whitespace is kept as it is.
        """
        if isinstance(tokens_or_text, str):
            text = tokens_or_text
        elif isinstance(tokens_or_text, Sequence) and all(isinstance(t, str) for t in tokens_or_text):
            text = " ".join(tokens_or_text)
        else:
            raise TypeError(
                f"restore expects a str or a sequence of str, got {type(tokens_or_text).__name__}"
            )
        lines = [split_keeping_space(line) for line in text.split("\n")]
        cased = [self.restore_tokens([pieces[k] for k in slots]) for pieces, slots in lines]
        return join_cased(lines, cased)


