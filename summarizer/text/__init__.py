"""Non-neural text tools: PTB (de)tokenization, headline casing, statistical truecasing."""

from summarizer.text.detokenize import detokenize, tokenize_ptb

__all__ = ["detokenize", "tokenize_ptb"]
