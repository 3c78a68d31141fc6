"""Case restoration under the constraint that only letter case may change: the normalize API.

Methods (`NORMALIZE_METHODS`): "statistical" (`normalize_statistical`, the shipped count-based
truecaser), "model" (the truecaser's draft checked word by word by a language model in one
teacher-forced pass per window: `summarizer.casing.lm_check`) and "generate" (the model writes
each window under a hard case-only constraint: `summarizer.casing.constrained`).
`Summarizer.normalize` runs the model methods; this module holds what they share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tqdm.auto import tqdm

from summarizer.casing.decoder import shipped_decoder
from summarizer.text.cleaning import check_texts

__all__ = [
    "NORMALIZE_METHODS",
    "Normalized",
    "normalize_statistical",
]

NORMALIZE_METHODS = ("statistical", "model", "generate")


@dataclass(frozen=True)
class Normalized:
    """One text after case restoration (and detokenization, when asked)."""

    text: str
    # The case-restored text with the input's tokenization and spacing: aligns token for token
    # with the input, and `cased.lower() == input.lower()` always holds.
    cased: str
    method: str
    detokenized: bool


def finish(cased: Sequence[str], method: str, detokenize: bool) -> list[Normalized]:
    """Wrap case-restored texts, detokenizing them when asked."""
    from summarizer.casing.detokenize import detokenize as detok

    return [
        Normalized(text=detok(c) if detokenize else c, cased=c, method=method, detokenized=detokenize)
        for c in cased
    ]


def normalize_statistical(texts: Sequence[str], *, detokenize: bool = True, progress: bool = False) -> list[Normalized]:
    """Case restoration by the shipped statistical decoder (`summarizer.casing.decoder`: counts
    and n-grams of cased news, no neural model)."""
    texts = check_texts(texts, "text")
    decoder = shipped_decoder()
    cased = [decoder.restore(t) for t in tqdm(texts, desc="normalize", disable=not progress, leave=False)]
    return finish(cased, "statistical", detokenize)
