"""`Summarizer`: the one object users hold, for encoder-decoder and decoder-only checkpoints alike."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from summarizer.casing.constrained import CaseTrie
from summarizer.casing.headline import headline_case, source_names
from summarizer.casing.normalize import Normalized, split_glued_sentences
from summarizer.casing.normalize import normalize as normalize_texts
from summarizer.casing.windows import CaseLM
from summarizer.casing.wire import PreparedArticle, RestoreCase, SplitGlued, prepare_article
from summarizer.config import (
    DEFAULT_NORMALIZE_METHOD,
    MODEL_FREE_NORMALIZE_METHODS,
    StyleConfig,
    SummarizerConfig,
    check_normalize_method,
)
from summarizer.generation.compressive import compress_summaries
from summarizer.generation.extractive import extractive_summaries
from summarizer.generation.free import write_summaries
from summarizer.generation.prompts import Prompter
from summarizer.generation.selection import select_summaries
from summarizer.generation.summary import Summary
from summarizer.text.cleaning import check_texts
from summarizer.text.html import NoArticle
from summarizer.weights.adapters import is_adapter_dir, load_adapter_model
from summarizer.weights.loading import (
    BACKENDS,
    Family,
    choose_backend,
    detect_family,
    load_model_and_tokenizer,
    model_context_length,
    quantize_int8,
    resolve_device,
)
from summarizer.weights.shipped import default_model_path
from summarizer.weights.smoothing import calibration_ids
from summarizer.weights.vocab import token_bytes_table

if TYPE_CHECKING:
    from summarizer.casing.lm_check import CaseLMSettings

__all__ = ["BACKENDS", "Summarizer", "Summary"]

logger = logging.getLogger(__name__)



class Summarizer:
    """Summarize news articles with a fine-tunable text-to-text model.

    Use `Summarizer.from_pretrained()` for the embedded default model, or pass a local folder or
    hub id of any encoder-decoder (BART, T5, PEGASUS) or decoder-only checkpoint.
    """

    def __init__(self, model: Any, tokenizer: Any, config: SummarizerConfig | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config or SummarizerConfig()
        self.family: Family = detect_family(model.config)
        if self.tokenizer.pad_token_id is None:
            # Many decoder-only tokenizers have no pad token; eos is safe since we always pass
            # an attention mask and strip after the first eos.
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.context_length = model_context_length(model, tokenizer)
        # Strings an article must not contain verbatim, or it could close the prompt's user turn.
        self._special_tokens = frozenset({
            *tokenizer.all_special_tokens,
            *(t.content for t in getattr(tokenizer, "added_tokens_decoder", {}).values() if t.special),
        })
        self._case_trie: CaseTrie | None = None
        self.backend = "torch"
        # Where the weights came from: an int8 model saves that checkpoint's weights (its own
        # are rounded), so `save_pretrained` loses nothing.
        self._source: str | Path | None = None

    # ------------------------------------------------------------------ loading and saving
    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | Path | None = None,
        *,
        device: str | torch.device | None = None,
        dtype: str | torch.dtype | None = None,
        config: SummarizerConfig | None = None,
        backend: str = "auto",
    ) -> Summarizer:
        """Load a summarizer.

        name_or_path: None for the embedded default (converted once and cached, see
            `summarizer.weights.embedded`), a folder written by `save_pretrained`, a LoRA adapter
            folder written by `training.finetune` (see `summarizer.weights.adapters`), or any
            Hugging Face seq2seq / causal LM checkpoint folder or hub id.
        device: "cpu", "cuda", ...; default cuda when available.
        dtype: "float32" (default) or "bfloat16".
        config: project settings; default the ones saved with the model, else the defaults.
        backend: "auto" (default: "bf16" where the hardware computes bfloat16 natively, CUDA or a
            CPU with AMX/AVX-512-BF16, "int8" on other CPUs, "torch" on CUDA without bf16; to
            train, load with backend "torch"; SUMMARIZER_FORCE_BF16=1 makes it "bf16" on
            any CPU; logged, and kept in `.backend`), "torch"
            (weights in `dtype`), "bf16" (bfloat16 weights and activations: ~2x faster on CPUs
            with AMX, but several times slower on CPUs without native bf16; see
            docs/results_speed.md) or "int8" (int8 linear layers, activations quantized row by
            row, `summarizer.weights.int8`: batch-invariant; CPU only; ~2x fp32 with VNNI; not
            trainable, and `save_pretrained` writes the weights it was loaded from).
        """
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
        if backend == "auto":
            if dtype is not None:
                backend = "torch"  # an explicit dtype is a choice already made
            else:
                backend, why = choose_backend(resolve_device(device))
                logger.info("backend auto -> %s (%s)", backend, why)
        if backend == "bf16":
            if dtype not in (None, "bfloat16", torch.bfloat16):
                raise ValueError(f"backend 'bf16' runs in bfloat16; dtype={dtype!r} contradicts it")
            dtype = torch.bfloat16
        path = default_model_path() if name_or_path is None else name_or_path
        if is_adapter_dir(path):
            # A LoRA adapter folder: its base (named inside it) with the adapter merged in.
            model, tokenizer, _ = load_adapter_model(path, device=device, dtype=dtype)
        else:
            model, tokenizer, _ = load_model_and_tokenizer(path, device=device, dtype=dtype)
        if config is None and Path(path).is_dir():
            config = SummarizerConfig.load(path)
        if backend == "int8":
            model = quantize_int8(model, calibration=calibration_ids(tokenizer))
        summarizer = cls(model, tokenizer, config)
        summarizer.backend = backend
        summarizer._source = path
        return summarizer

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write weights (safetensors), tokenizer and the summarizer settings to `directory`.
        An int8 model writes the full-precision weights it was loaded from."""
        directory = Path(directory)
        model = self.model
        if self.backend == "int8":
            if self._source is None:
                raise ValueError("an int8 model holds rounded weights; save the model it was quantized from")
            model = type(self).from_pretrained(self._source, device="cpu", backend="torch", dtype=torch.float32).model
        directory.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(directory)
        self.tokenizer.save_pretrained(directory)
        self.config.save(directory)
        return directory

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    # ------------------------------------------------------------------ prompts and tokens
    @property
    def prompter(self) -> Prompter:
        """How this model is asked (built on each use, so a changed `config` takes effect): the
        one place an article becomes model input (`model_input`, `prompt_ids`, `article_budget`).
        Training and tests reach it here; `Summarizer` itself keeps only what users call."""
        return Prompter(self.tokenizer, self.family, self.config, self.context_length, self._special_tokens)

    def count_tokens(self, text: str) -> int:
        return self.prompter.count_tokens(text)

    def build_prompt(self, article: str, style: StyleConfig) -> str:
        """The exact text the model reads for `article` in `style`."""
        return self.prompter.build_prompt(article, style)

    def casing_prompt_ids(self, window: str) -> list[int]:
        """Token ids of the casing prompt for one lowercased window (what training fine-tunes on)."""
        return self.case_lm().prompt_ids(window)

    # ------------------------------------------------------------------ summarization
    def summarize(
        self,
        articles: Sequence[str],
        *,
        style: str = "highlights",
        batch_size: int = 8,
        progress: bool = False,
        faithful: bool | None = None,
        input_format: str = "auto",
        wire_casing: str | None = None,
        **overrides: Any,
    ) -> list[Summary]:
        """Summarize each article; results come back in input order.

        style: "highlights" (CNN/DailyMail-like, ~3 sentences), "one_sentence" (XSum-like),
            "headline", "extractive" (lead sentences, no model call), or any style in
            `self.config.styles`.
        faithful: drop generated sentences with names or numbers that are not in the article,
            and sentences that follow instructions planted in the article (prompt injection),
            falling back to the extractive summary if none is left (default: config.faithful).
        overrides: generation settings for this call (`max_new_tokens`, `max_words`, `num_beams`,
            `no_repeat_ngram_size`, `length_penalty`, `repetition_penalty`, `min_new_tokens`).
            Styles that copy article sentences (`highlights`, `one_sentence`, `extractive`)
            honour only `max_words`; any other setting raises ValueError.
        input_format: "auto" (default) detects wire copy (lowercased and/or PTB-tokenized, one
            sentence a line) and normalizes it (case, spacing, line-final periods) before
            summarizing, so the summary is publishable text; "wire" always normalizes; "plain"
            never does. `Summary.input_format` says which was done.
        wire_casing: how wire copy gets its case back, a `normalize` method: "statistical"
            (the shipped decoder), "model" (its unsure words checked by this model) or
            "generate" (default: config.wire_casing).

        Articles longer than the model's input budget are split on sentence boundaries,
        each chunk summarized, and the joined chunk summaries summarized again (map-reduce);
        nothing is cut. Raises ValueError naming the index of an empty article.
        """
        articles = check_texts(articles, "article")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        style_cfg = self.config.style(style)
        settings = style_cfg.settings(**overrides)
        if not articles:
            return []
        faithful = self.config.faithful if faithful is None else faithful
        prepared = self.prepare(articles, input_format=input_format, wire_casing=wire_casing)
        texts = [p.text for p in prepared]
        if style_cfg.kind == "extract":
            summaries = extractive_summaries(texts, style_cfg, settings, self.count_tokens)
        elif style_cfg.kind == "compress":
            summaries = compress_summaries(
                self.model, self.prompter, texts, style_cfg, settings, faithful=faithful, progress=progress
            )
        elif style_cfg.kind == "select":
            summaries = select_summaries(
                self.model, self.prompter, texts, style_cfg, settings, faithful=faithful, progress=progress
            )
        else:
            summaries = write_summaries(
                self.model, self.prompter, texts, style_cfg, settings,
                faithful=faithful, batch_size=batch_size, progress=progress,
            )
        if style_cfg.case is not None:
            summaries = [
                dataclasses.replace(s, text=headline_case(s.text, style_cfg.case, names=source_names(text)))
                for s, text in zip(summaries, texts, strict=True)
            ]
        return [
            dataclasses.replace(s, input_format=p.input_format, title=p.title, metadata=p.metadata)
            for s, p in zip(summaries, prepared, strict=True)
        ]

    def prepare(
        self, articles: Sequence[str], *, input_format: str = "auto", wire_casing: str | None = None
    ) -> list[PreparedArticle]:
        """Each article as `summarize` reads it (`summarizer.casing.wire.prepare_article`): a saved
        page's article text, the title line apart, the dateline gone, wire copy normalized."""
        articles = check_texts(articles, "article")
        method = self.config.wire_casing if wire_casing is None else wire_casing
        restore_case, split_glued = self._wire_caser(method), self._glue_splitter(method)
        return [_prepared(i, a, input_format, restore_case, split_glued) for i, a in enumerate(articles)]

    # ------------------------------------------------------------------ normalization
    def _wire_caser(self, method: str) -> RestoreCase:
        """What `prepare_article` restores wire copy's case with: `normalize`'s `method`."""
        check_normalize_method(method, "wire_casing")
        return lambda text: normalize_texts([text], method=method, model=self, detokenize=False)[0].cased

    def _glue_splitter(self, method: str) -> SplitGlued:
        """How `prepare_article` finds glued sentences, as `normalize` does for `method`: the
        BiGRU, and for the model methods this model's vote too (`normalize.split_glued_sentences`)."""
        model = None if method in MODEL_FREE_NORMALIZE_METHODS else self
        return lambda text: split_glued_sentences([text], model=model)[0]

    def case_lm(self) -> CaseLM:
        """This summarizer's model as the casing methods read it (`summarizer.casing.windows.CaseLM`)."""
        return CaseLM(
            self.model,
            self.tokenizer,
            self.family,
            self.config.normalize_instruction,
            self.prompter.uses_chat_template(),
            self.context_length,
        )

    def case_trie(self) -> CaseTrie:
        """The byte trie over this tokenizer's vocabulary that method "generate" decodes under (built once)."""
        if self._case_trie is None:
            self._case_trie = CaseTrie(token_bytes_table(self.tokenizer))
        return self._case_trie

    def normalize(
        self,
        texts: Sequence[str],
        *,
        detokenize: bool = True,
        method: str = DEFAULT_NORMALIZE_METHOD,
        batch_size: int = 16,
        progress: bool = False,
        case_settings: CaseLMSettings | None = None,
    ) -> list[Normalized]:
        """Restore letter case (and, with `detokenize`, standard spacing) of wire copy, the model
        methods with this summarizer's model: `summarizer.casing.normalize.normalize`.

        method: "tagger" (default: the shipped decoder's draft corrected by the shipped case tagger,
            no language model, ~13k words/s), "statistical" (the decoder alone, ~45k words/s),
            "model" (the decoder's draft, the words it is unsure of checked by this model; see
            `summarizer.casing.lm_check`, docs/results_wirecopy.md) or "generate" (this model writes
            each window, decoding constrained so only letter case can change; useful only after
            case-restoration fine-tuning, and slow).
        """
        return normalize_texts(
            texts,
            method=method,
            model=self,
            detokenize=detokenize,
            batch_size=batch_size,
            progress=progress,
            case_settings=case_settings,
        )


def _prepared(index: int, article: str, input_format: str, restore_case: RestoreCase,
              split_glued: SplitGlued) -> PreparedArticle:
    try:
        return prepare_article(article, input_format, restore_case, split_glued)
    except NoArticle as error:
        raise NoArticle(f"article {index}: {error}") from None
