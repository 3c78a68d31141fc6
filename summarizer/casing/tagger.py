"""A trained case tagger stacked on the count decoder (issue 35).

For each token of lowercased PTB text a bidirectional GRU predicts its case class: lower,
Title, UPPER or mixed (a lexicon form such as "McDonald", taken from the decoder when it chose
one, else the table's most frequent mixed form). It reads, for every token, the word itself
(an embedding of the training text's frequent words), a hashed 3-letter suffix, the word's
shape, the count table's share of each case form, whether the token opens or closes a line,
and the count decoder's own choice; the GRU sees the whole document on both sides.

The decoder's choice is its strongest feature, so the tagger must learn from text the
decoder's counts never saw: `training/train_case_tagger.py` trains it on AllSides half "b"
against tables built with half "a" only (`build_truecaser --allsides half`), and the tagger
ships with the tables it was trained against. Only letter case changes, never a word.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from summarizer.casing.decoder import CaseDecoder, shipped_decoder
from summarizer.casing.forms import apply_form, form_code, join_cased, split_keeping_space
from summarizer.casing.token_gru import TokenBiGRU, TokenGRUConfig, suffix_id
from summarizer.casing.truecaser import StatisticalTruecaser

DEFAULT_TAGGER = "case_tagger_en.pt"  # shipped in summarizer/resources, beside the tables it reads
CLASSES = ("l", "t", "u", "m")
_CODE_CLASS = {"l": 0, "t": 1, "u": 2}
STATIC = 11  # per word type: 4 form shares, log count, known, 5 shape flags
DENSE = STATIC + 2 + len(CLASSES)  # + line start/end + the decoder's class


def case_class(token: str) -> int:
    """The class index of a cased token: 0 lower, 1 Title, 2 UPPER, 3 mixed."""
    return _CODE_CLASS.get(form_code(token), 3)


@dataclass
class TaggerConfig(TokenGRUConfig):
    hidden: int = 160


class CaseTaggerNet(TokenBiGRU):
    """Word, suffix and dense features -> BiGRU -> class logits for every token."""

    def __init__(self, config: TaggerConfig) -> None:
        super().__init__(config, DENSE, len(CLASSES))


class TypeFeatures:
    """Per word type: its embedding id, suffix id and static features (cached)."""

    def __init__(self, table: StatisticalTruecaser, vocab: dict[str, int]) -> None:
        self.table, self.vocab = table, vocab
        self._cache: dict[str, tuple[int, int, list[float]]] = {}

    def __call__(self, word: str) -> tuple[int, int, list[float]]:
        hit = self._cache.get(word)
        if hit is None:
            hit = self._cache[word] = (self.vocab.get(word, 0), suffix_id(word), self._static(word))
        return hit

    def _static(self, word: str) -> list[float]:
        counts = [0.0] * 4
        for code, n in zip(self.table.forms.get(word, ()), self.table.counts.get(word, ()), strict=False):
            counts[_CODE_CLASS.get(code, 3)] += n
        total = sum(counts)
        shares = [c / total for c in counts] if total else [0.0] * 4
        shape = [
            float(word[:1].isalpha()),
            float(any(c.isdigit() for c in word)),
            float("-" in word),
            float("." in word),
            float(not any(c.isalnum() for c in word)),
        ]
        return [*shares, math.log1p(total) / 10, float(total > 0), *shape]

    def tensors(self, lines: Sequence[Sequence[str]], decoded: Sequence[Sequence[int]]) -> tuple[torch.Tensor, ...]:
        """(ids, suffix, dense) of one document, its lines run together."""
        ids, suffix, dense = [], [], []
        for words, classes in zip(lines, decoded, strict=True):
            last = len(words) - 1
            for i, (word, k) in enumerate(zip(words, classes, strict=True)):
                w, s, static = self(word)
                choice = [0.0] * len(CLASSES)
                choice[k] = 1.0
                ids.append(w)
                suffix.append(s)
                dense.append([*static, float(i == 0), float(i == last), *choice])
        if not ids:
            return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long), torch.zeros(0, DENSE)
        return torch.tensor(ids), torch.tensor(suffix), torch.tensor(dense)


class CaseTagger:
    """Restore case with the decoder, then let the tagger correct it (see the module docstring)."""

    def __init__(self, decoder: CaseDecoder, net: CaseTaggerNet, vocab: dict[str, int], keep_bias: float = 0.0) -> None:
        self.decoder, self.net = decoder, net.eval()
        self.features = TypeFeatures(decoder.table, vocab)
        # Added to the logit of the decoder's own class. The tagger learns on text the tables
        # never counted, where the decoder errs more than on text like theirs; this says how
        # much more to trust it (tuned on wire-copy dev by `train_case_tagger calibrate`).
        self.keep_bias = keep_bias

    def save(self, path: str | Path) -> None:
        state = {k: v.half() if v.is_floating_point() else v for k, v in self.net.state_dict().items()}
        payload = {"config": vars(self.net.config), "vocab": self.features.vocab, "state": state, "keep_bias": self.keep_bias}
        torch.save(payload, path)

    @classmethod
    def load(cls, path: str | Path, decoder: CaseDecoder) -> CaseTagger:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        net = CaseTaggerNet(TaggerConfig(**payload["config"]))
        net.load_state_dict({k: v.float() for k, v in payload["state"].items()})
        return cls(decoder, net, payload["vocab"], payload.get("keep_bias", 0.0))

    def restore(self, text: str) -> str:
        """Case lowercased PTB-tokenized text (lines and whitespace kept); only case changes."""
        return self.draft(text)[0]

    def draft(self, text: str) -> tuple[str, list[float]]:
        """(`restore(text)`, how sure the tagger is of each whitespace token's class: the best
        class logit minus the second), what the LM check reads (`casing.lm_check`)."""
        if not isinstance(text, str):
            raise TypeError(f"restore expects a str, got {type(text).__name__}")
        lines = [split_keeping_space(line) for line in text.split("\n")]
        tokens = [[pieces[k] for k in slots] for pieces, slots in lines]
        cased, margins = self._tag(tokens)
        return join_cased(lines, cased), margins

    def restore_document(self, lines: Sequence[Sequence[str]]) -> list[list[str]]:
        return self._tag(lines)[0]

    def _tag(self, lines: Sequence[Sequence[str]]) -> tuple[list[list[str]], list[float]]:
        decoded = self.decoder.restore_document(lines)
        lower = [[t.lower() for t in line] for line in lines]
        logits = self.logits(lower, [[case_class(t) for t in line] for line in decoded], self.keep_bias)
        classes = [int(k) for k in logits.argmax(-1)]
        top = logits.topk(2, dim=-1).values if len(logits) else logits.new_zeros(0, 2)
        margins = (top[:, 0] - top[:, 1]).tolist()
        out, n = [], 0
        for words, guesses in zip(lines, decoded, strict=True):
            cased = []
            for word, guess in zip(words, guesses, strict=True):
                cased.append(self._cased(word, guess, classes[n]))
                n += 1
            out.append(cased)
        return out, margins

    def logits(self, lower: Sequence[Sequence[str]], decoded: Sequence[Sequence[int]], keep_bias: float = 0.0) -> torch.Tensor:
        """Class logits of every token of one document (its lines run together), the decoder's
        class raised by `keep_bias`."""
        ids, suffix, dense = self.features.tensors(lower, decoded)
        if not len(ids):
            return torch.zeros(0, len(CLASSES))
        with torch.inference_mode():
            logits = self.net(ids[None], suffix[None], dense[None])[0]
        choice = torch.tensor([k for line in decoded for k in line])
        return logits.index_put((torch.arange(len(choice)), choice), torch.tensor(keep_bias), accumulate=True)

    def _cased(self, word: str, guess: str, k: int) -> str:
        code = form_code(guess)
        if k != 3 and code in _CODE_CLASS and _CODE_CLASS[code] == k:
            return guess  # the decoder's own form (it may carry position rules the class omits)
        if k == 3:
            if code not in _CODE_CLASS:
                return guess
            mixed = [c for c in self.decoder.table.forms.get(word.lower(), ()) if c not in _CODE_CLASS]
            return apply_form(word, mixed[0] if mixed else "t")
        return apply_form(word, CLASSES[k])


@functools.lru_cache(maxsize=1)
def shipped_tagger() -> CaseTagger:
    """The shipped tagger over the shipped decoder, read once per process."""
    from importlib import resources

    path = resources.files("summarizer") / "resources" / DEFAULT_TAGGER
    with resources.as_file(path) as real_path:
        if not real_path.is_file():
            raise FileNotFoundError(
                f"{real_path} is missing: train it with `python -m training.train_case_tagger` "
                "(docs/results_wirecopy.md) or use normalize method 'statistical'"
            )
        return CaseTagger.load(real_path, shipped_decoder())
