"""Wire-copy normalization: letter case and PTB spacing, never a word.

`normalize` (in `summarizer.casing.normalize`) is the entry point; the statistical truecaser,
the LM check of its draft, constrained decoding, detokenization and headline casing are one
module each. Importing this package loads nothing; the shipped tables are read on first use.
"""

from summarizer.casing.decoder import CaseDecoder, DecoderConfig, restore_case
from summarizer.casing.detokenize import detokenize, tokenize_ptb
from summarizer.casing.headline import headline_case
from summarizer.casing.truecaser import StatisticalTruecaser, TruecaserConfig

__all__ = [
    "CaseDecoder",
    "DecoderConfig",
    "StatisticalTruecaser",
    "TruecaserConfig",
    "detokenize",
    "headline_case",
    "restore_case",
    "tokenize_ptb",
]
