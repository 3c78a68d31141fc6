"""The shipped default: our LoRA adapter, trained on ../shared/data, merged onto the embedded base.

The repository carries only the adapter (`summarizer/resources/default_model/`: LoRA weights in
bfloat16, its settings, the model card). `default_model_path()` builds the merged model once,
from the converted base (`summarizer.weights.embedded.base_model_path`) and the adapter, and caches it
beside the base as plain safetensors, so later loads cost the same as the base model's.

The merge (`summarizer.weights.adapters.merge_lora_weights`) uses torch alone: loading the
default model needs no peft.

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

from summarizer.paths import building, cache_dir
from summarizer.weights.adapters import ADAPTER_CONFIG, WEIGHTS, merge_lora_weights
from summarizer.weights.embedded import base_model_path

__all__ = [
    "SHIPPED_DIR",
    "default_model_path",
    "has_shipped_adapter",
    "shipped_fingerprint",
    "shipped_model_path",
]

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "resources" / "default_model"
SETTINGS = "summarizer_config.json"
_MARKER = "merged_from.json"
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


def shipped_model_path(base: Path, cache: Path, directory: Path = SHIPPED_DIR) -> Path:
    """The merged default model under `cache`, built from `base` and the shipped adapter once."""
    fingerprint = shipped_fingerprint(directory)
    target = cache / f"{base.name}-summarizer-{fingerprint}"
    if (target / _MARKER).is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

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


def default_model_path() -> Path:
    """Folder of the default model: the embedded base with the shipped adapter merged in
    built and cached on first use; the base alone when the package
    carries no adapter."""
    base = base_model_path()
    if not has_shipped_adapter():
        return base
    return shipped_model_path(base, cache_dir())
