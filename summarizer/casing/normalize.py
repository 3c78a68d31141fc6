"""Case restoration under the constraint that only letter case may change: the one `normalize`.

`normalize(texts, method=..., model=...)` is what every caller runs (the Python API, the CLI,
batch jobs, Ray workers, the demo). Methods (`NORMALIZE_METHODS`):

* "tagger" (the default): the decoder's draft corrected by the shipped case tagger
  (`summarizer.casing.tagger`, a small BiGRU reading both sides of each word; no language model);
* "statistical": the shipped sequence decoder alone (`summarizer.casing.decoder`), no neural model;
* "model": the tagger's draft, the words it is unsure of checked by a language model in one
  teacher-forced pass per window (`summarizer.casing.lm_check`);
* "generate": the model writes each window under a hard case-only constraint
  (`summarizer.casing.constrained`).

The model methods take `model`: a loaded `summarizer.Summarizer` (its weights, tokenizer, casing
prompt and context length). This module does not import it: it sits above `casing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from summarizer.casing.decoder import shipped_decoder
from summarizer.config import (
    DEFAULT_NORMALIZE_METHOD,
    MODEL_FREE_NORMALIZE_METHODS,
    NORMALIZE_METHODS,
    check_normalize_method,
)
from summarizer.text.cleaning import check_texts

if TYPE_CHECKING:
    from summarizer.casing.lm_check import CaseLMSettings

__all__ = [
    "NORMALIZE_METHODS",
    "Normalized",
    "normalize",
]



@dataclass(frozen=True)
class Normalized:
    """One text after case restoration (and detokenization, when asked)."""

    text: str
    # The case-restored text with the input's tokenization: aligns token for token with the
    # input; `cased.lower() == input.lower()` holds except where a glued sentence's space became
    # a newline (`split_glued`).
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


def normalize(
    texts: Sequence[str],
    *,
    method: str = DEFAULT_NORMALIZE_METHOD,
    model: Any = None,
    detokenize: bool = True,
    batch_size: int = 16,
    progress: bool = False,
    case_settings: CaseLMSettings | None = None,
    split_glued: bool | None = None,
) -> list[Normalized]:
    """Restore letter case (and, with `detokenize`, standard spacing) of wire copy.

    texts: lowercased, PTB-tokenized text such as CNN/DM's
        ``kheyon rasheed told the state - run iraqiyya television``; each text is one document
        (document memory reads all of it), each of its lines a run of sentences.
    method: "tagger" (default, ~13k words/s), "statistical" (~45k words/s), "model" or
        "generate" (see the module docstring); the latter two need `model`, a loaded `Summarizer`.
    detokenize: also undo PTB tokenization (``state - run`` -> ``state-run``, ``-lrb-`` -> ``(``).
        Without it only letter case changes, so the output aligns with PTB-tokenized gold.
    case_settings: how method "model" weighs the model against the draft (`CaseLMSettings`).
    split_glued: put a sentence glued to the one before it, with no period between, on a line of
        its own (a space becomes a newline): found by a small BiGRU (`casing.boundaries`), and,
        for the model methods, by the language model too (`casing.lm_boundaries`). Default: as
        `detokenize`, so that asking for only case changes changes nothing else.
    """
    texts = check_texts(texts, "text")
    check_normalize_method(method)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if case_settings is not None and method != "model":
        raise ValueError(f"case_settings apply to method='model' only, not {method!r}")
    if method not in MODEL_FREE_NORMALIZE_METHODS and model is None:
        raise ValueError(f"method {method!r} runs a language model: pass model= (a loaded Summarizer)")
    if not texts:
        return []
    if detokenize if split_glued is None else split_glued:
        texts = split_glued_sentences(texts, None if method in MODEL_FREE_NORMALIZE_METHODS else model)
    if method == "statistical":
        return finish(_statistical(texts, progress), method, detokenize)
    if method == "tagger":
        return finish(_tagged(texts, progress), method, detokenize)
    if method == "model":
        return finish(_check_with_model(model, texts, case_settings, batch_size, progress), method, detokenize)
    return finish(_generate_with_model(model, texts, batch_size, progress), method, detokenize)


def split_glued_sentences(texts: Sequence[str], model: Any = None) -> list[str]:
    """Each glued sentence of lowercased wire copy on a line of its own: found by the BiGRU
    (`casing.boundaries`), and with `model` (a loaded causal `Summarizer`) by the language model
    too (`casing.lm_boundaries`, reading the tagger's draft)."""
    from summarizer.casing.boundaries import shipped_boundaries

    boundaries = shipped_boundaries()
    lm = model.case_lm() if model is not None else None
    if lm is None or lm.family != "causal":
        return [boundaries.split(t) for t in texts]
    from summarizer.casing.lm_boundaries import split_with_lm
    from summarizer.casing.tagger import shipped_tagger

    tagger = shipped_tagger()
    return [split_with_lm(boundaries, lm.model, lm.tokenizer, t, tagger.restore(t)) for t in texts]


def _check_with_model(model, texts, case_settings, batch_size: int, progress: bool) -> list[str]:
    """The tagger's draft, its unsure words checked by the model (`casing.lm_check`)."""
    from summarizer.casing.lm_check import restore_case_with_lm
    from summarizer.casing.tagger import shipped_tagger

    tagger = shipped_tagger()
    drafts, margins = zip(*(tagger.draft(t) for t in texts), strict=True)
    with tqdm(desc="normalize (rows)", unit="row", disable=not progress, leave=False) as bar:
        return restore_case_with_lm(
            model.case_lm(),
            shipped_decoder(),
            texts,
            case_settings,
            batch_size=batch_size,
            progress_bar=bar,
            drafts=list(drafts),
            margins=list(margins),
        )


def _generate_with_model(model, texts, batch_size: int, progress: bool) -> list[str]:
    from summarizer.casing.constrained import restore_case_with_model

    with tqdm(desc="normalize (windows)", unit="win", disable=not progress, leave=False) as bar:
        return restore_case_with_model(
            model.case_lm(),
            model.case_trie(),
            texts,
            window_words=model.config.normalize_window_words,
            batch_size=batch_size,
            progress_bar=bar,
        )


def _statistical(texts: Sequence[str], progress: bool) -> list[str]:
    """Case restoration by the shipped statistical decoder (`summarizer.casing.decoder`: counts
    and n-grams of cased news, no neural model)."""
    decoder = shipped_decoder()
    return [decoder.restore(t) for t in tqdm(texts, desc="normalize", disable=not progress, leave=False)]


def _tagged(texts: Sequence[str], progress: bool) -> list[str]:
    """The decoder's draft corrected by the shipped case tagger (`summarizer.casing.tagger`)."""
    from summarizer.casing.tagger import shipped_tagger

    tagger = shipped_tagger()
    return [tagger.restore(t) for t in tqdm(texts, desc="normalize", disable=not progress, leave=False)]
