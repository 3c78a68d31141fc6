"""LoRA adapters (peft) as loadable models: a small folder on top of a base checkpoint.

An adapter folder holds peft's `adapter_config.json` and weights, the tokenizer, the run's
`summarizer_config.json`, and `base_model.json` naming its base (null: the embedded default).
`Summarizer.from_pretrained(adapter_folder)` loads the base, applies the adapter and, by
default, merges it into the weights so inference costs the same as the base model.
`merge_lora_weights` folds a LoRA adapter into a plain model with torch alone (no peft): the
shipped default is built this way. It computes W + (alpha / r) * B @ A for every adapted linear
layer and refuses features it does not implement (DoRA, rsLoRA, per-layer ranks, extra trained
modules) rather than merging them wrongly.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import AutoTokenizer

from summarizer.weights.embedded import base_model_path
from summarizer.weights.loading import Family, load_model_and_tokenizer

__all__ = ["ADAPTER_CONFIG", "BASE_FILE", "WEIGHTS", "is_adapter_dir", "load_adapter_model", "merge_lora_weights"]

ADAPTER_CONFIG = "adapter_config.json"
WEIGHTS = "adapter_model.safetensors"
# peft prefixes the wrapped model's parameter names with this.
_PREFIX = "base_model.model."
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


def _check_config(config: dict) -> float:
    if config.get("peft_type") != "LORA":
        raise ValueError(f"not a LoRA adapter: peft_type {config.get('peft_type')!r}")
    unsupported = [
        name
        for name in ("use_dora", "use_rslora", "modules_to_save", "rank_pattern", "alpha_pattern", "fan_in_fan_out")
        if config.get(name)
    ]
    if unsupported:
        raise ValueError(f"this adapter uses {unsupported}; merge it with peft instead")
    return float(config["lora_alpha"]) / float(config["r"])


def merge_lora_weights(model: torch.nn.Module, adapter_dir: str | Path) -> int:
    """Fold a peft LoRA adapter into `model`'s weights in place; returns the layers merged."""
    from safetensors.torch import load_file

    adapter_dir = Path(adapter_dir)
    scale = _check_config(json.loads((adapter_dir / ADAPTER_CONFIG).read_text(encoding="utf-8")))
    tensors = load_file(str(adapter_dir / WEIGHTS))
    params = dict(model.named_parameters())
    merged = 0
    for key in sorted(tensors):
        if not key.endswith(".lora_A.weight"):
            continue
        module = key[: -len(".lora_A.weight")]
        module = module[len(_PREFIX) :] if module.startswith(_PREFIX) else module
        target = params.get(f"{module}.weight")
        b = tensors.get(key.replace(".lora_A.", ".lora_B."))
        if target is None or b is None:
            raise ValueError(f"adapter weight {key} matches no linear layer of the model")
        a = tensors[key]
        with torch.no_grad():
            delta = (b.float() @ a.float()) * scale
            if delta.shape != target.shape:
                raise ValueError(f"{module}: adapter shape {tuple(delta.shape)} != weight {tuple(target.shape)}")
            # Added in fp32 and rounded once to the weight's dtype, as peft's merge does: rounding
            # the delta to bfloat16 first would round twice and differ from peft by one bf16 step.
            target.add_(delta)
        merged += 1
    if merged == 0:
        raise ValueError(f"{adapter_dir} holds no LoRA weights")
    return merged
