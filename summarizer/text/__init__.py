"""Non-neural text tools for wire copy: PTB (de)tokenization, headline casing, statistical truecasing.

Importing this package loads nothing; the shipped truecaser model is read on first use.
"""

from summarizer.text.detokenize import detokenize, tokenize_ptb
from summarizer.text.headline import headline_case
from summarizer.text.truecaser import StatisticalTruecaser, TruecaserConfig, restore_case

__all__ = [
    "StatisticalTruecaser",
    "TruecaserConfig",
    "detokenize",
    "headline_case",
    "restore_case",
    "tokenize_ptb",
]
