"""The network the case tagger and the glued-sentence finder share (issue 35).

Each token of a lowercased document is a word embedding (the training text's frequent words), a
hashed 3-letter suffix embedding and a few dense features the caller computes; a bidirectional
GRU reads the whole document on both sides and gives each token `outputs` logits. The tagger
(`casing.tagger`) asks for four case classes, the boundary finder (`casing.boundaries`) for one
"a sentence starts here" logit.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import torch
from torch import nn

SUFFIXES = 4096


def suffix_id(word: str) -> int:
    """The hashed id of a word's last three characters."""
    return zlib.crc32(word[-3:].encode()) % SUFFIXES


@dataclass
class TokenGRUConfig:
    vocab: int = 50000
    word_dim: int = 64
    suffix_dim: int = 16
    hidden: int = 128
    dropout: float = 0.2


class TokenBiGRU(nn.Module):
    """Word, suffix and dense features -> BiGRU -> `outputs` logits for every token."""

    def __init__(self, config: TokenGRUConfig, features: int, outputs: int) -> None:
        super().__init__()
        self.config = config
        self.words = nn.Embedding(config.vocab, config.word_dim)
        self.suffix = nn.Embedding(SUFFIXES, config.suffix_dim)
        self.drop = nn.Dropout(config.dropout)
        self.rnn = nn.GRU(config.word_dim + config.suffix_dim + features, config.hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * config.hidden, outputs)

    def forward(self, ids: torch.Tensor, suffix: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        x = torch.cat([self.drop(self.words(ids)), self.drop(self.suffix(suffix)), dense], -1)
        return self.out(self.drop(self.rnn(x)[0]))
