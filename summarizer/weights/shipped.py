"""The shipped default: our LoRA adapter, trained on ../shared/data, merged onto the embedded base.

The repository carries only the adapter (`summarizer/resources/default_model/`: LoRA weights in
bfloat16, its settings, the model card). `default_model_path()` builds the merged model once,
from the converted base (`summarizer.weights.embedded.base_model_path`) and the adapter, and caches it
beside the base as plain safetensors, so later loads cost the same as the base model's.

The merge is W + (alpha / r) * B @ A for every adapted linear layer, done here with torch alone:
loading the default model needs no peft. Adapters with features this merge does not implement
(DoRA, rsLoRA, per-layer ranks, extra trained modules) are refused rather than merged wrongly.

Reproduce the adapter: `make default-model` (training/configs/default_recipe.json, then
`python -m training.export_default out/default_recipe/adapter`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import torch

__all__ = [
    "SHIPPED_DIR",
    "has_shipped_adapter",
    "merge_lora_weights",
    "shipped_fingerprint",
    "shipped_model_path",
]

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "resources" / "default_model"
WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
SETTINGS = "summarizer_config.json"
_MARKER = "merged_from.json"
_PREFIX = "base_model.model."
# Bump when the merge itself changes, so cached merged models are rebuilt.
_MERGE_VERSION = 1


def has_shipped_adapter(directory: Path = SHIPPED_DIR) -> bool:
    return (directory / WEIGHTS).is_file() and (directory / ADAPTER_CONFIG).is_file()


def shipped_fingerprint(directory: Path = SHIPPED_DIR) -> str:
    digest = hashlib.sha256()
    for name in (WEIGHTS, ADAPTER_CONFIG, SETTINGS):
        path = directory / name
        if path.is_file():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    digest.update(str(_MERGE_VERSION).encode())
    return digest.hexdigest()[:12]


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
            target.add_(delta.to(target.dtype))
        merged += 1
    if merged == 0:
        raise ValueError(f"{adapter_dir} holds no LoRA weights")
    return merged


def shipped_model_path(base: Path, cache: Path, directory: Path = SHIPPED_DIR) -> Path:
    """The merged default model under `cache`, built from `base` and the shipped adapter once."""
    fingerprint = shipped_fingerprint(directory)
    target = cache / f"{base.name}-summarizer-{fingerprint}"
    if (target / _MARKER).is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from summarizer.weights.embedded import building

    logger.info("merging the shipped adapter into %s (once)", target)
    with building(target) as tmp:
        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
        merge_lora_weights(model, directory)
        model.save_pretrained(tmp)
        AutoTokenizer.from_pretrained(base).save_pretrained(tmp)
        if (directory / SETTINGS).is_file():
            shutil.copy(directory / SETTINGS, tmp / SETTINGS)
        (tmp / _MARKER).write_text(json.dumps({"adapter": fingerprint, "base": str(base)}) + "\n")
    return target
