"""The start every prompt of a style shares, read once: its KV cache kept per model and reused.

A decoder-only prompt is the system prompt and the style's instruction, then the article, then
the turn's end. The first part (about 60 tokens of a 200-token headline prompt) is the same for
every article, so a decoder-only model's keys and values for it are computed once and each
article's prompt is read from there (issue 34: reading the prompt is most of a style's time).

An article's output does not depend on the articles beside it: every prompt of a style starts
from the same stored cache. The store is keyed by the model and checked against its weights
(their storage and in-place version counters), so a model trained or converted after a cache
was stored gets a fresh one.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import torch

__all__ = ["common_length", "crop_to", "start_cache"]

# model -> {prefix ids: (weights fingerprint, cache)}
_STORE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def common_length(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens `a` and `b` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def crop_to(cache: Any, length: int) -> None:
    """Drop a KV cache's positions past `length` (transformers' `crop` takes how many to remove)."""
    remove = cache.get_seq_length() - length
    if remove > 0:
        cache.crop(-remove)


def _fingerprint(model: torch.nn.Module) -> tuple:
    # In-place updates (an optimizer step) bump `_version`; a conversion replaces the storage.
    return tuple((p.data_ptr(), p._version, p.dtype) for p in model.parameters())


@torch.inference_mode()
def _stored(model: torch.nn.Module, prefix: tuple[int, ...]) -> Any:
    fingerprint = _fingerprint(model)
    with _LOCK:
        caches = _STORE.setdefault(model, {})
        found = caches.get(prefix)
        if found is not None and found[0] == fingerprint:
            return found[1]
    device = next(model.parameters()).device
    cache = model.base_model(input_ids=torch.tensor([list(prefix)], device=device), use_cache=True).past_key_values
    with _LOCK:
        # Only the latest weights' caches are worth keeping.
        stale = [key for key, (mark, _) in caches.items() if mark != fingerprint]
        for key in stale:
            del caches[key]
        caches[prefix] = (fingerprint, cache)
    return cache


def start_cache(model: Any, prompt_ids: Sequence[int], prefix_ids: Sequence[int]) -> tuple[Any, int]:
    """(a KV cache of the first n tokens of `prompt_ids`, n) for a decoder-only `model`: the
    tokens `prompt_ids` shares with `prefix_ids` (the style's shared start,
    `Prompter.prefix_ids`), taken from the store, always leaving at least one prompt token to
    read. The cache is the caller's to extend. (None, 0) when nothing is shared."""
    n = min(common_length(prompt_ids, prefix_ids), len(prompt_ids) - 1)
    if n < 1:
        return None, 0
    stored = _stored(model, tuple(prefix_ids))
    cache = copy.deepcopy(stored)
    if n < len(prefix_ids):
        # The article's first characters merged with the prompt's last tokens: keep what matches.
        crop_to(cache, n)
    return cache, n
