"""The one way a list of token sequences becomes model batches: sorted by length, padded.

Longest first: similar lengths share a batch (little padding), and a batch too big for memory
fails at the start rather than after an hour. Decoder-only models are left-padded so every row's
next token sits in the last column; encoder inputs and teacher-forced rows are right-padded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch

__all__ = ["length_sorted_batches", "pad_batch"]


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Indices into `lengths` in batches of `batch_size`, longest first (stable for ties)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def pad_batch(seqs: Sequence[Sequence[int]], pad_id: int, *, left: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, attention mask) of `seqs` padded to the longest with `pad_id`, on the left or right."""
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for row, seq in enumerate(seqs):
        span = slice(width - len(seq), width) if left else slice(0, len(seq))
        ids[row, span] = torch.tensor(seq, dtype=torch.long)
        mask[row, span] = 1
    return ids, mask
