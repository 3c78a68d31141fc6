"""`Summarizer`: the one object users hold, for encoder-decoder and decoder-only checkpoints alike."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from tqdm.auto import tqdm

from summarizer.casing.constrained import CaseTrie, token_bytes_table
from summarizer.casing.normalize import (
    NORMALIZE_METHODS,
    Normalized,
    normalize_statistical,
    restore_case_with_model,
    shipped_truecaser,
)
from summarizer.casing.normalize import finish as finish_normalized
from summarizer.casing.windows import casing_prompt_ids
from summarizer.config import GenerationSettings, StyleConfig, SummarizerConfig
from summarizer.generation.chunking import chunk_text
from summarizer.generation.extractive import extract, extract_for_style
from summarizer.generation.postprocess import clean_output, trim_words
from summarizer.generation.selection import SEPARATOR, Selection, candidate_sentences, select_sentences
from summarizer.guard.faithfulness import drop_unsupported
from summarizer.guard.injection import defuse_special_tokens, drop_injected, without_instructions
from summarizer.text.cleaning import check_texts
from summarizer.text.sentences import split_sentences
from summarizer.weights.adapters import is_adapter_dir, load_adapter_model
from summarizer.weights.loading import Family, detect_family, load_model_and_tokenizer, model_context_length
from summarizer.weights.shipped import default_model_path

if TYPE_CHECKING:
    from summarizer.casing.lm_check import CaseLMSettings

__all__ = ["BACKENDS", "Summarizer", "Summary", "quantize_int8"]

BACKENDS = ("torch", "bf16", "int8")


def quantize_int8(model: Any) -> Any:
    """The model with its linear layers dynamically quantized to int8 (weights int8, activations
    quantized per batch; CPU only). The tied embedding stays fp32."""
    if next(model.parameters()).device.type != "cpu":
        raise ValueError("backend 'int8' (torch dynamic quantization) runs on CPU only")
    model = model.float()
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)

logger = logging.getLogger(__name__)

# Rounds of map-reduce before we give up; each round shrinks a text by roughly the chunk size
# over the summary length (>= 3x), so 8 rounds cover inputs far beyond any real article.
_MAX_REDUCE_ROUNDS = 8
# Slack for tokens that merge differently at the prompt/article boundary.
_BOUNDARY_SLACK = 4


@dataclass(frozen=True)
class Summary:
    """One article's summary."""

    text: str
    style: str
    # Tokens of the article as given (before any chunking) and of the final generated text.
    input_tokens: int
    output_tokens: int
    # True when the article exceeded the model's input budget and was summarized map-reduce.
    chunked: bool = False
    num_chunks: int = 1
    # Faithfulness guard: generated sentences removed for names/numbers not in the article, and
    # whether nothing was left so the extractive summary was returned instead.
    dropped_sentences: int = 0
    extractive_fallback: bool = False


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
        self._special_tokens = {
            *tokenizer.all_special_tokens,
            *(t.content for t in getattr(tokenizer, "added_tokens_decoder", {}).values() if t.special),
        }
        self._case_trie: CaseTrie | None = None
        self.backend = "torch"

    # ------------------------------------------------------------------ loading and saving
    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | Path | None = None,
        *,
        device: str | torch.device | None = None,
        dtype: str | torch.dtype | None = None,
        config: SummarizerConfig | None = None,
        backend: str = "torch",
    ) -> Summarizer:
        """Load a summarizer.

        name_or_path: None for the embedded default (converted once and cached, see
            `summarizer.weights.embedded`), a folder written by `save_pretrained`, a LoRA adapter folder
            written by `training.finetune` (see `summarizer.weights.adapters`), or any Hugging Face
            seq2seq / causal LM checkpoint folder or hub id.
        device: "cpu", "cuda", ...; default cuda when available.
        dtype: "float32" (default) or "bfloat16".
        config: project settings; default the ones saved with the model, else the defaults.
        backend: "torch" (weights in `dtype`), "bf16" (bfloat16 weights and activations: on CPUs
            with AMX/AVX-512-BF16 prefill is ~2x faster and decoding reads half the bytes; see
            docs/results_speed.md for the measured speed and quality) or "int8" (torch dynamic
            int8 quantization of the linear layers, fp32 activations; CPU only).
        """
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
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
            model = quantize_int8(model)
        summarizer = cls(model, tokenizer, config)
        summarizer.backend = backend
        return summarizer

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write weights (safetensors), tokenizer and the summarizer settings to `directory`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(directory)
        self.tokenizer.save_pretrained(directory)
        self.config.save(directory)
        return directory

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    # ------------------------------------------------------------------ prompts and tokens
    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _uses_chat_template(self) -> bool:
        return (
            self.family == "causal"
            and self.config.use_chat_template
            and getattr(self.tokenizer, "chat_template", None) is not None
        )

    def build_prompt(self, article: str, style: StyleConfig) -> str:
        """The exact text the model reads for `article` in `style`."""
        article = defuse_special_tokens(article, self._special_tokens)
        if self.family == "seq2seq":
            return f"{style.seq2seq_prefix}{article}"
        user = f"{style.instruction}\n\nArticle:\n{article}"
        if self._uses_chat_template():
            messages = [{"role": "user", "content": user}]
            if self.config.system_prompt:
                messages.insert(0, {"role": "system", "content": self.config.system_prompt})
            return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return f"{user}\n\n{style.name.replace('_', ' ').capitalize()}:"

    def model_input(self, article: str, style: StyleConfig) -> str:
        """The part of `article` the model is shown for `style` (all of it unless the style
        sets `source_sentences`)."""
        if style.source_sentences:
            return extract(article, max_sentences=style.source_sentences)
        return article

    def encode_prompt(self, article: str, style: StyleConfig) -> list[int]:
        """Token ids of the exact prompt `summarize` gives the model for `article`."""
        return self.prompt_ids(self.model_input(article, style), style)

    def prompt_ids(self, model_input: str, style: StyleConfig) -> list[int]:
        """Token ids of the prompt around `model_input` (the text already cut to what the style
        shows, see `model_input`). Training builds its examples with this, so training and
        inference cannot drift."""
        return self._encode_prompt(self.build_prompt(model_input, style))

    def casing_prompt_ids(self, window: str) -> list[int]:
        """Token ids of the casing prompt for one lowercased window (what training fine-tunes on)."""
        return casing_prompt_ids(
            self.tokenizer, self.family, self.config.normalize_instruction, window, self._uses_chat_template()
        )

    def _encode_prompt(self, prompt: str) -> list[int]:
        # Chat templates already contain the special tokens; plain prompts get the tokenizer's.
        add_special = not self._uses_chat_template()
        return self.tokenizer(prompt, add_special_tokens=add_special)["input_ids"]

    def article_budget(self, style: StyleConfig, settings: GenerationSettings) -> int:
        """How many article tokens fit in one model input for `style`."""
        if self.config.max_input_tokens is not None:
            max_input = self.config.max_input_tokens
        elif self.family == "causal":
            # Prompt and generated tokens share the decoder's positions.
            max_input = self.context_length - settings.max_new_tokens
        else:
            max_input = self.context_length
        overhead = len(self._encode_prompt(self.build_prompt("", style))) + _BOUNDARY_SLACK
        budget = max_input - overhead
        if budget < 8:
            raise ValueError(
                f"style {style.name!r} leaves {budget} tokens for the article (context {self.context_length}, "
                f"prompt {overhead}, max_new_tokens {settings.max_new_tokens}); lower max_new_tokens"
            )
        return budget

    # ------------------------------------------------------------------ generation
    def _generated_count(self, ids: list[int]) -> int:
        special = set(self.tokenizer.all_special_ids)
        count = 0
        for token in ids:
            if token == self.tokenizer.eos_token_id:
                break
            if token not in special:
                count += 1
        return count

    @torch.inference_mode()
    def _generate(
        self,
        texts: Sequence[str],
        style: StyleConfig,
        settings: GenerationSettings,
        *,
        batch_size: int,
        progress: bool,
        desc: str,
    ) -> list[tuple[str, int]]:
        """Generate for each text; returns (clean text, generated token count) in input order."""
        encoded = [self._encode_prompt(self.build_prompt(text, style)) for text in texts]
        # Longest first: similar lengths share a batch (little padding) and a batch that is too
        # big for memory fails at the start, not after an hour.
        order = sorted(range(len(texts)), key=lambda i: -len(encoded[i]))
        results: list[tuple[str, int] | None] = [None] * len(texts)
        pad_id = self.tokenizer.pad_token_id
        left_pad = self.family == "causal"
        kwargs = settings.generate_kwargs()
        with tqdm(total=len(texts), desc=desc, unit="doc", disable=not progress, leave=False) as bar:
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                width = max(len(encoded[i]) for i in batch)
                ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, i in enumerate(batch):
                    seq = torch.tensor(encoded[i], dtype=torch.long)
                    if left_pad:
                        ids[row, width - len(seq) :] = seq
                        mask[row, width - len(seq) :] = 1
                    else:
                        ids[row, : len(seq)] = seq
                        mask[row, : len(seq)] = 1
                out = self.model.generate(
                    input_ids=ids.to(self.device),
                    attention_mask=mask.to(self.device),
                    pad_token_id=pad_id,
                    eos_token_id=self.tokenizer.eos_token_id,
                    **kwargs,
                )
                new = out[:, width:] if left_pad else out
                for row, i in enumerate(batch):
                    row_ids = new[row].tolist()
                    raw = self.tokenizer.decode(row_ids, skip_special_tokens=True)
                    n_out = self._generated_count(row_ids)
                    text = clean_output(
                        raw, style, settings.max_words, truncated=n_out >= settings.max_new_tokens
                    )
                    results[i] = (text, n_out)
                bar.update(len(batch))
        assert all(r is not None for r in results)
        return results  # type: ignore[return-value]

    def summarize(
        self,
        articles: Sequence[str],
        *,
        style: str = "highlights",
        batch_size: int = 8,
        progress: bool = False,
        faithful: bool | None = None,
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

        Articles longer than the model's input budget are split on sentence boundaries,
        each chunk summarized, and the joined chunk summaries summarized again (map-reduce);
        nothing is cut. Raises ValueError naming the index of an empty article.
        """
        articles = check_texts(articles, "article")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if not articles:
            return []
        style_cfg = self.config.style(style)
        settings = style_cfg.generation.override(**overrides)
        if style_cfg.extractive:
            return [self._extractive_summary(a, style_cfg, settings) for a in articles]
        faithful = self.config.faithful if faithful is None else faithful
        if style_cfg.select_sentences:
            return self._select_summaries(articles, style_cfg, settings, faithful=faithful, progress=progress)
        final_budget = self.article_budget(style_cfg, settings)

        input_tokens = [self.count_tokens(a) for a in articles]
        texts = [self.model_input(a, style_cfg) for a in articles]
        num_chunks = [1] * len(articles)
        chunked = [False] * len(articles)
        lengths = [self.count_tokens(t) for t in texts] if style_cfg.source_sentences else list(input_tokens)
        for round_ in range(_MAX_REDUCE_ROUNDS + 1):
            too_long = [i for i, n in enumerate(lengths) if n > final_budget]
            if not too_long:
                break
            if round_ == _MAX_REDUCE_ROUNDS:
                raise RuntimeError(f"articles {too_long} did not shrink below {final_budget} tokens")
            texts, lengths = self._reduce_round(
                texts, lengths, too_long, num_chunks, chunked, batch_size=batch_size, progress=progress
            )

        outputs = self._generate(
            texts, style_cfg, settings, batch_size=batch_size, progress=progress, desc=f"summarize ({style})"
        )
        summaries = []
        for i, (text, n_out) in enumerate(outputs):
            dropped, fallback = 0, False
            if faithful:
                checked = drop_unsupported(text, articles[i])
                # Sentences where the model obeyed (or repeated) instructions inside the article.
                text, injected = drop_injected(checked.text, articles[i])
                dropped = len(checked.dropped) + injected
                if not text:
                    source = without_instructions(articles[i])
                    text, fallback = extract_for_style(source, style_cfg, settings.max_words), True
            summaries.append(
                Summary(
                    text=text,
                    style=style,
                    input_tokens=input_tokens[i],
                    output_tokens=n_out,
                    chunked=chunked[i],
                    num_chunks=num_chunks[i],
                    dropped_sentences=dropped,
                    extractive_fallback=fallback,
                )
            )
        return summaries

    # ------------------------------------------------------------------ sentence selection
    def selection_inputs(self, article: str, style: StyleConfig) -> tuple[list[int], list[str], list[list[int]]]:
        """(prompt ids, candidate sentences, their token ids) for a selection style: the model
        input cut after the last whole sentence that fits the input budget, and the sentences
        it shows, each tokenized once."""
        text = self.model_input(article, style)
        budget = self.article_budget(style, style.generation)
        kept: list[str] = []
        ids: list[list[int]] = []
        used = 0
        for sentence in candidate_sentences(text):
            tokens = self.tokenizer(sentence, add_special_tokens=False)["input_ids"]
            if used + len(tokens) + 1 > budget:
                break
            kept.append(sentence)
            ids.append(tokens)
            used += len(tokens) + 1
        return self._encode_prompt(self.build_prompt(" ".join(kept), style)), kept, ids

    def _selection_prefix(self) -> list[int]:
        # Encoder-decoder targets start with the decoder start token (and bos where the
        # tokenizer puts one in front of a target, as BART's does).
        if self.family != "seq2seq":
            return []
        prefix = [self.model.config.decoder_start_token_id]
        probe = self.tokenizer(text_target="a")["input_ids"]
        if self.tokenizer.bos_token_id is not None and probe and probe[0] == self.tokenizer.bos_token_id:
            prefix.append(self.tokenizer.bos_token_id)
        return prefix

    def _select_summaries(
        self,
        articles: Sequence[str],
        style: StyleConfig,
        settings: GenerationSettings,
        *,
        faithful: bool,
        progress: bool,
    ) -> list[Summary]:
        """Each article's summary as whole sentences the model chose from it (see
        `summarizer.generation.selection`); one article at a time with a KV cache, since after the prompt
        a selection costs only a few forward passes."""
        separator = self.tokenizer(SEPARATOR, add_special_tokens=False)["input_ids"]
        if len(separator) != 1:
            raise ValueError(f"selection needs a one-token sentence separator; {SEPARATOR!r} is {separator}")
        prefix = self._selection_prefix()
        max_sentences = style.max_sentences or 3
        summaries = []
        for article in tqdm(articles, desc=f"summarize ({style.name})", unit="doc", disable=not progress, leave=False):
            # Planted instructions are neither shown nor selectable when the guard is on.
            source = without_instructions(article) if faithful else article
            prompt, sentences, candidates = self.selection_inputs(source, style) if source.strip() else ([], [], [])
            chosen = Selection((), 0) if not candidates else select_sentences(
                self.model,
                prompt,
                candidates,
                separator_id=separator[0],
                eos_id=self.tokenizer.eos_token_id,
                max_sentences=max_sentences,
                min_sentences=min(style.min_sentences, max_sentences),
                prior=[-style.lead_weight * k for k in range(len(candidates))] if style.lead_weight else None,
                lengths=[len(s.split()) for s in sentences],
                word_budget=style.word_budget,
                decoder_prefix=prefix,
            )
            text = " ".join(sentences[i] for i in chosen.indices)
            text, injected = drop_injected(text, article) if faithful else (text, 0)
            fallback = False
            if not text:
                source = without_instructions(article) if faithful else article
                text, fallback = extract_for_style(source, style, settings.max_words), True
            elif settings.max_words is not None:
                text = trim_words(text, settings.max_words)
            summaries.append(
                Summary(
                    text=text,
                    style=style.name,
                    input_tokens=self.count_tokens(article),
                    output_tokens=chosen.output_tokens,
                    dropped_sentences=injected,
                    extractive_fallback=fallback,
                )
            )
        return summaries

    def _extractive_summary(self, article: str, style: StyleConfig, settings: GenerationSettings) -> Summary:
        text = extract_for_style(article, style, settings.max_words)
        return Summary(text=text, style=style.name, input_tokens=self.count_tokens(article), output_tokens=0)

    def _reduce_round(
        self,
        texts: list[str],
        lengths: list[int],
        too_long: list[int],
        num_chunks: list[int],
        chunked: list[bool],
        *,
        batch_size: int,
        progress: bool,
    ) -> tuple[list[str], list[int]]:
        """One map step: chunk each too-long text, summarize all chunks together, join per text."""
        map_style = self.config.style(self.config.map_style)
        map_settings = map_style.generation
        budget = self.article_budget(map_style, map_settings)
        # A chunk summary must be much shorter than the chunk or the reduce never converges.
        if map_settings.max_new_tokens * 3 > budget:
            map_settings = map_settings.override(max_new_tokens=max(8, budget // 3))
            budget = self.article_budget(map_style, map_settings)
        jobs: list[tuple[int, str]] = []
        for i in too_long:
            pieces = chunk_text(texts[i], self.count_tokens, budget)
            if not chunked[i]:
                num_chunks[i] = len(pieces)
            chunked[i] = True
            jobs.extend((i, piece) for piece in pieces)
        logger.info("map-reduce: %d long article(s) -> %d chunks", len(too_long), len(jobs))
        outputs = self._generate(
            [piece for _, piece in jobs], map_style, map_settings,
            batch_size=batch_size, progress=progress, desc="summarize chunks",
        )
        texts, lengths = list(texts), list(lengths)
        joined: dict[int, list[str]] = {i: [] for i in too_long}
        for (i, piece), (text, _) in zip(jobs, outputs, strict=True):
            # A model that says nothing about a chunk still must not drop it: keep its lead
            # sentence, which is faithful by construction.
            joined[i].append(text or split_sentences(piece)[0])
        for i, parts in joined.items():
            new_text = " ".join(parts)
            new_len = self.count_tokens(new_text)
            if new_len >= lengths[i]:
                raise RuntimeError(f"map-reduce did not shrink article {i} ({lengths[i]} -> {new_len} tokens)")
            texts[i], lengths[i] = new_text, new_len
        return texts, lengths

    # ------------------------------------------------------------------ normalization
    def case_lm_context(self) -> dict[str, Any]:
        """What the `summarizer.casing.lm_check` functions need to know of this summarizer besides its
        model and tokenizer: the casing prompt, whether to wrap it in the chat template, and the
        context length."""
        return {
            "instruction": self.config.normalize_instruction,
            "use_chat": self._uses_chat_template(),
            "context_length": self.context_length,
        }

    def normalize(
        self,
        texts: Sequence[str],
        *,
        detokenize: bool = True,
        method: str = "statistical",
        batch_size: int = 16,
        progress: bool = False,
        case_settings: CaseLMSettings | None = None,
    ) -> list[Normalized]:
        """Restore letter case (and, with `detokenize`, standard spacing) of wire copy.

        texts: lowercased, PTB-tokenized text such as CNN/DM's
            ``kheyon rasheed told the state - run iraqiyya television``.
        method: "statistical" (default: the shipped count-based truecaser, ~100k words/s),
            "model" (the truecaser's draft checked word by word by this model: each word's
            lower / Title / UPPER forms are scored in one teacher-forced pass per window, see
            `summarizer.casing.lm_check` and docs/results_casing_model.md) or "generate" (this model
            writes each window, decoding constrained so only letter case can change; useful
            only after case-restoration fine-tuning, and slow).
        detokenize: also undo PTB tokenization (``state - run`` -> ``state-run``, ``-lrb-`` -> ``(``).
            Without it only letter case changes, so the output aligns with PTB-tokenized gold.
        case_settings: how method="model" weighs the model against the draft, its prompt
            ("instruction" for a model fine-tuned on casing prompts) and bf16 autocast.
        """
        texts = check_texts(texts, "text")
        if method not in NORMALIZE_METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {NORMALIZE_METHODS}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if case_settings is not None and method != "model":
            raise ValueError(f"case_settings apply to method='model' only, not {method!r}")
        if not texts:
            return []
        if method == "statistical":
            return normalize_statistical(texts, detokenize=detokenize, progress=progress)
        if method == "model":
            from summarizer.casing.lm_check import restore_case_with_lm  # its module also runs as a script

            with tqdm(desc="normalize (rows)", unit="row", disable=not progress, leave=False) as bar:
                cased = restore_case_with_lm(
                    self.model,
                    self.tokenizer,
                    self.family,
                    shipped_truecaser(),
                    texts,
                    case_settings,
                    **self.case_lm_context(),
                    batch_size=batch_size,
                    progress_bar=bar,
                )
            return finish_normalized(cased, method, detokenize)
        if self._case_trie is None:
            self._case_trie = CaseTrie(token_bytes_table(self.tokenizer))
        with tqdm(desc="normalize (windows)", unit="win", disable=not progress, leave=False) as bar:
            cased = restore_case_with_model(
                self.model,
                self.tokenizer,
                self.family,
                self._case_trie,
                texts,
                instruction=self.config.normalize_instruction,
                use_chat=self._uses_chat_template(),
                window_words=self.config.normalize_window_words,
                context_length=self.context_length,
                batch_size=batch_size,
                progress_bar=bar,
            )
        return finish_normalized(cased, method, detokenize)
