"""How a model is asked: the prompt text of a style, its token ids, and the room left for the article.

`Prompter` is built from a `Summarizer`'s tokenizer, model family and settings; every path that
puts text in front of the model (free generation, selection, training examples) goes through
it, so training and inference cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from summarizer.config import GenerationSettings, StyleConfig, SummarizerConfig
from summarizer.generation.extractive import extract
from summarizer.generation.prefix import common_length
from summarizer.guard.injection import defuse_special_tokens

__all__ = ["Prompter"]

# Slack for tokens that merge differently at the prompt/article boundary.
_BOUNDARY_SLACK = 4


@dataclass(frozen=True)
class Prompter:
    tokenizer: Any
    family: str
    config: SummarizerConfig
    context_length: int
    # Strings an article must not contain verbatim, or it could close the prompt's user turn.
    special_tokens: frozenset[str]

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def uses_chat_template(self) -> bool:
        return (
            self.family == "causal"
            and self.config.use_chat_template
            and getattr(self.tokenizer, "chat_template", None) is not None
        )

    def build_prompt(self, article: str, style: StyleConfig) -> str:
        """The exact text the model reads for `article` in `style`."""
        article = defuse_special_tokens(article, self.special_tokens)
        if self.family == "seq2seq":
            return f"{style.seq2seq_prefix}{article}"
        user = f"{style.instruction}\n\nArticle:\n{article}"
        if self.uses_chat_template():
            messages = [{"role": "user", "content": user}]
            if self.config.system_prompt:
                messages.insert(0, {"role": "system", "content": self.config.system_prompt})
            return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return f"{user}\n\n{style.name.replace('_', ' ').capitalize()}:"

    def encode(self, prompt: str) -> list[int]:
        # Chat templates already contain the special tokens; plain prompts get the tokenizer's.
        return self.tokenizer(prompt, add_special_tokens=not self.uses_chat_template())["input_ids"]

    def prompt_ids(self, model_input: str, style: StyleConfig) -> list[int]:
        return self.encode(self.build_prompt(model_input, style))

    def prefix_ids(self, style: StyleConfig) -> list[int]:
        """The tokens every decoder-only prompt of `style` starts with (system prompt and
        instruction, up to the article), whose KV cache is computed once
        (`summarizer.generation.prefix`); [] for encoder-decoder models, whose encoder reads the
        whole input at once."""
        if self.family != "causal":
            return []
        one, other = self.prompt_ids("A", style), self.prompt_ids("B", style)
        return one[:common_length(one, other)]

    @staticmethod
    def model_input(article: str, style: StyleConfig) -> str:
        """The part of `article` the model is shown for `style` (all of it unless the style
        sets `source_sentences`)."""
        if style.source_sentences:
            return extract(article, max_sentences=style.source_sentences)
        return article

    def article_budget(self, style: StyleConfig, settings: GenerationSettings) -> int:
        """How many article tokens fit in one model input for `style`."""
        if self.config.max_input_tokens is not None:
            max_input = self.config.max_input_tokens
        elif self.family == "causal":
            # Prompt and generated tokens share the decoder's positions.
            max_input = self.context_length - settings.max_new_tokens
        else:
            max_input = self.context_length
        overhead = len(self.prompt_ids("", style)) + _BOUNDARY_SLACK
        budget = max_input - overhead
        if budget < 8:
            raise ValueError(
                f"style {style.name!r} leaves {budget} tokens for the article (context {self.context_length}, "
                f"prompt {overhead}, max_new_tokens {settings.max_new_tokens}); lower max_new_tokens"
            )
        return budget
