"""LoRA adapters (peft) as loadable models: a small folder on top of a base checkpoint.

An adapter folder holds peft's `adapter_config.json` and weights, the tokenizer, the run's
`summarizer_config.json`, and `base_model.json` naming its base (null: the embedded default).
`Summarizer.from_pretrained(adapter_folder)` loads the base, applies the adapter and, by
default, merges it into the weights so inference costs the same as the base model.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import AutoTokenizer

from summarizer.weights.embedded import base_model_path
from summarizer.weights.loading import Family, load_model_and_tokenizer

__all__ = ["ADAPTER_CONFIG", "BASE_FILE", "is_adapter_dir", "load_adapter_model"]

ADAPTER_CONFIG = "adapter_config.json"
BASE_FILE = "base_model.json"


def is_adapter_dir(path: str | Path) -> bool:
    return (Path(path) / ADAPTER_CONFIG).is_file()


def adapter_base(directory: str | Path) -> str | None:
    """The base model named by an adapter folder (None: the embedded base model)."""
    base_file = Path(directory) / BASE_FILE
    if base_file.is_file():
        return json.loads(base_file.read_text(encoding="utf-8"))["model_name_or_path"]
    return None


def load_adapter_model(
    directory: str | Path,
    *,
    base: str | Path | None = None,
    merge: bool = True,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
) -> tuple[object, object, Family]:
    """(model, tokenizer, family) of the adapter's base with the adapter applied or merged."""
    try:
        from peft import PeftModel
    except ImportError:
        raise ImportError(
            f"{directory} is a LoRA adapter; loading it needs peft: pip install 'summarizer[train]'"
        ) from None
    base = base if base is not None else adapter_base(directory)
    model, _, family = load_model_and_tokenizer(
        base_model_path() if base is None else base, device=device, dtype=dtype
    )
    model = PeftModel.from_pretrained(model, str(directory))
    model.eval()
    if merge:
        model = model.merge_and_unload()
    # The adapter folder carries the tokenizer it was trained with.
    tokenizer = AutoTokenizer.from_pretrained(str(directory))
    return model, tokenizer, family
